"""Under the runtime a bridged worker gets what a connector gets: its concurrency bound, leases
extended while it works, metrics, and a drain that lets running work finish."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import anyio
from camunda.external_task.external_task import ExternalTask, TaskResult
from pyzeebe import ZeebeTaskRouter

from bpmn_bridge.core import ConnectorSpec
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.interop import from_external_task_handler
from bpmn_bridge.runtime import Metrics, Runtime
from tests.support.diagrams import service_task_process
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, Target, unique


class Gauge:
    """Counts calls running at once, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.most = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc_info: object) -> None:
        with self.lock:
            self.now -= 1


async def serve_four(target: Target, task_type: str, specs: Any) -> Metrics:
    """Four instances of work longer than the runtime's lease, then a drain while the last
    ones still run."""
    process = unique("p").replace("-", "_")
    await target.deploy(service_task_process(process, task_type, flavour=target.flavour))
    metrics = Metrics()
    runtime = Runtime(
        connectors=specs,
        engines=[target.adapter()],
        lease=timedelta(seconds=1),
        long_poll=timedelta(seconds=1),
        grace_period=timedelta(seconds=20),
        hooks=[metrics],
    )
    instances = [await target.start(process, {"n": n}) for n in range(4)]
    async with runtime:
        with anyio.fail_after(30):
            while runtime.in_flight < 2:
                await anyio.sleep(0.05)
        runtime.request_stop()
    # the runtime has returned: the two running jobs finished; the other two were never taken
    ended = 0
    for instance in instances:
        try:
            await target.wait_end(instance, timeout=0.5)
            ended += 1
        except TimeoutError:
            pass
    assert ended == 2
    return metrics


async def test_pyzeebe_task_bounded_extended_counted_and_drained() -> None:
    task_type = unique("slow")
    gauge = Gauge()
    router = ZeebeTaskRouter()

    @router.task(task_type=task_type, max_running_jobs=2)
    def work(n: int) -> dict[str, Any]:
        with gauge:
            time.sleep(2.5)
        return {"done": n}

    async with DevEngine() as dev:
        target = Camunda7RestTarget("devengine-camunda7", dev.camunda7_url)
        metrics = await serve_four(target, task_type, [router])
    assert gauge.most == 2
    assert metrics.completed.labels("camunda7", task_type)._value.get() == 2
    assert metrics.extended.labels("camunda7", task_type)._value.get() >= 2


async def test_external_task_handler_bounded_extended_counted_and_drained() -> None:
    topic = unique("slow")
    gauge = Gauge()

    def work(task: ExternalTask) -> TaskResult:
        with gauge:
            time.sleep(2.5)
        return task.complete({"done": task.get_variable("n")})

    spec: ConnectorSpec = from_external_task_handler(topic, work, max_concurrency=2)
    async with DevEngine(camunda7_port=None) as dev:
        metrics = await serve_four(DevZeebeTarget(dev), topic, [spec])
    assert gauge.most == 2
    assert metrics.completed.labels("zeebe", topic)._value.get() == 2
    assert metrics.extended.labels("zeebe", topic)._value.get() >= 2
