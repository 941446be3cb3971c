"""Stopping the embedded engine answers open long polls instead of waiting them out."""

from __future__ import annotations

import anyio
import httpx

from bpmn_bridge.devengine import DevEngine


async def test_an_open_camunda7_long_poll_is_answered_before_the_stop_returns() -> None:
    events: list[str] = []
    engine = DevEngine(zeebe_port=None, camunda8_rest_port=None)
    await engine.start_fronts()
    answer: list[httpx.Response] = []

    async def poll() -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            answer.append(
                await client.post(
                    f"{engine.camunda7_url}/external-task/fetchAndLock",
                    json={
                        "workerId": "w",
                        "maxTasks": 1,
                        "asyncResponseTimeout": 1_800_000,
                        "topics": [{"topicName": "nobody-sends", "lockDuration": 1000}],
                    },
                )
            )
        events.append("poll answered")

    async with anyio.create_task_group() as group:
        group.start_soon(poll)
        with anyio.fail_after(30):
            while not engine.core._board._waiters:  # the poll waits in the engine
                await anyio.sleep(0.01)
        # the poll asked to wait 30 minutes; the whole test may take 30 s at most
        with anyio.fail_after(30):
            await engine.stop_fronts()
            events.append("stopped")
    assert sorted(events) == ["poll answered", "stopped"]
    assert answer[0].status_code == 200
    assert answer[0].json() == []
