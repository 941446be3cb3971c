"""Namespaces and XML plumbing both migration directions share."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

from defusedxml import ElementTree as SafeET

from bpmn_bridge.devengine import BpmnModelError
from bpmn_bridge.devengine._bpmn import DEFAULT_MAX_RESOURCE_BYTES, parse_xml
from bpmn_bridge.migrate._report import MigrationError

__all__ = [
    "BPMN",
    "CAMUNDA",
    "MODELER",
    "XSI",
    "ZEEBE",
    "ext",
    "extensions",
    "load",
    "local",
    "serialize",
]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
MODELER = "http://camunda.org/schema/modeler/1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"

# Attributes of type xsd:QName in the BPMN 2.0 and BPMN DI schemas: a prefix in their value
# refers to the input's namespace declarations, which the output does not keep.
_QNAME_ATTRIBUTES = frozenset(
    {
        "attachedToRef", "bpmnElement", "calledElement", "categoryValueRef",
        "calledChoreographyRef", "dataStoreRef", "definitionalCollaborationRef",
        "errorRef", "escalationRef", "evaluatesToTypeRef", "implementationRef",
        "inMessageRef", "itemSubjectRef", "messageRef", "operationRef", "outMessageRef",
        "processRef", "signalRef", "sourceElement", "structureRef", "targetElement",
        "typeRef", "labelStyle",
    }
)  # fmt: skip
# Elements whose text is a QName (references by id).
_QNAME_TEXTS = frozenset(
    {"incoming", "outgoing", "eventDefinitionRef", "interfaceRef", "supportedInterfaceRef",
     "messageFlowRef", "participantRef", "innerMessageFlowRef", "outerMessageFlowRef",
     "categoryValueRef", "errorRef", "operationRef", "resourceRef", "sourceRef", "targetRef"}
)  # fmt: skip
_QNAME = re.compile(r"\s*([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)\s*\Z")
_XSI_TYPE = f"{{{XSI}}}type"

_PREFIXES = {
    "bpmn": BPMN,
    "bpmndi": BPMNDI,
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "zeebe": ZEEBE,
    "camunda": CAMUNDA,
    "modeler": MODELER,
    "xsi": XSI,
}


def load(xml: bytes | str, *, max_bytes: int = DEFAULT_MAX_RESOURCE_BYTES) -> Any:
    """Parse a diagram with the dev engine's safe parser.

    Raises:
        MigrationError: Unsafe or malformed XML, or no BPMN ``definitions`` root.
    """
    try:
        root = parse_xml(xml, max_bytes=max_bytes)
    except BpmnModelError as exc:
        raise MigrationError(str(exc)) from None
    if root.tag != f"{{{BPMN}}}definitions":
        raise MigrationError(f"Expected a BPMN 2.0 <definitions> root, found {local(root.tag)!r}")
    _resolve_qnames(root, xml)
    return root


def _resolve_qnames(root: Any, xml: bytes | str) -> None:
    """Rewrite QName values (``xsi:type``, ``messageRef``, ...) for the output's prefixes.

    The parsed tree forgets the input's prefixes, and the output writes its own (``bpmn:``
    for whatever the input called the BPMN namespace, which may be ``bpmn2:`` or the
    default namespace). A value such as ``xsi:type="bpmn2:tFormalExpression"`` would keep
    a prefix nothing declares, so every QName value is resolved against the declarations
    in scope where it stood and written again: with the output's prefix for the namespaces
    the output declares, and as the bare id for references into the target namespace.
    """
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    elements = iter(root.iter())
    scopes: list[dict[str, str]] = [{}]
    pending: dict[str, str] = {}
    # The document passed parse_xml's checks already; this second pass only reads the
    # namespace declarations, with the same protections.
    for event, item in SafeET.iterparse(
        io.BytesIO(raw),
        events=("start-ns", "start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    ):
        if event == "start-ns":
            prefix, uri = item
            pending[prefix] = uri
        elif event == "start":
            scopes.append({**scopes[-1], **pending})
            pending = {}
            _rewrite(next(elements), scopes[-1])
        else:
            scopes.pop()


def _rewrite(element: Any, scope: dict[str, str]) -> None:
    for name, value in element.attrib.items():
        if name == _XSI_TYPE or (not name.startswith("{") and name in _QNAME_ATTRIBUTES):
            element.set(name, _output_qname(value, scope, xsi_type=name == _XSI_TYPE))
    if local(element.tag) in _QNAME_TEXTS and element.text and ":" in element.text:
        element.text = _output_qname(element.text, scope, xsi_type=False)


def _output_qname(value: str, scope: dict[str, str], *, xsi_type: bool) -> str:
    match = _QNAME.match(value)
    if match is None:
        # Unprefixed: the default namespace; for xsi:type in BPMN documents that is BPMN's
        # (a type with no namespace does not exist).
        return f"bpmn:{value.strip()}" if xsi_type and ":" not in value else value
    prefix, name = match.groups()
    uri = scope.get(prefix)
    if uri is None:
        return f"bpmn:{name}" if xsi_type else name
    for known, known_uri in _PREFIXES.items():
        if known_uri == uri:
            return f"{known}:{name}"
    return name


def serialize(root: Any) -> bytes:
    """Write the document with the usual Camunda prefixes (bpmn:, zeebe:, camunda:, ...)."""
    for prefix, uri in _PREFIXES.items():
        # Idempotent: these are the prefixes every Camunda tool writes for these URIs.
        ET.register_namespace(prefix, uri)
    ET.indent(root, space="  ")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def local(tag: str) -> str:
    """The local name of a ``{namespace}name`` tag."""
    return tag.rpartition("}")[2]


def ext(namespace: str, name: str) -> str:
    """The ``{namespace}name`` tag."""
    return f"{{{namespace}}}{name}"


def extensions(element: Any, *, create: bool = False) -> Any:
    """The element's ``bpmn:extensionElements``, created first in document order if asked."""
    found = element.find(ext(BPMN, "extensionElements"))
    if found is None and create:
        found = ET.Element(ext(BPMN, "extensionElements"))
        # The BPMN schema puts extensionElements after documentation, before the rest.
        index = sum(1 for child in element if child.tag == ext(BPMN, "documentation"))
        element.insert(index, found)
    return found
