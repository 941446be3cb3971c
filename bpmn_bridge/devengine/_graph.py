"""The executable form of a parsed BPMN process, shared by the parser and the engine.

`_bpmn.parse_bpmn` builds these immutable objects; the engine only walks them. Expressions
are already compiled into `Evaluator` callables (FEEL for Camunda 8 models, the JUEL
subset for Camunda 7 models), so the engine never sees expression syntax.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Evaluator",
    "FlowNode",
    "NodeKind",
    "ProcessGraph",
    "SequenceFlow",
    "TaskDefinition",
    "VariableMapping",
]

Evaluator = Callable[[Mapping[str, Any]], Any]
"""A compiled expression: takes plain variables, returns a plain value; may raise."""


class NodeKind(enum.Enum):
    """The flow node kinds the engine executes."""

    START_EVENT = "startEvent"
    END_EVENT = "endEvent"
    SERVICE_TASK = "serviceTask"
    EXCLUSIVE_GATEWAY = "exclusiveGateway"
    PARALLEL_GATEWAY = "parallelGateway"
    ERROR_BOUNDARY_EVENT = "boundaryEvent"


@dataclass(frozen=True, slots=True)
class VariableMapping:
    """One input or output mapping: evaluate ``source`` and write it to ``target``.

    ``target`` may be a dotted path for Camunda 8 (``a.b`` merges into object ``a``).
    """

    target: str
    source: Evaluator
    source_text: str
    nested_target: bool


@dataclass(frozen=True, slots=True)
class TaskDefinition:
    """What a service task asks workers to do.

    Attributes:
        flavour: ``"camunda8"`` or ``"camunda7"``; decides variable propagation rules.
        type: static job type/topic, or ``None`` when ``type_expression`` is set.
        type_expression: FEEL expression evaluated when the job is created.
        retries: initial retries; ``None`` for Camunda 7 (unknown until first failure).
        retries_expression: FEEL expression for the retries, if not static.
        headers: ``zeebe:taskHeaders``.
        extension_properties: ``camunda:properties``.
        priority: ``camunda:taskPriority`` as int (0 if absent).
        inputs / outputs: io mappings.
    """

    flavour: str
    type: str | None
    type_expression: Evaluator | None
    retries: int | None
    retries_expression: Evaluator | None
    headers: Mapping[str, str]
    extension_properties: Mapping[str, str]
    priority: int
    inputs: tuple[VariableMapping, ...]
    outputs: tuple[VariableMapping, ...]


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    """A sequence flow; ``condition`` is ``None`` for unconditional flows."""

    id: str
    source: str
    target: str
    condition: Evaluator | None = None
    condition_text: str | None = None


@dataclass(slots=True)
class FlowNode:
    """A flow node with its wiring (mutable only while the parser links the graph).

    Attributes:
        id / kind / name: from the model.
        incoming: ids of incoming sequence flows.
        outgoing: outgoing sequence flows in document order.
        default_flow: id of the default outgoing flow (exclusive gateways).
        task: service task definition.
        attached_to: host task id (boundary events).
        error_code: caught error code; ``None`` catches every error (boundary events).
        error_code_variable / error_message_variable: Camunda 7 boundary extensions.
        boundaries: error boundary events attached to this task.
    """

    id: str
    kind: NodeKind
    name: str | None = None
    incoming: list[str] = field(default_factory=list)
    outgoing: list[SequenceFlow] = field(default_factory=list)
    default_flow: str | None = None
    task: TaskDefinition | None = None
    attached_to: str | None = None
    error_code: str | None = None
    error_code_variable: str | None = None
    error_message_variable: str | None = None
    boundaries: list[FlowNode] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ProcessGraph:
    """One executable process.

    Attributes:
        process_id: the BPMN process id.
        name / version_tag: optional metadata.
        nodes: every flow node by id.
        start_node: id of the single none start event.
        flavour: ``camunda8``, ``camunda7``, ``mixed`` or ``plain``.
        namespaces: vendor namespaces used.
    """

    process_id: str
    name: str | None
    version_tag: str | None
    nodes: Mapping[str, FlowNode]
    start_node: str
    flavour: str
    namespaces: tuple[str, ...]
