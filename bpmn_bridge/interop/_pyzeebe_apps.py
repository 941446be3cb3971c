"""pyzeebe apps under the runtime: each pyzeebe task becomes a spec any engine can serve.

A task's job handler is the one pyzeebe itself built (``task_builder``): before decorators,
variables as keyword arguments, ``single_value``, the exception handler, after decorators.
It runs against a :class:`pyzeebe.JobController` whose engine calls are recorded instead of
sent; the recorded call becomes the job's :data:`~bpmn_bridge.core.Outcome` and the runtime
reports it to whichever engine the job came from.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

from pyzeebe import Job as PyzeebeJob
from pyzeebe import ZeebeTaskRouter, ZeebeWorker
from pyzeebe.job.job import JobController
from pyzeebe.task.task import Task

from bpmn_bridge.core import (
    BpmnErrorThrown,
    Completed,
    ConfigurationError,
    ConnectorContext,
    ConnectorSpec,
    Failed,
    JobInfo,
    Outcome,
)

__all__ = ["from_pyzeebe", "is_pyzeebe_app"]

log = logging.getLogger("bpmn_bridge.interop")

# Zeebe's default when a model says nothing; a Camunda 7 task has no retries before its
# first failure, and a pyzeebe task counts down from the job's retries.
_DEFAULT_RETRIES = 3


def is_pyzeebe_app(target: object) -> bool:
    """Whether ``target`` is a pyzeebe ``ZeebeTaskRouter`` or ``ZeebeWorker``."""
    return isinstance(target, ZeebeTaskRouter)


def from_pyzeebe(app: ZeebeTaskRouter | ZeebeWorker, *, where: str = "") -> list[ConnectorSpec]:
    """The tasks of a pyzeebe router or worker as specs the runtime serves on any engine.

    Each task keeps pyzeebe's semantics: variables as keyword arguments (with defaults),
    ``variables_to_fetch``, ``single_value`` / ``variable_name``, before and after
    decorators, the task's exception handler (pyzeebe's default one when it has none),
    ``BusinessError`` as a BPMN error and a ``job: Job`` parameter. ``timeout_ms`` becomes
    the job's timeout and lease, ``max_running_jobs`` its concurrency.

    Args:
        app: A ``ZeebeTaskRouter`` or ``ZeebeWorker`` with its tasks registered.
        where: Where the app came from, for error messages (a ``module:attr`` reference).

    Returns:
        One spec per task, in the order pyzeebe registered them.

    Raises:
        ConfigurationError: The app cannot be served as it is: it has no tasks, or a task
            or worker setting has no equivalent under the runtime. One line names the task
            and the reason.
    """
    name = where or type(app).__name__
    if not isinstance(app, ZeebeTaskRouter):
        raise ConfigurationError(f"{name}: not a pyzeebe ZeebeTaskRouter or ZeebeWorker")
    if isinstance(app, ZeebeWorker) and app.tenant_ids:
        raise ConfigurationError(
            f"{name}: ZeebeWorker(tenant_ids=...) cannot cross: the runtime fetches for the "
            "tenants its engine configuration names (ZEEBE_TENANT_IDS); drop tenant_ids"
        )
    if not app.tasks:
        raise ConfigurationError(f"{name}: the pyzeebe app has no tasks")
    return [_spec(task, name) for task in app.tasks]


def _spec(task: Task, where: str) -> ConnectorSpec:
    config = task.config
    if config.max_running_jobs < 1:
        raise ConfigurationError(
            f"{where}: task '{config.type}' cannot cross: max_running_jobs must be at least 1, "
            f"got {config.max_running_jobs}"
        )
    if config.timeout_ms < 1:
        raise ConfigurationError(
            f"{where}: task '{config.type}' cannot cross: timeout_ms must be positive, "
            f"got {config.timeout_ms}"
        )
    timeout = timedelta(milliseconds=config.timeout_ms)
    fetch = tuple(config.variables_to_fetch) if config.variables_to_fetch else None
    serve = _serve(task, timeout)
    function = task.original_function
    return ConnectorSpec(
        function=serve,
        type=config.type,
        name=config.type,
        version=1,
        description=((getattr(function, "__doc__", None) or "").strip().split("\n", 1)[0]),
        input_model=None,
        input_parameter=None,
        context_parameter="context",
        is_async=True,
        timeout=timeout,
        retries=_DEFAULT_RETRIES,
        max_concurrency=config.max_running_jobs,
        fetch_variables=fetch,
        conventions=False,
        extra={"pyzeebe_task": task},
    )


def _serve(task: Task, timeout: timedelta) -> Any:
    async def serve(context: ConnectorContext) -> Outcome:
        job = pyzeebe_job(context.info, context.variables, context.headers)
        recorder = _Recorder(task.type)
        # pyzeebe's own job handler, with a controller whose engine is the recorder
        await task.job_handler(job, JobController(job, cast(Any, recorder)))
        if recorder.outcome is not None:
            return recorder.outcome
        # pyzeebe leaves such a job activated: Zeebe offers it again once its timeout
        # passes, without counting a retry. The runtime cannot leave a job hanging (it
        # would extend the lease forever), so it asks for exactly that.
        return Failed(
            f"pyzeebe task '{task.type}' reported no outcome (its exception handler neither "
            "completed, failed nor threw an error); offered again after its timeout",
            retries=job.retries,
            backoff=timeout,
        )

    serve.__qualname__ = f"pyzeebe:{task.type}"
    return serve


def pyzeebe_job(
    info: JobInfo, variables: Mapping[str, Any], headers: Mapping[str, str]
) -> PyzeebeJob:
    """A pyzeebe ``Job`` filled with one job's facts, on either engine.

    Zeebe keys are numbers; a Camunda 7 id that is not a number (a UUID) is kept as the
    string it is. A Camunda 7 task that never failed has no retries yet: its ``retries``
    header (what ``bpmn-bridge migrate`` writes for Zeebe's ``retries``) or 3, Zeebe's default.
    """
    retries = info.retries
    if retries is None:
        header = headers.get("retries", "")
        retries = int(header) if header.strip().isdigit() else _DEFAULT_RETRIES
    deadline = int(info.deadline.timestamp() * 1000) if info.deadline is not None else 0
    return PyzeebeJob(
        key=_key(info.id),
        type=info.type,
        process_instance_key=_key(info.process_instance_id),
        bpmn_process_id=info.bpmn_process_id,
        process_definition_version=info.process_definition_version or 0,
        process_definition_key=_key(info.process_definition_id),
        element_id=info.element_id,
        element_instance_key=_key(info.element_instance_id),
        custom_headers=dict(headers),
        worker=info.worker,
        retries=retries,
        deadline=deadline,
        variables=dict(variables),
        tenant_id=info.tenant_id,
    )


def _key(value: str) -> int:
    return int(value) if value.isdigit() else cast(int, value)


class _Recorder:
    """Stands in for pyzeebe's ``ZeebeAdapter`` behind a ``JobController``: the first call
    decides the outcome, as the first command on a Zeebe job does."""

    def __init__(self, task_type: str) -> None:
        self.task_type = task_type
        self.outcome: Outcome | None = None

    def _record(self, outcome: Outcome) -> None:
        if self.outcome is None:
            self.outcome = outcome
        else:
            log.warning(
                "pyzeebe task '%s' reported a second outcome (%s); the first one stands",
                self.task_type,
                type(outcome).__name__,
            )

    async def complete_job(self, job_key: int, variables: Mapping[str, Any]) -> None:
        self._record(Completed(dict(variables)))

    async def fail_job(
        self,
        job_key: int,
        retries: int,
        message: str,
        retry_back_off_ms: int,
        variables: Mapping[str, Any],
    ) -> None:
        self._record(
            Failed(
                message,
                retries=max(retries, 0),
                backoff=timedelta(milliseconds=retry_back_off_ms),
                variables=dict(variables),
            )
        )

    async def throw_error(
        self, job_key: int, message: str, error_code: str, variables: Mapping[str, Any]
    ) -> None:
        self._record(BpmnErrorThrown(error_code, message, dict(variables)))
