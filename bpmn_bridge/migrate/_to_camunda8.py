"""Camunda 7 → Camunda 8: external tasks become job workers, JUEL becomes FEEL."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from bpmn_bridge.migrate._converter import Converter
from bpmn_bridge.migrate._expressions import Unconvertible, juel_to_feel
from bpmn_bridge.migrate._report import MigrationResult
from bpmn_bridge.migrate._templates import known_template_ids
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

__all__ = ["CAMUNDA8_PLATFORM_VERSION", "migrate_c7_to_c8"]

CAMUNDA8_PLATFORM_VERSION = "8.6.0"

_TASKS = {"serviceTask", "sendTask", "businessRuleTask", "scriptTask"}
_IMPLEMENTATIONS = ("class", "delegateExpression", "expression")
# The job types of the conventions for Camunda 7 implementations (docs/migrate.md).
ADAPTER_JOB_TYPE = "camunda-7-adapter"
SCRIPT_JOB_TYPE = "camunda-7-script"
_RETRY_CYCLE = re.compile(r"\s*R(\d+)/(P\S+)\s*\Z")
_WHY: dict[str, str] = {
    "class": "a Java delegate cannot run on Camunda 8; reimplement it as a job worker "
    "(e.g. a bpmn-bridge connector) and use zeebe:taskDefinition",
    "delegateExpression": "a delegate bean cannot run on Camunda 8; reimplement it as a job "
    "worker and use zeebe:taskDefinition",
    "expression": "Camunda 8 service tasks do not evaluate expressions; use a job worker or "
    "a script task with a FEEL expression",
    "resultVariable": "belongs to a camunda:expression or script, which is not converted",
    "executionListener": "Camunda 8 execution listeners are job workers; reimplement it",
    "taskListener": "Camunda 8 task listeners are job workers; reimplement it",
    "connector": "Camunda 7 connectors do not exist on Camunda 8; use a connector template",
    "field": "field injection belongs to a Java delegate, which is not converted",
    "formKey": "Camunda 8 forms are linked with zeebe:formDefinition; link the form again",
    "formRef": "Camunda 8 forms are linked with zeebe:formDefinition; link the form again",
    "formData": "generated task forms do not exist on Camunda 8; build a Camunda Form",
    "historyTimeToLive": "history retention is configured in the Camunda 8 cluster, not the "
    "diagram",
    "taskPriority": "external task priority has no Camunda 8 equivalent here",
    "jobPriority": "job priority has no Camunda 8 equivalent here",
    "asyncBefore": "Camunda 8 has no transaction boundaries to move; a failure here raises "
    "an incident instead of rolling back to the last wait state",
    "asyncAfter": "Camunda 8 has no transaction boundaries to move; a failure here raises "
    "an incident instead of rolling back to the last wait state",
}


def migrate_c7_to_c8(xml: bytes | str, *, template_ids: Iterable[str] = ()) -> MigrationResult:
    """Convert a Camunda 7 diagram to Camunda 8.

    Converted: external service tasks (topic → job type), ``camunda:properties`` → task
    headers, ``camunda:inputOutput`` text and simple ``${...}`` → ``zeebe:ioMapping`` FEEL,
    JUEL gateway conditions → FEEL, ``camunda:failedJobRetryTimeCycle`` ``R3/PT10S`` →
    retries ``3`` and a ``retryBackoff`` header, bpmn-bridge element templates, the
    process version tag and the definitions' namespaces and execution platform. Everything
    else Camunda-7-specific is removed and listed in the report.

    Args:
        xml: The Camunda 7 BPMN document (untrusted input: parsed safely).
        template_ids: Element template ids besides the built-in connectors' whose
            Camunda 8 template has the same id (templates bpmn-bridge generated).

    Returns:
        The Camunda 8 document and the report.

    Raises:
        MigrationError: Unsafe or malformed XML, or not BPMN.
    """
    root = load(xml)
    converter = _ToCamunda8(known_template_ids(template_ids))
    converter.convert(root)
    return MigrationResult(serialize(root), converter.report)


class _ToCamunda8(Converter):
    platform = "Camunda Cloud"
    platform_version = CAMUNDA8_PLATFORM_VERSION

    def element(self, element: Any) -> None:
        kind = local(element.tag)
        attributes = {local(k): v for k, v in element.attrib.items() if k.startswith("{" + CAMUNDA)}
        for key in list(element.attrib):
            if key.startswith("{" + CAMUNDA):
                del element.attrib[key]
        headers: dict[str, str] = {}
        external = kind in _TASKS and attributes.pop("type", None) == "external"
        if kind in _TASKS and "type" in attributes:
            self.note(
                element, f"camunda:type={attributes.pop('type')}", "only external tasks convert"
            )
        if external:
            self.external_task(element, attributes)
        elif kind == "scriptTask":
            external = self.script_task(element, attributes, headers)
        elif kind in _TASKS and not (kind == "businessRuleTask" and "decisionRef" in attributes):
            external = self.delegate(element, element, attributes, headers)
        if kind == "process":
            tag = attributes.pop("versionTag", None)
            if tag:
                version = ET.SubElement(extensions(element, create=True), ext(ZEEBE, "versionTag"))
                version.set("value", tag)
            attributes.pop("isStartableInTasklist", None)  # Camunda 8 processes always are
        self.template(element, attributes)
        # Camunda 7.24 refuses processes without it; Camunda 8 keeps history per cluster.
        attributes.pop("historyTimeToLive", None)
        for name, value in attributes.items():
            if name in ("asyncBefore", "asyncAfter", "exclusive") and (
                external or value.lower() == "false" or name == "exclusive"
            ):
                continue  # a job is a wait state already: nothing changes
            self.note(element, f"camunda:{name}", _WHY.get(name, "no Camunda 8 equivalent here"))
        if kind == "conditionExpression":
            return
        for child in list(element):
            if local(child.tag) == "conditionExpression":
                self.condition(element, child)
        self.extension_elements(element, external=external, headers=headers)

    def delegate(
        self, element: Any, owner: Any, attributes: dict[str, str], headers: dict[str, str]
    ) -> bool:
        """A Java delegate, delegate bean or expression → a `camunda-7-adapter` job.

        The job carries the implementation as a header of the same name (``class``,
        ``delegateExpression``, ``expression``, and ``resultVariable``): the convention of
        Camunda's own Camunda 7 adapter, which a bpmn-bridge connector can serve as well.

        Returns:
            Whether the element became a job.
        """
        found = [name for name in _IMPLEMENTATIONS if name in attributes]
        if not found:
            return False
        name = found[0]
        value = attributes.pop(name)
        headers[name] = value
        result = attributes.pop("resultVariable", None)
        if result:
            headers["resultVariable"] = result
        self.job_definition(owner, ADAPTER_JOB_TYPE)
        self.note(
            element,
            f"camunda:{name}",
            f"runs as a job of type {ADAPTER_JOB_TYPE} with header {name}={value}: "
            "serve it with a job worker (Camunda's Camunda 7 adapter or a connector)",
        )
        return True

    def job_definition(self, element: Any, job_type: str) -> Any:
        """The element's `zeebe:taskDefinition`, created first among its extensions."""
        container = extensions(element, create=True)
        definition = container.find(ext(ZEEBE, "taskDefinition"))
        if definition is None:
            definition = ET.Element(ext(ZEEBE, "taskDefinition"))
            container.insert(0, definition)
        definition.set("type", job_type)
        return definition

    def script_task(
        self, element: Any, attributes: dict[str, str], headers: dict[str, str]
    ) -> bool:
        """FEEL (or JUEL in the shared subset) → `zeebe:script`; other languages → a job.

        Returns:
            Whether the element became a job.
        """
        language = (element.get("scriptFormat") or "").strip()
        script = element.find(ext(BPMN, "script"))
        text = (script.text or "").strip() if script is not None else ""
        result = attributes.pop("resultVariable", None)
        resource = attributes.pop("resource", None)
        expression: str | None = None
        if language.lower() == "feel" and text:
            expression = text if text.startswith("=") else f"={text}"
        elif language.lower() == "juel" and text:
            try:
                expression = juel_to_feel(text)
            except Unconvertible:
                expression = None
        if expression is not None and result:
            if script is not None:
                element.remove(script)
            element.attrib.pop("scriptFormat", None)
            ET.SubElement(
                extensions(element, create=True),
                ext(ZEEBE, "script"),
                {"expression": expression, "resultVariable": result},
            )
            return False
        if script is not None:
            element.remove(script)
        element.attrib.pop("scriptFormat", None)
        headers["language"] = language
        if resource:
            headers["resource"] = resource
        else:
            headers["script"] = text
        if result:
            headers["resultVariable"] = result
        self.job_definition(element, SCRIPT_JOB_TYPE)
        self.note(
            element,
            "scriptTask",
            f"{language or 'the'} script runs as a job of type {SCRIPT_JOB_TYPE} with headers "
            "language and script (or resource): serve it with a job worker, or rewrite it as "
            "a FEEL zeebe:script"
            + ("" if result or expression is None else " (a FEEL script needs a result variable)"),
        )
        return True

    def external_task(self, element: Any, attributes: dict[str, str]) -> None:
        topic = attributes.pop("topic", "")
        attributes.pop("asyncBefore", None)
        attributes.pop("asyncAfter", None)
        attributes.pop("exclusive", None)
        definition = ET.Element(ext(ZEEBE, "taskDefinition"))
        if not topic or "${" in topic or "#{" in topic:
            self.note(element, "camunda:topic", "a dynamic or missing topic; set the job type")
        definition.set("type", topic)
        extensions(element, create=True).insert(0, definition)

    def template(self, element: Any, attributes: dict[str, str]) -> None:
        template = attributes.pop("modelerTemplate", None)
        version = attributes.pop("modelerTemplateVersion", None)
        if template is None:
            return
        if template not in self.templates:
            self.note(
                element,
                f"camunda:modelerTemplate={template}",
                "no Camunda 8 template of this id is known; the element keeps its converted "
                "bindings without a template",
            )
            return
        element.set(ext(ZEEBE, "modelerTemplate"), template)
        if version:
            element.set(ext(ZEEBE, "modelerTemplateVersion"), version)

    def condition(self, flow: Any, condition: Any) -> None:
        language = condition.get("language")
        text = (condition.text or "").strip()
        if language and language.lower() not in ("juel", "feel"):
            self.note(
                flow,
                f"condition ({language})",
                "script conditions do not run on Camunda 8; rewrite it in FEEL",
            )
            return
        if language and language.lower() == "feel":
            # Camunda 7 evaluates it with its FEEL engine already: the same text is FEEL on
            # Camunda 8, marked as an expression by its leading "=".
            condition.text = text if text.startswith("=") else f"={text}"
            condition.attrib.pop("language", None)
            return
        if not text or text.startswith("="):
            return
        try:
            condition.text = juel_to_feel(text)
        except Unconvertible as exc:
            self.note(
                flow,
                f"condition {text}",
                f"JUEL outside the convertible subset: {exc}; kept unchanged, so the "
                "diagram does not deploy until it is rewritten in FEEL",
            )
            return
        condition.attrib.pop("language", None)

    def extension_elements(self, element: Any, *, external: bool, headers: dict[str, str]) -> None:
        container = extensions(element)
        if container is None:
            return
        definition = container.find(ext(ZEEBE, "taskDefinition"))
        for child in list(container):
            if not child.tag.startswith("{" + CAMUNDA):
                continue
            name = local(child.tag)
            container.remove(child)
            if name == "properties" and external:
                for prop in child:
                    if local(prop.tag) == "property" and prop.get("name"):
                        headers[prop.get("name")] = prop.get("value") or ""
            elif name == "properties":
                self.properties(container, child)
            elif name == "inputOutput":
                self.io_mapping(element, container, child)
            elif name == "failedJobRetryTimeCycle" and definition is not None:
                self.retry_cycle(element, definition, headers, child.text or "")
            else:
                self.note(
                    element, f"camunda:{name}", _WHY.get(name, "no Camunda 8 equivalent here")
                )
        if definition is not None:
            retries = headers.pop("retries", None)
            if retries is not None and retries.strip().isdigit():
                definition.set("retries", retries.strip())
            elif retries is not None:
                headers["retries"] = retries
                self.note(element, "property retries", "not a whole number; Zeebe ignores it")
        if headers:
            self.check_headers(element, headers)
            target = ET.Element(ext(ZEEBE, "taskHeaders"))
            for key, value in headers.items():
                ET.SubElement(target, ext(ZEEBE, "header"), {"key": key, "value": value})
            container.append(target)
        if len(container) == 0:
            element.remove(container)
            if len(element) == 0:
                element.text = None  # the indentation that surrounded it

    def properties(self, container: Any, properties: Any) -> None:
        target = ET.SubElement(container, ext(ZEEBE, "properties"))
        for prop in properties:
            if local(prop.tag) == "property" and prop.get("name"):
                ET.SubElement(
                    target,
                    ext(ZEEBE, "property"),
                    {"name": prop.get("name"), "value": prop.get("value") or ""},
                )

    def retry_cycle(
        self, element: Any, definition: Any, headers: dict[str, str], text: str
    ) -> None:
        match = _RETRY_CYCLE.match(text)
        if match is None:
            self.note(
                element,
                f"camunda:failedJobRetryTimeCycle {text.strip()}",
                "only R<n>/<duration> converts (to retries and a retryBackoff header)",
            )
            return
        definition.set("retries", match.group(1))
        headers.setdefault("retryBackoff", match.group(2))

    def io_mapping(self, element: Any, container: Any, io: Any) -> None:
        mapping = ET.Element(ext(ZEEBE, "ioMapping"))
        outputs = False
        for parameter in io:
            kind = local(parameter.tag)
            name = parameter.get("name") or ""
            if kind not in ("inputParameter", "outputParameter"):
                continue
            script = parameter[0] if len(parameter) == 1 else None
            if (
                script is not None
                and local(script.tag) == "script"
                and (script.get("scriptFormat") or "").lower() == "feel"
                and not script.get("resource")
                and (script.text or "").strip()
            ):
                # A FEEL script is the FEEL mapping Camunda 8 writes as source="=...".
                tag = "input" if kind == "inputParameter" else "output"
                outputs = outputs or tag == "output"
                source = "=" + (script.text or "").strip()
                ET.SubElement(mapping, ext(ZEEBE, tag), {"source": source, "target": name})
                continue
            if len(parameter):
                self.note(
                    element,
                    f"camunda:{kind} {name}",
                    f"<camunda:{local(parameter[0].tag)}> values do not convert; write "
                    "the value as a FEEL expression",
                )
                continue
            text = parameter.text or ""
            try:
                source = juel_to_feel(text) if text.strip() else "=null"
            except Unconvertible as exc:
                self.note(
                    element, f"camunda:{kind} {name}", f"JUEL outside the convertible subset: {exc}"
                )
                continue
            tag = "input" if kind == "inputParameter" else "output"
            outputs = outputs or tag == "output"
            ET.SubElement(mapping, ext(ZEEBE, tag), {"source": source, "target": name})
        if outputs:
            self.note(
                element,
                "camunda:outputParameter",
                "with output mappings Camunda 8 keeps the job's other result variables local "
                "to the task (Camunda 7 also writes them to the process); add an output for "
                "each one the process reads later",
            )
        if len(mapping):
            container.append(mapping)
