"""bpmn_bridge.devengine: an embedded in-memory BPMN engine for development and tests.

Never for production: state lives in memory only. `EmbeddedEngine` is the engine; the
Zeebe gateway (gRPC) and the Camunda 7 REST API are network fronts on top of it.
"""

import typing
import warnings

from ._engine import DEFAULT_TENANT, EmbeddedEngine, JobStream
from ._errors import (
    BpmnModelError,
    DevEngineError,
    IncidentNotFoundError,
    InvalidArgumentError,
    InvalidStateError,
    JobLockedByOtherWorkerError,
    JobRecordNotFoundError,
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
    JobFilter,
    JobRecord,
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
    "DevEngineError",
    "ElementInstanceInfo",
    "EmbeddedEngine",
    "Incident",
    "IncidentNotFoundError",
    "IncidentType",
    "InstanceState",
    "InvalidArgumentError",
    "InvalidStateError",
    "JobFilter",
    "JobLockedByOtherWorkerError",
    "JobRecord",
    "JobRecordNotFoundError",
    "JobState",
    "JobStream",
    "NotFoundError",
    "ProcessDefinition",
    "ProcessDefinitionNotFoundError",
    "ProcessInstance",
    "ProcessInstanceNotFoundError",
    "TypedValue",
]

# Deprecated names, kept for one release: server-side records were called like the
# connector-side `bpmn_bridge.core.Job` / `JobNotFoundError`, and the embedded engine a
# "core" beside its server `DevEngine`.
_RENAMED = {
    "DevEngineCore": EmbeddedEngine,
    "Job": JobRecord,
    "JobNotFoundError": JobRecordNotFoundError,
}


def __getattr__(name: str) -> typing.Any:
    renamed = _RENAMED.get(name)
    if renamed is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"bpmn_bridge.devengine.{name} is deprecated and will be removed in the next "
        f"release; use {renamed.__name__}",
        DeprecationWarning,
        stacklevel=2,
    )
    return renamed
