"""A connector inside an existing external-task worker:
``ExternalTaskWorker(...).subscribe(topic, as_external_task_handler(connector))``.

The handler runs the connector through :class:`~bpmn_bridge.core.JobPipeline` (validation,
secrets, standard headers, error expressions, in-process retries, masking) and returns the
library's ``TaskResult`` for the outcome; the library's worker reports it to Camunda 7.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio
from camunda.external_task.external_task import ExternalTask, TaskResult

from bpmn_bridge.adapters._camunda7_variables import (
    decode_variables,
    encode_variables,
    parse_date,
)
from bpmn_bridge.core import (
    BpmnErrorThrown,
    Completed,
    ConfigurationError,
    ConnectorDefinitionError,
    ConnectorSpec,
    Job,
    JobInfo,
    JobPipeline,
    SecretMasker,
    SecretProvider,
    get_spec,
)

__all__ = ["as_external_task_handler"]

log = logging.getLogger("bpmn_bridge.interop")


def as_external_task_handler(
    connector: Callable[..., Any] | ConnectorSpec,
    *,
    secrets: SecretProvider | None = None,
    masker: SecretMasker | None = None,
    engine_name: str = "camunda7",
) -> Callable[[ExternalTask], TaskResult]:
    """A handler for camunda-external-task-client-python3 that serves ``connector``.

    Subscribe it in your own worker:
    ``ExternalTaskWorker(...).subscribe(topic, as_external_task_handler(connector))``. The
    library's sync worker calls it in its own thread; each task runs the whole pipeline in
    an event loop of its own. A failure keeps the retries the pipeline decides (Camunda 7
    gives none before the first failure: the ``retries`` header, else the connector's).

    Args:
        connector: A ``@connector`` function or its spec.
        secrets: Where ``{{secrets.NAME}}`` values come from; none by default.
        masker: Masks secret values in messages and logs; a new one by default.
        engine_name: ``JobInfo.engine`` as the connector sees it.

    Returns:
        ``handle(task: ExternalTask) -> TaskResult``.

    Raises:
        ConfigurationError: ``connector`` is not a connector.
    """
    try:
        spec = connector if isinstance(connector, ConnectorSpec) else get_spec(connector)
    except ConnectorDefinitionError as exc:
        raise ConfigurationError(f"as_external_task_handler: {exc}") from None
    pipeline = JobPipeline(spec, secrets=secrets, masker=masker)

    def handle(task: ExternalTask) -> TaskResult:
        outcome = anyio.run(pipeline.run, _job(task, engine_name))
        if isinstance(outcome, Completed):
            local = encode_variables(outcome.local_variables)
            return task.complete(encode_variables(outcome.variables), local)
        if isinstance(outcome, BpmnErrorThrown):
            return task.bpmn_error(
                outcome.code, outcome.message, encode_variables(outcome.variables)
            )
        if outcome.variables:
            log.warning(
                "Task %s of %s: the external-task client sends no variables with a failure; "
                "dropped %s",
                task.get_task_id(),
                spec.type,
                sorted(outcome.variables),
            )
        # ExternalTask.failure() would count down by its own rule; the pipeline has decided
        result = TaskResult.failure(
            task,
            error_message=outcome.message,
            error_details=outcome.details,
            retries=outcome.retries,
            retry_timeout=int(outcome.backoff.total_seconds() * 1000),
        )
        task.set_task_result(result)
        return result

    handle.__qualname__ = handle.__name__ = f"bpmn_bridge:{spec.type}"
    return handle


def _job(task: ExternalTask, engine: str) -> Job:
    context: dict[str, Any] = task._context
    expires = context.get("lockExpirationTime")
    retries = context.get("retries")
    info = JobInfo(
        engine=engine,
        id=str(context.get("id") or ""),
        type=str(context.get("topicName") or ""),
        process_instance_id=str(context.get("processInstanceId") or ""),
        bpmn_process_id=str(context.get("processDefinitionKey") or ""),
        process_definition_id=str(context.get("processDefinitionId") or ""),
        element_id=str(context.get("activityId") or ""),
        element_instance_id=str(context.get("activityInstanceId") or ""),
        business_key=context.get("businessKey"),
        tenant_id=context.get("tenantId"),
        retries=int(retries) if retries is not None else None,
        deadline=parse_date(expires) if expires else None,
        worker=str(context.get("workerId") or ""),
    )
    headers = {str(k): str(v) for k, v in (context.get("extensionProperties") or {}).items()}
    return Job(info=info, variables=decode_variables(context.get("variables")), headers=headers)
