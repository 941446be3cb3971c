"""The test kit stops a job the ways the runtime does: the job is gone, the worker shuts down."""

from __future__ import annotations

import time
from datetime import timedelta

import anyio
import pytest

from bpmn_bridge import Completed, ConnectorContext, Failed, connector
from bpmn_bridge.testing import JobControl, JobHandedBack, run_connector

cleaned_up: list[str] = []


@connector(type="test:waits-for-cancellation")
async def stops_when_asked(context: ConnectorContext) -> dict[str, bool]:
    try:
        await context.cancellation.wait()
        return {"stoppedEarly": True}
    finally:
        cleaned_up.append(context.info.id)


@connector(type="test:ignores-cancellation")
async def never_stops(context: ConnectorContext) -> dict[str, bool]:
    try:
        await anyio.sleep_forever()
    finally:
        cleaned_up.append(context.info.id)
    raise AssertionError("unreachable")


@connector(type="test:sync-polls-cancellation")
def sync_polls(context: ConnectorContext) -> dict[str, int]:
    polls = 0
    while not context.cancellation.is_set():
        polls += 1
        time.sleep(0.001)
    raise RuntimeError(f"stopped after {polls} polls")


async def test_cancel_after_asks_the_connector_to_stop_and_returns_its_outcome() -> None:
    outcome = await run_connector(stops_when_asked, cancel_after=0.01)
    assert outcome == Completed({"stoppedEarly": True})


async def test_a_sync_connector_sees_the_cancellation_in_its_thread() -> None:
    outcome = await run_connector(sync_polls, cancel_after=timedelta(milliseconds=10))
    assert isinstance(outcome, Failed)
    assert "stopped after" in outcome.message


async def test_worker_shutdown_cancels_the_connector_and_hands_the_job_back() -> None:
    cleaned_up.clear()
    with pytest.raises(JobHandedBack, match="test:ignores-cancellation"):
        await run_connector(never_stops, shutdown_after=0.01)
    assert cleaned_up == ["1"]


async def test_a_control_stops_the_job_from_another_task() -> None:
    control = JobControl()

    async def stop_soon() -> None:
        await anyio.sleep(0.01)
        control.cancel()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(stop_soon)
        outcome = await run_connector(stops_when_asked, control=control)
    assert outcome == Completed({"stoppedEarly": True})
    assert control.cancellation.is_set()


async def test_a_shutdown_before_the_start_never_reports_an_outcome() -> None:
    control = JobControl()
    control.worker_shutdown()
    with pytest.raises(JobHandedBack):
        await run_connector(stops_when_asked, control=control)


async def test_a_negative_delay_is_refused_with_its_value() -> None:
    with pytest.raises(ValueError, match="-1"):
        await run_connector(stops_when_asked, cancel_after=-1)
