"""What the target engine refuses at deployment whatever the extensions say.

The converters rewrite extensions element by element; some refusals are about the diagram's
shape instead (a process without a start event, an event definition without its reference,
an element type the target does not run). Real-world diagrams carry such shapes, often
already refused by their own engine. Each rule here mirrors a refusal of Zeebe's model
validation or Camunda 7's BPMN parser, so ``--check`` never passes a diagram the target
engine would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from bpmn_bridge.migrate._xml import BPMN, CAMUNDA, ZEEBE, ext, extensions, local

__all__ = ["Finding", "Target", "refusals"]

Target = Literal["camunda7", "camunda8"]
# (element, what, why): the element to name in the report.
Finding = tuple[Any, str, str]

_CATCH_EVENTS = ("startEvent", "intermediateCatchEvent", "boundaryEvent")
_SCOPES_FOR_ESCALATION = ("subProcess", "callActivity", "transaction", "adHocSubProcess")
_UNSUPPORTED_ON_CAMUNDA8 = {
    "transaction": "Camunda 8 does not run transaction subprocesses; use a plain subprocess "
    "with compensation",
    "complexGateway": "Camunda 8 does not run complex gateways; use an inclusive gateway",
}
_UNSUPPORTED_ON_CAMUNDA7 = {
    "adHocSubProcess": "Camunda 7 does not run ad-hoc subprocesses; model the activities "
    "in a plain subprocess or event subprocesses",
}


def refusals(root: Any, target: Target) -> list[Finding]:
    """Every shape in the converted document the target engine refuses.

    Args:
        root: The converted document's root element.
        target: The engine the document is for.

    Returns:
        One finding per refused element, in document order.
    """
    parents = {child: parent for parent in root.iter() for child in parent}
    # Camunda 7 neither deploys nor checks what a non-executable process holds; Zeebe
    # checks it as long as the diagram has an executable process.
    skipped = {
        element
        for process in root.iter(ext(BPMN, "process"))
        if process.get("isExecutable") == "false" and target == "camunda7"
        for element in process.iter()
    }
    findings: list[Finding] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith("{" + BPMN + "}"):
            continue
        if element in skipped:
            continue
        for rule in _RULES:
            findings.extend(rule(element, parents, target))
    return findings


def _children(element: Any, kind: str) -> list[Any]:
    return [child for child in element if child.tag == ext(BPMN, kind)]


def _definitions(event: Any) -> list[Any]:
    return [child for child in event if local(child.tag).endswith("EventDefinition")]


def _start_events(scope: Any, target: Target) -> Iterator[Finding]:
    kind = local(scope.tag)
    if kind not in ("process", "subProcess") or scope.get("triggeredByEvent") == "true":
        return
    starts = _children(scope, "startEvent")
    if not starts:
        yield (
            scope,
            "no start event",
            f"both engines refuse a {kind} without a start event; add one",
        )
        return
    plain = [start for start in starts if not _definitions(start)]
    timers = [
        start for start in starts if start.find(ext(BPMN, "timerEventDefinition")) is not None
    ]
    if len(plain) > 1 or (target == "camunda7" and len(plain) + len(timers) > 1):
        yield (
            scope,
            "several start events",
            "both engines refuse more than one none start event in a scope, and Camunda 7 "
            "more than one none or timer start event in a process; keep one",
        )
    elif kind == "subProcess" and (len(starts) > 1 or _definitions(starts[0])):
        yield (
            scope,
            "subprocess start event",
            "an embedded subprocess must have exactly one none start event",
        )


def _event_references(event: Any, parents: dict[Any, Any], target: Target) -> Iterator[Finding]:
    kind = local(event.tag)
    for definition in _definitions(event):
        what = local(definition.tag)
        if what == "signalEventDefinition" and not definition.get("signalRef"):
            yield event, what, "a signal event must reference a signal; add one"
        elif (
            what == "messageEventDefinition"
            and not definition.get("messageRef")
            and kind in _CATCH_EVENTS
        ):
            yield event, what, "a message catch event must reference a message; add one"
        elif (
            what == "errorEventDefinition" and kind == "endEvent" and not definition.get("errorRef")
        ):
            yield event, what, "an error end event must reference an error; add one"
        elif (
            what == "escalationEventDefinition"
            and kind in ("endEvent", "intermediateThrowEvent")
            and not definition.get("escalationRef")
        ):
            yield event, what, "an escalation throw event must reference an escalation; add one"
        elif what == "linkEventDefinition" and not (definition.get("name") or "").strip():
            yield event, what, "a link event needs a name that pairs it with its partner"
        elif what == "timerEventDefinition":
            timers = [
                c for c in definition if local(c.tag) in ("timeDate", "timeDuration", "timeCycle")
            ]
            if len(timers) != 1:
                yield event, what, "a timer needs exactly one of timeDate, timeDuration, timeCycle"
            elif (
                target == "camunda8"
                and kind == "intermediateCatchEvent"
                and local(timers[0].tag) == "timeCycle"
            ):
                yield event, what, "Camunda 8 timer catch events take a date or a duration"
            elif (
                target == "camunda8"
                and local(timers[0].tag) == "timeCycle"
                and _interrupting(event, parents)
            ):
                yield event, what, "Camunda 8 repeats only non-interrupting timers (timeCycle)"
        elif what == "cancelEventDefinition" and target == "camunda8":
            yield event, what, "Camunda 8 has no cancel events (no transaction subprocesses)"
        elif what == "escalationEventDefinition" and kind == "boundaryEvent":
            attached = _by_id(event, parents).get(event.get("attachedToRef") or "")
            scopes = _SCOPES_FOR_ESCALATION + (("userTask",) if target == "camunda7" else ())
            if attached is not None and local(attached.tag) not in scopes:
                yield (
                    event,
                    what,
                    "an escalation boundary event must sit on a subprocess or a call activity"
                    + (" (or a user task on Camunda 7)" if target == "camunda7" else ""),
                )
        elif what == "compensateEventDefinition" and kind == "startEvent":
            scope = parents.get(parents.get(event))
            if scope is not None and local(scope.tag) == "process":
                yield (
                    event,
                    what,
                    "a compensation event subprocess must sit in an embedded subprocess",
                )


def _interrupting(event: Any, parents: dict[Any, Any]) -> bool:
    """A boundary event or an event-subprocess start event that cancels its scope."""
    kind = local(event.tag)
    if kind == "boundaryEvent":
        return bool(event.get("cancelActivity") != "false")
    scope = parents.get(event)
    in_event_subprocess = scope is not None and scope.get("triggeredByEvent") == "true"
    return bool(
        kind == "startEvent" and in_event_subprocess and event.get("isInterrupting") != "false"
    )


_EVENT_SUBPROCESS_STARTS = {
    "camunda8": ("message", "timer", "error", "signal", "escalation"),
    "camunda7": ("message", "timer", "error", "signal", "escalation", "conditional", "compensate"),
}


def _event_subprocess(scope: Any, parents: dict[Any, Any], target: Target) -> Iterator[Finding]:
    if local(scope.tag) != "subProcess" or scope.get("triggeredByEvent") != "true":
        return
    allowed = _EVENT_SUBPROCESS_STARTS[target]
    for start in _children(scope, "startEvent"):
        kinds = [local(d.tag).removesuffix("EventDefinition") for d in _definitions(start)]
        if len(kinds) != 1 or kinds[0] not in allowed:
            yield (
                scope,
                "event subprocess start event",
                f"the target engine starts an event subprocess only on {', '.join(allowed)} events",
            )


def _catch_all_escalations(
    element: Any, parents: dict[Any, Any], target: Target
) -> Iterator[Finding]:
    """More than one escalation catch event without a code on one scope: both refuse it."""
    kind = local(element.tag)
    if kind in ("process", "subProcess", "adHocSubProcess", "transaction"):
        catchers = [
            start
            for sub in _children(element, "subProcess")
            if sub.get("triggeredByEvent") == "true"
            for start in _children(sub, "startEvent")
        ]
        where = "event subprocesses"
    elif element.get("id") and parents.get(element) is not None:
        catchers = [
            boundary
            for boundary in _children(parents[element], "boundaryEvent")
            if boundary.get("attachedToRef") == element.get("id")
        ]
        where = "boundary events"
    else:
        return
    escalations: dict[str, Any] | None = None
    without_code = 0
    for catcher in catchers:
        definition = catcher.find(ext(BPMN, "escalationEventDefinition"))
        if definition is None:
            continue
        if escalations is None:
            escalations = _by_id(element, parents)
        escalation = escalations.get(definition.get("escalationRef") or "")
        if escalation is None or not (escalation.get("escalationCode") or "").strip():
            without_code += 1
    if without_code > 1:
        yield (
            element,
            "escalation catch events",
            f"more than one escalation {where} without an escalation code on one scope (each "
            "would catch every escalation); give each a code",
        )


def _executable(root: Any, parents: dict[Any, Any], target: Target) -> Iterator[Finding]:
    if local(root.tag) != "definitions" or target != "camunda8":
        return
    processes = _children(root, "process")
    if all(process.get("isExecutable") == "false" for process in processes):
        yield (
            root,
            "no executable process",
            "Camunda 8 deploys only a diagram with at least one executable process "
            '(isExecutable="true")',
        )


def _by_id(element: Any, parents: dict[Any, Any]) -> dict[str, Any]:
    root = element
    while root in parents:
        root = parents[root]
    return {e.get("id"): e for e in root.iter() if e.get("id")}


def _element_types(element: Any, parents: dict[Any, Any], target: Target) -> Iterator[Finding]:
    kind = local(element.tag)
    table = _UNSUPPORTED_ON_CAMUNDA8 if target == "camunda8" else _UNSUPPORTED_ON_CAMUNDA7
    if kind in table:
        yield element, kind, table[kind]
    if kind == "eventBasedGateway" and target == "camunda8" and _flows_out(element, parents) < 2:
        yield element, kind, "Camunda 8 needs at least two flows out of an event gateway"
    if kind == "exclusiveGateway" and target == "camunda7" and not _flows_out(element, parents):
        yield element, kind, "Camunda 7 refuses an exclusive gateway no flow leaves"


def _flows_out(element: Any, parents: dict[Any, Any]) -> int:
    scope = parents.get(element)
    return sum(
        1
        for flow in (scope if scope is not None else [])
        if flow.tag == ext(BPMN, "sequenceFlow") and flow.get("sourceRef") == element.get("id")
    )


def _implementations(element: Any, parents: dict[Any, Any], target: Target) -> Iterator[Finding]:
    kind = local(element.tag)
    if kind not in ("serviceTask", "sendTask", "businessRuleTask", "scriptTask"):
        return
    if target == "camunda8":
        container = extensions(element)
        found = container is not None and any(
            child.tag
            in (
                ext(ZEEBE, "taskDefinition"),
                ext(ZEEBE, "calledDecision"),
                ext(ZEEBE, "script"),
            )
            for child in container
        )
        if not found:
            yield element, kind, "Camunda 8 needs a job type (zeebe:taskDefinition) here"
        return
    if kind == "scriptTask":
        return
    names: tuple[str, ...] = ("class", "delegateExpression", "expression", "type")
    if kind == "businessRuleTask":
        names += ("decisionRef",)
    container = extensions(element)
    connector = container is not None and container.find(ext(CAMUNDA, "connector")) is not None
    if not connector and not any(element.get(ext(CAMUNDA, name)) for name in names):
        yield (
            element,
            kind,
            'Camunda 7 needs an implementation here (camunda:type="external" and a topic, '
            "a class, a delegate expression or an expression)",
        )


def _multi_instance(loop: Any, parents: dict[Any, Any], target: Target) -> Iterator[Finding]:
    if local(loop.tag) != "multiInstanceLoopCharacteristics":
        return
    if target == "camunda7":
        if (
            loop.find(ext(BPMN, "loopCardinality")) is None
            and loop.find(ext(BPMN, "loopDataInputRef")) is None
            and not loop.get(ext(CAMUNDA, "collection"))
        ):
            yield (
                loop,
                "multiInstanceLoopCharacteristics",
                ("Camunda 7 needs a loop cardinality or a collection to iterate"),
            )
        return
    container = extensions(loop)
    characteristics = (
        None if container is None else container.find(ext(ZEEBE, "loopCharacteristics"))
    )
    if characteristics is None or not characteristics.get("inputCollection"):
        yield (
            loop,
            "multiInstanceLoopCharacteristics",
            ("Camunda 8 needs an input collection to iterate (zeebe:loopCharacteristics)"),
        )


def _call_activity(element: Any, parents: dict[Any, Any], target: Target) -> Iterator[Finding]:
    if local(element.tag) != "callActivity":
        return
    if target == "camunda7" and not element.get("calledElement"):
        yield element, "callActivity", "Camunda 7 needs the called process (calledElement)"


_RULES: list[Callable[[Any, dict[Any, Any], Target], Iterator[Finding]]] = [
    lambda element, parents, target: _start_events(element, target),
    _event_references,
    _element_types,
    _implementations,
    _multi_instance,
    _call_activity,
    _event_subprocess,
    _catch_all_escalations,
    _executable,
]
