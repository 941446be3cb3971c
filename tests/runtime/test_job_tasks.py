"""JobTasks keeps a task group's guarantees while starting job tasks cheaply."""

from __future__ import annotations

import asyncio
import time

import anyio
import anyio.lowlevel
import anyio.to_thread
import pytest

from bpmn_bridge.runtime._job_tasks import JobScope, JobTasks


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


# -- JobScope: a job's cancel scope on bare asyncio ----------------------------------


async def test_a_job_scope_ends_what_it_encloses_at_its_deadline_and_says_so() -> None:
    scope = JobScope()
    scope.deadline = anyio.current_time() + 0.02
    with scope:
        await anyio.sleep(5)
    assert scope.cancel_called and scope.cancelled_caught
    await anyio.lowlevel.checkpoint()  # the task is not left cancelled: it goes on


async def test_a_job_scope_cancelled_from_another_task_ends_its_own_task_only() -> None:
    scope = JobScope()
    other_done = anyio.Event()

    async def canceller() -> None:
        await anyio.sleep(0.01)
        scope.cancel()
        await anyio.sleep(0.01)
        other_done.set()

    async with anyio.create_task_group() as group:
        group.start_soon(canceller)
        with scope:
            await anyio.sleep(5)
        assert scope.cancelled_caught
        await other_done.wait()  # the canceller's task was not touched


async def test_a_job_scope_cancelled_before_it_is_entered_cancels_on_entry() -> None:
    scope = JobScope()
    scope.cancel()
    reached = False
    with scope:
        await anyio.sleep(5)
        reached = True
    assert not reached and scope.cancelled_caught


async def test_cancelling_a_job_scope_that_was_left_does_nothing() -> None:
    scope = JobScope()
    scope.deadline = anyio.current_time() + 5
    with scope:
        await anyio.lowlevel.checkpoint()
    scope.cancel()
    await anyio.sleep(0.01)  # no cancellation arrives
    assert scope.cancel_called and not scope.cancelled_caught


async def test_a_job_scope_lets_a_cancellation_not_its_own_through() -> None:
    task = asyncio.current_task()
    assert task is not None
    inner = JobScope()
    with pytest.raises(asyncio.CancelledError), inner:
        task.cancel()  # someone else's cancellation, as asyncio.timeout sees it
        inner.cancel()
        await anyio.sleep(5)
    assert not inner.cancelled_caught
    task.uncancel()


async def test_an_enclosing_anyio_scope_still_cancels_after_a_job_scope_ends() -> None:
    with anyio.CancelScope() as outer:
        with JobScope() as inner:
            outer.cancel()
            inner.cancel()
            await anyio.sleep(5)
        await anyio.sleep(5)  # the enclosing scope's cancellation arrives here
        pytest.fail("the enclosing scope's cancellation was lost")
    assert outer.cancelled_caught


async def test_a_job_scope_deadline_moved_while_inside_takes_effect() -> None:
    scope = JobScope()
    scope.deadline = anyio.current_time() + 5
    began = anyio.current_time()
    with scope:
        scope.deadline = anyio.current_time() + 0.02
        await anyio.sleep(5)
    assert scope.cancelled_caught and anyio.current_time() - began < 4


async def test_a_job_scope_cancels_a_task_group_and_a_thread_wait_inside_it() -> None:
    scope = JobScope()
    scope.deadline = anyio.current_time() + 0.05
    children_cancelled: list[str] = []

    async def child() -> None:
        try:
            await anyio.sleep(5)
        except anyio.get_cancelled_exc_class():
            children_cancelled.append("child")
            raise

    with scope:
        async with anyio.create_task_group() as group:
            group.start_soon(child)
            await anyio.to_thread.run_sync(time.sleep, 0.5, abandon_on_cancel=True)
    assert scope.cancelled_caught and children_cancelled == ["child"]


async def test_a_job_scope_cancelled_while_its_block_never_waits_leaves_no_cancellation() -> None:
    scope = JobScope()
    scope.cancel()
    with scope:
        pass  # nothing awaited: nothing to cancel
    await anyio.sleep(0.01)  # and no cancellation is left pending for the task
    assert scope.cancel_called and not scope.cancelled_caught
