"""The embedded engine's job board: open jobs, who waits for them, and their timers.

No BPMN lives here. The board keeps every open job (a Zeebe job, a Camunda 7 external
task), the pool of activatable jobs by type, the long-polling requests and push streams
waiting for jobs, and the lease and retry-backoff timers. The flow (`._flow`) posts jobs
when a service task is entered and decides what completing, failing or throwing a job
means for its process instance; the board only changes the job's own state.

A job the board makes activatable goes to a matching stream first, else to a waiting
poller (idle pollers first, oldest first), else into the pool (see `_make_activatable`).
Timers use ``loop.call_later``, so calls that start them must run inside the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ._errors import (
    InvalidArgumentError,
    InvalidStateError,
    JobLockedByOtherWorkerError,
    JobRecordNotFoundError,
)
from ._model import ActivatedJob, JobFilter, JobRecord, JobState, TypedValue, norm_tenant, now_ms

__all__ = ["JobBoard", "JobStream", "ScopeVariables"]

ScopeVariables = Callable[[JobRecord, bool], dict[str, TypedValue]]
"""What a job's worker sees: ``(job, local_only)`` → the variables of the job's scope."""


@dataclass(eq=False, slots=True)
class _Waiter:
    filters: dict[str, list[JobFilter]]
    worker: str
    max_jobs: int
    jobs: list[ActivatedJob] = field(default_factory=list)
    woken: asyncio.Event = field(default_factory=asyncio.Event)


class JobStream:
    """A push subscription: newly activatable jobs of one type are activated for it.

    Obtain with `EmbeddedEngine.open_job_stream`; iterate with ``async for`` or `get`.
    Always `close` it: jobs pushed but not yet taken return to the activatable pool.
    Jobs taken by the consumer but not delivered (e.g. the client went away) should be
    handed back with `EmbeddedEngine.yield_job`.
    """

    def __init__(self, board: JobBoard, job_filter: JobFilter, worker: str) -> None:
        self.filter = job_filter
        self.worker = worker
        self._board = board
        self._queue: asyncio.Queue[ActivatedJob] = asyncio.Queue()
        self.closed = False

    def _push(self, job: ActivatedJob) -> None:
        self._queue.put_nowait(job)

    async def get(self) -> ActivatedJob:
        """Wait for and return the next job activated for this stream."""
        return await self._queue.get()

    def __aiter__(self) -> JobStream:
        return self

    async def __anext__(self) -> ActivatedJob:
        if self.closed:
            raise StopAsyncIteration
        return await self.get()

    def close(self) -> None:
        """Unsubscribe and hand back jobs that were pushed but not taken."""
        if self.closed:
            return
        self.closed = True
        self._board.remove_stream(self)
        while not self._queue.empty():
            self._board.yield_job(self._queue.get_nowait().key)


class JobBoard:
    """Open jobs by key, the activatable pool, waiting pollers, streams and timers.

    Args:
        scope_variables: how to read the variables a job's worker sees when it is
            activated (the flow knows the job's scope; the board does not).
    """

    def __init__(self, scope_variables: ScopeVariables) -> None:
        self._scope_variables = scope_variables
        self.jobs: dict[int, JobRecord] = {}
        self.streams: dict[str, list[JobStream]] = {}
        self._activatable: dict[str, dict[int, JobRecord]] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._waiters: dict[str, list[_Waiter]] = {}

    # ------------------------------------------------------------- lookups

    def get(self, job_key: int) -> JobRecord:
        """An open job.

        Raises:
            JobRecordNotFoundError: unknown, completed or canceled.
        """
        job = self.jobs.get(job_key)
        if job is None:
            raise JobRecordNotFoundError(
                f"Expected to find job with key '{job_key}', but no such job was found"
            )
        return job

    def for_command(
        self, job_key: int, worker: str | None, verb: str, *, allow_activatable: bool
    ) -> JobRecord:
        """The open job a worker command (complete, fail, throw) may act on.

        Raises:
            JobRecordNotFoundError: unknown job.
            JobLockedByOtherWorkerError: ``worker`` given and another worker holds it.
            InvalidStateError: the job is not in a state the command accepts.
        """
        job = self.get(job_key)
        if worker is not None and job.worker is not None and job.worker != worker:
            raise JobLockedByOtherWorkerError(
                f"JobRecord '{job_key}' cannot be {verb.split()[0]}d by worker '{worker}'. "
                f"It is locked by worker '{job.worker}'."
            )
        allowed = (
            (JobState.ACTIVATED, JobState.ACTIVATABLE)
            if allow_activatable
            else (JobState.ACTIVATED,)
        )
        if job.state not in allowed:
            raise InvalidStateError(
                f"Expected to {verb} job with key '{job_key}', but it is in state "
                f"'{job.state.value}'"
                + (
                    " (an incident is open)"
                    if job.state in (JobState.FAILED, JobState.ERROR_THROWN)
                    else ""
                )
            )
        return job

    def find(
        self,
        *,
        type: str | None = None,
        instance_key: int | None = None,
        state: JobState | None = None,
    ) -> list[JobRecord]:
        """Open jobs, oldest first, optionally filtered."""
        return [
            job
            for job in self.jobs.values()
            if (type is None or job.type == type)
            and (instance_key is None or job.instance.key == instance_key)
            and (state is None or job.state is state)
        ]

    # ------------------------------------------------------------ activation

    async def activate_jobs(
        self,
        filters: Sequence[JobFilter],
        *,
        worker: str,
        max_jobs: int,
        request_timeout: float,
    ) -> list[ActivatedJob]:
        """Lock up to ``max_jobs`` jobs for ``worker``; see `EmbeddedEngine.activate_jobs`."""
        self._check_activation(filters, worker, max_jobs)
        jobs: list[ActivatedJob] = []
        for job_filter in filters:
            if len(jobs) >= max_jobs:
                break
            pool = self._activatable.get(job_filter.type)
            if not pool:
                continue
            for job in list(pool.values()):
                if len(jobs) >= max_jobs:
                    break
                if self._matches(job, job_filter):
                    jobs.append(self._activate(job, worker, job_filter))
        if jobs or request_timeout <= 0:
            return jobs
        waiter = _Waiter(filters={}, worker=worker, max_jobs=max_jobs)
        for job_filter in filters:
            waiter.filters.setdefault(job_filter.type, []).append(job_filter)
        for job_type in waiter.filters:
            self._waiters.setdefault(job_type, []).append(waiter)
        delivered = False
        try:
            try:
                async with asyncio.timeout(request_timeout):
                    await waiter.woken.wait()
            except TimeoutError:
                pass
            delivered = True
            return waiter.jobs
        finally:
            self._remove_waiter(waiter)
            if not delivered:
                for activated in waiter.jobs:
                    self.yield_job(activated.key)

    def open_stream(self, job_filter: JobFilter, *, worker: str) -> JobStream:
        """Subscribe to jobs of ``job_filter.type``; see `EmbeddedEngine.open_job_stream`."""
        self._check_activation([job_filter], worker, 1)
        stream = JobStream(self, job_filter, worker)
        self.streams.setdefault(job_filter.type, []).append(stream)
        return stream

    def remove_stream(self, stream: JobStream) -> None:
        """Stop pushing jobs to ``stream``."""
        streams = self.streams.get(stream.filter.type)
        if streams and stream in streams:
            streams.remove(stream)

    # ------------------------------------------------------ job state changes

    def post(self, job: JobRecord) -> None:
        """Open a new job and offer it to streams, pollers or the pool."""
        self.jobs[job.key] = job
        self.make_activatable(job)

    def answer_long_polls(self) -> int:
        """Answer every waiting long poll now, with the jobs it has (none, mostly).

        Returns:
            How many long polls were answered.
        """
        waiters = {id(w): w for waiting in self._waiters.values() for w in waiting}
        for waiter in waiters.values():
            waiter.woken.set()
        return len(waiters)

    def yield_job(self, job_key: int) -> None:
        """Return an activated job to the pool at once; others are ignored."""
        job = self.jobs.get(job_key)
        if job is not None and job.state is JobState.ACTIVATED:
            self.release(job)

    def release(self, job: JobRecord) -> None:
        """Drop an activated job's lock and owner and offer it again."""
        self._cancel_timer(job.key)
        job.deadline = None
        job.worker = None
        self.make_activatable(job)

    def extend_lock(self, job_key: int, timeout: float, *, worker: str | None) -> None:
        """Move an activated job's deadline; see `EmbeddedEngine.update_timeout`."""
        if timeout < 0:
            raise InvalidArgumentError(f"Expected a timeout >= 0, but was {timeout}")
        job = self.get(job_key)
        if worker is not None and job.worker is not None and job.worker != worker:
            raise JobLockedByOtherWorkerError(
                f"The lock of job '{job_key}' cannot be extended by worker '{worker}'. "
                f"It is locked by worker '{job.worker}'."
            )
        if job.state is not JobState.ACTIVATED:
            raise InvalidStateError(
                f"Expected to update the deadline of job '{job_key}', but it is not locked "
                f"(state {job.state.value})"
            )
        self._lock(job, job.worker or "", timeout)

    def lock(self, job_key: int, timeout: float, *, worker: str) -> None:
        """Lock an open job for ``worker``; see `EmbeddedEngine.lock_job`."""
        if timeout <= 0:
            raise InvalidArgumentError(f"Expected a lock duration > 0, but was {timeout}")
        job = self.get(job_key)
        held_until = {JobState.ACTIVATED: job.deadline, JobState.BACKOFF: job.retry_at}.get(
            job.state
        )
        if (
            job.worker is not None
            and job.worker != worker
            and held_until is not None
            and held_until >= now_ms()
        ):
            raise JobLockedByOtherWorkerError(
                f"Job '{job_key}' cannot be locked by worker '{worker}'. "
                f"It is locked by worker '{job.worker}'."
            )
        if job.state in (JobState.FAILED, JobState.ERROR_THROWN):
            # Camunda 7 records the lock on a task waiting for its incident, which no
            # fetch hands out anyway; the job stays parked.
            job.worker = worker
            job.deadline = now_ms() + int(timeout * 1000)
            return
        self._unqueue(job)
        job.retry_at = None
        self._lock(job, worker, timeout)

    def record_failure(
        self,
        job: JobRecord,
        *,
        retries: int,
        error_message: str | None,
        error_details: str | None,
        retry_backoff: float,
    ) -> bool:
        """Record a failed attempt; returns whether the job is out of retries.

        A job with retries left is offered again (after ``retry_backoff`` seconds); one
        without stays ``FAILED`` until the flow's incident is resolved.
        """
        self._cancel_timer(job.key)
        # A Camunda 7 worker may fail its task after its lock expired (nobody else took
        # it), when the task already waits in the pool: out of it, or it is fetched again.
        self._unqueue(job)
        job.retries = retries
        job.error_message = error_message
        job.error_details = error_details
        job.deadline = None
        if retries <= 0:
            job.state = JobState.FAILED
            return True
        if retry_backoff > 0:
            job.state = JobState.BACKOFF
            job.retry_at = now_ms() + int(retry_backoff * 1000)
            loop = asyncio.get_running_loop()
            self._timers[job.key] = loop.call_later(retry_backoff, self._backoff_over, job)
        else:
            self.make_activatable(job)
        return False

    def park(self, job: JobRecord, state: JobState) -> None:
        """Take a job out of circulation (``FAILED`` / ``ERROR_THROWN``) while it stays open."""
        self._cancel_timer(job.key)
        self._unqueue(job)
        job.state = state

    def record_uncaught_error(self, job: JobRecord, *, error_message: str | None) -> None:
        """Park a job whose BPMN error nothing caught; it waits for its incident."""
        self.park(job, JobState.ERROR_THROWN)
        job.deadline = None
        job.error_message = error_message

    def finish(self, job: JobRecord) -> None:
        """Close a job for good (completed, caught error, or its element left)."""
        self._cancel_timer(job.key)
        self._unqueue(job)
        self.jobs.pop(job.key, None)

    def make_activatable(self, job: JobRecord) -> None:
        """Hand the job to a stream, else a waiting poller, else the pool."""
        job.state = JobState.ACTIVATABLE
        streams = self.streams.get(job.type)
        if streams:
            for index, stream in enumerate(streams):
                if self._matches(job, stream.filter):
                    # Rotate so the next job goes to the next stream.
                    streams.append(streams.pop(index))
                    stream._push(self._activate(job, stream.worker, stream.filter))
                    return
        waiters = self._waiters.get(job.type)
        if waiters:
            chosen: _Waiter | None = None
            chosen_filter: JobFilter | None = None
            # Idle pollers first (oldest first), then top up pollers already woken.
            for want_idle in (True, False):
                for waiter in waiters:
                    if (not waiter.jobs) != want_idle or len(waiter.jobs) >= waiter.max_jobs:
                        continue
                    chosen_filter = next(
                        (f for f in waiter.filters[job.type] if self._matches(job, f)), None
                    )
                    if chosen_filter is not None:
                        chosen = waiter
                        break
                if chosen is not None:
                    break
            if chosen is not None and chosen_filter is not None:
                chosen.jobs.append(self._activate(job, chosen.worker, chosen_filter))
                chosen.woken.set()
                if len(chosen.jobs) >= chosen.max_jobs:
                    self._remove_waiter(chosen)
                return
        self._activatable.setdefault(job.type, {})[job.key] = job

    # ------------------------------------------------------------- internals

    def _check_activation(self, filters: Sequence[JobFilter], worker: str, max_jobs: int) -> None:
        if not filters:
            raise InvalidArgumentError("Expected at least one job type / topic, but none given")
        if not worker or not worker.strip():
            raise InvalidArgumentError("Expected worker to be present, but it was blank")
        if max_jobs < 1:
            raise InvalidArgumentError(
                f"Expected maxJobsToActivate to be greater than 0, but it was {max_jobs}"
            )
        for job_filter in filters:
            if not job_filter.type or not job_filter.type.strip():
                raise InvalidArgumentError("Expected type to be present, but it was blank")
            if job_filter.lock_duration <= 0:
                raise InvalidArgumentError(
                    "Expected timeout / lockDuration to be greater than 0, but it was "
                    f"{job_filter.lock_duration}"
                )

    @staticmethod
    def _matches(job: JobRecord, job_filter: JobFilter) -> bool:
        inst = job.instance
        if job_filter.business_key is not None and inst.business_key != job_filter.business_key:
            return False
        definition = inst.definition
        if job_filter.flavour is not None and definition.flavour != job_filter.flavour:
            return False
        if (
            job_filter.bpmn_process_ids is not None
            and definition.bpmn_process_id not in job_filter.bpmn_process_ids
        ):
            return False
        if (
            job_filter.process_definition_ids is not None
            and definition.id not in job_filter.process_definition_ids
        ):
            return False
        if (
            job_filter.process_definition_keys is not None
            and definition.key not in job_filter.process_definition_keys
        ):
            return False
        if job_filter.without_tenant_id and inst.tenant_id is not None:
            return False
        if job_filter.tenant_ids is not None:
            wanted = {norm_tenant(t) for t in job_filter.tenant_ids}
            if inst.tenant_id not in wanted:
                return False
        if job_filter.process_variables:
            for name, expected in job_filter.process_variables.items():
                actual = inst.variables.get(name)
                if actual is None or actual.plain() != expected:
                    return False
        return True

    def _activate(self, job: JobRecord, worker: str, job_filter: JobFilter) -> ActivatedJob:
        self._unqueue(job)
        job.activation_count += 1
        self._lock(job, worker, job_filter.lock_duration)
        source = self._scope_variables(job, job_filter.local_variables_only)
        if job_filter.variables is not None:
            source = {k: source[k] for k in job_filter.variables if k in source}
        assert job.deadline is not None
        instance = job.instance
        return ActivatedJob(
            key=job.key,
            type=job.type,
            worker=worker,
            deadline=job.deadline,
            retries=job.retries,
            process_instance_key=instance.key,
            business_key=instance.business_key,
            tenant_id=instance.tenant_id,
            definition=instance.definition,
            element_id=job.element_id,
            element_instance_key=job.element_instance_key,
            custom_headers=job.custom_headers,
            extension_properties=job.extension_properties,
            priority=job.priority,
            error_message=job.error_message,
            error_details=job.error_details,
            created_at=job.created_at,
            variables=source,
            filter=job_filter,
        )

    def _lock(self, job: JobRecord, worker: str, seconds: float) -> None:
        self._cancel_timer(job.key)
        job.state = JobState.ACTIVATED
        job.worker = worker
        job.deadline = now_ms() + int(seconds * 1000)
        loop = asyncio.get_running_loop()
        self._timers[job.key] = loop.call_later(seconds, self._lease_expired, job)

    def _lease_expired(self, job: JobRecord) -> None:
        self._timers.pop(job.key, None)
        if job.state is JobState.ACTIVATED and self.jobs.get(job.key) is job:
            # The worker name stays: Camunda 7 lets the old owner still finish the task
            # while nobody else has locked it.
            job.deadline = None
            self.make_activatable(job)

    def _backoff_over(self, job: JobRecord) -> None:
        self._timers.pop(job.key, None)
        if job.state is JobState.BACKOFF and self.jobs.get(job.key) is job:
            job.retry_at = None
            self.make_activatable(job)

    def _cancel_timer(self, job_key: int) -> None:
        handle = self._timers.pop(job_key, None)
        if handle is not None:
            handle.cancel()

    def _unqueue(self, job: JobRecord) -> None:
        pool = self._activatable.get(job.type)
        if pool is not None:
            pool.pop(job.key, None)

    def _remove_waiter(self, waiter: _Waiter) -> None:
        for job_type in waiter.filters:
            waiters = self._waiters.get(job_type)
            if waiters and waiter in waiters:
                waiters.remove(waiter)
