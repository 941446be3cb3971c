"""A hook that raises (a metrics backend that is down) never stops a job or the worker.

Before, a raising ``job_activated`` ended ``Runtime.run()`` with an ExceptionGroup and the
job's outcome was never reported. Now each failure is logged, counted and shown on
``/metrics``; the jobs complete on the embedded engine as if the hook were not there.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import httpx

from bpmn_bridge import connector
from bpmn_bridge.core import JobInfo, get_spec
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import JobFinished, Metrics, OpsServer, Runtime, RuntimeHooks
from tests.support.diagrams import service_task_process
from tests.support.targets import DevZeebeTarget, unique


class DownBackend(RuntimeHooks):
    def job_activated(self, job: JobInfo, connector: str) -> None:
        raise ConnectionError("metrics backend down")

    def job_finished(self, event: JobFinished) -> None:
        raise ConnectionError("metrics backend down")


@connector(type="hooked")
async def hooked() -> dict[str, int]:
    return {"done": 1}


async def test_raising_hooks_are_counted_and_every_job_completes() -> None:
    task_type = unique("hooked")
    async with DevEngine() as dev:
        target = DevZeebeTarget(dev)
        await target.deploy(service_task_process("hooked", task_type, flavour="camunda8"))
        metrics = Metrics()
        runtime = Runtime(
            connectors=[dataclasses.replace(get_spec(hooked), type=task_type)],
            engines=[target.adapter()],
            hooks=[DownBackend(), metrics],
            long_poll=timedelta(seconds=1),
        )
        async with runtime, OpsServer(runtime, metrics) as ops:
            instances = [await target.start("hooked", {}) for _ in range(5)]
            for instance in instances:
                await target.wait_end(instance, timeout=20)
            assert runtime.ready
            async with httpx.AsyncClient() as http:
                text = (await http.get(f"{ops.url}/metrics")).text
    assert runtime.hook_failures == 10
    assert "bpmn_bridge_hook_failures 10.0" in text
    assert 'bpmn_bridge_jobs_completed_total{connector="' in text  # the next hook still ran
