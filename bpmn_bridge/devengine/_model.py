"""Records the development engine hands to its fronts and tests.

The engine owns its state; the objects below are either frozen snapshots
(`ActivatedJob`, `Deployment`, `ProcessDefinition`, `JobFilter`) or live engine records
(`ProcessInstance`, `JobRecord`, `Incident`) that callers must treat as read-only — change
state only through `EmbeddedEngine` methods.

Times are wall-clock epoch milliseconds (what both protocols report); durations passed to
the engine are seconds as ``float``. Keys are positive int64 values in Zeebe's layout
(partition 1 in the upper bits), so the Zeebe front passes them through unchanged and the
Camunda 7 front renders them as strings.
"""

from __future__ import annotations

import base64
import enum
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._graph import ProcessGraph

__all__ = [
    "ActivatedJob",
    "ActivityRecord",
    "Deployment",
    "ElementInstanceInfo",
    "Incident",
    "IncidentType",
    "InstanceState",
    "JobFilter",
    "JobRecord",
    "JobState",
    "ProcessDefinition",
    "ProcessInstance",
    "TypedValue",
]

DEFAULT_TENANT = "<default>"
"""Zeebe's name for "no tenant"; accepted wherever the engine takes a tenant filter."""


def norm_tenant(tenant_id: str | None) -> str | None:
    """``None`` for every spelling of "no tenant", else the tenant id unchanged."""
    return None if tenant_id in (None, "", DEFAULT_TENANT) else tenant_id


def now_ms() -> int:
    """Wall-clock epoch milliseconds, the time unit of every record below."""
    return int(time.time() * 1000)


# Camunda 7 value types whose stored value is a JSON document serialised as a string.
_JSON_TEXT_TYPES = frozenset({"json"})


@dataclass(frozen=True, slots=True)
class TypedValue:
    """A variable value plus optional Camunda 7 type information.

    Values written through the Zeebe protocol are plain JSON values with ``type_name``
    ``None``. Values written through the Camunda 7 REST API keep exactly what the client
    sent (``value`` in its REST representation, ``type_name`` such as ``"String"``,
    ``"Long"``, ``"Date"``, ``"Bytes"``, ``"Json"``, ``"Object"`` and ``value_info``
    such as ``{"objectTypeName": ..., "serializationDataFormat": "application/json"}``),
    so they read back unchanged.

    Attributes:
        value: the value; for Camunda 7 types in REST form (dates as strings, bytes as
            base64 text, ``Json``/``Object`` as serialised JSON text).
        type_name: Camunda 7 type name, or ``None`` for a plain JSON value.
        value_info: Camunda 7 ``valueInfo`` object (empty when not given).
    """

    value: Any
    type_name: str | None = None
    value_info: Mapping[str, Any] = field(default_factory=dict)

    def plain(self) -> Any:
        """Return the value as the Zeebe protocol and FEEL/JUEL expressions see it.

        ``Json`` values and ``Object`` values serialised as ``application/json`` are
        parsed; ``Bytes`` stay base64 text and ``Date`` stays an ISO-8601 string. A value
        that claims to be JSON but does not parse is returned as the raw string.
        """
        if self.type_name is None or not isinstance(self.value, str):
            if isinstance(self.value, bytes | bytearray):
                return base64.b64encode(self.value).decode("ascii")
            return self.value
        kind = self.type_name.lower()
        if kind in _JSON_TEXT_TYPES or (
            kind == "object"
            and str(self.value_info.get("serializationDataFormat", "")).startswith(
                "application/json"
            )
        ):
            try:
                return json.loads(self.value)
            except ValueError:
                return self.value
        return self.value


class InstanceState(enum.Enum):
    """Lifecycle state of a process instance.

    ``INCIDENT`` is an ``ACTIVE`` instance that has at least one open incident.
    """

    ACTIVE = "ACTIVE"
    INCIDENT = "INCIDENT"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


class JobState(enum.Enum):
    """Lifecycle state of an open job (finished jobs are removed)."""

    ACTIVATABLE = "ACTIVATABLE"
    """Waiting to be fetched by a worker."""
    ACTIVATED = "ACTIVATED"
    """Locked by a worker until ``deadline``."""
    BACKOFF = "BACKOFF"
    """Failed with retries left; activatable again at ``retry_at``."""
    FAILED = "FAILED"
    """Failed with no retries left; an incident is open."""
    ERROR_THROWN = "ERROR_THROWN"
    """A BPMN error was thrown and not caught; an incident is open."""


class IncidentType(enum.Enum):
    """Why an incident was raised (Zeebe names; Camunda 7 calls JOB_NO_RETRIES
    ``failedExternalTask``)."""

    JOB_NO_RETRIES = "JOB_NO_RETRIES"
    UNHANDLED_ERROR_EVENT = "UNHANDLED_ERROR_EVENT"
    CONDITION_ERROR = "CONDITION_ERROR"
    IO_MAPPING_ERROR = "IO_MAPPING_ERROR"
    EXTRACT_VALUE_ERROR = "EXTRACT_VALUE_ERROR"


@dataclass(frozen=True, slots=True)
class ProcessDefinition:
    """One deployed version of a BPMN process.

    Attributes:
        key: unique int64 key (Zeebe ``processDefinitionKey``).
        id: Camunda 7 style id, ``"<bpmn_process_id>:<version>:<key>"``.
        bpmn_process_id: the ``<process id="...">`` (Camunda 7 calls it the definition key).
        version: 1-based version per (bpmn_process_id, tenant).
        name: the process name, if any.
        version_tag: ``camunda:versionTag`` / ``zeebe:versionTag``, if any.
        resource_name: name of the deployed resource.
        tenant_id: tenant or ``None``; the Zeebe front shows ``None`` as ``<default>``.
        deployment_key: key of the deployment that created this version.
        flavour: ``"camunda8"`` (zeebe: extensions), ``"camunda7"`` (camunda:
            extensions), ``"mixed"`` or ``"plain"`` (no vendor extensions).
        namespaces: vendor extension namespaces the model used.
        resource: the raw XML as deployed.
        graph: the executable model (engine internal).
    """

    key: int
    id: str
    bpmn_process_id: str
    version: int
    name: str | None
    version_tag: str | None
    resource_name: str
    tenant_id: str | None
    deployment_key: int
    flavour: str
    namespaces: tuple[str, ...]
    resource: bytes = field(repr=False)
    graph: ProcessGraph = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Deployment:
    """The result of one deploy call.

    Attributes:
        key: unique int64 key; ``id`` is its string form (Camunda 7 deployment id).
        name: deployment name (defaults to the resource name).
        tenant_id: tenant or ``None``.
        deployed_at: epoch milliseconds.
        processes: definitions in this deployment (existing ones when deduplicated).
    """

    key: int
    name: str
    tenant_id: str | None
    deployed_at: int
    processes: tuple[ProcessDefinition, ...]

    @property
    def id(self) -> str:
        """The deployment key as a string (Camunda 7 deployment id)."""
        return str(self.key)


@dataclass(eq=False, slots=True)
class ActivityRecord:
    """One pass of a token through a flow node: Camunda 7's historic activity instance.

    Attributes:
        id: unique in the engine, ``<element id>:<instance key>.<n>``.
        element_id / element_type / name: the flow node (``element_type`` is the BPMN
            kind, e.g. ``serviceTask``, ``endEvent``, ``boundaryEvent``).
        execution_key: the waiting element's key (a service task), else the instance's.
        started_at / ended_at: epoch milliseconds; ``ended_at`` is None while it waits.
        canceled: the token was taken away (boundary error, cancellation), not passed on.
        completes_scope: an end event whose token ended the instance.
    """

    id: str
    element_id: str
    element_type: str
    name: str | None
    execution_key: int
    started_at: int
    ended_at: int | None = None
    canceled: bool = False
    completes_scope: bool = False


@dataclass(eq=False, slots=True)
class ProcessInstance:
    """A running or ended process instance (live engine record; read-only for callers).

    Attributes:
        key: int64 key (Camunda 7 ``processInstanceId`` is ``str(key)``).
        definition: the definition it runs.
        business_key: Camunda 7 business key, if any.
        tenant_id: tenant or ``None``.
        variables: root scope variables.
        started_at / ended_at: epoch milliseconds.
        open_incidents: number of open incidents.
        activities: every flow node the instance's tokens passed or wait in, in order.
    """

    key: int
    definition: ProcessDefinition
    business_key: str | None
    tenant_id: str | None
    variables: dict[str, TypedValue]
    started_at: int
    ended_at: int | None = None
    ended_state: InstanceState | None = None
    open_incidents: int = 0
    activities: list[ActivityRecord] = field(default_factory=list)

    @property
    def state(self) -> InstanceState:
        """Current state; ``INCIDENT`` when active with open incidents."""
        if self.ended_state is not None:
            return self.ended_state
        return InstanceState.INCIDENT if self.open_incidents else InstanceState.ACTIVE

    @property
    def ended(self) -> bool:
        """Whether the instance has completed or been canceled."""
        return self.ended_state is not None

    def plain_variables(self) -> dict[str, Any]:
        """Root variables as plain JSON-compatible values (see `TypedValue.plain`)."""
        return {name: value.plain() for name, value in self.variables.items()}


@dataclass(eq=False, slots=True)
class JobRecord:
    """The engine's record of an open job (Zeebe job / Camunda 7 external task).

    A live record, read-only for callers. Named apart from `bpmn_bridge.core.Job`, which is
    what a worker receives on the other side of the wire.

    Attributes:
        key: int64 key (Camunda 7 external task id is ``str(key)``).
        type: job type / Camunda 7 topic name.
        instance: the owning process instance.
        element_id: id of the service task.
        element_instance_key: key of the task's element instance (also its variable scope;
            Camunda 7 activity instance / execution id).
        retries: retries left; ``None`` for Camunda 7 tasks that never failed.
        state: see `JobState`.
        worker: the worker that activated it last, or ``None``.
        deadline: lock expiry in epoch ms while ``ACTIVATED``.
        retry_at: epoch ms when a ``BACKOFF`` job becomes activatable.
        error_message / error_details: from the last failure.
        custom_headers: ``zeebe:taskHeaders``.
        extension_properties: ``camunda:properties``.
        priority: Camunda 7 task priority (0 unless modelled).
        created_at: epoch milliseconds.
    """

    key: int
    type: str
    instance: ProcessInstance
    element_id: str
    element_instance_key: int
    retries: int | None
    custom_headers: Mapping[str, str]
    extension_properties: Mapping[str, str]
    created_at: int
    priority: int = 0
    state: JobState = JobState.ACTIVATABLE
    worker: str | None = None
    deadline: int | None = None
    retry_at: int | None = None
    error_message: str | None = None
    error_details: str | None = None
    activation_count: int = 0

    @property
    def process_instance_key(self) -> int:
        """Key of the owning process instance."""
        return self.instance.key

    @property
    def definition(self) -> ProcessDefinition:
        """Definition of the owning process instance."""
        return self.instance.definition

    @property
    def business_key(self) -> str | None:
        """Business key of the owning process instance."""
        return self.instance.business_key

    @property
    def tenant_id(self) -> str | None:
        """Tenant of the owning process instance."""
        return self.instance.tenant_id


@dataclass(eq=False, slots=True)
class Incident:
    """An open (or resolved) incident; live record, read-only for callers.

    Attributes:
        key: int64 key.
        type: see `IncidentType`.
        message: human readable cause.
        instance: the affected process instance.
        element_id / element_instance_key: where it happened.
        job_key: the job, for job incidents.
        created_at: epoch milliseconds.
        resolved: whether it has been resolved.
    """

    key: int
    type: IncidentType
    message: str
    instance: ProcessInstance
    element_id: str
    element_instance_key: int
    job_key: int | None
    created_at: int
    resolved: bool = False

    @property
    def process_instance_key(self) -> int:
        """Key of the affected process instance."""
        return self.instance.key


@dataclass(frozen=True, slots=True)
class ElementInstanceInfo:
    """Snapshot of an active flow element instance (a wait state).

    Attributes:
        key: int64 key (Camunda 7 activity instance / execution id as string).
        element_id: BPMN element id.
        element_type: BPMN type, e.g. ``serviceTask``.
        job_key: the open job of a service task, if any.
        variables: the element's local variables.
    """

    key: int
    element_id: str
    element_type: str
    job_key: int | None
    variables: Mapping[str, TypedValue]


@dataclass(frozen=True, slots=True)
class JobFilter:
    """What a worker wants to activate: one Zeebe ActivateJobs type or one Camunda 7
    fetchAndLock topic.

    Attributes:
        type: job type / topic name (required, non-blank).
        lock_duration: seconds the job stays locked to the worker (Zeebe ``timeout``,
            Camunda 7 ``lockDuration``); must be > 0.
        variables: names of variables to return, ``None`` for all (Zeebe
            ``fetchVariable`` — an empty list there means all; Camunda 7 ``variables``).
        local_variables_only: only return the task's local variables (Camunda 7
            ``localVariables``).
        business_key: only jobs of instances with this business key.
        bpmn_process_ids: only these BPMN process ids (Camunda 7 ``processDefinitionKey``).
        process_definition_ids: only these Camunda 7 definition ids.
        process_definition_keys: only these int64 definition keys.
        tenant_ids: only these tenants (``None`` means any); ``"<default>"`` and ``None``
            entries match instances without tenant.
        without_tenant_id: only instances without tenant (Camunda 7).
        process_variables: only instances whose root variables equal these plain values
            (Camunda 7 ``processVariables``).
        flavour: only jobs of definitions deployed in this flavour (``"camunda8"`` for the
            Zeebe front, ``"camunda7"`` for the Camunda 7 front), so one dev engine behaves
            as two engines would: a Zeebe worker never takes a Camunda 7 external task.
    """

    type: str
    lock_duration: float
    variables: tuple[str, ...] | None = None
    local_variables_only: bool = False
    business_key: str | None = None
    bpmn_process_ids: tuple[str, ...] | None = None
    process_definition_ids: tuple[str, ...] | None = None
    process_definition_keys: tuple[int, ...] | None = None
    tenant_ids: tuple[str | None, ...] | None = None
    without_tenant_id: bool = False
    process_variables: Mapping[str, Any] | None = None
    flavour: str | None = None


@dataclass(frozen=True, slots=True)
class ActivatedJob:
    """Snapshot of a job taken at activation, with the variables the worker asked for.

    Attributes mirror `JobRecord`; ``variables`` is the merged view (task-local scope over root
    scope) filtered by the `JobFilter`; ``filter`` is the filter that matched (so a
    Camunda 7 front knows e.g. whether to include extension properties).
    """

    key: int
    type: str
    worker: str
    deadline: int
    retries: int | None
    process_instance_key: int
    business_key: str | None
    tenant_id: str | None
    definition: ProcessDefinition
    element_id: str
    element_instance_key: int
    custom_headers: Mapping[str, str]
    extension_properties: Mapping[str, str]
    priority: int
    error_message: str | None
    error_details: str | None
    created_at: int
    variables: Mapping[str, TypedValue]
    filter: JobFilter

    def plain_variables(self) -> dict[str, Any]:
        """Variables as plain JSON-compatible values (see `TypedValue.plain`)."""
        return {name: value.plain() for name, value in self.variables.items()}
