"""Run one connector in memory through the pipeline the runtime uses; no engine needed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import anyio

from bpmn_bridge.core import (
    BridgeError,
    Cancellation,
    ConnectorContext,
    Job,
    JobInfo,
    JobPipeline,
    MappingSecretProvider,
    Outcome,
    SecretMasker,
    SecretProvider,
    get_spec,
)

__all__ = [
    "JobControl",
    "JobHandedBack",
    "LeaseRecorder",
    "build_context",
    "build_job_info",
    "run_connector",
]


class JobHandedBack(BridgeError):
    """The worker shut down before the connector finished: no outcome was reported.

    The runtime hands such a job back to the engine, which offers it again;
    `run_connector` raises this instead of returning an outcome.
    """


class JobControl:
    """A handle on one `run_connector` call: stop the job the ways the runtime does.

    Like temporalio's ``ActivityEnvironment.cancel()`` / ``worker_shutdown()``. Pass it as
    ``run_connector(..., control=control)`` and call its methods from another task, or
    from a fake the connector calls; use one control per run.
    """

    def __init__(self) -> None:
        self.cancellation = Cancellation()
        self._scope = anyio.CancelScope()

    def cancel(self) -> None:
        """Ask the connector to stop, as the runtime does when the job is gone.

        The runtime does this when the engine reports the job gone (lease lost, instance
        cancelled) and the pipeline when the job's timeout passes: the connector's
        ``context.cancellation`` is set and the connector decides how to stop. Its
        outcome is still returned.
        """
        self.cancellation.set()

    def worker_shutdown(self) -> None:
        """Stop the job as a worker does when its shutdown grace period is over.

        ``context.cancellation`` is set and the connector's task is cancelled (a sync
        connector's thread is abandoned); `run_connector` then raises `JobHandedBack`, as
        the runtime hands the job back to the engine instead of reporting an outcome.
        """
        self.cancellation.set()
        self._scope.cancel()


class LeaseRecorder:
    """Records every lease extension a connector asks for, for assertions."""

    def __init__(self) -> None:
        self.extensions: list[timedelta] = []

    async def __call__(self, duration: timedelta) -> None:
        self.extensions.append(duration)


def build_job_info(**overrides: Any) -> JobInfo:
    """A plausible :class:`JobInfo` for tests; any field can be overridden."""
    fields: dict[str, Any] = {
        "engine": "memory",
        "id": "1",
        "type": "test",
        "process_instance_id": "1",
        "bpmn_process_id": "test-process",
        "process_definition_id": "1",
        "element_id": "task",
        "element_instance_id": "1",
        "worker": "test-worker",
    }
    fields.update(overrides)
    return JobInfo(**fields)


def build_context(
    *,
    variables: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | SecretProvider | None = None,
    info: JobInfo | None = None,
    attempt: int = 1,
    lease_extender: LeaseRecorder | None = None,
) -> ConnectorContext:
    """Build a :class:`ConnectorContext` for unit tests of code that takes one.

    Args:
        variables: The job's variables (taken as already resolved).
        headers: The job's headers.
        secrets: Secrets by name, or a provider.
        info: Job facts; :func:`build_job_info` by default.
        attempt: The in-process attempt number.
        lease_extender: Records lease extensions; a fresh recorder by default.

    Returns:
        A frozen context.
    """
    return ConnectorContext(
        info=info or build_job_info(),
        headers=dict(headers or {}),
        variables=dict(variables or {}),
        secrets=_provider(secrets),
        attempt=attempt,
        cancellation=Cancellation(),
        lease_extender=lease_extender or LeaseRecorder(),
    )


async def run_connector(
    function: Callable[..., Any],
    *,
    variables: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | SecretProvider | None = None,
    info: JobInfo | None = None,
    masker: SecretMasker | None = None,
    lease_extender: LeaseRecorder | None = None,
    cancel_after: float | timedelta | None = None,
    shutdown_after: float | timedelta | None = None,
    control: JobControl | None = None,
) -> Outcome:
    """Run a connector on one job in memory and return the outcome the engine would get.

    This is the runtime's own pipeline (headers, secrets, validation, timeout, in-process
    retries, result and error expressions); only the engine is left out. A test can stop
    the job as the runtime would: ``cancel_after`` (the job is gone), ``shutdown_after``
    (the worker shuts down), or a `JobControl` for any other moment.

    Args:
        function: A function decorated with ``@connector``.
        variables: The job's variables.
        headers: The job's headers (resultVariable, resultExpression, errorExpression...).
        secrets: Secrets by name, or a provider.
        info: Job facts; :func:`build_job_info` with the connector's type by default.
        masker: The masker to use; pass one to inspect what it learned.
        lease_extender: Records lease extensions.
        cancel_after: Seconds (or a timedelta) after which `JobControl.cancel` is called.
        shutdown_after: Seconds (or a timedelta) after which `JobControl.worker_shutdown`
            is called.
        control: The handle to stop the job with; a fresh one by default.

    Returns:
        Completed, BpmnErrorThrown or Failed.

    Raises:
        JobHandedBack: The worker shut down before the connector finished.
    """
    spec = get_spec(function)
    pipeline = JobPipeline(spec, secrets=_provider(secrets), masker=masker)
    job = Job(
        info=info or build_job_info(type=spec.type),
        variables=dict(variables or {}),
        headers=dict(headers or {}),
    )
    control = control or JobControl()
    timed = [
        (_seconds(delay), action)
        for delay, action in (
            (cancel_after, control.cancel),
            (shutdown_after, control.worker_shutdown),
        )
        if delay is not None
    ]
    outcome: Outcome | None = None
    async with anyio.create_task_group() as timers:
        for seconds, action in timed:
            timers.start_soon(_call_later, seconds, action)
        with control._scope:
            outcome = await pipeline.run(
                job, lease_extender=lease_extender, cancellation=control.cancellation
            )
        timers.cancel_scope.cancel()
    if outcome is None:
        raise JobHandedBack(
            f"The worker shut down before connector '{spec.type}' finished job {job.info.id}"
        )
    return outcome


async def _call_later(seconds: float, action: Callable[[], None]) -> None:
    await anyio.sleep(seconds)
    action()


def _seconds(delay: float | timedelta) -> float:
    seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
    if seconds < 0:
        raise ValueError(f"Expected a delay of 0 seconds or more, but got {seconds:g}")
    return seconds


def _provider(secrets: Mapping[str, str] | SecretProvider | None) -> SecretProvider:
    if secrets is None:
        return MappingSecretProvider({})
    if isinstance(secrets, Mapping):
        return MappingSecretProvider(secrets)
    return secrets
