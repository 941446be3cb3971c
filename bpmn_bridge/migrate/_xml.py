"""Namespaces and XML plumbing both migration directions share."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from bpmn_bridge.devengine import BpmnModelError
from bpmn_bridge.devengine._bpmn import DEFAULT_MAX_RESOURCE_BYTES, parse_xml
from bpmn_bridge.migrate._report import MigrationError

__all__ = [
    "BPMN",
    "CAMUNDA",
    "MODELER",
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

_PREFIXES = {
    "bpmn": BPMN,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
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
    return root


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
