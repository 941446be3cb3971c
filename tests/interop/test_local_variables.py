"""``complete(global_variables, local_variables)`` from an external-task handler means under
bpmn-bridge what it means under the library's own worker on a real Camunda 7: the local ones
live on the task's scope, the global ones on the process instance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
from camunda.external_task.external_task import ExternalTask, TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker

from bpmn_bridge.interop import from_external_task_handler
from bpmn_bridge.runtime import Runtime
from tests.support.diagrams import service_task_process
from tests.support.targets import Camunda7RestTarget, unique


def keep_local(task: ExternalTask) -> TaskResult:
    return task.complete({"approved": True}, {"scratch": "task only"})


async def scopes(url: str, instance: str) -> dict[str, tuple[Any, bool]]:
    """Each variable the instance ever had: its value, and whether it lived on the root."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        rows = (
            await http.get("/history/variable-instance", params={"processInstanceId": instance})
        ).json()
    return {row["name"]: (row["value"], row["activityInstanceId"] == instance) for row in rows}


async def run_once(url: str, *, under: str) -> dict[str, tuple[Any, bool]]:
    target = Camunda7RestTarget("camunda7", url)
    topic = unique("keep-local")
    process = unique("p").replace("-", "_")
    await target.deploy(service_task_process(process, topic, flavour="camunda7"))
    instance = await target.start(process, {"invoice": "I-1"})
    if under == "library":
        worker = ExternalTaskWorker(
            worker_id="library", base_url=url, config={"asyncResponseTimeout": 1000}
        )
        await anyio.to_thread.run_sync(worker.fetch_and_execute, topic, keep_local)
        await target.wait_end(instance)
    else:
        runtime = Runtime(
            connectors=[from_external_task_handler(topic, keep_local)],
            engines=[target.adapter()],
            long_poll=timedelta(seconds=1),
        )
        async with runtime:
            await target.wait_end(instance)
    return await scopes(url, instance)


@pytest.mark.camunda7
async def test_local_variables_stay_on_the_task_scope(camunda7_engine: Any) -> None:
    expected = await run_once(camunda7_engine.url, under="library")
    assert expected["scratch"] == ("task only", False)
    assert expected["approved"] == (True, True)
    assert await run_once(camunda7_engine.url, under="bpmn-bridge") == expected
