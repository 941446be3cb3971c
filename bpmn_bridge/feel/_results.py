"""Values produced by the connector error-expression functions ``bpmnError`` and ``jobError``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["BpmnErrorResult", "JobErrorResult"]


@dataclass(frozen=True, slots=True)
class BpmnErrorResult:
    """Result of the FEEL function ``bpmnError(code, message[, variables])``.

    Attributes:
        code: The BPMN error code an error boundary event catches.
        message: Human-readable error message.
        variables: Variables to set at the catching scope.
    """

    code: str
    message: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JobErrorResult:
    """Result of the FEEL function ``jobError(message[, variables, retries, retryBackoff])``.

    Attributes:
        message: Failure message shown in the incident / on the job.
        variables: Variables to set together with the failure.
        retries: Remaining retries to report, or ``None`` to let the runtime decide.
        retry_backoff: ISO-8601 duration string (e.g. ``"PT30S"``) to wait before the next
            retry, or ``None``. Kept as text; the core parses it.
    """

    message: str
    variables: dict[str, Any] = field(default_factory=dict)
    retries: int | None = None
    retry_backoff: str | None = None
