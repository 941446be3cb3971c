"""The jobs' tasks: one per job, started for a fraction of what a task group's start costs."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

import anyio
import sniffio

__all__ = ["JobScope", "JobTasks"]


class JobTasks:
    """Runs one task per job and waits for all of them on exit, as a task group does.

    Starting a task in an anyio task group costs about 20 µs of CPU (its cancel scope, task
    state and bookkeeping) against 2 µs for a bare asyncio task; per job that was the largest
    share of what the runtime itself adds (``benchmarks/runtime_overhead.py``). A job's task
    needs none of it: the job is cancelled through its own cancel scope (see ``cancel_jobs``),
    and the runtime's job function reports everything it meets rather than raising. So a
    job runs as a bare asyncio task (every engine transport needs asyncio anyway).

    Nothing but ``cancel_jobs`` cancels a job: a bare asyncio task lies outside every
    cancel scope. So a job whose connector finished reports its outcome even while the
    worker stops.

    The guarantees are a task group's: the block is not left before every job task ended;
    leaving it by an exception or a cancellation first calls ``cancel_jobs``; a job task
    that raises (a bug) cancels the block and every job, and its error is raised on exit in
    an exception group.

    Args:
        cancel_jobs: Asks every running job to end now (each hands its job back).
    """

    def __init__(self, *, cancel_jobs: Callable[[], None]) -> None:
        self._cancel_jobs = cancel_jobs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._errors: list[BaseException] = []
        self._scope = anyio.CancelScope()
        self._idle: anyio.Event | None = None

    async def __aenter__(self) -> JobTasks:
        library = sniffio.current_async_library()
        if library != "asyncio":
            raise RuntimeError(
                f"the bpmn-bridge runtime runs on asyncio (its engine transports need it), "
                f"not on {library}"
            )
        self._loop = asyncio.get_running_loop()
        self._scope.__enter__()
        return self

    def start_soon(self, function: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
        """Start ``function(*args)`` in a task of its own."""
        assert self._loop is not None, "JobTasks used outside 'async with'"
        task = self._loop.create_task(function(*args))
        self._tasks.add(task)
        task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            self._errors.append(error)
            self._scope.cancel()
            self._cancel_jobs()
        if not self._tasks and self._idle is not None:
            self._idle.set()

    async def _all_ended(self) -> None:
        while self._tasks:
            self._idle = anyio.Event()
            await self._idle.wait()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        pending: BaseException | None = None  # a cancellation met while waiting
        try:
            if exc is not None:
                self._cancel_jobs()
            try:
                await self._all_ended()
            except anyio.get_cancelled_exc_class() as cancelled:
                # end the jobs, still wait for them, then let the cancellation go on
                pending = cancelled
                self._cancel_jobs()
                with anyio.CancelScope(shield=True):
                    await self._all_ended()
        finally:
            if exc is None and pending is not None:
                exc_type, exc, traceback = type(pending), pending, pending.__traceback__
            swallowed = self._scope.__exit__(exc_type, exc, traceback)
        if self._errors:
            raise BaseExceptionGroup("unhandled errors in a job task", self._errors)
        if swallowed:
            return True  # our own cancellation (a job task raised) ends here
        if pending is not None and pending is exc:
            raise pending
        return None


class JobScope:
    """A job's cancel scope on bare asyncio: a deadline, and ``cancel`` from anywhere.

    The subset of ``anyio.CancelScope`` a job's task needs (``JobPipeline.run`` takes it
    as its ``cancel_scope``), built the way ``asyncio.timeout`` is: the scope cancels its
    task (``Task.cancel``) and, on leaving, takes back exactly the cancellation it caused
    (``Task.uncancel``). An anyio scope costs a job about 10 µs of CPU (its task state, the
    backend look-ups, a timer); this one a timer and a few attribute writes. Code inside (a
    connector's own anyio scopes and task groups) sees a native asyncio cancellation,
    which anyio propagates as any other.

    As anyio's, the scope cancels only while its task waits inside it: a cancellation (the
    deadline's or ``cancel``'s) is delivered from the event loop, so it reaches the task at
    the await it is suspended in, or, if the block ends first, not at all. Cancelling a
    scope before it is entered cancels on entry; cancelling one that was left does nothing.
    """

    __slots__ = (
        "_caused",
        "_deadline",
        "_loop",
        "_task",
        "_timer",
        "cancel_called",
        "cancelled_caught",
    )

    def __init__(self) -> None:
        self._deadline = math.inf
        self._loop: asyncio.AbstractEventLoop | None = None  # set on entry, kept
        self._task: asyncio.Task[Any] | None = None  # set while inside
        self._timer: asyncio.TimerHandle | None = None
        self._caused = False  # this scope called Task.cancel and has not taken it back
        self.cancel_called = False
        self.cancelled_caught = False

    @property
    def deadline(self) -> float:
        """When the scope cancels its task, on the event loop's clock (``inf``: never)."""
        return self._deadline

    @deadline.setter
    def deadline(self, value: float) -> None:
        self._deadline = value
        if self._task is not None:
            self._arm()

    def __enter__(self) -> JobScope:
        if self._loop is not None:
            raise RuntimeError("a JobScope is entered once")
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a JobScope needs a running asyncio task")
        self._task, self._loop = task, task.get_loop()
        if self.cancel_called:
            self._loop.call_soon(self._deliver)
        else:
            self._arm()
        return self

    def cancel(self) -> None:
        """Cancel what the scope encloses (or, not yet entered, as soon as it is)."""
        if self.cancel_called:
            return
        self.cancel_called = True
        if self._loop is not None and self._task is not None:
            self._loop.call_soon(self._deliver)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        task, self._task = self._task, None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._caused:
            self._caused = False
            assert task is not None
            # ours alone: no other cancellation of the task is pending
            if task.uncancel() == 0 and exc_type is asyncio.CancelledError:
                self.cancelled_caught = True
                return True
        return False

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        assert self._loop is not None  # armed only inside
        if self._deadline != math.inf:
            self._timer = self._loop.call_at(self._deadline, self._expire)

    def _expire(self) -> None:
        self._timer = None
        self.cancel_called = True
        self._deliver()

    def _deliver(self) -> None:
        # from the loop, never from the task itself: the task waits at an await, inside
        # the scope unless it left it meanwhile
        if self._task is not None and not self._caused:
            self._caused = True
            self._task.cancel()
