"""Camunda 8 → Camunda 7, for the same subset: job workers become external tasks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from bpmn_bridge.migrate._converter import Converter
from bpmn_bridge.migrate._expressions import Unconvertible, feel_to_juel
from bpmn_bridge.migrate._report import MigrationResult
from bpmn_bridge.migrate._templates import known_template_ids
from bpmn_bridge.migrate._to_camunda8 import _LOOP_VARIABLES as _C7_LOOP_VARIABLES
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
    target = "camunda7"

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
        kind = local(element.tag)
        if kind in ("message", "signal") and (element.get("name") or "").startswith("="):
            message_name = self.juel_of(element, "message name", element.get("name") or "")
            if message_name is not None:
                element.set("name", message_name)
        elif kind == "timerEventDefinition":
            self.timer(element)
        elif kind == "multiInstanceLoopCharacteristics":
            self.completion_condition(element)
        self.extension_elements(element)

    def juel_of(self, element: Any, what: str, value: str) -> str | None:
        """A Camunda 8 value (text or ``=FEEL``) as a Camunda 7 value, or None (reported)."""
        if not value.strip().startswith("="):
            return value
        try:
            return feel_to_juel(value)
        except Unconvertible as exc:
            self.note(element, f"{what} {value}", f"FEEL outside the convertible subset: {exc}")
            return None

    def timer(self, definition: Any) -> None:
        owner = self.parents.get(definition, definition)
        for child in definition:
            text = (child.text or "").strip()
            if text.startswith("="):
                converted = self.juel_of(owner, local(child.tag), text)
                if converted is not None:
                    child.text = converted
            elif (
                local(child.tag) == "timeCycle"
                and len(fields := text.split()) == 6
                and "?" not in (fields[3], fields[5])
            ):
                # Spring's cron allows "*" in both day fields; Quartz wants one to be "?".
                if fields[5] == "*":
                    fields[5] = "?"
                elif fields[3] == "*":
                    fields[3] = "?"
                child.text = " ".join(fields)

    def completion_condition(self, loop: Any) -> None:
        completion = loop.find(ext(BPMN, "completionCondition"))
        text = (completion.text or "").strip() if completion is not None else ""
        if completion is None or not text.startswith("="):
            return
        owner = self.parents.get(loop, loop)
        converted = self.juel_of(owner, "completionCondition", text)
        if converted is not None:
            completion.text = _LOOP_VARIABLE.sub(_rename_loop_variable, converted)

    def condition(self, flow: Any, condition: Any) -> None:
        text = (condition.text or "").strip()
        if not text.startswith("="):
            return
        try:
            juel = feel_to_juel(text)
        except Unconvertible:
            # Camunda 7 evaluates FEEL conditions itself (its FEEL engine, language="feel").
            condition.text = text[1:].strip()
            condition.set("language", "feel")
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
        call_io: list[Any] = []
        outputs = False
        for child in list(container):
            if not child.tag.startswith("{" + ZEEBE):
                continue
            name = local(child.tag)
            container.remove(child)
            if name == "taskDefinition" and kind in _TASKS:
                retries = self.task_definition(element, child)
            elif name == "taskDefinition" and kind in ("intermediateThrowEvent", "endEvent"):
                self.message_job(element, child)
            elif name == "ioMapping" and kind == "callActivity":
                call_io.append(child)
            elif name == "ioMapping" and kind in ("startEvent", "boundaryEvent"):
                self.note(
                    element,
                    "zeebe:output",
                    f"Camunda 7 has no variable mappings on a {kind}; map the variables in "
                    "the next activity",
                )
            elif name in _CONSTRUCTS:
                getattr(self, _CONSTRUCTS[name])(element, container, child)
            elif name == "userTask" and kind == "userTask":
                pass  # a Camunda user task: what every Camunda 7 user task is
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
        if kind == "callActivity":
            self.call_mappings(element, container, call_io)
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
            if kind == "output" and local(element.tag) == "endEvent":
                self.note(
                    element,
                    f"zeebe:output {target}",
                    "Camunda 7 refuses output parameters on an end event; set the variable in "
                    "the activity before it",
                )
                continue
            if "." in target:
                self.note(
                    element,
                    f"zeebe:{kind} {target}",
                    "Camunda 7 parameters cannot write into a nested variable",
                )
                continue
            tag = "inputParameter" if kind == "input" else "outputParameter"
            if not source.strip().startswith("="):
                # A static Zeebe value is text, whatever it looks like.
                if "${" in source or "#{" in source:
                    self.note(
                        element,
                        f"zeebe:{kind} {target}",
                        "the text would read as a JUEL expression on Camunda 7",
                    )
                    continue
                outputs = outputs or kind == "output"
                parameter = ET.SubElement(io, ext(CAMUNDA, tag), {"name": target})
                parameter.text = source or None
                continue
            try:
                text = "" if source.strip() == "=null" else feel_to_juel(source)
            except Unconvertible:
                # A FEEL script value: Camunda 7 runs it with its FEEL engine.
                outputs = outputs or kind == "output"
                parameter = ET.SubElement(io, ext(CAMUNDA, tag), {"name": target})
                script = ET.SubElement(parameter, ext(CAMUNDA, "script"), {"scriptFormat": "feel"})
                script.text = source.strip()[1:].strip()
                continue
            outputs = outputs or kind == "output"
            parameter = ET.SubElement(io, ext(CAMUNDA, tag), {"name": target})
            parameter.text = text or None
        return outputs

    # ------------------------------------------------------------ constructs by kind

    def called_element(self, element: Any, container: Any, called: Any) -> None:
        process_id = self.juel_of(element, "zeebe:calledElement", called.get("processId") or "")
        if process_id:
            element.set("calledElement", process_id)
        binding = called.get("bindingType")
        if binding in ("deployment", "versionTag"):
            element.set(ext(CAMUNDA, "calledElementBinding"), binding)
            if binding == "versionTag" and called.get("versionTag"):
                element.set(ext(CAMUNDA, "calledElementVersionTag"), called.get("versionTag"))
        # Read by call_mappings once every extension is seen (outputs switch the default).
        element.set("_allIn", called.get("propagateAllParentVariables", "true"))
        element.set("_allOut", called.get("propagateAllChildVariables", "true"))

    def call_mappings(self, element: Any, container: Any, mappings: list[Any]) -> None:
        """``zeebe:input`` / ``zeebe:output`` of a call activity → ``camunda:in`` / ``out``.

        Camunda 7 parameters of a call activity stay local to it and never reach the child;
        ``camunda:in`` is what passes a variable.
        """
        all_in = element.attrib.pop("_allIn", "true") == "true"
        all_out = element.attrib.pop("_allOut", "true") == "true"
        entries = [entry for mapping in mappings for entry in mapping]
        if all_in:
            ET.SubElement(container, ext(CAMUNDA, "in"), {"variables": "all"})
        if all_out and not any(local(entry.tag) == "output" for entry in entries):
            # Zeebe ignores propagateAllChildVariables once outputs are mapped.
            ET.SubElement(container, ext(CAMUNDA, "out"), {"variables": "all"})
        for entry in entries:
            kind = local(entry.tag)
            if kind not in ("input", "output"):
                continue
            target, source = entry.get("target") or "", (entry.get("source") or "").strip()
            tag = ext(CAMUNDA, "in" if kind == "input" else "out")
            if _PLAIN_NAME.match(source):
                ET.SubElement(container, tag, {"source": source[1:].strip(), "target": target})
                continue
            text = self.juel_of(element, f"zeebe:{kind} {target}", source)
            if text is not None:
                ET.SubElement(container, tag, {"sourceExpression": text, "target": target})

    def loop_characteristics(self, element: Any, container: Any, loop: Any) -> None:
        owner = self.parents.get(element, element)
        collection = loop.get("inputCollection") or ""
        count = _CARDINALITY.match(collection)
        if count is not None:
            # What migrate_c7_to_c8 writes for a loopCardinality: one instance per number.
            juel = self.juel_of(owner, "inputCollection", "=" + count.group(1))
            if juel is not None:
                cardinality = ET.Element(ext(BPMN, "loopCardinality"))
                cardinality.text = juel
                element.insert(_after_extensions(element), cardinality)
        elif _PLAIN_NAME.match(collection):
            element.set(ext(CAMUNDA, "collection"), collection.strip()[1:].strip())
        elif collection:
            converted = self.juel_of(owner, "inputCollection", collection)
            if converted is not None:
                element.set(ext(CAMUNDA, "collection"), converted)
        if loop.get("inputElement"):
            element.set(ext(CAMUNDA, "elementVariable"), loop.get("inputElement"))
        for name in ("outputCollection", "outputElement"):
            if loop.get(name):
                self.note(
                    owner,
                    f"zeebe:loopCharacteristics {name}",
                    "Camunda 7 has no output collection; collect the results with an output "
                    "mapping into a list variable",
                )

    def assignment(self, element: Any, container: Any, definition: Any) -> None:
        for name in ("assignee", "candidateUsers", "candidateGroups"):
            value = definition.get(name)
            if value:
                literal = _FEEL_STRING_LIST.match(value)
                if literal is not None:
                    value = ",".join(re.findall(r'"([^"]*)"', literal.group(1)))
                    element.set(ext(CAMUNDA, name), value)
                    continue
                converted = self.juel_of(element, f"zeebe:assignmentDefinition {name}", value)
                if converted is not None:
                    element.set(ext(CAMUNDA, name), converted)

    def schedule(self, element: Any, container: Any, schedule: Any) -> None:
        for name in ("dueDate", "followUpDate"):
            value = schedule.get(name)
            if value:
                converted = self.juel_of(element, f"zeebe:taskSchedule {name}", value)
                if converted is not None:
                    element.set(ext(CAMUNDA, name), converted)

    def form(self, element: Any, container: Any, form: Any) -> None:
        if form.get("formId"):
            element.set(ext(CAMUNDA, "formRef"), form.get("formId"))
            binding = form.get("bindingType")
            # Camunda 7 refuses a formRef without a binding.
            element.set(
                ext(CAMUNDA, "formRefBinding"),
                "deployment" if binding == "deployment" else "latest",
            )
            if binding == "versionTag":
                self.note(
                    element,
                    f"zeebe:formDefinition versionTag {form.get('versionTag')}",
                    "Camunda 7 links forms by version number, not tag; the latest is linked",
                )
        elif form.get("externalReference") or form.get("formKey"):
            element.set(
                ext(CAMUNDA, "formKey"), form.get("externalReference") or form.get("formKey")
            )

    def priority(self, element: Any, container: Any, priority: Any) -> None:
        if priority.get("priority"):
            element.set(ext(CAMUNDA, "priority"), priority.get("priority"))

    def called_decision(self, element: Any, container: Any, called: Any) -> None:
        decision = self.juel_of(element, "zeebe:calledDecision", called.get("decisionId") or "")
        if decision:
            element.set(ext(CAMUNDA, "decisionRef"), decision)
        if called.get("resultVariable"):
            element.set(ext(CAMUNDA, "resultVariable"), called.get("resultVariable"))
        # Camunda 8 writes the decision's own result: one output's value, as singleEntry.
        element.set(ext(CAMUNDA, "mapDecisionResult"), "singleEntry")
        binding = called.get("bindingType")
        if binding in ("deployment", "versionTag"):
            element.set(ext(CAMUNDA, "decisionRefBinding"), binding)
            if binding == "versionTag" and called.get("versionTag"):
                element.set(ext(CAMUNDA, "decisionRefVersionTag"), called.get("versionTag"))
        self.note(
            element,
            "zeebe:calledDecision result",
            "mapDecisionResult=singleEntry gives one output's value, as Camunda 8 does; a "
            "decision with several outputs needs singleResult, a collect hit policy "
            "collectEntries",
        )

    def subscription(self, element: Any, container: Any, subscription: Any) -> None:
        self.note(
            element,
            f"zeebe:subscription correlationKey {subscription.get('correlationKey')}",
            "Camunda 7 correlates by API call: pass the key's value as a correlation "
            "variable (or business key) when correlating the message",
        )

    def execution_listeners(self, element: Any, container: Any, listeners: Any) -> None:
        for listener in listeners:
            job_type = listener.get("type") or ""
            event = listener.get("eventType") or "start"
            if _BEAN_NAME.match(job_type):
                attribute = {"delegateExpression": "${" + job_type + "}"}
            elif _CLASS_NAME.match(job_type):
                attribute = {"class": job_type}
            else:
                self.note(
                    element,
                    f"zeebe:executionListener {job_type}",
                    "Camunda 7 listeners are Java classes or beans; reimplement it as one",
                )
                continue
            ET.SubElement(
                container, ext(CAMUNDA, "executionListener"), {"event": event, **attribute}
            )
            self.note(
                element,
                f"zeebe:executionListener {job_type}",
                f"became a Camunda 7 listener {next(iter(attribute.values()))}: provide it",
            )

    def message_job(self, event: Any, definition: Any) -> None:
        message = event.find(ext(BPMN, "messageEventDefinition"))
        if message is None:
            self.note(event, "zeebe:taskDefinition", "no Camunda 7 equivalent here")
            return
        message.set(ext(CAMUNDA, "type"), "external")
        message.set(ext(CAMUNDA, "topic"), definition.get("type") or "")


_CONSTRUCTS = {
    "calledElement": "called_element",
    "loopCharacteristics": "loop_characteristics",
    "assignmentDefinition": "assignment",
    "taskSchedule": "schedule",
    "formDefinition": "form",
    "priorityDefinition": "priority",
    "calledDecision": "called_decision",
    "subscription": "subscription",
    "executionListeners": "execution_listeners",
}
_CARDINALITY = re.compile(r"\s*=\s*for\s+i\s+in\s+1\s*\.\.\s*(.+?)\s+return\s+i\s*\Z")
_PLAIN_NAME = re.compile(r"\s*=\s*[A-Za-z_][A-Za-z0-9_]*\s*\Z")
_FEEL_STRING_LIST = re.compile(r'\s*=\s*\[((?:\s*"[^"]*"\s*,?)*)\]\s*\Z')
_BEAN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_$]*)+\Z")
_LOOP_VARIABLES = {camunda8: camunda7 for camunda7, camunda8 in _C7_LOOP_VARIABLES.items()}
_LOOP_VARIABLE = re.compile(r"'(?:[^'\\]|\\.)*'|\b(?:" + "|".join(_LOOP_VARIABLES) + r")\b")


def _after_extensions(element: Any) -> int:
    """Where the BPMN schema puts the next child: after documentation and extensions."""
    kinds = ("documentation", "extensionElements")
    return sum(1 for child in element if local(child.tag) in kinds)


def _rename_loop_variable(match: re.Match[str]) -> str:
    return _LOOP_VARIABLES.get(match.group(0), match.group(0))
