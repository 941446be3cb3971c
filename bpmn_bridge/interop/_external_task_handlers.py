"""External-task handlers under the runtime: a handler written for
camunda-external-task-client-python3 becomes a spec any engine can serve.

The handler receives the library's own ``ExternalTask``, built from the job the way the
library builds it from a Camunda 7 fetch (variables in Camunda 7's typed form, extension
properties = task headers), and returns the library's ``TaskResult``; the result becomes the
job's :data:`~bpmn_bridge.core.Outcome`.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import anyio.to_thread
from camunda.external_task.external_task import ExternalTask, TaskResult

from bpmn_bridge.adapters._camunda7_variables import encode_variables
from bpmn_bridge.core import (
    BpmnErrorThrown,
    Completed,
    ConfigurationError,
    ConnectorContext,
    ConnectorSpec,
    Failed,
    Outcome,
)

__all__ = ["from_external_task_handler"]

ExternalTaskHandler = Callable[[ExternalTask], Any]
"""``def handle(task: ExternalTask) -> TaskResult`` (or ``async def``)."""


def from_external_task_handler(
    topic: str,
    handler: ExternalTaskHandler,
    *,
    lock_duration: timedelta = timedelta(minutes=5),
    max_concurrency: int = 32,
    variables: Sequence[str] | None = None,
) -> ConnectorSpec:
    """A handler written for camunda-external-task-client-python3 as a spec any engine serves.

    Args:
        topic: The topic (Camunda 7) / job type (Zeebe) it serves.
        handler: ``handle(task: ExternalTask) -> TaskResult``, sync or async, as written
            for ``ExternalTaskWorker(...).subscribe(topic, handle)``.
        lock_duration: How long one task may run, and the lease asked of the engine (the
            library's ``lockDuration``); the runtime extends it while the handler runs.
        max_concurrency: Tasks handled at once in one process. The library's sync worker
            runs one at a time; say 1 for a handler that is not thread-safe.
        variables: Variables to fetch (the library's ``variables``); None fetches all.

    Returns:
        The spec; pass it to ``Runtime(connectors=[...])``.

    Raises:
        ConfigurationError: The topic is empty, the handler is not callable with one
            argument, or a setting is out of range; one line names the topic and reason.
    """
    where = f"external task '{topic}'"
    if not topic or not topic.strip():
        raise ConfigurationError("external task handler: the topic must not be empty")
    if not callable(handler):
        raise ConfigurationError(f"{where} cannot cross: the handler {handler!r} is not callable")
    try:
        inspect.signature(handler).bind(None)
    except TypeError:
        raise ConfigurationError(
            f"{where} cannot cross: handler {_name(handler)} must take exactly one argument, "
            "the ExternalTask"
        ) from None
    except ValueError:  # a builtin without a signature: let the first call tell
        pass
    if max_concurrency < 1:
        raise ConfigurationError(f"{where}: max_concurrency must be at least 1")
    if lock_duration <= timedelta(0):
        raise ConfigurationError(f"{where}: lock_duration must be positive")
    is_async = inspect.iscoroutinefunction(handler)

    async def serve(context: ConnectorContext) -> Outcome:
        task = external_task(context)
        if is_async:
            returned = await handler(task)
        else:
            returned = await anyio.to_thread.run_sync(handler, task, abandon_on_cancel=True)
        if not isinstance(returned, TaskResult):
            # the library would fail on it; the result the handler recorded on the task
            # (task.complete(...) without return) is what it meant
            recorded = task.get_task_result()
            if not (recorded.is_success() or recorded.is_failure() or recorded.is_bpmn_error()):
                raise TypeError(
                    f"external task handler for '{topic}' returned "
                    f"{type(returned).__name__}, not a TaskResult"
                )
            returned = recorded
        return _outcome(returned, topic)

    serve.__qualname__ = f"external-task:{topic}"
    return ConnectorSpec(
        function=serve,
        type=topic,
        name=topic,
        version=1,
        description=(inspect.getdoc(handler) or "").split("\n", 1)[0],
        input_model=None,
        input_parameter=None,
        context_parameter="context",
        is_async=True,
        timeout=lock_duration,
        max_concurrency=max_concurrency,
        fetch_variables=tuple(variables) if variables is not None else None,
        conventions=False,
        extra={"external_task_handler": handler},
    )


def external_task(context: ConnectorContext) -> ExternalTask:
    """The library's ``ExternalTask`` for one job, as a Camunda 7 fetch would give it.

    On Zeebe: the job key as ``id``, the job type as ``topicName``, custom headers as
    extension properties, the job's retries as ``retries`` (Zeebe always has some, so
    ``failure()`` counts down from them), no business key.
    """
    info = context.info
    return ExternalTask(
        {
            "id": info.id,
            "workerId": info.worker,
            "topicName": info.type,
            "processInstanceId": info.process_instance_id,
            "processDefinitionId": info.process_definition_id,
            "processDefinitionKey": info.bpmn_process_id,
            "activityId": info.element_id,
            "activityInstanceId": info.element_instance_id,
            "businessKey": info.business_key,
            "tenantId": info.tenant_id,
            "retries": info.retries,
            "lockExpirationTime": info.deadline.isoformat() if info.deadline else None,
            "variables": _typed(context.variables),
            "extensionProperties": dict(context.headers),
        }
    )


def _typed(variables: Mapping[str, Any]) -> dict[str, Any]:
    # Camunda 7's wire form, so get_variable() answers what it answers on Camunda 7 (a JSON
    # object is its text there) and with_meta=True shows the type
    return encode_variables(variables)


def _outcome(result: TaskResult, topic: str) -> Outcome:
    # What the library would raise on (leaving the task locked until its lock expires)
    # becomes a failure that says why and counts a retry: the operator hears sooner.
    if result.is_success():
        return Completed(
            dict(result.global_variables or {}),
            local_variables=dict(result.local_variables or {}),
        )
    if result.is_bpmn_error():
        return BpmnErrorThrown(
            str(result.bpmn_error_code),
            str(result.error_message or ""),
            dict(result.global_variables or {}),
        )
    if result.is_failure():
        retries = result.retries
        if not isinstance(retries, int) or isinstance(retries, bool):
            retries = 0
        timeout = result.retry_timeout
        backoff = timedelta(milliseconds=timeout if isinstance(timeout, int | float) else 0)
        return Failed(
            str(result.error_message),
            retries=max(retries, 0),
            backoff=max(backoff, timedelta(0)),
            details=_details(result.error_details),
        )
    raise TypeError(
        f"external task handler for '{topic}' returned a TaskResult that is neither "
        "complete, failure nor bpmn_error"
    )


def _details(details: Any) -> str:
    if isinstance(details, str):
        return details
    if isinstance(details, BaseException):
        return "".join(traceback.format_exception(details))
    return "" if details is None or details == {} else str(details)


def _name(function: Any) -> str:
    return str(getattr(function, "__qualname__", function))
