"""An in-memory engine adapter: the runtime's twin of a real engine, for tests.

It keeps jobs in memory with leases, retries and backoff as engines do, records every
outcome, and can be taken offline to test reconnects.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio

from bpmn_bridge.adapters import FetchRequest
from bpmn_bridge.core import (
    EngineUnavailableError,
    Job,
    JobInfo,
    JobNotFoundError,
)

__all__ = ["InMemoryAdapter", "RecordedOutcome"]


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """One call an adapter received: ``kind`` is complete, fail, bpmn_error or returned."""

    kind: str
    job_id: str
    worker: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class _StoredJob:
    info: JobInfo
    variables: dict[str, Any]
    headers: dict[str, str]
    holder: str | None = None
    deadline: float = 0.0
    not_before: float = 0.0
    deliveries: int = 0


class InMemoryAdapter:
    """An engine adapter whose engine lives in memory.

    Args:
        name: The engine's name (``JobInfo.engine``).
    """

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.outcomes: list[RecordedOutcome] = []
        self.extensions: list[tuple[str, timedelta]] = []
        self.online = True
        self.fetch_calls = 0
        self.max_jobs_asked: list[int] = []
        self._jobs: dict[str, _StoredJob] = {}
        self._ids = itertools.count(1)
        self._changed = anyio.Event()

    # -- test controls ----------------------------------------------------------

    def add_job(
        self,
        type: str,
        variables: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        retries: int | None = 3,
    ) -> str:
        """Create a job and return its id."""
        job_id = str(next(self._ids))
        info = JobInfo(engine=self.name, id=job_id, type=type, retries=retries)
        self._jobs[job_id] = _StoredJob(info, dict(variables or {}), dict(headers or {}))
        self._notify()
        return job_id

    def pending(self) -> list[str]:
        """Ids of jobs not yet completed, failed to an incident or errored."""
        return list(self._jobs)

    def deliveries(self, job_id: str) -> int:
        """How often a job was handed to a worker."""
        return self._jobs[job_id].deliveries if job_id in self._jobs else -1

    def kinds(self) -> list[str]:
        """The kinds of every recorded outcome, in order."""
        return [o.kind for o in self.outcomes]

    async def wait_until_done(self, *, timeout: float = 10.0) -> None:
        """Wait until no job is left (every one completed, errored or in an incident)."""
        with anyio.fail_after(timeout):
            while self._jobs:
                await self._wait_for_change()

    # -- EngineAdapter ------------------------------------------------------------

    async def __aenter__(self) -> InMemoryAdapter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    async def check(self) -> None:
        self._ensure_online()

    async def fetch(self, request: FetchRequest) -> list[Job]:
        self.fetch_calls += 1
        self.max_jobs_asked.append(request.max_jobs)
        with anyio.move_on_after(request.long_poll.total_seconds()):
            while True:
                self._ensure_online()
                jobs = self._take(request)
                if jobs:
                    return jobs
                await self._wait_for_change(timeout=0.05)
        return []

    async def complete(
        self,
        job: JobInfo,
        variables: Mapping[str, Any],
        *,
        local_variables: Mapping[str, Any] | None = None,
    ) -> None:
        recorded = {"variables": dict(variables)}
        if local_variables:
            recorded["local_variables"] = dict(local_variables)
        self._release(job, "complete", recorded)

    async def fail(
        self,
        job: JobInfo,
        *,
        message: str,
        details: str,
        retries: int,
        backoff: timedelta,
        variables: Mapping[str, Any],
    ) -> None:
        stored = self._owned(job)
        self.outcomes.append(
            RecordedOutcome(
                "fail",
                job.id,
                job.worker,
                {"message": message, "details": details, "retries": retries, "backoff": backoff},
            )
        )
        if retries <= 0:
            del self._jobs[job.id]  # an incident: out of the workers' reach
        else:
            stored.holder = None
            stored.info = replace(stored.info, retries=retries)
            stored.not_before = anyio.current_time() + backoff.total_seconds()
        self._notify()

    async def throw_bpmn_error(
        self, job: JobInfo, *, code: str, message: str, variables: Mapping[str, Any]
    ) -> None:
        self._release(
            job, "bpmn_error", {"code": code, "message": message, "variables": dict(variables)}
        )

    async def extend_lease(self, job: JobInfo, duration: timedelta) -> None:
        stored = self._owned(job)
        stored.deadline = anyio.current_time() + duration.total_seconds()
        self.extensions.append((job.id, duration))

    async def return_job(self, job: JobInfo) -> None:
        stored = self._owned(job)
        stored.holder = None
        stored.not_before = 0.0
        self.outcomes.append(RecordedOutcome("returned", job.id, job.worker))
        self._notify()

    # -- internals ------------------------------------------------------------------

    def _ensure_online(self) -> None:
        if not self.online:
            raise EngineUnavailableError(f"engine '{self.name}' is offline")

    def _take(self, request: FetchRequest) -> list[Job]:
        now = anyio.current_time()
        taken: list[Job] = []
        for stored in self._jobs.values():
            if len(taken) >= request.max_jobs:
                break
            leased = stored.holder is not None and stored.deadline > now
            if stored.info.type != request.type or leased or stored.not_before > now:
                continue
            stored.holder = request.worker
            stored.deadline = now + request.lease.total_seconds()
            stored.deliveries += 1
            deadline = datetime.now(UTC) + request.lease
            info = replace(stored.info, worker=request.worker, deadline=deadline)
            variables = stored.variables
            if request.variables is not None:
                variables = {k: v for k, v in variables.items() if k in request.variables}
            taken.append(Job(info, dict(variables), dict(stored.headers)))
        return taken

    def _owned(self, job: JobInfo) -> _StoredJob:
        self._ensure_online()
        stored = self._jobs.get(job.id)
        now = anyio.current_time()
        if stored is None or stored.holder != job.worker or stored.deadline < now:
            raise JobNotFoundError(f"job {job.id} is not leased to worker '{job.worker}'")
        return stored

    def _release(self, job: JobInfo, kind: str, arguments: dict[str, Any]) -> None:
        self._owned(job)
        del self._jobs[job.id]
        self.outcomes.append(RecordedOutcome(kind, job.id, job.worker, arguments))
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def _wait_for_change(self, timeout: float | None = None) -> None:
        with anyio.move_on_after(timeout):
            await self._changed.wait()
