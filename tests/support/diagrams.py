"""One-service-task diagrams in both flavours, built from the same description."""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import quoteattr

_DEFINITIONS = (
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'id="defs_{pid}" targetNamespace="http://bpmn-bridge.dev/tests">'
)


def service_task_process(
    process_id: str,
    task_type: str,
    *,
    flavour: str,
    headers: Mapping[str, str] | None = None,
    retries: int = 3,
    catch_error_code: str | None = "NEGATIVE",
) -> bytes:
    """start → service task (type/topic, headers) → end, and an error boundary event
    catching ``catch_error_code`` → end ``rejected``.

    Args:
        flavour: ``camunda8`` (zeebe:taskDefinition + taskHeaders) or ``camunda7``
            (camunda:type="external" + camunda:properties).
    """
    headers = dict(headers or {})
    if flavour == "camunda8":
        entries = "".join(
            f"<zeebe:header key={quoteattr(k)} value={quoteattr(v)}/>" for k, v in headers.items()
        )
        task = (
            f'<bpmn:serviceTask id="task"><bpmn:extensionElements>'
            f'<zeebe:taskDefinition type={quoteattr(task_type)} retries="{retries}"/>'
            + (f"<zeebe:taskHeaders>{entries}</zeebe:taskHeaders>" if entries else "")
            + "</bpmn:extensionElements></bpmn:serviceTask>"
        )
        process_attributes = ""
    elif flavour == "camunda7":
        headers.setdefault("retries", str(retries))
        entries = "".join(
            f"<camunda:property name={quoteattr(k)} value={quoteattr(v)}/>"
            for k, v in headers.items()
        )
        task = (
            f'<bpmn:serviceTask id="task" camunda:type="external" '
            f"camunda:topic={quoteattr(task_type)}><bpmn:extensionElements>"
            f"<camunda:properties>{entries}</camunda:properties>"
            "</bpmn:extensionElements></bpmn:serviceTask>"
        )
        process_attributes = ' camunda:historyTimeToLive="P1D"'
    else:
        raise ValueError(f"unknown flavour {flavour!r}")
    error = ""
    boundary = ""
    if catch_error_code is not None:
        error = f'<bpmn:error id="err" errorCode={quoteattr(catch_error_code)}/>'
        boundary = (
            '<bpmn:boundaryEvent id="caught" attachedToRef="task">'
            '<bpmn:errorEventDefinition errorRef="err"/></bpmn:boundaryEvent>'
            '<bpmn:sequenceFlow id="f3" sourceRef="caught" targetRef="rejected"/>'
            '<bpmn:endEvent id="rejected"/>'
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + _DEFINITIONS.format(pid=process_id)
        + error
        + f'<bpmn:process id="{process_id}" isExecutable="true"{process_attributes}>'
        '<bpmn:startEvent id="start"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>'
        + task
        + '<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>'
        '<bpmn:endEvent id="end"/>' + boundary + "</bpmn:process></bpmn:definitions>"
    )
    return xml.encode()
