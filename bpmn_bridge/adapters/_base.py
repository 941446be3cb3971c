"""The one narrow interface every engine adapter implements.

An adapter translates between its engine's protocol and the core's vocabulary: it fetches
jobs as :class:`~bpmn_bridge.core.Job`, and completes, fails, throws BPMN errors, extends
leases and returns jobs given engine-neutral arguments. Engine words (job key, external task
id, lock duration, topic) stop here. Transport errors are translated at this boundary into
:class:`~bpmn_bridge.core.EngineError` subclasses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from bpmn_bridge.core import Job, JobInfo

__all__ = ["EngineAdapter", "FetchRequest", "StreamingAdapter"]


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What one connector asks of an engine in one fetch.

    Attributes:
        type: The job type / topic.
        worker: This worker's name, recorded by the engine as the lease holder.
        max_jobs: At most this many jobs; the runtime passes its free capacity.
        lease: How long the engine keeps a fetched job for this worker.
        long_poll: How long the engine may hold the request open when no job is ready.
        variables: Variables to fetch; None fetches all.
        tenant_ids: Tenants to fetch for; None means the engine's default.
    """

    type: str
    worker: str
    max_jobs: int
    lease: timedelta
    long_poll: timedelta = timedelta(seconds=20)
    variables: Sequence[str] | None = None
    tenant_ids: Sequence[str] | None = None


@runtime_checkable
class EngineAdapter(Protocol):
    """One engine connection. Methods raise :class:`~bpmn_bridge.core.EngineError` subclasses:
    ``EngineUnavailableError`` when the engine cannot be reached, ``JobNotFoundError`` when the
    job is gone (completed, cancelled, lease lost), ``EngineRejectedError`` for a refused
    request.
    """

    name: str
    """The engine's name in logs, metrics and :attr:`JobInfo.engine`."""

    async def __aenter__(self) -> EngineAdapter: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def check(self) -> None:
        """Cheap round trip proving the engine answers (readiness)."""
        ...

    async def fetch(self, request: FetchRequest) -> list[Job]:
        """Fetch and lease up to ``request.max_jobs`` jobs, long polling when none is ready."""
        ...

    async def complete(
        self,
        job: JobInfo,
        variables: Mapping[str, Any],
        *,
        local_variables: Mapping[str, Any] | None = None,
    ) -> None:
        """Complete the job, setting ``variables`` on the process and ``local_variables``
        on the task's own scope (where the engine has none, with ``variables``)."""
        ...

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
        """Fail the job; with ``retries`` 0 the engine raises an incident."""
        ...

    async def throw_bpmn_error(
        self, job: JobInfo, *, code: str, message: str, variables: Mapping[str, Any]
    ) -> None:
        """Throw a BPMN error from the job's element."""
        ...

    async def extend_lease(self, job: JobInfo, duration: timedelta) -> None:
        """Keep the job leased to this worker for ``duration`` from now."""
        ...

    async def return_job(self, job: JobInfo) -> None:
        """Hand an unfinished job back so another worker takes it now, spending no retry."""
        ...


@runtime_checkable
class StreamingAdapter(EngineAdapter, Protocol):
    """An adapter whose engine can also push new jobs as they appear (Zeebe job streaming).

    Streaming delivers only jobs created while the stream is open, so the runtime keeps
    polling with :meth:`fetch` beside it.
    """

    async def stream(self, request: FetchRequest, accept: Callable[[Job], Awaitable[None]]) -> None:
        """Push jobs to ``accept`` until cancelled. ``accept`` returns once the runtime has
        capacity for the job, which holds the stream back (flow control)."""
        ...
