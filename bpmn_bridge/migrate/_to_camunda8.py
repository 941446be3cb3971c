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
    XSI,
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
_CONSTRUCTS = {
    "callActivity": "call_activity",
    "multiInstanceLoopCharacteristics": "multi_instance",
    "userTask": "user_task",
    "businessRuleTask": "business_rule_task",
    "messageEventDefinition": "message_event",
    "message": "message",
    "signal": "message",
    "timerEventDefinition": "timer",
    "conditionalEventDefinition": "conditional_event",
}
# Camunda 7's multi-instance variables and Camunda 8's names for them.
_LOOP_VARIABLES = {
    "nrOfInstances": "numberOfInstances",
    "nrOfActiveInstances": "numberOfActiveInstances",
    "nrOfCompletedInstances": "numberOfCompletedInstances",
}
# A FEEL string literal (skipped) or one of the names above.
_LOOP_VARIABLE = re.compile(r'"(?:[^"\\]|\\.)*"|\b(?:' + "|".join(_LOOP_VARIABLES) + r")\b")
_BEAN = re.compile(r"\s*[$#]\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\s*\Z")
# The correlation key written where Camunda 7 had none (it correlates by API call).
CORRELATION_KEY = "=businessKey"
_DURATION = re.compile(r"P(?:\d+[YMWD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?\Z")
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
        construct = _CONSTRUCTS.get(kind)
        if construct is not None:
            getattr(self, construct)(element, attributes)
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
            elif name in ("in", "out") and local(element.tag) == "callActivity":
                self.call_mapping(element, container, child)
            elif name == "executionListener":
                self.execution_listener(element, container, child)
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
        called = container.find(ext(ZEEBE, "calledElement"))
        if called is not None:
            # Camunda 7 passes only what camunda:in / camunda:out name, unless one says
            # variables="all"; Camunda 8 passes everything unless told otherwise.
            called.set("propagateAllParentVariables", called.attrib.pop("_allIn", "false"))
            called.set("propagateAllChildVariables", called.attrib.pop("_allOut", "false"))
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
        intervals = [part.strip() for part in text.split(",")]
        if match is not None:
            definition.set("retries", match.group(1))
            headers.setdefault("retryBackoff", match.group(2))
        elif len(intervals) > 1 and all(_DURATION.match(part) for part in intervals):
            # A list of intervals: one retry per interval. Zeebe waits the same backoff
            # before each retry, so a list of different intervals is approximated.
            definition.set("retries", str(len(intervals)))
            headers.setdefault("retryBackoff", intervals[0])
            if len(set(intervals)) > 1:
                self.note(
                    element,
                    f"camunda:failedJobRetryTimeCycle {text.strip()}",
                    f"{len(intervals)} retries, each after {intervals[0]}: Camunda 8 waits the "
                    "same backoff before every retry",
                )
        else:
            self.note(
                element,
                f"camunda:failedJobRetryTimeCycle {text.strip()}",
                "only R<n>/<duration> or a list of durations converts (to retries and a "
                "retryBackoff header)",
            )

    def io_mapping(self, element: Any, container: Any, io: Any) -> None:
        mapping = _io_mapping(container)
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
        if not len(mapping):
            container.remove(mapping)
        elif local(element.tag) == "callActivity":
            self.note(
                element,
                "camunda:inputParameter",
                "on Camunda 8 an input of a call activity also reaches the called process",
            )

    # ------------------------------------------------------------ constructs by kind

    def feel_of(self, element: Any, what: str, value: str) -> str | None:
        """A Camunda 7 value (text or JUEL) as a Camunda 8 value, or None (reported)."""
        if "${" not in value and "#{" not in value:
            return value
        try:
            return juel_to_feel(value)
        except Unconvertible as exc:
            self.note(element, f"{what} {value}", f"JUEL outside the convertible subset: {exc}")
            return None

    def call_activity(self, element: Any, attributes: dict[str, str]) -> None:
        called = element.attrib.pop("calledElement", None)
        binding = attributes.pop("calledElementBinding", None)
        tag = attributes.pop("calledElementVersionTag", None)
        target = ET.SubElement(extensions(element, create=True), ext(ZEEBE, "calledElement"))
        process_id = self.feel_of(element, "calledElement", called or "")
        if not called:
            self.note(element, "callActivity", "no calledElement: set the process to call")
        target.set("processId", process_id if process_id is not None else called or "")
        if binding in ("deployment", "versionTag"):
            target.set("bindingType", binding)
            if binding == "versionTag" and tag:
                target.set("versionTag", tag)
        elif binding == "version":
            version = attributes.pop("calledElementVersion", "")
            self.note(
                element,
                f"camunda:calledElementBinding=version {version}".strip(),
                "Camunda 8 calls the latest version, the one deployed with the caller, or a "
                "version tag (bindingType); set a version tag on the called process",
            )
        for name in ("calledElementTenantId", "variableMappingClass",
                     "variableMappingDelegateExpression", "caseRef"):  # fmt: skip
            if name in attributes:
                self.note(element, f"camunda:{name}", _WHY.get(name, "no Camunda 8 equivalent"))
                attributes.pop(name)

    def call_mapping(self, element: Any, container: Any, mapping: Any) -> None:
        """``camunda:in`` / ``camunda:out`` → ``zeebe:input`` / ``zeebe:output``."""
        name = local(mapping.tag)
        called = container.find(ext(ZEEBE, "calledElement"))
        if mapping.get("variables") == "all":
            if called is not None:
                called.set("_allIn" if name == "in" else "_allOut", "true")
            if mapping.get("local") == "true":
                self.note(
                    element,
                    f"camunda:{name} variables=all local=true",
                    "Camunda 8 passes all variables visible to the call activity, not only its "
                    "local ones",
                )
            return
        if mapping.get("businessKey") is not None:
            self.note(
                element,
                "camunda:in businessKey",
                "Camunda 8 has no business key; pass it as a variable",
            )
            return
        target_name = mapping.get("target") or mapping.get("source") or ""
        if mapping.get("source"):
            source: str | None = "=" + (mapping.get("source") or "")
        else:
            source = self.feel_of(
                element, f"camunda:{name} {target_name}", mapping.get("sourceExpression") or ""
            )
            if source is not None and not source.startswith("="):
                source = "=" + _quote(source)
        if source is None:
            return
        io = _io_mapping(container)
        ET.SubElement(
            io,
            ext(ZEEBE, "input" if name == "in" else "output"),
            {"source": source, "target": target_name},
        )

    def multi_instance(self, element: Any, attributes: dict[str, str]) -> None:
        owner = self.parents.get(element, element)
        loop = ET.Element(ext(ZEEBE, "loopCharacteristics"))
        collection = attributes.pop("collection", None)
        variable = attributes.pop("elementVariable", None)
        cardinality = element.find(ext(BPMN, "loopCardinality"))
        if collection:
            source = (
                self.feel_of(owner, "camunda:collection", collection)
                if "{" in collection
                else "=" + collection
            )
            if source is not None:
                loop.set("inputCollection", source)
        elif cardinality is not None and (cardinality.text or "").strip():
            count = (cardinality.text or "").strip()
            feel = self.feel_of(owner, "loopCardinality", count)
            if feel is not None:
                count = feel[1:] if feel.startswith("=") else feel
                # One instance per item of [1..n]: loopCounter counts the same way.
                loop.set("inputCollection", f"=for i in 1..{count} return i")
                element.remove(cardinality)
        else:
            self.note(
                owner,
                "multiInstanceLoopCharacteristics",
                "no collection or cardinality: Camunda 8 needs an input collection",
            )
        if variable:
            loop.set("inputElement", variable)
        if loop.attrib:
            extensions(element, create=True).append(loop)
        completion = element.find(ext(BPMN, "completionCondition"))
        text = (completion.text or "").strip() if completion is not None else ""
        if completion is not None and text and not text.startswith("="):
            feel = self.feel_of(owner, "completionCondition", text)
            if feel is not None:
                completion.text = _LOOP_VARIABLE.sub(_rename_loop_variable, feel)

    def user_task(self, element: Any, attributes: dict[str, str]) -> None:
        container = extensions(element, create=True)
        ET.SubElement(container, ext(ZEEBE, "userTask"))
        for group, names in (
            ("assignmentDefinition", ("assignee", "candidateUsers", "candidateGroups")),
            ("taskSchedule", ("dueDate", "followUpDate")),
        ):
            values = {}
            for name in names:
                value = attributes.pop(name, None)
                if value:
                    converted = self.feel_of(element, f"camunda:{name}", value)
                    if converted is not None:
                        values[name] = converted
            if values:
                ET.SubElement(container, ext(ZEEBE, group), values)
        form_key = attributes.pop("formKey", None)
        form_ref = attributes.pop("formRef", None)
        binding = attributes.pop("formRefBinding", None)
        version = attributes.pop("formRefVersion", None)
        if form_ref:
            form = {"formId": form_ref}
            if binding in ("deployment", "versionTag"):
                form["bindingType"] = binding
                if binding == "versionTag" and version:
                    form["versionTag"] = version
            elif binding == "version":
                self.note(
                    element,
                    f"camunda:formRefBinding=version {version or ''}".strip(),
                    "Camunda 8 links the latest form, the one deployed with the process, or a "
                    "version tag; set a version tag on the form",
                )
            ET.SubElement(container, ext(ZEEBE, "formDefinition"), form)
        elif form_key:
            # A form the application renders itself: Camunda user tasks keep the key as an
            # external reference that Tasklist hands to custom task applications.
            ET.SubElement(container, ext(ZEEBE, "formDefinition"), {"externalReference": form_key})
            if form_key.startswith(("embedded:", "app:", "deployment:")):
                self.note(
                    element,
                    f"camunda:formKey {form_key}",
                    "kept as the form's external reference: Camunda 8 Tasklist does not render "
                    "embedded or generated Camunda 7 forms; build a Camunda Form or serve it "
                    "from your own task application",
                )
        priority = attributes.pop("priority", None)
        if priority is not None:
            if priority.strip().isdigit() and 0 <= int(priority) <= 100:
                ET.SubElement(
                    container, ext(ZEEBE, "priorityDefinition"), {"priority": priority.strip()}
                )
            else:
                self.note(
                    element,
                    f"camunda:priority {priority}",
                    "Camunda 8 task priorities are whole numbers from 0 to 100",
                )

    def business_rule_task(self, element: Any, attributes: dict[str, str]) -> None:
        decision = attributes.pop("decisionRef", None)
        if decision is None:
            return
        called: dict[str, str] = {}
        decision_id = self.feel_of(element, "camunda:decisionRef", decision)
        called["decisionId"] = decision_id if decision_id is not None else decision
        result = attributes.pop("resultVariable", None)
        if not result:
            result = "decisionResult"
            self.note(
                element,
                "camunda:decisionRef without resultVariable",
                "Camunda 8 needs a result variable: the result is written to decisionResult",
            )
        called["resultVariable"] = result
        binding = attributes.pop("decisionRefBinding", None)
        if binding in ("deployment", "versionTag"):
            called["bindingType"] = binding
            tag = attributes.pop("decisionRefVersionTag", None)
            if binding == "versionTag" and tag:
                called["versionTag"] = tag
        elif binding == "version":
            self.note(
                element,
                f"camunda:decisionRefBinding=version {attributes.pop('decisionRefVersion', '')}",
                "Camunda 8 calls the latest decision, the one deployed with the process, or a "
                "version tag; set a version tag on the decision",
            )
        shape = attributes.pop("mapDecisionResult", "resultList")
        if shape != "singleEntry":
            self.note(
                element,
                f"camunda:mapDecisionResult={shape}",
                "Camunda 8 writes the decision's own result (one output: its value; several: "
                "a context; a collect hit policy: a list), like singleEntry/singleResult/"
                "collectEntries; check what the process reads from it",
            )
        ET.SubElement(extensions(element, create=True), ext(ZEEBE, "calledDecision"), called)

    def message_event(self, element: Any, attributes: dict[str, str]) -> None:
        """Message throw events with an implementation become jobs of the event."""
        event = self.parents.get(element)
        if event is None:
            return
        if attributes.pop("type", None) == "external":
            topic = attributes.pop("topic", "")
            if not topic or "${" in topic or "#{" in topic:
                self.note(event, "camunda:topic", "a dynamic or missing topic; set the job type")
            self.job_definition(event, topic)
            for name in ("taskPriority", "asyncBefore", "asyncAfter", "exclusive"):
                attributes.pop(name, None)
            return
        headers: dict[str, str] = {}
        if self.delegate(event, event, attributes, headers):
            target = ET.SubElement(extensions(event, create=True), ext(ZEEBE, "taskHeaders"))
            for key, value in headers.items():
                ET.SubElement(target, ext(ZEEBE, "header"), {"key": key, "value": value})

    def message(self, element: Any, attributes: dict[str, str]) -> None:
        name = element.get("name") or ""
        if "${" in name or "#{" in name:
            converted = self.feel_of(element, "message name", name)
            if converted is not None:
                element.set("name", converted)

    def timer(self, element: Any, attributes: dict[str, str]) -> None:
        owner = self.parents.get(element, element)
        for child in element:
            kind = local(child.tag)
            text = (child.text or "").strip()
            if kind not in ("timeDate", "timeDuration", "timeCycle") or not text:
                continue
            if "${" in text or "#{" in text:
                converted = self.feel_of(owner, kind, text)
                if converted is not None:
                    child.text = converted
                    text = converted
                else:
                    continue
            parent = self.parents.get(owner)
            if (
                kind == "timeDuration"
                and local(owner.tag) == "startEvent"
                and parent is not None
                and local(parent.tag) == "process"
            ):
                # Camunda 7 starts once, that long after deployment; Zeebe's timer start
                # events take a date or a cycle: one repetition of the duration is the same.
                child.tag = ext(BPMN, "timeCycle")
                feel = text.startswith("=")
                child.text = f'="R1/" + string({text[1:]})' if feel else f"R1/{text}"
                self.note(
                    owner,
                    f"timeDuration {text} on a process start",
                    f"became the cycle {child.text} (one start, that long after deployment)",
                )
                continue
            fields = text.split()
            if kind == "timeCycle" and len(fields) == 7:
                if fields[6] in ("*", "?"):
                    # Quartz's optional 7th field (the year) is Spring's 6-field cron
                    # without it, when it says "every year".
                    child.text = " ".join(fields[:6])
                else:
                    self.note(
                        owner,
                        f"timeCycle {text}",
                        "Camunda 8 cron expressions have no year field; kept unchanged until "
                        "rewritten",
                    )

    def conditional_event(self, element: Any, attributes: dict[str, str]) -> None:
        attributes.pop("variableName", None)
        attributes.pop("variableEvents", None)
        event = self.parents.get(element, element)
        why = (
            "Camunda 8 has no conditional events; model the condition with a message the "
            "process that changes the data publishes"
        )
        if local(event.tag) == "intermediateCatchEvent":
            # Kept, Zeebe refuses the diagram; as a none event the path deploys and runs on
            # without waiting, which the report says.
            event.remove(element)
            event.tag = ext(BPMN, "intermediateThrowEvent")
            why += "; it became a none event that does not wait"
        self.note(event, "conditionalEventDefinition", why)

    def execution_listener(self, element: Any, container: Any, listener: Any) -> None:
        event = listener.get("event") or "start"
        if local(element.tag) != "serviceTask":
            self.note(
                element,
                f"camunda:executionListener {event}",
                "Camunda 8 (8.5) runs execution listeners on service tasks only; move it into "
                "a service task",
            )
            return
        job_type = listener.get("delegateExpression") or ""
        match = _BEAN.match(job_type)
        job_type = match.group(1) if match else listener.get("class") or ""
        if event not in ("start", "end") or not job_type:
            self.note(
                element,
                f"camunda:executionListener {event}",
                "only start and end listeners given by a class or a delegate bean convert "
                "(to a job worker listener named after them)",
            )
            return
        listeners = container.find(ext(ZEEBE, "executionListeners"))
        if listeners is None:
            listeners = ET.SubElement(container, ext(ZEEBE, "executionListeners"))
        ET.SubElement(
            listeners, ext(ZEEBE, "executionListener"), {"eventType": event, "type": job_type}
        )
        self.note(
            element,
            f"camunda:executionListener {event}",
            f"runs as a job worker listener of type {job_type}: serve it with a job worker",
        )

    def finish(self, root: Any) -> None:
        ids = {element.get("id"): element for element in root.iter() if element.get("id")}
        self.conditional_flows(root, ids)
        _link_flows(root, ids)
        self.subscriptions(root, ids)
        for event in [*root.iter(ext(BPMN, "intermediateThrowEvent")),
                      *root.iter(ext(BPMN, "endEvent"))]:  # fmt: skip
            definition = event.find(ext(BPMN, "messageEventDefinition"))
            container = extensions(event)
            has_job = (
                container is not None and container.find(ext(ZEEBE, "taskDefinition")) is not None
            )
            if definition is not None and not has_job:
                event.remove(definition)
                self.note(
                    event,
                    "messageEventDefinition",
                    "a message throw event without an implementation does nothing on Camunda "
                    "7; Camunda 8 needs a job worker for it, so it became a plain event",
                )

    def conditional_flows(self, root: Any, ids: dict[str, Any]) -> None:
        """Conditions on flows out of an activity → an inclusive gateway after it.

        Camunda 7 takes every flow out of an activity whose condition holds, and every flow
        without one; Zeebe takes conditions at gateways only. An inclusive gateway does the
        same: unconditional flows get ``=true``, the activity's default flow becomes the
        gateway's.
        """
        outgoing: dict[str, list[Any]] = {}
        for flow in root.iter(ext(BPMN, "sequenceFlow")):
            outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow)
        for source_id, flows in outgoing.items():
            node = ids.get(source_id)
            if node is None or local(node.tag).endswith("Gateway"):
                continue
            if all(flow.find(ext(BPMN, "conditionExpression")) is None for flow in flows):
                continue
            container = self.parents.get(node)
            if container is None:
                continue
            gateway_id = _unused_id(f"{source_id}_conditions", ids)
            gateway = ET.Element(ext(BPMN, "inclusiveGateway"), {"id": gateway_id})
            ids[gateway_id] = gateway
            default = node.attrib.pop("default", None)
            if default:
                gateway.set("default", default)
            link_id = _unused_id(f"{source_id}_to_conditions", ids)
            link = ET.Element(
                ext(BPMN, "sequenceFlow"),
                {"id": link_id, "sourceRef": source_id, "targetRef": gateway_id},
            )
            ids[link_id] = link
            index = list(container).index(node) + 1
            container.insert(index, gateway)
            container.insert(index + 1, link)
            moved = {flow.get("id") for flow in flows}
            for reference in node.findall(ext(BPMN, "outgoing")):
                if (reference.text or "").strip() in moved:
                    node.remove(reference)
            for flow in flows:
                flow.set("sourceRef", gateway_id)
                if (
                    flow.find(ext(BPMN, "conditionExpression")) is None
                    and flow.get("id") != default
                ):
                    condition = ET.SubElement(flow, ext(BPMN, "conditionExpression"))
                    condition.set(ext(XSI, "type"), "bpmn:tFormalExpression")
                    condition.text = "=true"
            self.note(
                node,
                "conditional sequence flow",
                f"Camunda 8 takes conditions at gateways only: the inclusive gateway "
                f"{gateway_id} after {source_id} takes the same flows (it has no shape in "
                "the diagram's layout yet)",
            )

    def subscriptions(self, root: Any, ids: dict[str, Any]) -> None:
        """Catching messages need a correlation key on Camunda 8 (not on Camunda 7)."""
        needing: dict[str, Any] = {}
        for element in root.iter():
            kind = local(element.tag)
            ref = None
            if kind == "receiveTask":
                ref = element.get("messageRef")
            elif kind in ("intermediateCatchEvent", "boundaryEvent", "startEvent"):
                definition = element.find(ext(BPMN, "messageEventDefinition"))
                parent = self.parents.get(element)
                top_level_start = (
                    kind == "startEvent" and parent is not None and (local(parent.tag) == "process")
                )
                if definition is not None and not top_level_start:
                    ref = definition.get("messageRef")
            if ref:
                needing.setdefault(ref, element)
        for ref, user in needing.items():
            message = ids.get(ref)
            if message is None:
                continue
            container = extensions(message, create=True)
            if container.find(ext(ZEEBE, "subscription")) is not None:
                continue
            ET.SubElement(
                container, ext(ZEEBE, "subscription"), {"correlationKey": CORRELATION_KEY}
            )
            self.note(
                message,
                f"zeebe:subscription correlationKey {CORRELATION_KEY}",
                f"Camunda 7 correlates by API call (business key or variables), Camunda 8 by a "
                f"key in the diagram: {CORRELATION_KEY} was written for {user.get('id')}; "
                "make the process hold the key in that variable, or change the key",
            )


# What the BPMN schema puts before a flow node's incoming/outgoing references.
_BEFORE_FLOW_REFS = {"documentation", "extensionElements", "auditing", "monitoring",
                     "categoryValueRef", "incoming", "outgoing"}  # fmt: skip


def _link_flows(root: Any, ids: dict[str, Any]) -> None:
    """Write the ``incoming`` / ``outgoing`` references a hand-made diagram left out.

    Camunda 7 finds a node's flows from the sequence flows; Zeebe reads these references
    (an event-based gateway "without outgoing flows" is refused), and the Modeler always
    writes them.
    """
    for flow in root.iter(ext(BPMN, "sequenceFlow")):
        flow_id = flow.get("id")
        for end, tag in (("sourceRef", "outgoing"), ("targetRef", "incoming")):
            node = ids.get(flow.get(end))
            if node is None or not flow_id:
                continue
            if any((ref.text or "").strip() == flow_id for ref in node.findall(ext(BPMN, tag))):
                continue
            position = 0
            for index, child in enumerate(node):
                name = local(child.tag)
                if child.tag.startswith("{" + BPMN + "}") and name in _BEFORE_FLOW_REFS:
                    if tag == "incoming" and name == "outgoing":
                        break
                    position = index + 1
            reference = ET.Element(ext(BPMN, tag))
            reference.text = flow_id
            node.insert(position, reference)


def _unused_id(wanted: str, ids: dict[str, Any]) -> str:
    candidate, number = wanted, 1
    while candidate in ids:
        number += 1
        candidate = f"{wanted}_{number}"
    return candidate


def _io_mapping(container: Any) -> Any:
    """The container's one ``zeebe:ioMapping`` (Zeebe refuses two), created when missing."""
    mapping = container.find(ext(ZEEBE, "ioMapping"))
    if mapping is None:
        mapping = ET.SubElement(container, ext(ZEEBE, "ioMapping"))
    return mapping


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rename_loop_variable(match: re.Match[str]) -> str:
    return _LOOP_VARIABLES.get(match.group(0), match.group(0))
