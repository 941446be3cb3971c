"""A connector inside an existing pyzeebe worker: ``worker.include_router(as_pyzeebe_router(c))``.

The router's task runs the connector through :class:`~bpmn_bridge.core.JobPipeline`, so
validation, secrets, standard headers, error expressions, in-process retries and masking
work as under the runtime; the pipeline's outcome is then reported through pyzeebe.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from pyzeebe import Job as PyzeebeJob
from pyzeebe import JobController, ZeebeTaskRouter
from pyzeebe.job.job_status import JobStatus

from bpmn_bridge.adapters._zeebe_jobs import error_message
from bpmn_bridge.core import (
    BpmnErrorThrown,
    ConfigurationError,
    ConnectorDefinitionError,
    ConnectorSpec,
    Failed,
    Job,
    JobInfo,
    JobPipeline,
    SecretMasker,
    SecretProvider,
    get_spec,
)

__all__ = ["as_pyzeebe_router"]


class _Reported(Exception):
    """Carries a non-completion outcome from the task function to its exception handler."""

    def __init__(self, outcome: BpmnErrorThrown | Failed) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def as_pyzeebe_router(
    connector: Callable[..., Any] | ConnectorSpec,
    *,
    secrets: SecretProvider | None = None,
    masker: SecretMasker | None = None,
    engine_name: str = "zeebe",
) -> ZeebeTaskRouter:
    """A pyzeebe router with one task that serves ``connector`` with the whole pipeline.

    Include it in your own worker: ``worker.include_router(as_pyzeebe_router(connector))``.
    The task's type is the connector's type; its ``timeout_ms`` is the connector's timeout,
    its ``max_running_jobs`` the connector's ``max_concurrency``, and it fetches the
    variables the connector names. Failures keep the retries the pipeline decides
    (``retries`` header, ``jobError(...)``, an incident for bad input). A job that runs
    past the timeout is stopped and failed, as under the runtime; pyzeebe extends no leases.

    Args:
        connector: A ``@connector`` function or its spec.
        secrets: Where ``{{secrets.NAME}}`` values come from; none by default.
        masker: Masks secret values in messages and logs; a new one by default.
        engine_name: ``JobInfo.engine`` as the connector sees it.

    Returns:
        A ``ZeebeTaskRouter`` holding the one task.

    Raises:
        ConfigurationError: ``connector`` is not a connector.
    """
    try:
        spec = connector if isinstance(connector, ConnectorSpec) else get_spec(connector)
    except ConnectorDefinitionError as exc:
        raise ConfigurationError(f"as_pyzeebe_router: {exc}") from None
    pipeline = JobPipeline(spec, secrets=secrets, masker=masker)

    async def run_connector(job: PyzeebeJob, **variables: Any) -> dict[str, Any]:
        del variables  # pyzeebe hands the fetched ones over twice: as keywords and on job
        outcome = await pipeline.run(_job(job, engine_name))
        if isinstance(outcome, BpmnErrorThrown | Failed):
            raise _Reported(outcome)
        return {**outcome.variables, **outcome.local_variables}  # Zeebe: one set

    run_connector.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "job", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=PyzeebeJob
            ),
            inspect.Parameter("variables", inspect.Parameter.VAR_KEYWORD),
        ]
    )
    run_connector.__name__ = run_connector.__qualname__ = f"bpmn_bridge:{spec.type}"
    router = ZeebeTaskRouter()
    router.task(
        task_type=spec.type,
        exception_handler=_report,
        variables_to_fetch=list(spec.fetch_variables) if spec.fetch_variables else None,
        timeout_ms=int(spec.timeout.total_seconds() * 1000),
        max_jobs_to_activate=spec.max_concurrency,
        max_running_jobs=spec.max_concurrency,
    )(cast(Any, run_connector))
    return router


async def _report(exception: Exception, job: PyzeebeJob, controller: JobController) -> None:
    if not isinstance(exception, _Reported):
        # a worker-level before/after decorator cannot get here (pyzeebe catches those);
        # anything else is a failure counted like pyzeebe's own default handler counts it
        await controller.set_failure_status(f"Failed job. Error: {exception}")
        return
    outcome = exception.outcome
    if isinstance(outcome, BpmnErrorThrown):
        await controller.set_error_status(
            outcome.message, error_code=outcome.code, variables=dict(outcome.variables)
        )
        return
    # pyzeebe's set_failure_status always counts one retry down; the pipeline decides the
    # retries (0 for an incident, a jobError's own count), so send its number as is
    job._set_status(JobStatus.Failed)
    await controller._zeebe_adapter.fail_job(
        job_key=job.key,
        retries=outcome.retries,
        message=error_message(outcome.message, outcome.details),
        retry_back_off_ms=int(outcome.backoff.total_seconds() * 1000),
        variables=dict(outcome.variables),
    )


def _job(job: PyzeebeJob, engine: str) -> Job:
    deadline = datetime.fromtimestamp(job.deadline / 1000, tz=UTC) if job.deadline else None
    return Job(
        info=JobInfo(
            engine=engine,
            id=str(job.key),
            type=job.type,
            process_instance_id=str(job.process_instance_key),
            bpmn_process_id=job.bpmn_process_id,
            process_definition_id=str(job.process_definition_key),
            process_definition_version=job.process_definition_version,
            element_id=job.element_id,
            element_instance_id=str(job.element_instance_key),
            tenant_id=job.tenant_id,
            retries=job.retries,
            deadline=deadline,
            worker=job.worker,
        ),
        variables=dict(job.variables),
        headers={str(k): str(v) for k, v in _headers(job).items()},
    )


def _headers(job: PyzeebeJob) -> Mapping[str, Any]:
    return job.custom_headers or {}
