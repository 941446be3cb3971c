"""One-task diagrams from element templates, bound the way Camunda Modeler applies them.

:func:`apply_template` turns a template plus the values a modeler would type into a
deployable diagram (start → service task → end), so a test can check that what a template
binds is what the connector receives, on the engine itself.

Values are addressed by what a property binds, which is the same on both engines for the
inputs and headers a connector template writes:

=========================  ==========================================
binding                    key in ``values``
=========================  ==========================================
``zeebe:input``            its target (``authentication.username``)
``zeebe:taskHeader``       its key (``resultVariable``)
``zeebe:taskDefinition``   its property (``retries``)
``camunda:inputParameter`` its name (``authentication.username``)
``camunda:property``       its name (``resultVariable``)
``property``               its name (``camunda:topic``)
=========================  ==========================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from bpmn_bridge.templates._camunda7 import CAMUNDA7_SCHEMA
from bpmn_bridge.templates._camunda8 import CAMUNDA8_SCHEMA

__all__ = ["apply_template"]

_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_ZEEBE = "http://camunda.org/schema/zeebe/1.0"
_CAMUNDA = "http://camunda.org/schema/1.0/bpmn"

_Flavour = Literal["camunda8", "camunda7"]
_PLATFORMS = {"camunda8": "Camunda Cloud", "camunda7": "Camunda Platform"}
_PREFIXES = {"camunda8": "zeebe", "camunda7": "camunda"}


@dataclass(slots=True)
class _Bound:
    """One property of the template with the text it writes, if it is shown."""

    prop: Mapping[str, Any]
    key: str
    text: str | None


def apply_template(
    template: Mapping[str, Any],
    values: Mapping[str, str],
    *,
    element_id: str = "task",
    process_id: str = "process",
) -> bytes:
    """Build a one-service-task diagram with the template applied to the task.

    Every binding is written as the Modeler writes it: a property left out of ``values``
    takes the template's default; on Camunda 8 ``Number`` and ``Boolean`` values become
    ``=5`` / ``=true`` and a ``feel: required`` value gets its ``=``, while plain strings stay
    plain text; an empty optional input or header is not written; properties hidden by a
    ``condition`` are not written. On Camunda 7 every input parameter and extension property
    is written (an empty parameter is null) and the process gets
    ``camunda:historyTimeToLive="P1D"``, without which Camunda 7.24 refuses the deployment.
    The task carries the template's id and version (``zeebe:modelerTemplate`` /
    ``camunda:modelerTemplate``), as in a diagram the Modeler saved.

    Args:
        template: A Camunda 8 or Camunda 7 element template (told apart by ``$schema``).
        values: What the modeler enters, keyed by binding (see the module docstring).
            Booleans are ``"true"`` / ``"false"`` on Camunda 8; a dropdown takes a choice's
            value or its name (``"Yes"``).
        element_id: The service task's id.
        process_id: The process's id (the key to start it by).

    Returns:
        The diagram as UTF-8 BPMN XML, with diagram layout so the Modeler shows it.

    Raises:
        ValueError: The template is not for a service task or uses a binding this helper
            does not write; a key names no property shown with these values or a hidden
            one; a value breaks the property's constraints (``notEmpty``, ``pattern``,
            ``minLength``, ``maxLength``) or is not one of a dropdown's choices.
    """
    flavour = _flavour(template)
    element_type = (template.get("elementType") or {}).get("value", "bpmn:ServiceTask")
    if element_type != "bpmn:ServiceTask":
        raise ValueError(f"only service task templates can be applied, not {element_type}")
    bound = _bind(template, values, flavour)
    task = _task_camunda8(bound) if flavour == "camunda8" else _task_camunda7(bound)
    prefix = _PREFIXES[flavour]
    attributes = (
        f" id={quoteattr(element_id)} name={quoteattr(str(template.get('name', '')))}"
        f" {prefix}:modelerTemplate={quoteattr(str(template['id']))}"
    )
    if "version" in template:
        attributes += f" {prefix}:modelerTemplateVersion={quoteattr(str(template['version']))}"
    attributes += task.attributes
    extensions = f"<bpmn:extensionElements>{task.extensions}</bpmn:extensionElements>"
    history = ' camunda:historyTimeToLive="P1D"' if flavour == "camunda7" else ""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<bpmn:definitions xmlns:bpmn="{_BPMN}"'
        ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
        ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
        ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
        f' xmlns:{prefix}="{_ZEEBE if flavour == "camunda8" else _CAMUNDA}"'
        ' xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
        f' modeler:executionPlatform="{_PLATFORMS[flavour]}"'
        f' id="Definitions_{escape(process_id)}" targetNamespace="http://bpmn.io/schema/bpmn">'
        f'<bpmn:process id={quoteattr(process_id)} isExecutable="true"{history}>'
        '<bpmn:startEvent id="start"/>'
        f'<bpmn:sequenceFlow id="to_task" sourceRef="start" targetRef={quoteattr(element_id)}/>'
        f"<bpmn:serviceTask{attributes}>{extensions}</bpmn:serviceTask>"
        f'<bpmn:sequenceFlow id="to_end" sourceRef={quoteattr(element_id)} targetRef="end"/>'
        '<bpmn:endEvent id="end"/>'
        "</bpmn:process>" + _layout(process_id, element_id) + "</bpmn:definitions>\n"
    )
    return xml.encode("utf-8")


def _flavour(template: Mapping[str, Any]) -> _Flavour:
    schema = template.get("$schema")
    if schema == CAMUNDA8_SCHEMA:
        return "camunda8"
    if schema == CAMUNDA7_SCHEMA:
        return "camunda7"
    kinds = {str(p.get("binding", {}).get("type", "")) for p in template.get("properties", ())}
    if any(k.startswith("zeebe:") for k in kinds):
        return "camunda8"
    if any(k.startswith("camunda:") for k in kinds):
        return "camunda7"
    raise ValueError("cannot tell whether the template is for Camunda 8 or Camunda 7")


def _key(prop: Mapping[str, Any]) -> str:
    binding = prop.get("binding", {})
    kind = binding.get("type")
    if kind == "zeebe:taskHeader":
        return str(binding["key"])
    if kind == "zeebe:taskDefinition":
        return str(binding["property"])
    if kind in ("zeebe:input", "camunda:inputParameter", "camunda:property", "property"):
        return str(binding["name"])
    raise ValueError(f"binding type {kind!r} is not supported by apply_template")


def _bind(
    template: Mapping[str, Any], values: Mapping[str, str], flavour: _Flavour
) -> list[_Bound]:
    props: list[Mapping[str, Any]] = list(template.get("properties", ()))
    keys = [_key(p) for p in props]
    raw: list[Any] = []
    for prop, key in zip(props, keys, strict=True):
        if key in values and prop.get("type") == "Hidden":
            raise ValueError(f"'{key}' is hidden; its value is the template's")
        raw.append(_choice(prop, values[key]) if key in values else prop.get("value"))
    by_id = {str(p["id"]): i for i, p in enumerate(props) if "id" in p}
    shown = [_shown(p, by_id, raw, props) for p in props]
    unknown = [
        k for k in values if not any(s and k == key for s, key in zip(shown, keys, strict=True))
    ]
    if unknown:
        known = sorted({k for k, p in zip(keys, props, strict=True) if p.get("type") != "Hidden"})
        raise ValueError(
            f"no property shown with these values binds {', '.join(map(repr, unknown))}; "
            f"the template binds {', '.join(known)}"
        )
    bound: list[_Bound] = []
    for prop, key, value, visible in zip(props, keys, raw, shown, strict=True):
        if not visible:
            continue
        text = _text(prop, key, value, flavour)
        _check(prop, key, _comparable(value))
        bound.append(_Bound(prop, key, text))
    return bound


def _shown(
    prop: Mapping[str, Any],
    by_id: Mapping[str, int],
    raw: list[Any],
    props: list[Mapping[str, Any]],
    depth: int = 0,
) -> bool:
    condition = prop.get("condition")
    if condition is None:
        return True
    if depth > len(props):
        raise ValueError("the template's conditions refer to each other in a cycle")
    conditions = condition.get("allMatch", [condition])
    for cond in conditions:
        index = by_id.get(str(cond.get("property")))
        if index is None or not _shown(props[index], by_id, raw, props, depth + 1):
            return False
        actual = _comparable(raw[index])
        if "equals" in cond:
            if actual != _comparable(cond["equals"]):
                return False
        elif "oneOf" in cond:
            if actual not in [_comparable(v) for v in cond["oneOf"]]:
                return False
        else:
            raise ValueError(f"condition {cond!r} is not supported by apply_template")
    return True


def _choice(prop: Mapping[str, Any], value: str) -> str:
    """A dropdown's value for a choice given by value or by name; other values as given."""
    if prop.get("type") == "Dropdown":
        for choice in prop.get("choices", ()):
            if value in (choice["value"], choice["name"]):
                return str(choice["value"])
    return value


def _comparable(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _text(prop: Mapping[str, Any], key: str, value: Any, flavour: _Flavour) -> str | None:
    """The text the Modeler writes into the diagram; None for nothing entered."""
    kind = prop.get("type", "String")
    if value is None or value == "":
        return None
    if kind == "Dropdown":
        if any(str(value) == choice["value"] for choice in prop.get("choices", ())):
            return str(value)
        allowed = ", ".join(repr(c["value"]) for c in prop.get("choices", ()))
        raise ValueError(f"'{key}' must be one of {allowed}, got {value!r}")
    if flavour == "camunda7":
        return str(value)
    text = _comparable(value)
    if kind == "Boolean":
        if text.lower() not in ("true", "false"):
            raise ValueError(f"'{key}' is a Boolean: 'true' or 'false', got {value!r}")
        return "=" + text.lower()
    if kind == "Number" and not text.startswith("="):
        try:
            float(text)
        except ValueError:
            raise ValueError(f"'{key}' is a Number, got {value!r}") from None
        return "=" + text
    if prop.get("feel") == "required" and not text.startswith("="):
        return "=" + text
    return text


def _check(prop: Mapping[str, Any], key: str, text: str) -> None:
    constraints = prop.get("constraints") or {}
    if not text:
        if constraints.get("notEmpty"):
            raise ValueError(f"'{key}' must not be empty")
        return
    if "minLength" in constraints and len(text) < constraints["minLength"]:
        raise ValueError(f"'{key}' must be at least {constraints['minLength']} characters")
    if "maxLength" in constraints and len(text) > constraints["maxLength"]:
        raise ValueError(f"'{key}' must be at most {constraints['maxLength']} characters")
    pattern = constraints.get("pattern")
    if pattern is not None:
        regex = pattern["value"] if isinstance(pattern, Mapping) else pattern
        # The Modeler tests with JavaScript's RegExp.test: a search, not a full match.
        if re.search(str(regex), text) is None:
            message = pattern.get("message") if isinstance(pattern, Mapping) else None
            raise ValueError(f"'{key}': {message or f'must match {regex}'}, got {text!r}")


@dataclass(frozen=True, slots=True)
class _Task:
    attributes: str
    extensions: str


def _task_camunda8(bound: list[_Bound]) -> _Task:
    definition: dict[str, str] = {}
    inputs: list[str] = []
    headers: list[str] = []
    for item in bound:
        kind = item.prop["binding"]["type"]
        optional = bool(item.prop.get("optional"))
        if kind == "zeebe:taskDefinition":
            if item.text is not None:
                definition[item.key] = item.text
        elif kind == "zeebe:input":
            if item.text is None and optional:
                continue
            source = "" if item.text is None else f" source={quoteattr(item.text)}"
            inputs.append(f"<zeebe:input{source} target={quoteattr(item.key)}/>")
        elif kind == "zeebe:taskHeader":
            if item.text is None and optional:
                continue
            headers.append(
                f"<zeebe:header key={quoteattr(item.key)} value={quoteattr(item.text or '')}/>"
            )
        else:
            raise ValueError(f"binding type {kind!r} is not supported on Camunda 8")
    extensions = ""
    if definition:
        attributes = "".join(f" {k}={quoteattr(v)}" for k, v in definition.items())
        extensions += f"<zeebe:taskDefinition{attributes}/>"
    if inputs:
        extensions += f"<zeebe:ioMapping>{''.join(inputs)}</zeebe:ioMapping>"
    if headers:
        extensions += f"<zeebe:taskHeaders>{''.join(headers)}</zeebe:taskHeaders>"
    return _Task("", extensions)


def _task_camunda7(bound: list[_Bound]) -> _Task:
    attributes: list[str] = []
    parameters: list[str] = []
    properties: list[str] = []
    for item in bound:
        kind = item.prop["binding"]["type"]
        if kind == "property":
            if item.text is not None:
                attributes.append(f" {item.key}={quoteattr(item.text)}")
        elif kind == "camunda:inputParameter":
            name = quoteattr(item.key)
            if item.text is None:
                parameters.append(f"<camunda:inputParameter name={name}/>")
            else:
                parameters.append(
                    f"<camunda:inputParameter name={name}>{escape(item.text)}"
                    "</camunda:inputParameter>"
                )
        elif kind == "camunda:property":
            properties.append(
                f"<camunda:property name={quoteattr(item.key)} value={quoteattr(item.text or '')}/>"
            )
        else:
            raise ValueError(f"binding type {kind!r} is not supported on Camunda 7")
    extensions = ""
    if properties:
        extensions += f"<camunda:properties>{''.join(properties)}</camunda:properties>"
    if parameters:
        extensions += f"<camunda:inputOutput>{''.join(parameters)}</camunda:inputOutput>"
    return _Task("".join(attributes), extensions)


def _layout(process_id: str, element_id: str) -> str:
    """Diagram interchange for start, task and end in a row, as the Modeler would lay them out."""
    shapes = (
        ("start", 152, 102, 36, 36),
        (element_id, 240, 80, 100, 80),
        ("end", 392, 102, 36, 36),
    )
    parts = [
        f'<bpmndi:BPMNDiagram id="Diagram_1"><bpmndi:BPMNPlane id="Plane_1" '
        f"bpmnElement={quoteattr(process_id)}>"
    ]
    for ref, x, y, width, height in shapes:
        parts.append(
            f"<bpmndi:BPMNShape id={quoteattr(ref + '_di')} bpmnElement={quoteattr(ref)}>"
            f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}"/></bpmndi:BPMNShape>'
        )
    for flow, (x1, x2) in (("to_task", (188, 240)), ("to_end", (340, 392))):
        parts.append(
            f'<bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}">'
            f'<di:waypoint x="{x1}" y="120"/><di:waypoint x="{x2}" y="120"/></bpmndi:BPMNEdge>'
        )
    parts.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
    return "".join(parts)
