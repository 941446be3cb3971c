"""Camunda 8 → Camunda 7, for the same subset: job workers become external tasks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from bpmn_bridge.migrate._converter import Converter
from bpmn_bridge.migrate._expressions import Unconvertible, feel_to_juel
from bpmn_bridge.migrate._report import MigrationResult
from bpmn_bridge.migrate._templates import known_template_ids
from bpmn_bridge.migrate._to_camunda8 import ADAPTER_JOB_TYPE, SCRIPT_JOB_TYPE
from bpmn_bridge.migrate._xml import (
    BPMN,
    CAMUNDA,
    ZEEBE,
    ext,
    extensions,
    load,
    local,
    serialize,
)

__all__ = ["CAMUNDA7_PLATFORM_VERSION", "migrate_c8_to_c7"]

CAMUNDA7_PLATFORM_VERSION = "7.24.0"
HISTORY_TIME_TO_LIVE = "180"

_TASKS = {"serviceTask", "sendTask", "businessRuleTask", "scriptTask"}


def migrate_c8_to_c7(xml: bytes | str, *, template_ids: Iterable[str] = ()) -> MigrationResult:
    """Convert a Camunda 8 diagram to Camunda 7, for the subset `migrate_c7_to_c8` covers.

    ``zeebe:taskDefinition`` → external task (job type → topic), task headers →
    ``camunda:properties``, ``zeebe:ioMapping`` FEEL → ``camunda:inputOutput`` (text or
    ``${...}``), FEEL conditions → JUEL, retries with a ``retryBackoff`` header →
    ``camunda:failedJobRetryTimeCycle`` (retries alone → a ``retries`` property, which the
    Camunda 7 adapter reads), bpmn-bridge templates, version tag and namespaces. Everything
    else Camunda-8-specific is removed and listed in the report.

    Args:
        xml: The Camunda 8 BPMN document (untrusted input: parsed safely).
        template_ids: Element template ids besides the built-in connectors' that have a
            Camunda 7 template of the same id.

    Returns:
        The Camunda 7 document and the report.

    Raises:
        MigrationError: Unsafe or malformed XML, or not BPMN.
    """
    root = load(xml)
    converter = _ToCamunda7(known_template_ids(template_ids))
    converter.convert(root)
    return MigrationResult(serialize(root), converter.report)


class _ToCamunda7(Converter):
    platform = "Camunda Platform"
    platform_version = CAMUNDA7_PLATFORM_VERSION

    def element(self, element: Any) -> None:
        attributes = {local(k): v for k, v in element.attrib.items() if k.startswith("{" + ZEEBE)}
        for key in list(element.attrib):
            if key.startswith("{" + ZEEBE):
                del element.attrib[key]
        template = attributes.pop("modelerTemplate", None)
        version = attributes.pop("modelerTemplateVersion", None)
        attributes.pop("modelerTemplateIcon", None)  # the Camunda 7 Modeler has no icons
        if template is not None and template in self.templates:
            element.set(ext(CAMUNDA, "modelerTemplate"), template)
            if version:
                element.set(ext(CAMUNDA, "modelerTemplateVersion"), version)
        elif template is not None:
            self.note(
                element,
                f"zeebe:modelerTemplate={template}",
                "no Camunda 7 template of this id is known",
            )
        for name in attributes:
            self.note(element, f"zeebe:{name}", "no Camunda 7 equivalent here")
        if (
            local(element.tag) == "process"
            and (element.get("isExecutable") or "").lower() == "true"
            and element.get(ext(CAMUNDA, "historyTimeToLive")) is None
        ):
            # Camunda 7.24 refuses an executable process without it; 180 days is what the
            # Camunda 7 Modeler writes into a new diagram.
            element.set(ext(CAMUNDA, "historyTimeToLive"), HISTORY_TIME_TO_LIVE)
        if local(element.tag) == "conditionExpression":
            return
        for child in list(element):
            if local(child.tag) == "conditionExpression":
                self.condition(element, child)
        self.extension_elements(element)

    def condition(self, flow: Any, condition: Any) -> None:
        text = (condition.text or "").strip()
        if not text.startswith("="):
            return
        try:
            juel = feel_to_juel(text)
        except Unconvertible as exc:
            self.note(
                flow,
                f"condition {text}",
                f"FEEL outside the convertible subset: {exc}; kept unchanged until "
                "rewritten in JUEL",
            )
            return
        if not juel.startswith("${"):
            self.note(flow, f"condition {text}", "a constant text is no condition")
            return
        condition.text = juel

    def extension_elements(self, element: Any) -> None:
        container = extensions(element)
        if container is None:
            return
        kind = local(element.tag)
        retries: str | None = None
        headers: dict[str, str] = {}
        io = ET.Element(ext(CAMUNDA, "inputOutput"))
        outputs = False
        for child in list(container):
            if not child.tag.startswith("{" + ZEEBE):
                continue
            name = local(child.tag)
            container.remove(child)
            if name == "taskDefinition" and kind in _TASKS:
                retries = self.task_definition(element, child)
            elif name == "taskHeaders":
                for header in child:
                    if local(header.tag) == "header" and header.get("key"):
                        headers[header.get("key")] = header.get("value") or ""
            elif name == "ioMapping":
                outputs = self.io_mapping(element, io, child) or outputs
            elif name == "script" and kind == "scriptTask":
                self.feel_script(element, child)
            elif name == "versionTag" and kind == "process":
                element.set(ext(CAMUNDA, "versionTag"), child.get("value") or "")
            elif name == "properties":
                self.properties(container, child)
            else:
                self.note(element, f"zeebe:{name}", "no Camunda 7 equivalent here")
        if element.get(ext(CAMUNDA, "topic")) in (ADAPTER_JOB_TYPE, SCRIPT_JOB_TYPE):
            self.implementation(element, headers)
        if outputs:
            self.note(
                element,
                "zeebe:output",
                "Camunda 7 also writes the job's other result variables to the process, "
                "where Camunda 8 keeps them local to the task",
            )
        if retries is not None and "retryBackoff" in headers:
            cycle = ET.SubElement(container, ext(CAMUNDA, "failedJobRetryTimeCycle"))
            cycle.text = f"R{retries}/{headers.pop('retryBackoff')}"
        elif retries is not None:
            headers = {"retries": retries, **headers}
        if len(io):
            container.append(io)
        if headers:
            self.check_headers(element, headers)
            properties = ET.SubElement(container, ext(CAMUNDA, "properties"))
            for key, value in headers.items():
                ET.SubElement(properties, ext(CAMUNDA, "property"), {"name": key, "value": value})
        if len(container) == 0:
            element.remove(container)
            if len(element) == 0:
                element.text = None  # the indentation that surrounded it

    def implementation(self, element: Any, headers: dict[str, str]) -> None:
        """Undo the conventions for Camunda 7 implementations (see `migrate_c7_to_c8`)."""
        topic = element.get(ext(CAMUNDA, "topic"))
        if topic == ADAPTER_JOB_TYPE:
            found = [
                name for name in ("class", "delegateExpression", "expression") if name in headers
            ]
            if not found:
                return
            element.set(ext(CAMUNDA, found[0]), headers.pop(found[0]))
        elif local(element.tag) == "scriptTask" and ("script" in headers or "resource" in headers):
            element.set("scriptFormat", headers.pop("language", "") or "javascript")
            if "resource" in headers:
                element.set(ext(CAMUNDA, "resource"), headers.pop("resource"))
            else:
                script = ET.SubElement(element, ext(BPMN, "script"))
                script.text = headers.pop("script")
        else:
            return
        del element.attrib[ext(CAMUNDA, "type")]
        del element.attrib[ext(CAMUNDA, "topic")]
        if "resultVariable" in headers:
            element.set(ext(CAMUNDA, "resultVariable"), headers.pop("resultVariable"))

    def feel_script(self, element: Any, script: Any) -> None:
        """``zeebe:script`` → a FEEL script, which Camunda 7 runs with its FEEL engine."""
        expression = (script.get("expression") or "").strip()
        element.set("scriptFormat", "feel")
        body = ET.SubElement(element, ext(BPMN, "script"))
        body.text = expression[1:] if expression.startswith("=") else expression
        if script.get("resultVariable"):
            element.set(ext(CAMUNDA, "resultVariable"), script.get("resultVariable"))

    def task_definition(self, element: Any, definition: Any) -> str | None:
        job_type = definition.get("type") or ""
        if job_type.startswith("="):
            self.note(
                element,
                f"zeebe:taskDefinition type {job_type}",
                "a FEEL job type cannot be a Camunda 7 topic; set a static topic",
            )
        element.set(ext(CAMUNDA, "type"), "external")
        element.set(ext(CAMUNDA, "topic"), job_type)
        retries = definition.get("retries")
        if retries is not None and not retries.strip().isdigit():
            self.note(
                element, f"zeebe:taskDefinition retries {retries}", "only a whole number converts"
            )
            return None
        return retries.strip() if retries is not None else None

    def properties(self, container: Any, properties: Any) -> None:
        target = ET.SubElement(container, ext(CAMUNDA, "properties"))
        for prop in properties:
            if local(prop.tag) == "property" and prop.get("name"):
                ET.SubElement(
                    target,
                    ext(CAMUNDA, "property"),
                    {"name": prop.get("name"), "value": prop.get("value") or ""},
                )

    def io_mapping(self, element: Any, io: Any, mapping: Any) -> bool:
        outputs = False
        for entry in mapping:
            kind = local(entry.tag)
            target, source = entry.get("target") or "", entry.get("source") or ""
            if kind not in ("input", "output"):
                continue
            if "." in target:
                self.note(
                    element,
                    f"zeebe:{kind} {target}",
                    "Camunda 7 parameters cannot write into a nested variable",
                )
                continue
            try:
                text = "" if source.strip() in ("=null", "null") else feel_to_juel(source)
            except Unconvertible as exc:
                self.note(
                    element, f"zeebe:{kind} {target}", f"FEEL outside the convertible subset: {exc}"
                )
                continue
            tag = "inputParameter" if kind == "input" else "outputParameter"
            outputs = outputs or kind == "output"
            parameter = ET.SubElement(io, ext(CAMUNDA, tag), {"name": target})
            parameter.text = text or None
        return outputs
