"""Run one connector in memory through the pipeline the runtime uses; no engine needed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from bpmn_bridge.core import (
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

__all__ = ["LeaseRecorder", "build_context", "build_job_info", "run_connector"]


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
) -> Outcome:
    """Run a connector on one job in memory and return the outcome the engine would get.

    This is the runtime's own pipeline (headers, secrets, validation, timeout, in-process
    retries, result and error expressions); only the engine is left out.

    Args:
        function: A function decorated with ``@connector``.
        variables: The job's variables.
        headers: The job's headers (resultVariable, resultExpression, errorExpression...).
        secrets: Secrets by name, or a provider.
        info: Job facts; :func:`build_job_info` with the connector's type by default.
        masker: The masker to use; pass one to inspect what it learned.
        lease_extender: Records lease extensions.

    Returns:
        Completed, BpmnErrorThrown or Failed.
    """
    spec = get_spec(function)
    pipeline = JobPipeline(spec, secrets=_provider(secrets), masker=masker)
    job = Job(
        info=info or build_job_info(type=spec.type),
        variables=dict(variables or {}),
        headers=dict(headers or {}),
    )
    return await pipeline.run(job, lease_extender=lease_extender)


def _provider(secrets: Mapping[str, str] | SecretProvider | None) -> SecretProvider:
    if secrets is None:
        return MappingSecretProvider({})
    if isinstance(secrets, Mapping):
        return MappingSecretProvider(secrets)
    return secrets
