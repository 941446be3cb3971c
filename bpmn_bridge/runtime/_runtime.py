"""The runtime: many connectors on many engines in one process, one concurrency model.

For every (engine, connector) pair a fetch loop reserves free job slots, fetches at most
that many jobs (long polling) and starts each in the jobs task group. A job's lease is kept
alive while it runs; its outcome is reported even while the worker shuts down. On stop the
fetch loops end first, in-flight jobs get a grace period, and whatever is still running
after it is handed back to its engine so another worker takes it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import socket
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from anyio.abc import TaskGroup
from tenacity import AsyncRetrying, retry_if_exception, stop_never, wait_random_exponential

from bpmn_bridge.adapters import EngineAdapter, FetchRequest, StreamingAdapter
from bpmn_bridge.core import (
    BpmnErrorThrown,
    Cancellation,
    Completed,
    ConfigurationError,
    ConnectorSpec,
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
    Failed,
    Job,
    JobInfo,
    JobNotFoundError,
    JobPipeline,
    Outcome,
    SecretMasker,
    SecretProvider,
)
from bpmn_bridge.runtime._capacity import Capacity
from bpmn_bridge.runtime._discovery import connector_specs
from bpmn_bridge.runtime._hooks import JobFinished, RuntimeHooks
from bpmn_bridge.runtime._job_tasks import JobScope, JobTasks
from bpmn_bridge.runtime._logging import CURRENT_JOB

if TYPE_CHECKING:
    from pyzeebe import ZeebeTaskRouter

__all__ = ["Runtime"]

log = logging.getLogger("bpmn_bridge.runtime")

_T = TypeVar("_T")


@dataclass(eq=False)
class _Connector:
    spec: ConnectorSpec
    pipeline: JobPipeline
    capacity: Capacity
    lease: timedelta
    # per engine name: the long poll in progress, holding reserved slots
    polls: dict[str, anyio.CancelScope] = field(default_factory=dict)


@dataclass(eq=False)
class _Running:
    job: JobInfo
    connector: _Connector
    scope: JobScope
    cancellation: Cancellation
    lease: timedelta
    extend_at: float  # anyio clock: when the lease keeper extends it next
    done: bool = False


@dataclass
class _EngineState:
    adapter: EngineAdapter
    connected: bool = False
    last_error: str = ""
    # anyio clock of the last "unavailable" WARNING; None: none yet
    warned_at: float | None = None
    down_since: float = 0.0
    running: set[_Running] = field(default_factory=set)
    # the lease keeper sleeps until this (anyio clock) unless woken for an earlier lease
    keeper_deadline: float = 0.0
    keeper_wake: anyio.Event = field(default_factory=anyio.Event)


class Runtime:
    """Runs connectors as workers on one or more engines.

    Use ``await runtime.run()`` (until :meth:`request_stop` or cancellation), or
    ``async with runtime:`` to run it in the background of a block.

    Args:
        connectors: Functions decorated with ``@connector`` (or their specs), pyzeebe
            ``ZeebeTaskRouter`` / ``ZeebeWorker`` apps, and external-task handlers made
            specs with :func:`bpmn_bridge.interop.from_external_task_handler`.
        engines: Engine adapters; the same connector serves every one of them.
        secrets: Where ``{{secrets.NAME}}`` values come from.
        worker_name: The lease holder's name on the engines; host and pid by default.
        lease: The lease asked per fetch; long jobs have it extended while they run.
        long_poll: How long a fetch may wait on the engine for jobs.
        grace_period: On stop, how long in-flight jobs may take to finish before they are
            handed back to the engine.
        hooks: Called at each step of a job (metrics, tracing...). A hook that raises is
            logged and counted (:attr:`hook_failures`), never allowed to stop a job or the
            worker.
        streaming: Also open job streams on engines that support them.
        reconnect_max_wait: Upper bound of the wait between reconnect attempts.
        bare_secret_names: Also resolve a whole value ``secrets.NAME`` in job variables
            (Camunda's older form); off by default, see :func:`bpmn_bridge.core.resolve_secrets`.

    Raises:
        ConfigurationError: No connector, no engine, two connectors of one type, two
            engines of one name, or a pyzeebe task that cannot be served as it is.
    """

    def __init__(
        self,
        *,
        connectors: Sequence[Callable[..., Any] | ConnectorSpec | ZeebeTaskRouter],
        engines: Sequence[EngineAdapter],
        secrets: SecretProvider | None = None,
        worker_name: str | None = None,
        lease: timedelta = timedelta(seconds=60),
        long_poll: timedelta = timedelta(seconds=20),
        grace_period: timedelta = timedelta(seconds=30),
        hooks: Iterable[RuntimeHooks] = (),
        streaming: bool = True,
        reconnect_max_wait: timedelta = timedelta(seconds=30),
        bare_secret_names: bool = False,
    ) -> None:
        specs = connector_specs(list(connectors))
        if not specs:
            raise ConfigurationError("Runtime needs at least one connector")
        if not engines:
            raise ConfigurationError("Runtime needs at least one engine")
        _unique("connectors of type", [s.type for s in specs])
        _unique("engines named", [e.name for e in engines])
        self.masker = SecretMasker()
        # the engines' own credentials never show in a log line or /health/ready
        self.masker.add(*(value for engine in engines for value in _credentials_of(engine)))
        self.worker_name = worker_name or f"bpmn-bridge-{socket.gethostname()}-{os.getpid()}"
        self.lease = lease
        self.long_poll = long_poll
        self.grace_period = grace_period
        self.hooks = tuple(hooks)
        self.streaming = streaming
        self.reconnect_max_wait = reconnect_max_wait
        self._connectors = [
            _Connector(
                spec=s,
                pipeline=JobPipeline(
                    s,
                    secrets=secrets,
                    masker=self.masker,
                    thread_limiter=anyio.CapacityLimiter(s.max_concurrency),
                    bare_secret_names=bare_secret_names,
                ),
                capacity=Capacity(
                    s.max_concurrency, share=math.ceil(s.max_concurrency / len(engines))
                ),
                lease=min(lease, s.timeout + timedelta(seconds=10)),
            )
            for s in specs
        ]
        self._engines = {e.name: _EngineState(e) for e in engines}
        self._stop_requested: anyio.Event | None = None
        self._started = False
        self._stopping = False
        self._background: TaskGroup | None = None
        self._report_limit = max(lease.total_seconds(), 30.0)
        self.hook_failures = 0
        """How many times a hook raised; each was logged and the job carried on."""

    # -- observation ---------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """True while running, not stopping, and connected to every engine."""
        return (
            self._started
            and not self._stopping
            and all(state.connected for state in self._engines.values())
        )

    def engine_status(self) -> dict[str, dict[str, object]]:
        """Per engine: whether it answers, the last transport error (masked), jobs running."""
        return {
            name: {
                "connected": state.connected,
                "last_error": self.masker.mask(state.last_error),
                "in_flight": len(state.running),
            }
            for name, state in self._engines.items()
        }

    @property
    def connector_specs(self) -> list[ConnectorSpec]:
        """The connectors this runtime serves."""
        return [c.spec for c in self._connectors]

    @property
    def stopping(self) -> bool:
        """True once a graceful stop was requested."""
        return self._stopping

    @property
    def in_flight(self) -> int:
        """Jobs running now, on all engines."""
        return sum(len(state.running) for state in self._engines.values())

    # -- life cycle ----------------------------------------------------------------

    def request_stop(self) -> None:
        """Begin a graceful stop: no more fetching, drain, then return what is left."""
        self._stopping = True
        if self._stop_requested is not None:
            self._stop_requested.set()

    async def run(self) -> None:
        """Serve until :meth:`request_stop` is called, then drain and return."""
        self._stop_requested = anyio.Event()
        if self._stopping:
            self._stop_requested.set()
        async with contextlib.AsyncExitStack() as stack:
            for state in self._engines.values():
                await stack.enter_async_context(state.adapter)
            async with anyio.create_task_group() as keepers:
                for state in self._engines.values():
                    keepers.start_soon(self._keep_leases, state)
                async with JobTasks(cancel_jobs=self._cancel_unfinished) as jobs:
                    self._started = True
                    try:
                        async with anyio.create_task_group() as fetchers:
                            fetchers.start_soon(self._cancel_on_stop, fetchers.cancel_scope)
                            for state in self._engines.values():
                                fetchers.start_soon(self._watch_connection, state)
                                for connector in self._connectors:
                                    fetchers.start_soon(self._poll, state, connector, jobs)
                                    if self.streaming and isinstance(
                                        state.adapter, StreamingAdapter
                                    ):
                                        fetchers.start_soon(self._stream, state, connector, jobs)
                        await self._drain()
                    finally:
                        self._started = False
                keepers.cancel_scope.cancel()
        log.info("Worker %s stopped", self.worker_name)

    async def __aenter__(self) -> Runtime:
        self._background = anyio.create_task_group()
        await self._background.__aenter__()
        self._background.start_soon(self.run)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        assert self._background is not None
        self.request_stop()
        await self._background.__aexit__(*exc_info)
        self._background = None

    async def _cancel_on_stop(self, scope: anyio.CancelScope) -> None:
        assert self._stop_requested is not None
        await self._stop_requested.wait()
        log.info("Stopping: no more fetching, %d jobs in flight", self.in_flight)
        scope.cancel()

    async def _drain(self) -> None:
        with anyio.move_on_after(self.grace_period.total_seconds()):
            for connector in self._connectors:
                await connector.capacity.wait_idle()
        left = sum(not r.done for state in self._engines.values() for r in state.running)
        if left:
            log.warning("Grace period over: handing %d unfinished jobs back", left)
        self._cancel_unfinished()

    def _cancel_unfinished(self) -> None:
        """Ask every job still running its connector to stop: each hands its job back."""
        for state in self._engines.values():
            for running in state.running:
                if not running.done:
                    running.cancellation.set()
                    running.scope.cancel()

    # -- fetching ------------------------------------------------------------------

    def _request(self, connector: _Connector) -> FetchRequest:
        spec = connector.spec
        return FetchRequest(
            type=spec.type,
            worker=self.worker_name,
            max_jobs=1,
            lease=connector.lease,
            long_poll=self.long_poll,
            variables=spec.fetch_variables,
        )

    def _retrying(self, state: _EngineState) -> AsyncRetrying:
        def note(retry_state: Any) -> None:
            error = retry_state.outcome.exception() if retry_state.outcome else None
            self._set_connected(state, False, error)

        return AsyncRetrying(
            retry=retry_if_exception(_engine_unusable),
            wait=wait_random_exponential(
                multiplier=0.1, max=self.reconnect_max_wait.total_seconds()
            ),
            stop=stop_never,
            before_sleep=note,
            sleep=anyio.sleep,
            reraise=True,
        )

    async def _reconnecting(
        self,
        state: _EngineState,
        call: Callable[[], Awaitable[_T]],
        *,
        give_up_after: float | None = None,
    ) -> _T:
        """Run ``call``; while the engine is unavailable, retry with backoff and jitter.

        Raises:
            TimeoutError: Still unavailable ``give_up_after`` seconds after the first failure.
        """
        try:
            return await call()  # the common case builds no retry machinery
        except EngineError as exc:
            if not _engine_unusable(exc):
                raise
            self._set_connected(state, False, exc)
        with anyio.fail_after(give_up_after):
            async for attempt in self._retrying(state):
                with attempt:
                    return await call()
        raise AssertionError("unreachable: the retry loop returns or raises")

    async def _poll(self, state: _EngineState, connector: _Connector, jobs: JobTasks) -> None:
        base = self._request(connector)
        name = state.adapter.name
        capacity = connector.capacity
        while True:
            # A busy worker waits a moment for several slots: one round trip then brings a
            # batch instead of a job or two (the Java client fetches at 30% load likewise).
            reserved = await capacity.reserve(batch=(capacity.share + 1) // 2, patience=0.02)
            fetched: list[Job] = []
            try:
                with anyio.CancelScope() as poll:
                    connector.polls[name] = poll
                    fetch = functools.partial(state.adapter.fetch, replace(base, max_jobs=reserved))
                    fetched = await self._reconnecting(state, fetch)
            except BaseException:
                connector.capacity.release(reserved)
                raise
            finally:
                connector.polls.pop(name, None)
            if poll.cancelled_caught:
                # a streamed job needs a slot this poll held (the adapter handed back
                # whatever the cut poll had taken): free them and poll again
                connector.capacity.release(reserved)
                continue
            self._set_connected(state, True)
            connector.capacity.release(reserved - len(fetched))
            for job in fetched:
                jobs.start_soon(self._run_job, state, connector, job)

    async def _stream(self, state: _EngineState, connector: _Connector, jobs: JobTasks) -> None:
        adapter = state.adapter
        assert isinstance(adapter, StreamingAdapter)

        async def accept(job: Job) -> None:
            # The job is leased to us already: it must not wait behind this engine's long
            # poll, which may hold every free slot for as long as it lasts.
            if connector.capacity.free == 0 and (poll := connector.polls.get(adapter.name)):
                poll.cancel()
            await connector.capacity.reserve(1, urgent=True)
            jobs.start_soon(self._run_job, state, connector, job)

        request = self._request(connector)
        try:
            async for attempt in self._retrying(state):
                with attempt:
                    await adapter.stream(request, accept)
        except EngineRejectedError as exc:
            # e.g. a gateway older than 8.3 has no job streaming; polling serves alone
            log.warning(
                "Engine %s refused a job stream for %s, polling only: %s",
                adapter.name,
                connector.spec.type,
                exc,
            )

    unavailable_warning_every: float = 30.0
    """Seconds between the WARNINGs repeated while an engine cannot be reached."""

    async def _watch_connection(self, state: _EngineState) -> None:
        """Ready means answering: check each engine now, and again while it is down."""
        while True:
            if not state.connected:
                try:
                    await state.adapter.check()
                except EngineError as exc:
                    if not _engine_unusable(exc):
                        raise
                    self._set_connected(state, False, exc)
                    now = anyio.current_time()
                    if (
                        state.warned_at is not None
                        and now - state.warned_at >= self.unavailable_warning_every
                    ):
                        self._warn_unavailable(state, still=now - state.down_since)
                else:
                    self._set_connected(state, True)
            await anyio.sleep(min(1.0, self.unavailable_warning_every))

    def _warn_unavailable(self, state: _EngineState, *, still: float | None = None) -> None:
        from bpmn_bridge.runtime._connection_trouble import address_of, likely_cause

        state.warned_at = anyio.current_time()
        adapter = state.adapter
        # The address and the transport's error can both carry the engine's credentials
        # (a user:password@ in the URL): mask the line before any handler sees it.
        message = "Engine {} at {} {}: {}; {}".format(
            adapter.name,
            address_of(adapter),
            f"still unavailable after {still:.1f} s" if still else "unavailable, reconnecting",
            state.last_error,
            likely_cause(adapter, state.last_error),
        )
        log.warning("%s", self.masker.mask(message))

    def _set_connected(
        self, state: _EngineState, connected: bool, error: BaseException | None = None
    ) -> None:
        if error is not None:
            state.last_error = str(error)
        if state.connected == connected:
            if not connected and state.warned_at is None:
                # down from the start: said once now, then every unavailable_warning_every
                state.down_since = anyio.current_time()
                self._warn_unavailable(state)
            return
        state.connected = connected
        name = state.adapter.name
        if connected:
            state.warned_at = None
            log.info("Engine %s connected", name)
        else:
            state.down_since = anyio.current_time()
            self._warn_unavailable(state)
        for hook in self.hooks:
            try:
                hook.engine_connection(name, connected)
            except Exception:
                self._hook_failed(hook, "engine_connection")

    # -- running one job -----------------------------------------------------------

    async def _run_job(self, state: _EngineState, connector: _Connector, job: Job) -> None:
        info, spec = job.info, connector.spec
        CURRENT_JOB.set(info)  # this task's own context: its log lines name the job
        lease = connector.lease
        # the loop's clock is anyio's on asyncio (the runtime's only backend), without
        # anyio's backend look-up per job
        extend_at = asyncio.get_running_loop().time() + lease.total_seconds() / 2
        running = _Running(info, connector, JobScope(), Cancellation(), lease, extend_at)
        state.running.add(running)
        if extend_at < state.keeper_deadline:
            state.keeper_wake.set()
        for hook in self.hooks:
            try:
                hook.job_activated(info, spec.type)
            except Exception:
                self._hook_failed(hook, "job_activated")
        started = time.monotonic()
        outcome: Outcome | None = None
        try:
            try:
                outcome = await connector.pipeline.run(
                    job,
                    lease_extender=lambda d: self._extend(state, connector, info, d),
                    cancellation=running.cancellation,
                    cancel_scope=running.scope,  # carries the job's deadline too
                )
            except anyio.get_cancelled_exc_class():
                if not running.scope.cancel_called:
                    raise
                # stopped by _cancel_unfinished: the job goes back to the engine
            running.done = True
            # The outcome is reported even while the worker shuts down: nothing but the
            # scope above cancels a job's task (see JobTasks). Bounded (in _report_once):
            # past the lease the engine hands the job to another worker anyway, so an
            # outage longer than that costs a redelivery, not a lost job.
            if outcome is None:
                await self._return(state, connector, info)
            else:
                reported = await self._report(state, info, outcome)
                event = JobFinished(info, spec.type, outcome, time.monotonic() - started, reported)
                for hook in self.hooks:
                    try:
                        hook.job_finished(event)
                    except Exception:
                        self._hook_failed(hook, "job_finished")
        finally:
            state.running.discard(running)
            connector.capacity.release(1)

    async def _keep_leases(self, state: _EngineState) -> None:
        """Extend the leases of this engine's running jobs, each at half its lease.

        One task per engine rather than one per job: most jobs end long before their first
        extension, and a task per job costs a task group and a cancellation every time.
        """
        async with anyio.create_task_group() as extensions:
            while True:
                now = anyio.current_time()
                for running in [r for r in state.running if not r.done and r.extend_at <= now]:
                    # Half the lease again: a slow round trip still lands before expiry.
                    running.extend_at = now + running.lease.total_seconds() / 2
                    extensions.start_soon(self._extend_running, state, running)
                upcoming = [r.extend_at for r in state.running if not r.done]
                state.keeper_deadline = min(upcoming, default=now + 1.0)
                state.keeper_wake = anyio.Event()
                with anyio.move_on_after(max(state.keeper_deadline - now, 0.01)):
                    await state.keeper_wake.wait()

    async def _extend_running(self, state: _EngineState, running: _Running) -> None:
        connector = running.connector
        try:
            await self._extend(state, connector, running.job, running.lease)
        except (JobNotFoundError, EngineRejectedError) as exc:
            running.extend_at = float("inf")  # nothing left to keep
            log.warning(
                "Job %s of %s is gone from %s (instance cancelled or lease lost: %s); "
                "asking the connector to stop",
                running.job.id,
                connector.spec.type,
                state.adapter.name,
                self.masker.mask(str(exc)),
            )
            running.cancellation.set()
        except EngineUnavailableError as exc:
            self._set_connected(state, False, exc)

    async def _extend(
        self, state: _EngineState, connector: _Connector, job: JobInfo, duration: timedelta
    ) -> None:
        await state.adapter.extend_lease(job, duration)
        for hook in self.hooks:
            try:
                hook.lease_extended(job, connector.spec.type)
            except Exception:
                self._hook_failed(hook, "lease_extended")

    async def _report(self, state: _EngineState, job: JobInfo, outcome: Outcome) -> bool:
        """Tell the engine how the job ended; keep trying while the engine is unreachable.

        Gives up only when the job is gone (the engine redelivers it after its lease, so
        nothing is lost: at-least-once).
        """
        adapter = state.adapter
        try:
            return await self._report_once(state, job, outcome)
        except Exception as exc:
            # The engine will never take this outcome (a NaN result, a value it cannot
            # store, an error code it refuses), or the adapter could not even encode it (a
            # result nested past what its encoder takes): retrying cannot help and letting
            # the lease lapse would redeliver the job forever, so raise an incident that
            # says why, and keep serving everyone else.
            if not isinstance(exc, EngineRejectedError):
                exc = EngineRejectedError(f"{type(exc).__name__}: {str(exc)[:500]}")
            refused = self.masker.mask(str(exc))
            log.error(
                "Engine %s refused the outcome of job %s, raising an incident: %s",
                adapter.name,
                job.id,
                refused,
            )
            incident = Failed(f"The engine refused the job's outcome: {refused}", retries=0)
            try:
                return await self._report_once(state, job, incident)
            except Exception as again:
                log.error(
                    "Engine %s refused the incident of job %s too; its lease will lapse: %s",
                    adapter.name,
                    job.id,
                    self.masker.mask(str(again)),
                )
                return False

    async def _report_once(self, state: _EngineState, job: JobInfo, outcome: Outcome) -> bool:
        adapter = state.adapter

        async def send() -> None:
            if isinstance(outcome, Completed) and outcome.local_variables:
                await adapter.complete(
                    job, outcome.variables, local_variables=outcome.local_variables
                )
            elif isinstance(outcome, Completed):
                await adapter.complete(job, outcome.variables)
            elif isinstance(outcome, BpmnErrorThrown):
                await adapter.throw_bpmn_error(
                    job, code=outcome.code, message=outcome.message, variables=outcome.variables
                )
            else:
                await adapter.fail(
                    job,
                    message=outcome.message,
                    details=outcome.details,
                    retries=outcome.retries,
                    backoff=outcome.backoff,
                    variables=outcome.variables,
                )

        try:
            await self._reconnecting(state, send, give_up_after=self._report_limit)
        except TimeoutError:
            log.warning(
                "Gave up reporting job %s to %s; the engine will offer it again",
                job.id,
                adapter.name,
            )
            return False
        except JobNotFoundError as exc:
            log.warning(
                "Outcome of job %s not accepted by %s, the job is gone: %s",
                job.id,
                adapter.name,
                self.masker.mask(str(exc)),
            )
            return False
        return True

    async def _return(self, state: _EngineState, connector: _Connector, job: JobInfo) -> None:
        with anyio.move_on_after(10):
            try:
                await state.adapter.return_job(job)
            except (JobNotFoundError, EngineUnavailableError) as exc:
                log.warning("Could not hand job %s back (its lease will expire): %s", job.id, exc)
                return
            for hook in self.hooks:
                try:
                    hook.job_returned(job, connector.spec.type)
                except Exception:
                    self._hook_failed(hook, "job_returned")
            log.info("Handed job %s back to %s", job.id, state.adapter.name)

    def _hook_failed(self, hook: RuntimeHooks, method: str) -> None:
        # An outage of a metrics or tracing backend must not become a worker outage.
        self.hook_failures += 1
        log.warning(
            "Hook %s.%s raised; the job carries on (%d hook failures so far)",
            type(hook).__name__,
            method,
            self.hook_failures,
            exc_info=self.hook_failures == 1 or self.hook_failures % 1000 == 0,
        )


_CREDENTIALS_REFUSED = frozenset({401, 403, "UNAUTHENTICATED", "PERMISSION_DENIED"})


def _engine_unusable(exc: BaseException) -> bool:
    """Whether no call can succeed until the engine or its credentials change.

    Refused credentials are treated like an engine that cannot be reached: the worker stays up
    (other engines keep serving), reports not ready, says why at a steady interval and tries
    again with backoff, so a rotated secret or a fixed authorization needs no restart.
    """
    if isinstance(exc, EngineUnavailableError):
        return True
    return isinstance(exc, EngineRejectedError) and exc.status in _CREDENTIALS_REFUSED


def _credentials_of(adapter: EngineAdapter) -> list[str]:
    config = getattr(adapter, "config", None)
    values = [getattr(config, name, None) for name in ("password", "token", "client_secret")]
    url = getattr(config, "base_url", None)
    if isinstance(url, str):
        with contextlib.suppress(ValueError):
            password = urllib.parse.urlsplit(url).password or ""
            values += [password, urllib.parse.unquote(password)]
    return [value for value in values if isinstance(value, str) and len(value) >= 3]


def _unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigurationError(f"Two {what} '{name}'; each must be unique")
        seen.add(name)
