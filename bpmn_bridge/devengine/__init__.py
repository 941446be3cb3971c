"""bpmn_bridge.devengine: an embedded in-memory BPMN engine for development and tests.

Never for production: state lives in memory only. `DevEngineCore` is the engine; the
Zeebe gateway (gRPC) and the Camunda 7 REST API are network fronts on top of it.
"""

from ._engine import DEFAULT_TENANT, DevEngineCore, JobStream
from ._errors import (
    BpmnModelError,
    DevEngineError,
    IncidentNotFoundError,
    InvalidArgumentError,
    InvalidStateError,
    JobLockedByOtherWorkerError,
    JobNotFoundError,
    NotFoundError,
    ProcessDefinitionNotFoundError,
    ProcessInstanceNotFoundError,
)
from ._model import (
    ActivatedJob,
    Deployment,
    ElementInstanceInfo,
    Incident,
    IncidentType,
    InstanceState,
    Job,
    JobFilter,
    JobState,
    ProcessDefinition,
    ProcessInstance,
    TypedValue,
)
from ._server import DevEngine

__all__ = [
    "DEFAULT_TENANT",
    "ActivatedJob",
    "BpmnModelError",
    "Deployment",
    "DevEngine",
    "DevEngineCore",
    "DevEngineError",
    "ElementInstanceInfo",
    "Incident",
    "IncidentNotFoundError",
    "IncidentType",
    "InstanceState",
    "InvalidArgumentError",
    "InvalidStateError",
    "Job",
    "JobFilter",
    "JobLockedByOtherWorkerError",
    "JobNotFoundError",
    "JobState",
    "JobStream",
    "NotFoundError",
    "ProcessDefinition",
    "ProcessDefinitionNotFoundError",
    "ProcessInstance",
    "ProcessInstanceNotFoundError",
    "TypedValue",
]
