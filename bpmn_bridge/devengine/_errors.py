"""Exceptions raised by the embedded development engine.

Every engine operation fails with one of these, so each network front maps them to its
protocol in one place (gRPC status codes for the Zeebe gateway, HTTP statuses and
Camunda 7 exception types for the REST front)::

    BridgeError                        (bpmn_bridge.core: every deliberate error)
    └── DevEngineError
        ├── NotFoundError                  unknown or already finished key/id
        │   ├── ProcessDefinitionNotFoundError
        │   ├── ProcessInstanceNotFoundError
        │   ├── JobRecordNotFoundError
        │   └── IncidentNotFoundError
        ├── InvalidArgumentError           malformed request (bad retries, blank type, ...)
        │   └── BpmnModelError             model not parseable or outside the supported subset
        ├── InvalidStateError              valid request, wrong state (job not activated, ...)
        │   └── JobLockedByOtherWorkerError  the lock is held by (or expired for) another worker
        └── JuelError                      a Camunda 7 expression failed; never leaves the
                                           engine: a syntax error is a BpmnModelError at
                                           deployment, an evaluation error an incident

Suggested mapping: NotFoundError → gRPC NOT_FOUND / HTTP 404; InvalidArgumentError →
INVALID_ARGUMENT / 400; InvalidStateError → FAILED_PRECONDITION / 500 (Camunda 7 reports
``BadUserRequestException`` for lock violations with status 500).
"""

from __future__ import annotations

from bpmn_bridge.core import BridgeError

__all__ = [
    "BpmnModelError",
    "DevEngineError",
    "IncidentNotFoundError",
    "InvalidArgumentError",
    "InvalidStateError",
    "JobLockedByOtherWorkerError",
    "JobRecordNotFoundError",
    "NotFoundError",
    "ProcessDefinitionNotFoundError",
    "ProcessInstanceNotFoundError",
]


class DevEngineError(BridgeError):
    """Base class of every error raised by the development engine."""


class NotFoundError(DevEngineError):
    """The referenced entity does not exist (any more)."""


class ProcessDefinitionNotFoundError(NotFoundError):
    """No process definition matches the given id, key or version."""


class ProcessInstanceNotFoundError(NotFoundError):
    """No (active) process instance has the given key."""


class JobRecordNotFoundError(NotFoundError):
    """No open job has the given key; completed or canceled jobs are gone."""


class IncidentNotFoundError(NotFoundError):
    """No open incident has the given key."""


class InvalidArgumentError(DevEngineError):
    """The request itself is malformed."""


class BpmnModelError(InvalidArgumentError):
    """A BPMN resource cannot be parsed or uses elements outside the supported subset.

    Attributes:
        element_id: id of the offending element, when the problem is one element.
        element_type: BPMN type of that element, e.g. ``userTask``.
    """

    def __init__(
        self,
        message: str,
        *,
        element_id: str | None = None,
        element_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.element_id = element_id
        self.element_type = element_type


class InvalidStateError(DevEngineError):
    """The request is well-formed but the entity is in the wrong state for it."""


class JobLockedByOtherWorkerError(InvalidStateError):
    """The job is locked by a different worker, or the caller's lock expired.

    Camunda 7 rejects complete/fail/extendLock from a worker that does not hold the lock.
    """
