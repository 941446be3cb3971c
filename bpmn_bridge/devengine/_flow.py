"""The embedded engine's flow: process instances, their tokens and scopes, and incidents.

A token entering a flow node is handed to the handler of the node's kind (see
`Flow._handlers`); that is where a new BPMN element is added. Each handler is written
once:

- `ServiceTask`: the whole life of a service task — entering it (input mappings, job
  type and retries, posting the job), completing its job (output mappings, leaving),
  failing it, throwing a BPMN error (error boundary events), retries and incidents.
- `Flow._exclusive_gateway`, `Flow._parallel_gateway` (the join), `Flow._end_event` and
  `Flow._pass_through` (start and boundary events, never entered through a flow).

Tokens move breadth-first through a work queue (`Flow.drain`); an instance ends when
nothing is active and no join waits (`InstanceRun.idle`, checked in `Flow._end_if_idle`).
Jobs are kept by the job board (`._job_board`); the flow posts and closes them.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import (
    IncidentNotFoundError,
    InvalidStateError,
    ProcessInstanceNotFoundError,
)
from ._graph import FlowNode, NodeKind, ProcessGraph, SequenceFlow, VariableMapping
from ._job_board import JobBoard
from ._model import (
    ActivityRecord,
    ElementInstanceInfo,
    Incident,
    IncidentType,
    InstanceState,
    JobRecord,
    JobState,
    ProcessInstance,
    TypedValue,
    now_ms,
)

__all__ = ["ElementInstance", "Flow", "InstanceRun", "ServiceTask", "as_typed"]


def as_typed(value: Any) -> TypedValue:
    """``value`` as a `TypedValue` (plain values get no Camunda 7 type)."""
    return value if isinstance(value, TypedValue) else TypedValue(value)


@dataclass(eq=False, slots=True)
class ElementInstance:
    """A token waiting in a flow node (a service task's job, or an open incident)."""

    key: int
    node: FlowNode
    local: dict[str, TypedValue] = field(default_factory=dict)
    job: JobRecord | None = None
    incident: Incident | None = None


@dataclass(eq=False, slots=True)
class InstanceRun:
    """Execution state of one instance, kept apart from the public record."""

    instance: ProcessInstance
    graph: ProcessGraph
    elements: dict[int, ElementInstance] = field(default_factory=dict)
    joins: dict[str, dict[str, int]] = field(default_factory=dict)
    ended: asyncio.Event | None = None

    def idle(self) -> bool:
        """No token waits anywhere: no active element and no join holding an arrival."""
        return not self.elements and not any(any(c.values()) for c in self.joins.values())


_Handler = Callable[[InstanceRun, FlowNode, SequenceFlow | None], None]


class Flow:
    """Process instances and the movement of their tokens.

    Args:
        board: where service tasks post their jobs.
        next_key: the engine's key allocator.
        history_limit: how many ended instances stay queryable.
    """

    def __init__(self, board: JobBoard, *, next_key: Callable[[], int], history_limit: int) -> None:
        self.board = board
        self.next_key = next_key
        self.history_limit = history_limit
        self.runs: dict[int, InstanceRun] = {}
        self.incidents: dict[int, Incident] = {}
        self._ended: deque[int] = deque()
        self._scopes: dict[int, tuple[InstanceRun, ElementInstance]] = {}
        self._work: deque[tuple[InstanceRun, FlowNode, SequenceFlow | None]] = deque()
        # the activity record of each waiting element, closed when its token moves on
        self._activities: dict[int, ActivityRecord] = {}
        self.service_task = ServiceTask(self)
        self._handlers: dict[NodeKind, _Handler] = {
            NodeKind.START_EVENT: self._pass_through,
            NodeKind.SERVICE_TASK: self.service_task.enter,
            NodeKind.EXCLUSIVE_GATEWAY: self._exclusive_gateway,
            NodeKind.PARALLEL_GATEWAY: self._parallel_gateway,
            NodeKind.END_EVENT: self._end_event,
            NodeKind.ERROR_BOUNDARY_EVENT: self._pass_through,
        }

    # ------------------------------------------------------------- instances

    def start(self, instance: ProcessInstance) -> None:
        """Run a new instance from its start event until every token waits (or it ends)."""
        run = InstanceRun(instance=instance, graph=instance.definition.graph)
        self.runs[instance.key] = run
        start = run.graph.nodes[run.graph.start_node]
        self.record_activity(run, start)
        self.take_outgoing(run, start)
        self.drain()

    def run(self, key: int, *, active_only: bool) -> InstanceRun:
        """The run of an instance (an ended one too unless ``active_only``).

        Raises:
            ProcessInstanceNotFoundError: unknown, evicted, or ended with ``active_only``.
        """
        run = self.runs.get(key)
        if run is None or (active_only and run.instance.ended):
            raise ProcessInstanceNotFoundError(
                f"Expected to find an active process instance with key '{key}', but none found"
            )
        return run

    def element_instances(self, instance_key: int) -> list[ElementInstanceInfo]:
        """Snapshots of the instance's waiting elements."""
        run = self.run(instance_key, active_only=False)
        return [
            ElementInstanceInfo(
                key=ei.key,
                element_id=ei.node.id,
                element_type=ei.node.kind.value,
                job_key=ei.job.key if ei.job else None,
                variables=dict(ei.local),
            )
            for ei in run.elements.values()
        ]

    async def wait_for_end(self, instance_key: int, *, timeout: float | None) -> ProcessInstance:
        """Wait until the instance has ended; see `EmbeddedEngine.wait_for_end`."""
        run = self.run(instance_key, active_only=False)
        if not run.instance.ended:
            if run.ended is None:
                run.ended = asyncio.Event()
            async with asyncio.timeout(timeout):
                await run.ended.wait()
        return run.instance

    def cancel(self, instance_key: int) -> None:
        """Cancel an active instance: drop its elements, jobs and incidents."""
        run = self.run(instance_key, active_only=True)
        for ei in list(run.elements.values()):
            self.drop_element(run, ei)
        run.joins.clear()
        self._end(run, InstanceState.CANCELED)

    # ------------------------------------------------------------- variables

    def scope(self, key: int, *, active_only: bool) -> tuple[InstanceRun, ElementInstance | None]:
        """The run and element instance of a scope key (``None`` for the root scope).

        Raises:
            ProcessInstanceNotFoundError: unknown scope.
        """
        if key in self.runs:
            return self.run(key, active_only=active_only), None
        found = self._scopes.get(key)
        if found is None:
            raise ProcessInstanceNotFoundError(
                f"Expected to find a process instance or element instance with key '{key}', "
                "but none found"
            )
        return found

    def element_scope(self, key: int) -> tuple[InstanceRun, ElementInstance]:
        """The active run and element instance of an element instance key."""
        run, ei = self.scope(key, active_only=True)
        assert ei is not None
        return run, ei

    def variables(self, scope_key: int) -> dict[str, TypedValue]:
        """A copy of the variables of a scope; see `EmbeddedEngine.get_variables`."""
        run, ei = self.scope(scope_key, active_only=False)
        return dict(ei.local if ei is not None else run.instance.variables)

    def set_variables(self, scope_key: int, variables: Mapping[str, Any], *, local: bool) -> None:
        """Set variables on a scope; see `EmbeddedEngine.set_variables`."""
        run, ei = self.scope(scope_key, active_only=True)
        typed = {k: as_typed(v) for k, v in variables.items()}
        if local and ei is not None:
            ei.local.update(typed)
        else:
            self.propagate(run, ei, typed)

    def delete_variable(self, scope_key: int, name: str) -> None:
        """Remove a variable from exactly this scope (no error if absent)."""
        run, ei = self.scope(scope_key, active_only=True)
        (ei.local if ei is not None else run.instance.variables).pop(name, None)

    def job_variables(self, job: JobRecord, local_only: bool) -> dict[str, TypedValue]:
        """The variables a job's worker sees: its task's local scope over the root."""
        run, ei = self._scopes[job.element_instance_key]
        if local_only:
            return dict(ei.local)
        source = dict(run.instance.variables)
        source.update(ei.local)
        return source

    @staticmethod
    def view(run: InstanceRun, ei: ElementInstance | None) -> dict[str, Any]:
        """Plain variables as expressions see them (local over root)."""
        view = {k: v.plain() for k, v in run.instance.variables.items()}
        if ei is not None:
            view.update({k: v.plain() for k, v in ei.local.items()})
        return view

    @staticmethod
    def propagate(
        run: InstanceRun, ei: ElementInstance | None, values: Mapping[str, TypedValue]
    ) -> None:
        """Write each value to the nearest scope defining it, else to the root."""
        for name, value in values.items():
            if ei is not None and name in ei.local:
                ei.local[name] = value
            else:
                run.instance.variables[name] = value

    @staticmethod
    def write_target(scope: dict[str, TypedValue], mapping: VariableMapping, value: Any) -> None:
        """Write a mapping's value to its target (a dotted Camunda 8 target merges)."""
        if not mapping.nested_target or "." not in mapping.target:
            scope[mapping.target] = TypedValue(value)
            return
        head, *rest = mapping.target.split(".")
        root = scope.get(head)
        base = root.plain() if root is not None else None
        obj: dict[str, Any] = dict(base) if isinstance(base, dict) else {}
        cursor = obj
        for part in rest[:-1]:
            nxt = cursor.get(part)
            cursor[part] = dict(nxt) if isinstance(nxt, dict) else {}
            cursor = cursor[part]
        cursor[rest[-1]] = value
        scope[head] = TypedValue(obj)

    # ------------------------------------------------------------- incidents

    def get_incident(self, incident_key: int) -> Incident:
        """An open incident.

        Raises:
            IncidentNotFoundError: unknown or resolved.
        """
        incident = self.incidents.get(incident_key)
        if incident is None:
            raise IncidentNotFoundError(
                f"Expected to resolve incident with key '{incident_key}', but no such "
                "incident was found"
            )
        return incident

    def raise_incident(
        self,
        run: InstanceRun,
        ei: ElementInstance,
        kind: IncidentType,
        message: str,
        *,
        job: JobRecord | None = None,
    ) -> None:
        """Open an incident on an element instance; the token waits there."""
        incident = Incident(
            key=self.next_key(),
            type=kind,
            message=message,
            instance=run.instance,
            element_id=ei.node.id,
            element_instance_key=ei.key,
            job_key=job.key if job else None,
            created_at=now_ms(),
        )
        ei.incident = incident
        self.incidents[incident.key] = incident
        run.instance.open_incidents += 1

    def resolve_incident(self, incident_key: int) -> None:
        """Resolve an incident and retry what failed; see `EmbeddedEngine.resolve_incident`."""
        incident = self.get_incident(incident_key)
        run, ei = self.element_scope(incident.element_instance_key)
        job = ei.job
        if job is not None:
            self.service_task.check_resolvable(incident, job)
        self.close_incident(incident)
        ei.incident = None
        if job is not None:
            self.service_task.retry(job)
        else:
            # An expression failed while entering the element: enter it afresh.
            del run.elements[ei.key]
            self._scopes.pop(ei.key, None)
            self._work.append((run, ei.node, None))
            self.drain()

    def close_incident(self, incident: Incident) -> None:
        """Mark an open incident resolved (no-op when already closed)."""
        if self.incidents.pop(incident.key, None) is not None:
            incident.resolved = True
            incident.instance.open_incidents -= 1

    # ------------------------------------------------------------ token flow

    def take_outgoing(self, run: InstanceRun, node: FlowNode) -> None:
        """Queue a token on every outgoing flow of ``node``."""
        for flow in node.outgoing:
            self._work.append((run, run.graph.nodes[flow.target], flow))

    def drain(self) -> None:
        """Move queued tokens until every token waits; end instances left idle."""
        touched: set[int] = set()
        while self._work:
            run, node, flow = self._work.popleft()
            if run.instance.ended:
                continue
            touched.add(run.instance.key)
            if node.kind is not NodeKind.SERVICE_TASK:  # a task's record waits with it
                self.record_activity(run, node)
            self._handlers[node.kind](run, node, flow)
        for key in touched:
            self._end_if_idle(self.runs[key])

    def record_activity(
        self, run: InstanceRun, node: FlowNode, *, waiting: ElementInstance | None = None
    ) -> ActivityRecord:
        """Write the history of a token passing ``node`` (or, with ``waiting``, entering
        the element where it waits until `leave_element` or `drop_element`)."""
        now = now_ms()
        instance = run.instance
        record = ActivityRecord(
            id=f"{node.id}:{instance.key}.{len(instance.activities)}",
            element_id=node.id,
            element_type=node.kind.value,
            name=node.name,
            execution_key=instance.key if waiting is None else waiting.key,
            started_at=now,
            ended_at=None if waiting is not None else now,
        )
        instance.activities.append(record)
        if waiting is not None:
            self._activities[waiting.key] = record
        return record

    def _close_activity(self, ei: ElementInstance, *, canceled: bool) -> None:
        record = self._activities.pop(ei.key, None)
        if record is not None:
            record.ended_at = now_ms()
            record.canceled = canceled

    def new_element(self, run: InstanceRun, node: FlowNode) -> ElementInstance:
        """Create a waiting element instance (a scope) in ``node``."""
        ei = ElementInstance(key=self.next_key(), node=node)
        run.elements[ei.key] = ei
        self._scopes[ei.key] = (run, ei)
        return ei

    def leave_element(self, run: InstanceRun, ei: ElementInstance) -> None:
        """The token leaves a waiting element through its outgoing flows."""
        del run.elements[ei.key]
        self._scopes.pop(ei.key, None)
        self._close_activity(ei, canceled=False)
        self.take_outgoing(run, ei.node)

    def drop_element(self, run: InstanceRun, ei: ElementInstance) -> None:
        """Remove a waiting element with its job and incident; no flow is taken."""
        if ei.job is not None:
            self.board.finish(ei.job)
        if ei.incident is not None:
            self.close_incident(ei.incident)
        run.elements.pop(ei.key, None)
        self._scopes.pop(ei.key, None)
        self._close_activity(ei, canceled=True)

    def end_path(self, run: InstanceRun, ei: ElementInstance) -> None:
        """Drop a waiting element and end the instance if nothing else is active."""
        self.drop_element(run, ei)
        self._end_if_idle(run)

    def _end_if_idle(self, run: InstanceRun) -> None:
        if not run.instance.ended and run.idle():
            self._end(run, InstanceState.COMPLETED)

    def _end(self, run: InstanceRun, state: InstanceState) -> None:
        inst = run.instance
        inst.ended_state = state
        inst.ended_at = now_ms()
        last = inst.activities[-1] if inst.activities else None
        if state is InstanceState.COMPLETED and last and last.element_type == "endEvent":
            last.completes_scope = True
        if run.ended is not None:
            run.ended.set()
        self._ended.append(inst.key)
        while len(self._ended) > self.history_limit:
            self.runs.pop(self._ended.popleft(), None)

    # --------------------------------------------------------------- handlers

    def _pass_through(self, run: InstanceRun, node: FlowNode, via: SequenceFlow | None) -> None:
        # Start and boundary events are never entered through a flow; pass the token on.
        self.take_outgoing(run, node)

    def _end_event(self, run: InstanceRun, node: FlowNode, via: SequenceFlow | None) -> None:
        # The token is consumed; `drain` ends the instance once nothing else is active.
        return

    def _parallel_gateway(self, run: InstanceRun, node: FlowNode, via: SequenceFlow | None) -> None:
        if len(node.incoming) <= 1 or via is None:
            self.take_outgoing(run, node)
            return
        # The join: count arrivals per incoming flow; fire once every flow has one.
        counts = run.joins.setdefault(node.id, {})
        counts[via.id] = counts.get(via.id, 0) + 1
        if all(counts.get(f, 0) > 0 for f in node.incoming):
            for f in node.incoming:
                counts[f] -= 1
            self.take_outgoing(run, node)

    def _exclusive_gateway(
        self, run: InstanceRun, node: FlowNode, via: SequenceFlow | None
    ) -> None:
        if len(node.outgoing) <= 1 and all(f.condition is None for f in node.outgoing):
            self.take_outgoing(run, node)
            return
        view = self.view(run, None)
        chosen: SequenceFlow | None = None
        try:
            for flow in node.outgoing:
                if flow.id == node.default_flow:
                    continue
                if flow.condition is None or flow.condition(view) is True:
                    chosen = flow
                    break
        except Exception as exc:  # any expression failure becomes an incident
            ei = self.new_element(run, node)
            self.raise_incident(
                run,
                ei,
                IncidentType.CONDITION_ERROR,
                f"Failed to evaluate condition of gateway '{node.id}': {exc}",
            )
            return
        if chosen is None and node.default_flow is not None:
            chosen = next(f for f in node.outgoing if f.id == node.default_flow)
        if chosen is None:
            ei = self.new_element(run, node)
            self.raise_incident(
                run,
                ei,
                IncidentType.CONDITION_ERROR,
                f"Expected at least one condition of gateway '{node.id}' to evaluate to true, "
                "or to have a default flow",
            )
            return
        self._work.append((run, run.graph.nodes[chosen.target], chosen))


class ServiceTask:
    """The whole life of a service task, from entering it to leaving it.

    Entering evaluates the input mappings, the job type and retries and posts a job on
    the board. The job's worker then completes it (output mappings, the token leaves),
    fails it (retries, backoff, or a no-retries incident) or throws a BPMN error (an
    error boundary event catches it, else an incident, or Camunda 7's quiet end).
    """

    def __init__(self, flow: Flow) -> None:
        self._flow = flow
        self._board = flow.board

    def enter(self, run: InstanceRun, node: FlowNode, via: SequenceFlow | None) -> None:
        """Create the element instance and post its job (or open an incident)."""
        flow = self._flow
        task = node.task
        assert task is not None
        ei = flow.new_element(run, node)
        flow.record_activity(run, node, waiting=ei)
        try:
            view = flow.view(run, None)
            for mapping in task.inputs:
                flow.write_target(ei.local, mapping, mapping.source(view))
        except Exception as exc:  # any expression failure becomes an incident
            flow.raise_incident(
                run, ei, IncidentType.IO_MAPPING_ERROR, f"Failed to evaluate input mapping: {exc}"
            )
            return
        try:
            if task.type_expression is not None:
                job_type = str(task.type_expression(flow.view(run, ei)))
            else:
                job_type = task.type or ""
            retries = task.retries
            if task.retries_expression is not None:
                retries = int(task.retries_expression(flow.view(run, ei)))
        except Exception as exc:  # any expression failure becomes an incident
            flow.raise_incident(
                run,
                ei,
                IncidentType.EXTRACT_VALUE_ERROR,
                f"Failed to evaluate job type or retries of '{node.id}': {exc}",
            )
            return
        job = JobRecord(
            key=flow.next_key(),
            type=job_type,
            instance=run.instance,
            element_id=node.id,
            element_instance_key=ei.key,
            retries=retries,
            custom_headers=task.headers,
            extension_properties=task.extension_properties,
            created_at=now_ms(),
            priority=task.priority,
        )
        ei.job = job
        self._board.post(job)

    def complete(
        self,
        job: JobRecord,
        *,
        variables: Mapping[str, Any] | None,
        local_variables: Mapping[str, Any] | None,
    ) -> None:
        """The job is done: write its variables and outputs, and leave the task."""
        flow = self._flow
        run, ei = flow.element_scope(job.element_instance_key)
        self._board.finish(job)
        if local_variables:
            ei.local.update({k: as_typed(v) for k, v in local_variables.items()})
        typed = {k: as_typed(v) for k, v in (variables or {}).items()}
        task = ei.node.task
        assert task is not None
        if task.outputs and task.flavour == "camunda8":
            ei.local.update(typed)
        else:
            flow.propagate(run, ei, typed)
        if task.outputs:
            view = flow.view(run, ei)
            try:
                results = [(m, m.source(view)) for m in task.outputs]
            except Exception as exc:  # any expression failure becomes an incident
                ei.job = None
                flow.raise_incident(
                    run,
                    ei,
                    IncidentType.IO_MAPPING_ERROR,
                    f"Failed to evaluate output mapping: {exc}",
                )
                return
            for mapping, value in results:
                flow.write_target(run.instance.variables, mapping, value)
        flow.leave_element(run, ei)
        flow.drain()

    def fail(
        self,
        job: JobRecord,
        *,
        retries: int,
        error_message: str | None,
        error_details: str | None,
        retry_backoff: float,
        variables: Mapping[str, Any] | None,
    ) -> None:
        """A failed attempt: the job is offered again, or a no-retries incident opens."""
        flow = self._flow
        run, ei = flow.element_scope(job.element_instance_key)
        if variables:
            ei.local.update({k: as_typed(v) for k, v in variables.items()})
        out_of_retries = self._board.record_failure(
            job,
            retries=retries,
            error_message=error_message,
            error_details=error_details,
            retry_backoff=retry_backoff,
        )
        if out_of_retries:
            flow.raise_incident(
                run,
                ei,
                IncidentType.JOB_NO_RETRIES,
                error_message or "No more retries left.",
                job=job,
            )

    def throw_error(
        self,
        job: JobRecord,
        *,
        error_code: str,
        error_message: str | None,
        variables: Mapping[str, Any] | None,
        end_if_uncaught: bool,
    ) -> None:
        """A BPMN error: continue at the catching boundary event, else see below.

        Uncaught, the job waits in an ``UNHANDLED_ERROR_EVENT`` incident, or with
        ``end_if_uncaught`` (Camunda 7) the task's path ends without taking its flows.
        """
        flow = self._flow
        run, ei = flow.element_scope(job.element_instance_key)
        boundary = self._find_catch(ei.node, error_code)
        if boundary is None and end_if_uncaught:
            flow.propagate(run, ei, {k: as_typed(v) for k, v in (variables or {}).items()})
            flow.end_path(run, ei)
            return
        if boundary is None:
            self._board.record_uncaught_error(job, error_message=error_message)
            flow.raise_incident(
                run,
                ei,
                IncidentType.UNHANDLED_ERROR_EVENT,
                f"Expected to throw an error event with the code '{error_code}'"
                + (f" with message '{error_message}'" if error_message else "")
                + ", but it was not caught. No error events are available in the scope.",
                job=job,
            )
            return
        self._board.finish(job)
        flow.drop_element(run, ei)
        updates = {k: as_typed(v) for k, v in (variables or {}).items()}
        if boundary.error_code_variable:
            updates[boundary.error_code_variable] = TypedValue(error_code)
        if boundary.error_message_variable:
            updates[boundary.error_message_variable] = TypedValue(error_message)
        run.instance.variables.update(updates)
        flow.record_activity(run, boundary)
        flow.take_outgoing(run, boundary)
        flow.drain()

    def set_retries(self, job: JobRecord, retries: int, *, resolve_incident: bool) -> None:
        """New retries; 0 on a waiting job opens an incident (Camunda 7 ``setRetries``)."""
        flow = self._flow
        job.retries = retries
        run, ei = flow.element_scope(job.element_instance_key)
        if retries == 0 and job.state in (JobState.ACTIVATABLE, JobState.BACKOFF):
            self._board.park(job, JobState.FAILED)
            flow.raise_incident(
                run,
                ei,
                IncidentType.JOB_NO_RETRIES,
                job.error_message or "No retries left.",
                job=job,
            )
        elif retries > 0 and resolve_incident and ei.incident is not None:
            flow.resolve_incident(ei.incident.key)

    @staticmethod
    def check_resolvable(incident: Incident, job: JobRecord) -> None:
        """A no-retries incident can only be resolved once the job has retries again.

        Raises:
            InvalidStateError: the job still has no retries left.
        """
        if incident.type is IncidentType.JOB_NO_RETRIES and not job.retries:
            raise InvalidStateError(
                f"Expected to resolve incident '{incident.key}', but job '{job.key}' has no "
                "retries left; update its retries first"
            )

    def retry(self, job: JobRecord) -> None:
        """Offer the job again after its incident was resolved."""
        job.retry_at = None
        self._board.make_activatable(job)

    @staticmethod
    def _find_catch(node: FlowNode, error_code: str) -> FlowNode | None:
        exact = next((b for b in node.boundaries if b.error_code == error_code), None)
        return exact or next((b for b in node.boundaries if b.error_code is None), None)
