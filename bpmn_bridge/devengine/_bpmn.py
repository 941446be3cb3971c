"""Safe BPMN 2.0 parsing into the executable subset (`ProcessGraph`).

Input is untrusted: it is size-limited before parsing and parsed with defusedxml with
DTDs, entity declarations and external references forbidden, so XXE and entity
expansion ("billion laughs") fail with a `BpmnModelError` instead of doing harm.

The supported subset (see docs/devengine.md): none start/end events, service tasks in
Camunda 8 (``zeebe:taskDefinition``) and Camunda 7 (``camunda:type="external"``)
flavour, sequence flows, exclusive gateways with conditions (FEEL ``=...`` or the JUEL
subset ``${...}``) and default flows, parallel gateways, and interrupting error boundary
events. Everything else is rejected naming the element id and type.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeET

from . import _juel
from ._errors import BpmnModelError
from ._graph import (
    Evaluator,
    FlowNode,
    NodeKind,
    ProcessGraph,
    SequenceFlow,
    TaskDefinition,
    VariableMapping,
)

__all__ = ["DEFAULT_MAX_RESOURCE_BYTES", "parse_bpmn", "parse_xml"]

DEFAULT_MAX_RESOURCE_BYTES = 10 * 1024 * 1024

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_B = "{" + BPMN_NS + "}"
_Z = "{" + ZEEBE_NS + "}"
_C = "{" + CAMUNDA_NS + "}"

# Definitions-level elements that carry no behaviour for the subset.
_IGNORED_ROOT = {"collaboration", "error", "message", "signal", "escalation", "category"}
_IGNORED_ROOT |= {"itemDefinition", "documentation", "extensionElements", "import"}
# Process children that are annotations, not behaviour.
_IGNORED_IN_PROCESS = {
    "documentation",
    "extensionElements",
    "laneSet",
    "textAnnotation",
    "association",
    "group",
}
# Children of flow nodes that carry no behaviour.
_IGNORED_IN_NODE = {"incoming", "outgoing", "documentation", "extensionElements"}
# Vendor extension elements that would change behaviour we do not implement.
_REJECTED_EXTENSIONS = {
    "executionListener",
    "taskListener",
    "executionListeners",
    "connector",
    "script",
}

FeelCompiler = Callable[[str], Evaluator]


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _zeebe_source(src: str, element_id: str, element_type: str) -> Evaluator:
    """An io mapping's source: FEEL after a leading ``=``, else the text itself.

    Zeebe reads a source without ``=`` as a static string, which is what the Modeler writes
    for a plain text field of an element template (``source="https://..."``).
    """
    if src.startswith("="):
        return _compile_feel(src, element_id, element_type)

    def static(_variables: Any, _value: str = src) -> Any:
        return _value

    return static


def _compile_feel(src: str, element_id: str, element_type: str) -> Evaluator:
    try:
        from bpmn_bridge.feel import compile_expression
    except ImportError as exc:  # the FEEL package is optional at import time
        raise BpmnModelError(
            f"Element '{element_id}' ({element_type}) uses FEEL, but bpmn_bridge.feel is "
            "not available",
            element_id=element_id,
            element_type=element_type,
        ) from exc
    try:
        expression = compile_expression(src)
    except Exception as exc:  # any compile failure is a model error at deploy time
        raise BpmnModelError(
            f"Element '{element_id}' ({element_type}) has an invalid FEEL expression "
            f"{src!r}: {exc}",
            element_id=element_id,
            element_type=element_type,
        ) from exc
    evaluate: Evaluator = expression.evaluate_json
    return evaluate


def _compile_juel(src: str, element_id: str, element_type: str) -> Evaluator:
    try:
        return _juel.compile_template(src)
    except _juel.JuelSyntaxError as exc:
        raise BpmnModelError(
            f"Element '{element_id}' ({element_type}) uses JUEL outside the supported "
            f"subset in {src!r}: {exc}",
            element_id=element_id,
            element_type=element_type,
        ) from exc


def _unsupported(element_id: str, element_type: str, detail: str = "") -> BpmnModelError:
    return BpmnModelError(
        f"Element '{element_id}' of type '{element_type}' is not supported by the "
        f"development engine{': ' + detail if detail else ''}",
        element_id=element_id,
        element_type=element_type,
    )


def parse_xml(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_RESOURCE_BYTES) -> Any:
    """Parse untrusted XML safely: size-limited, no DTDs, entities or external references.

    The one safe entry point for BPMN input; the diagram migrator parses with it too, so
    hostile XML is rejected the same way everywhere.

    Args:
        data: the XML document.
        max_bytes: reject larger documents before parsing.

    Returns:
        The root element (``xml.etree.ElementTree.Element``).

    Raises:
        BpmnModelError: too large, DTD/entities/external references present, or not
            well-formed.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise BpmnModelError(
            f"BPMN resource is {len(raw)} bytes, larger than the limit of {max_bytes} bytes"
        )
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as exc:
        raise BpmnModelError("BPMN resource rejected: DTDs are not allowed") from exc
    except defusedxml.EntitiesForbidden as exc:
        raise BpmnModelError("BPMN resource rejected: entity declarations are not allowed") from exc
    except defusedxml.ExternalReferenceForbidden as exc:
        raise BpmnModelError("BPMN resource rejected: external references are not allowed") from exc
    except defusedxml.DefusedXmlException as exc:
        raise BpmnModelError(f"BPMN resource rejected: {exc}") from exc
    except ET.ParseError as exc:
        raise BpmnModelError(f"BPMN resource is not well-formed XML: {exc}") from exc
    return root


def parse_bpmn(
    data: bytes | str, *, max_bytes: int = DEFAULT_MAX_RESOURCE_BYTES
) -> list[ProcessGraph]:
    """Parse a BPMN document into its executable processes.

    Args:
        data: the XML document.
        max_bytes: reject larger documents before parsing.

    Returns:
        One `ProcessGraph` per executable process.

    Raises:
        BpmnModelError: too large, DTD/entities present, malformed XML, not BPMN, no
            executable process, or an element outside the supported subset.
    """
    root = parse_xml(data, max_bytes=max_bytes)
    if root.tag != _B + "definitions":
        raise BpmnModelError(
            f"Expected a BPMN 2.0 <definitions> root element, found {_local(root.tag)[1]!r}"
        )
    errors: dict[str, str | None] = {}
    for child in root:
        if child.tag == _B + "error" and child.get("id"):
            errors[child.get("id", "")] = child.get("errorCode") or None
    graphs: list[ProcessGraph] = []
    for child in root:
        ns, name = _local(child.tag)
        if ns == BPMN_NS and name == "process":
            if child.get("isExecutable", "true").lower() == "false":
                continue
            graphs.append(_ProcessParser(child, errors).parse())
        elif ns == BPMN_NS and name not in _IGNORED_ROOT:
            raise _unsupported(child.get("id", "?"), name)
    if not graphs:
        raise BpmnModelError("BPMN resource contains no executable process")
    return graphs


class _ProcessParser:
    def __init__(self, element: Any, errors: dict[str, str | None]) -> None:
        self.element = element
        self.errors = errors
        self.process_id: str = element.get("id") or ""
        self.nodes: dict[str, FlowNode] = {}
        self.flows: list[tuple[Any, SequenceFlow]] = []
        self.namespaces: set[str] = set()

    def parse(self) -> ProcessGraph:
        if not self.process_id:
            raise BpmnModelError("A <process> has no id", element_type="process")
        seen: set[str] = set()
        for child in self.element:
            ns, kind = _local(child.tag)
            if ns != BPMN_NS:
                continue
            if kind in _IGNORED_IN_PROCESS:
                continue
            element_id = child.get("id") or ""
            if not element_id:
                raise BpmnModelError(f"A <{kind}> element has no id", element_type=kind)
            if element_id in seen:
                raise BpmnModelError(
                    f"Duplicate element id '{element_id}'", element_id=element_id, element_type=kind
                )
            seen.add(element_id)
            if kind == "sequenceFlow":
                self.flows.append((child, self._flow(child)))
            else:
                self.nodes[element_id] = self._node(child, kind, element_id)
        self._link()
        starts = [n for n in self.nodes.values() if n.kind is NodeKind.START_EVENT]
        if len(starts) != 1:
            raise BpmnModelError(
                f"Process '{self.process_id}' must have exactly one none start event, "
                f"found {len(starts)}",
                element_id=self.process_id,
                element_type="process",
            )
        flavour = {
            frozenset(): "plain",
            frozenset({ZEEBE_NS}): "camunda8",
            frozenset({CAMUNDA_NS}): "camunda7",
        }.get(frozenset(self.namespaces), "mixed")
        version_tag = self.element.get(_C + "versionTag")
        for ext in self._extensions(self.element):
            if ext.tag == _Z + "versionTag":
                version_tag = ext.get("value")
        return ProcessGraph(
            process_id=self.process_id,
            name=self.element.get("name"),
            version_tag=version_tag,
            nodes=self.nodes,
            start_node=starts[0].id,
            flavour=flavour,
            namespaces=tuple(sorted(self.namespaces)),
        )

    # ----- nodes

    def _node(self, el: Any, kind: str, element_id: str) -> FlowNode:
        name = el.get("name")
        event_defs = [_local(c.tag)[1] for c in el if _local(c.tag)[1].endswith("EventDefinition")]
        self._check_children(
            el,
            kind,
            element_id,
            allowed={"errorEventDefinition"} if kind == "boundaryEvent" else set(),
        )
        if kind == "startEvent":
            if event_defs:
                raise _unsupported(element_id, kind, f"only none start events ({event_defs[0]})")
            return FlowNode(element_id, NodeKind.START_EVENT, name)
        if kind == "endEvent":
            if event_defs:
                raise _unsupported(element_id, kind, f"only none end events ({event_defs[0]})")
            return FlowNode(element_id, NodeKind.END_EVENT, name)
        if kind == "exclusiveGateway":
            return FlowNode(
                element_id, NodeKind.EXCLUSIVE_GATEWAY, name, default_flow=el.get("default")
            )
        if kind == "parallelGateway":
            return FlowNode(element_id, NodeKind.PARALLEL_GATEWAY, name)
        if kind == "serviceTask":
            return FlowNode(
                element_id, NodeKind.SERVICE_TASK, name, task=self._task(el, element_id)
            )
        if kind == "boundaryEvent":
            return self._boundary(el, element_id, name, event_defs)
        raise _unsupported(element_id, kind)

    def _check_children(self, el: Any, kind: str, element_id: str, *, allowed: set[str]) -> None:
        for child in el:
            ns, name = _local(child.tag)
            if ns != BPMN_NS or name in _IGNORED_IN_NODE or name in allowed:
                continue
            if name.endswith("EventDefinition") and kind in ("startEvent", "endEvent"):
                continue
            raise _unsupported(element_id, kind, f"child element <{name}> is not supported")

    def _extensions(self, el: Any) -> list[Any]:
        ext = el.find(_B + "extensionElements")
        return list(ext) if ext is not None else []

    def _task(self, el: Any, element_id: str) -> TaskDefinition:
        kind = "serviceTask"
        extensions = self._extensions(el)
        for ext in extensions:
            ns, name = _local(ext.tag)
            if ns in (ZEEBE_NS, CAMUNDA_NS) and name in _REJECTED_EXTENSIONS:
                raise _unsupported(element_id, kind, f"extension <{name}> is not supported")
        task_def = next((e for e in extensions if e.tag == _Z + "taskDefinition"), None)
        if task_def is not None:
            return self._zeebe_task(element_id, task_def, extensions)
        if el.get(_C + "type") == "external":
            return self._camunda_task(el, element_id, extensions)
        for attr in ("class", "delegateExpression", "expression", "type"):
            if el.get(_C + attr) is not None:
                raise _unsupported(
                    element_id,
                    kind,
                    f"camunda:{attr} implementations are not supported; use "
                    'camunda:type="external"',
                )
        raise _unsupported(
            element_id,
            kind,
            'needs <zeebe:taskDefinition type="..."/> or camunda:type="external" '
            'camunda:topic="..."',
        )

    def _zeebe_task(self, element_id: str, task_def: Any, extensions: list[Any]) -> TaskDefinition:
        self.namespaces.add(ZEEBE_NS)
        kind = "serviceTask"
        job_type = (task_def.get("type") or "").strip()
        if not job_type:
            raise BpmnModelError(
                f"Element '{element_id}' ({kind}) has a zeebe:taskDefinition without a type",
                element_id=element_id,
                element_type=kind,
            )
        type_expr = _compile_feel(job_type, element_id, kind) if job_type.startswith("=") else None
        retries_text = (task_def.get("retries") or "3").strip()
        retries: int | None = None
        retries_expr: Evaluator | None = None
        if retries_text.startswith("="):
            retries_expr = _compile_feel(retries_text, element_id, kind)
        else:
            try:
                retries = int(retries_text)
            except ValueError as exc:
                raise BpmnModelError(
                    f"Element '{element_id}' ({kind}) has invalid retries {retries_text!r}",
                    element_id=element_id,
                    element_type=kind,
                ) from exc
        headers: dict[str, str] = {}
        inputs: list[VariableMapping] = []
        outputs: list[VariableMapping] = []
        for ext in extensions:
            if ext.tag == _Z + "taskHeaders":
                for header in ext:
                    if header.tag == _Z + "header" and header.get("key"):
                        headers[header.get("key")] = header.get("value") or ""
            elif ext.tag == _Z + "ioMapping":
                for mapping in ext:
                    source = mapping.get("source") or ""
                    target = mapping.get("target") or ""
                    if not target or not source:
                        raise BpmnModelError(
                            f"Element '{element_id}' ({kind}) has an io mapping without "
                            "source or target",
                            element_id=element_id,
                            element_type=kind,
                        )
                    compiled = VariableMapping(
                        target=target,
                        source=_zeebe_source(source, element_id, kind),
                        source_text=source,
                        nested_target=True,
                    )
                    if mapping.tag == _Z + "input":
                        inputs.append(compiled)
                    elif mapping.tag == _Z + "output":
                        outputs.append(compiled)
        return TaskDefinition(
            flavour="camunda8",
            type=None if type_expr else job_type,
            type_expression=type_expr,
            retries=retries,
            retries_expression=retries_expr,
            headers=headers,
            extension_properties={},
            priority=0,
            inputs=tuple(inputs),
            outputs=tuple(outputs),
        )

    def _camunda_task(self, el: Any, element_id: str, extensions: list[Any]) -> TaskDefinition:
        self.namespaces.add(CAMUNDA_NS)
        kind = "serviceTask"
        topic = (el.get(_C + "topic") or "").strip()
        if not topic or "${" in topic or "#{" in topic:
            raise BpmnModelError(
                f"Element '{element_id}' ({kind}) needs a static camunda:topic",
                element_id=element_id,
                element_type=kind,
            )
        priority_text = el.get(_C + "taskPriority") or "0"
        try:
            priority = int(priority_text)
        except ValueError as exc:
            raise _unsupported(element_id, kind, "camunda:taskPriority must be an integer") from exc
        properties: dict[str, str] = {}
        inputs: list[VariableMapping] = []
        outputs: list[VariableMapping] = []
        for ext in extensions:
            if ext.tag == _C + "properties":
                for prop in ext:
                    if prop.tag == _C + "property" and prop.get("name"):
                        properties[prop.get("name")] = prop.get("value") or ""
            elif ext.tag == _C + "inputOutput":
                for param in ext:
                    ns, pname = _local(param.tag)
                    if ns != CAMUNDA_NS or pname not in ("inputParameter", "outputParameter"):
                        continue
                    mapping = self._camunda_param(param, element_id)
                    (inputs if pname == "inputParameter" else outputs).append(mapping)
        return TaskDefinition(
            flavour="camunda7",
            type=topic,
            type_expression=None,
            retries=None,
            retries_expression=None,
            headers={},
            extension_properties=properties,
            priority=priority,
            inputs=tuple(inputs),
            outputs=tuple(outputs),
        )

    def _camunda_param(self, param: Any, element_id: str) -> VariableMapping:
        kind = "serviceTask"
        name = param.get("name") or ""
        if not name:
            raise BpmnModelError(
                f"Element '{element_id}' ({kind}) has an input/output parameter without name",
                element_id=element_id,
                element_type=kind,
            )
        nested = list(param)
        if nested:
            raise _unsupported(
                element_id,
                kind,
                f"parameter '{name}' uses <{_local(nested[0].tag)[1]}>; only text and "
                "${...} values are supported",
            )
        text = param.text or ""
        if "${" in text or "#{" in text:
            source = _compile_juel(text, element_id, kind)
        else:
            literal = text if text != "" else None

            def source(_variables: Any, _value: Any = literal) -> Any:
                return _value

        return VariableMapping(target=name, source=source, source_text=text, nested_target=False)

    def _boundary(
        self, el: Any, element_id: str, name: str | None, event_defs: list[str]
    ) -> FlowNode:
        kind = "boundaryEvent"
        if event_defs != ["errorEventDefinition"]:
            detail = event_defs[0] if event_defs else "no event definition"
            raise _unsupported(element_id, kind, f"only error boundary events ({detail})")
        if el.get("cancelActivity", "true").lower() == "false":
            raise _unsupported(element_id, kind, "error boundary events are always interrupting")
        attached = el.get("attachedToRef")
        if not attached:
            raise BpmnModelError(
                f"Element '{element_id}' ({kind}) has no attachedToRef",
                element_id=element_id,
                element_type=kind,
            )
        definition = el.find(_B + "errorEventDefinition")
        error_ref = definition.get("errorRef") if definition is not None else None
        code: str | None = None
        if error_ref:
            if error_ref not in self.errors:
                raise BpmnModelError(
                    f"Element '{element_id}' ({kind}) references unknown error '{error_ref}'",
                    element_id=element_id,
                    element_type=kind,
                )
            code = self.errors[error_ref]
        code_var = definition.get(_C + "errorCodeVariable") if definition is not None else None
        message_var = (
            definition.get(_C + "errorMessageVariable") if definition is not None else None
        )
        if code_var or message_var:
            self.namespaces.add(CAMUNDA_NS)
        return FlowNode(
            element_id,
            NodeKind.ERROR_BOUNDARY_EVENT,
            name,
            attached_to=attached,
            error_code=code,
            error_code_variable=code_var,
            error_message_variable=message_var,
        )

    # ----- flows

    def _flow(self, el: Any) -> SequenceFlow:
        flow_id = el.get("id")
        kind = "sequenceFlow"
        condition_el = el.find(_B + "conditionExpression")
        condition: Evaluator | None = None
        text: str | None = None
        if condition_el is not None:
            language = condition_el.get("language")
            text = (condition_el.text or "").strip()
            if language and language.lower() not in ("feel", "juel"):
                raise _unsupported(
                    flow_id, kind, f"script conditions ({language}) are not supported"
                )
            if text.startswith("="):
                self.namespaces.add(ZEEBE_NS)
                condition = _compile_feel(text, flow_id, kind)
            elif text.startswith(("${", "#{")) and text.endswith("}"):
                self.namespaces.add(CAMUNDA_NS)
                condition = _compile_juel(text, flow_id, kind)
            elif text:
                raise BpmnModelError(
                    f"Element '{flow_id}' ({kind}) has condition {text!r}: use FEEL '=...' "
                    "(Camunda 8) or '${...}' (Camunda 7)",
                    element_id=flow_id,
                    element_type=kind,
                )
        return SequenceFlow(
            id=flow_id,
            source=el.get("sourceRef") or "",
            target=el.get("targetRef") or "",
            condition=condition,
            condition_text=text,
        )

    def _link(self) -> None:
        for _el, flow in self.flows:
            for end in (flow.source, flow.target):
                if end not in self.nodes:
                    raise BpmnModelError(
                        f"Element '{flow.id}' (sequenceFlow) references unknown element '{end}'",
                        element_id=flow.id,
                        element_type="sequenceFlow",
                    )
            source = self.nodes[flow.source]
            if flow.condition is not None and source.kind is not NodeKind.EXCLUSIVE_GATEWAY:
                raise _unsupported(
                    flow.id,
                    "sequenceFlow",
                    "conditions are only supported on flows leaving an exclusive gateway",
                )
            source.outgoing.append(flow)
            self.nodes[flow.target].incoming.append(flow.id)
        for node in self.nodes.values():
            if node.kind is NodeKind.ERROR_BOUNDARY_EVENT:
                host = self.nodes.get(node.attached_to or "")
                if host is None or host.kind is not NodeKind.SERVICE_TASK:
                    raise BpmnModelError(
                        f"Element '{node.id}' (boundaryEvent) must be attached to a service task",
                        element_id=node.id,
                        element_type="boundaryEvent",
                    )
                host.boundaries.append(node)
            if (
                node.kind is NodeKind.EXCLUSIVE_GATEWAY
                and node.default_flow is not None
                and all(f.id != node.default_flow for f in node.outgoing)
            ):
                raise BpmnModelError(
                    f"Element '{node.id}' (exclusiveGateway) has default flow "
                    f"'{node.default_flow}' that is not one of its outgoing flows",
                    element_id=node.id,
                    element_type="exclusiveGateway",
                )
            if node.kind is NodeKind.START_EVENT and node.incoming:
                raise BpmnModelError(
                    f"Element '{node.id}' (startEvent) cannot have incoming flows",
                    element_id=node.id,
                    element_type="startEvent",
                )
            if node.kind is NodeKind.ERROR_BOUNDARY_EVENT and node.incoming:
                raise BpmnModelError(
                    f"Element '{node.id}' (boundaryEvent) cannot have incoming flows",
                    element_id=node.id,
                    element_type="boundaryEvent",
                )
