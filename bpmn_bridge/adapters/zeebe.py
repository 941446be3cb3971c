"""The Camunda 8 adapter: Zeebe's gateway gRPC API, through pyzeebe's lower layers.

``ZeebeAdapter`` talks to the gateway with the gRPC stub pyzeebe generates
(``pyzeebe.proto.gateway_pb2_grpc.GatewayStub``) on a channel from pyzeebe's channel
factories. It deliberately does not use pyzeebe's ``ZeebeWorker``: that worker counts
connection errors over its whole lifetime without ever resetting the count and stops for
good after ten of them, and it sleeps a fixed five seconds after any activation error. The
bpmn-bridge runtime owns reconnecting and backing off, so this adapter only reports: a call
that cannot reach the gateway raises :class:`~bpmn_bridge.core.EngineUnavailableError` at
once (gRPC's ``wait_for_ready`` stays off).

gRPC errors are translated at this boundary: ``NOT_FOUND`` becomes ``JobNotFoundError``;
``INVALID_ARGUMENT``, ``FAILED_PRECONDITION``, ``UNAUTHENTICATED``, ``PERMISSION_DENIED`` and
``UNIMPLEMENTED`` become ``EngineRejectedError``; everything else (``UNAVAILABLE``,
``DEADLINE_EXCEEDED``, ``RESOURCE_EXHAUSTED``, a refused OAuth token...) becomes
``EngineUnavailableError``.

Variables travel as JSON. Values JSON has no type for are converted: datetimes, dates and
times to ISO-8601 text, timedeltas to ISO-8601 durations, ``Decimal`` to a number (float),
bytes to base64 text, UUIDs to text, enums to their value, sets to lists. NaN, infinity and
other types raise ``EngineRejectedError`` naming the variable, before anything is sent.

Concurrency: grpc.aio runs on asyncio, so the adapter needs anyio's asyncio backend. It
starts no tasks of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import anyio
import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from bpmn_bridge.adapters._base import FetchRequest
from bpmn_bridge.adapters._zeebe_config import ZeebeConfig, open_channel
from bpmn_bridge.adapters._zeebe_errors import grpc_errors_translated
from bpmn_bridge.adapters._zeebe_jobs import (
    dumps_variables,
    error_message,
    job_from_message,
    milliseconds,
)
from bpmn_bridge.core import (
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
    Job,
    JobInfo,
)

if TYPE_CHECKING:
    from pyzeebe.proto.gateway_pb2_grpc import GatewayAsyncStub

__all__ = ["ZeebeAdapter", "ZeebeConfig"]

# Jobs taken from the gateway but not handed to the runtime (the fetch or stream was
# cancelled) are returned within this time, or left to their lease timeout.
_HAND_BACK_TIMEOUT = 2.0


class ZeebeAdapter:
    """Fetches, streams and finishes Zeebe jobs for the bpmn-bridge runtime.

    Implements :class:`~bpmn_bridge.adapters.StreamingAdapter`. Use as an async context
    manager: entering opens the gRPC channel (gRPC connects on the first call), leaving
    closes it.

    Args:
        config: Where the gateway is and how to authenticate.
        rpc_timeout: Deadline of each unary call; a long poll gets this on top of its
            ``long_poll`` duration.
        channel_options: Extra gRPC channel arguments, e.g. ``(("grpc.max_receive_message_length",
            8 << 20),)``; they win over the adapter's own.
    """

    def __init__(
        self,
        config: ZeebeConfig,
        *,
        rpc_timeout: timedelta = timedelta(seconds=30),
        channel_options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        self.config = config
        self.name = config.name
        self._rpc_timeout = rpc_timeout.total_seconds()
        self._channel_options = tuple(channel_options)
        self._channel: grpc.aio.Channel | None = None
        self._stub: GatewayAsyncStub | None = None

    def __repr__(self) -> str:
        return f"ZeebeAdapter(name={self.name!r}, target={self.config.target!r})"

    async def __aenter__(self) -> ZeebeAdapter:
        if self._channel is not None:
            raise RuntimeError(f"{self!r} is already open")
        self._channel = open_channel(self.config, options=self._channel_options)
        self._stub = cast("GatewayAsyncStub", GatewayStub(self._channel))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        channel, self._channel, self._stub = self._channel, None, None
        if channel is not None:
            await channel.close()

    def _gateway(self) -> GatewayAsyncStub:
        if self._stub is None:
            raise RuntimeError(f"{self!r} is not open; use 'async with' first")
        return self._stub

    def _tenants(self, request: FetchRequest) -> Sequence[str]:
        return request.tenant_ids if request.tenant_ids is not None else self.config.tenant_ids

    async def check(self) -> None:
        """Ask the gateway for its topology: a cheap round trip proving it answers.

        Raises:
            EngineUnavailableError: The gateway cannot be reached.
            EngineRejectedError: The gateway refused the call (e.g. bad credentials).
        """
        with grpc_errors_translated("Topology", engine=self.name, action="Topology"):
            await self._gateway().Topology(pb.TopologyRequest(), timeout=self._rpc_timeout)

    async def fetch(self, request: FetchRequest) -> list[Job]:
        """Activate up to ``request.max_jobs`` jobs, long polling for ``request.long_poll``.

        Args:
            request: The job type, worker, capacity, lease, long poll, variables, tenants.
                Tenants default to the config's ``tenant_ids``.

        Returns:
            The activated jobs; empty when the long poll ended with none.

        Raises:
            EngineUnavailableError: The gateway cannot be reached or did not answer in time.
            EngineRejectedError: The gateway refused the request (e.g. a blank type).
        """
        what = f"ActivateJobs for type {request.type!r}"
        long_poll_ms = milliseconds(request.long_poll)
        message = pb.ActivateJobsRequest(
            type=request.type,
            worker=request.worker,
            timeout=milliseconds(request.lease),
            maxJobsToActivate=request.max_jobs,
            fetchVariable=request.variables or (),
            # 0 would mean "the gateway's default"; a negative value disables long polling.
            requestTimeout=long_poll_ms if long_poll_ms > 0 else -1,
            tenantIds=self._tenants(request),
        )
        call = self._gateway().ActivateJobs(
            message, timeout=long_poll_ms / 1000 + self._rpc_timeout
        )
        jobs: list[Job] = []
        try:
            with grpc_errors_translated(what, engine=self.name, action="ActivateJobs"):
                async for response in call:
                    jobs.extend(job_from_message(job, engine=self.name) for job in response.jobs)
        except EngineError:
            if jobs:
                # A later partition failed, but these jobs are leased to us already: hand
                # them over rather than strand them until their lease runs out.
                return jobs
            raise
        except BaseException:
            # Cancelled (or broken) before the runtime got them: give them back now.
            call.cancel()
            await self._hand_back(jobs)
            raise
        return jobs

    async def stream(self, request: FetchRequest, accept: Callable[[Job], Awaitable[None]]) -> None:
        """Push jobs of ``request.type`` to ``accept`` as the gateway activates them.

        Zeebe streams only jobs that become activatable while the stream is open, so the
        runtime keeps polling with :meth:`fetch` beside it. Each job is awaited through
        ``accept`` before the next is read, which holds the stream back when the runtime
        is full. A job ``accept`` does not take (it raises or is cancelled) is handed back.

        Args:
            request: As for :meth:`fetch`; ``max_jobs`` and ``long_poll`` are not used.
            accept: Takes one job; returns when the runtime has taken it.

        Raises:
            EngineUnavailableError: The stream could not be opened or broke, or the gateway
                ended it.
            EngineRejectedError: The gateway refused the stream (e.g. a gateway older than
                8.3 answers UNIMPLEMENTED: poll only).
        """
        what = f"StreamActivatedJobs for type {request.type!r}"
        message = pb.StreamActivatedJobsRequest(
            type=request.type,
            worker=request.worker,
            timeout=milliseconds(request.lease),
            fetchVariable=request.variables or (),
            tenantIds=self._tenants(request),
        )
        call = self._gateway().StreamActivatedJobs(message)
        in_hand: list[Job] = []
        try:
            with grpc_errors_translated(what, engine=self.name, action="StreamActivatedJobs"):
                async for activated in call:
                    in_hand = [job_from_message(activated, engine=self.name)]
                    await accept(in_hand[0])
                    in_hand = []
        finally:
            # Close the stream before handing the job back, or the gateway may push it
            # straight back into this stream as it goes away. Jobs the gateway already
            # pushed but this loop never read are lost to their lease timeout, as with
            # every Zeebe client: keep leases of streamed jobs short enough for that.
            call.cancel()
            await self._hand_back(in_hand)
        raise EngineUnavailableError(
            f"{what}: the gateway closed the stream",
            engine=self.name,
            action="StreamActivatedJobs",
        )

    async def _hand_back(self, jobs: list[Job]) -> None:
        if not jobs:
            return
        with anyio.CancelScope(shield=True), anyio.move_on_after(_HAND_BACK_TIMEOUT):
            for job in jobs:
                # Best effort: if this fails, the lease timeout returns the job anyway.
                with contextlib.suppress(EngineError):
                    await self.return_job(job.info)

    async def complete(
        self,
        job: JobInfo,
        variables: Mapping[str, Any],
        *,
        local_variables: Mapping[str, Any] | None = None,
    ) -> None:
        """Complete the job, setting ``variables`` on the process.

        Args:
            job: The job, as fetched.
            variables: Variables to set; merged into the process by the task's output
                mappings.
            local_variables: Zeebe completes a job with one set of variables: these join
                ``variables`` (and win on a clash), so output mappings read them as
                Camunda 7's read its local variables.

        Raises:
            JobNotFoundError: The job no longer exists (completed, cancelled, timed out
                and taken by another worker).
            EngineRejectedError: The gateway refused the request, or a variable cannot be
                encoded as JSON.
            EngineUnavailableError: The gateway cannot be reached.
        """
        what = f"CompleteJob for job {job.id}"
        if local_variables:
            variables = {**variables, **local_variables}
        message = pb.CompleteJobRequest(
            jobKey=int(job.id), variables=dumps_variables(variables, what)
        )
        with grpc_errors_translated(what, engine=self.name, action="CompleteJob", job_id=job.id):
            await self._gateway().CompleteJob(message, timeout=self._rpc_timeout)

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
        """Fail the job; with ``retries`` 0 Zeebe raises an incident.

        Args:
            job: The job, as fetched.
            message: What went wrong, in one line.
            details: More detail; sent after the message, the whole cut to 6000 characters.
            retries: Retries the job has left after this failure.
            backoff: How long Zeebe waits before offering the job again.
            variables: Variables set on the task's local scope.

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: The gateway refused the request, or ``retries`` or
                ``backoff`` do not fit Zeebe's fields.
            EngineUnavailableError: The gateway cannot be reached.
        """
        what = f"FailJob for job {job.id}"
        try:
            request = pb.FailJobRequest(
                jobKey=int(job.id),
                retries=retries,
                errorMessage=error_message(message, details),
                retryBackOff=milliseconds(backoff),
                variables=dumps_variables(variables, what),
            )
        except ValueError as exc:
            # protobuf refuses retries beyond int32 or a backoff beyond int64 milliseconds
            raise EngineRejectedError(
                f"{what}: {exc} (retries {retries}, backoff {backoff})"
            ) from exc
        with grpc_errors_translated(what, engine=self.name, action="FailJob", job_id=job.id):
            await self._gateway().FailJob(request, timeout=self._rpc_timeout)

    async def throw_bpmn_error(
        self, job: JobInfo, *, code: str, message: str, variables: Mapping[str, Any]
    ) -> None:
        """Throw a BPMN error from the job's element; a matching error event catches it.

        Args:
            job: The job, as fetched.
            code: The error code the catch event matches.
            message: A message stored with the error (and the incident if nothing catches).
            variables: Variables set on the catching event's scope.

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: The gateway refused the request.
            EngineUnavailableError: The gateway cannot be reached.
        """
        what = f"ThrowError for job {job.id}"
        request = pb.ThrowErrorRequest(
            jobKey=int(job.id),
            errorCode=code,
            errorMessage=error_message(message, ""),
            variables=dumps_variables(variables, what),
        )
        with grpc_errors_translated(what, engine=self.name, action="ThrowError", job_id=job.id):
            await self._gateway().ThrowError(request, timeout=self._rpc_timeout)

    async def extend_lease(self, job: JobInfo, duration: timedelta) -> None:
        """Keep the job leased for ``duration`` from now (Zeebe ``UpdateJobTimeout``).

        Args:
            job: The job, as fetched.
            duration: The new lease, counted from now.

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: The gateway refused the request.
            EngineUnavailableError: The gateway cannot be reached.
        """
        request = pb.UpdateJobTimeoutRequest(jobKey=int(job.id), timeout=milliseconds(duration))
        with grpc_errors_translated(
            f"UpdateJobTimeout for job {job.id}",
            engine=self.name,
            action="UpdateJobTimeout",
            job_id=job.id,
        ):
            await self._gateway().UpdateJobTimeout(request, timeout=self._rpc_timeout)

    async def return_job(self, job: JobInfo) -> None:
        """Hand the job back so another worker can take it at once, spending no retry.

        Zeebe's client API has no "yield job" call, so this fails the job with the retries
        it was activated with and no backoff, which makes it activatable again at once.

        Args:
            job: The job, as fetched (its ``retries`` are the ones it keeps).

        Raises:
            JobNotFoundError: The job no longer exists.
            EngineRejectedError: The gateway refused the request, or ``job`` carries no
                retries (it was not fetched from Zeebe).
            EngineUnavailableError: The gateway cannot be reached.
        """
        if job.retries is None or job.retries < 1:
            raise EngineRejectedError(
                f"Cannot return job {job.id}: it carries no retries ({job.retries}); "
                "only a job fetched from Zeebe can be returned"
            )
        request = pb.FailJobRequest(
            jobKey=int(job.id),
            retries=job.retries,
            errorMessage=f"returned by worker {job.worker or self.name} on shutdown",
            retryBackOff=0,
        )
        with grpc_errors_translated(
            f"FailJob (return) for job {job.id}", engine=self.name, action="FailJob", job_id=job.id
        ):
            await self._gateway().FailJob(request, timeout=self._rpc_timeout)
