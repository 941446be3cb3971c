"""The Camunda 7 front refuses retries a Java int cannot hold, as Camunda 7 does (HTTP 400)."""

from __future__ import annotations

import httpx

from bpmn_bridge.devengine import DevEngine
from tests.support.diagrams import service_task_process


async def test_failure_with_retries_beyond_int_is_refused() -> None:
    async with DevEngine(zeebe_port=None) as dev:
        dev.deploy(service_task_process("range", "range", flavour="camunda7"))
        dev.start("range")
        async with httpx.AsyncClient(base_url=dev.camunda7_url) as http:
            locked = await http.post(
                "/external-task/fetchAndLock",
                json={
                    "workerId": "w",
                    "maxTasks": 1,
                    "topics": [{"topicName": "range", "lockDuration": 60000}],
                },
            )
            task_id = locked.json()[0]["id"]
            refused = await http.post(
                f"/external-task/{task_id}/failure",
                json={"workerId": "w", "errorMessage": "m", "retries": 2**40, "retryTimeout": 0},
            )
    assert refused.status_code == 400
    assert refused.json()["type"] == "InvalidRequestException"
