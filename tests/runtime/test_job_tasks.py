"""JobTasks keeps a task group's guarantees while starting job tasks cheaply."""

from __future__ import annotations

import anyio
import pytest

from bpmn_bridge.runtime._job_tasks import JobTasks


async def test_the_block_is_left_only_after_every_job_task_ended() -> None:
    ended: list[int] = []

    async def job(number: int) -> None:
        await anyio.sleep(0.01 * number)
        ended.append(number)

    async with JobTasks(cancel_jobs=lambda: None) as jobs:
        for number in (3, 1, 2):
            jobs.start_soon(job, number)
    assert sorted(ended) == [1, 2, 3]


async def test_a_raising_job_task_cancels_the_block_and_its_error_is_raised() -> None:
    cancelled: list[str] = []
    reached_end_of_block = False

    async def broken() -> None:
        raise ValueError("a bug in a job task")

    with pytest.raises(ExceptionGroup) as raised:
        async with JobTasks(cancel_jobs=lambda: cancelled.append("jobs")) as jobs:
            jobs.start_soon(broken)
            await anyio.sleep(5)
            reached_end_of_block = True
    assert [type(e) for e in raised.value.exceptions] == [ValueError]
    assert cancelled  # every running job was asked to end
    assert not reached_end_of_block


async def test_cancelled_while_waiting_it_ends_and_awaits_the_jobs_then_stays_cancelled() -> None:
    stop = anyio.Event()
    handed_back: list[str] = []

    async def job() -> None:
        await stop.wait()
        await anyio.sleep(0.01)  # the hand-back takes a moment
        handed_back.append("job")

    with anyio.move_on_after(0.05) as outer:
        async with JobTasks(cancel_jobs=stop.set) as jobs:
            jobs.start_soon(job)
    assert outer.cancelled_caught
    assert handed_back == ["job"]


async def test_only_cancel_jobs_ends_a_job_so_a_finished_job_still_reports() -> None:
    reported: list[str] = []

    async def reporting_job() -> None:
        await anyio.sleep(0.1)  # its outcome on its way to the engine
        reported.append("outcome")

    with anyio.move_on_after(0.02) as outer:
        async with JobTasks(cancel_jobs=lambda: None) as jobs:
            jobs.start_soon(reporting_job)
    assert outer.cancelled_caught
    assert reported == ["outcome"]
