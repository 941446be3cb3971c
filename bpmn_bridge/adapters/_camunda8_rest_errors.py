"""Camunda 8 REST answers (RFC 9457 ``ProblemDetail``) → the core's EngineError tree.

The one place the REST adapter judges an HTTP status::

    404 on a job command (completed, cancelled, timed out and taken)  -> JobNotFoundError
    400, 401, 403, 405, 409, 413, 415, 422 (a verdict on the request)  -> EngineRejectedError
    429, 5xx (incl. 503 RESOURCE_EXHAUSTED back pressure), an answer
    that is not Camunda's (a proxy's page, a wrong base URL)           -> EngineUnavailableError

As with gRPC, anything not known to be a verdict on the request itself lets the runtime back
off and retry: that is what Camunda asks of clients under back pressure.
"""

from __future__ import annotations

import json
from typing import Any

from bpmn_bridge.core import (
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
    JobNotFoundError,
)

__all__ = ["error_for_problem"]

_REJECTED = frozenset({400, 401, 403, 405, 409, 413, 415, 422})


def _problem(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content)
    except ValueError:  # also UnicodeDecodeError
        return None
    if isinstance(body, dict) and ("title" in body or "detail" in body):
        return body
    return None


def error_for_problem(
    status: int, content: bytes, *, engine: str, action: str, job_id: str | None = None
) -> EngineError:
    """The core error for a Camunda 8 REST answer that is not a success.

    Args:
        status: The HTTP status (300 or above).
        content: The answer's body, a ``ProblemDetail`` document when Camunda sent it.
        engine: The engine's configured name.
        action: What was asked, e.g. ``"complete"``.
        job_id: The job key for job commands.

    Returns:
        The error to raise (not raised), carrying engine, action, status and job.
    """
    problem = _problem(content)
    if problem is not None:
        title = str(problem.get("title") or "")
        detail = str(problem.get("detail") or "")
        text = f"{title}: {detail}" if title and detail else title or detail
    else:
        text = content[:200].decode(errors="replace")
    message = f"{engine}: {action} failed with HTTP {status}: {text}".rstrip(": ")
    facts: dict[str, Any] = {"engine": engine, "action": action, "status": status, "job_id": job_id}
    if problem is None and status < 500 and status not in (401, 403):
        # Not Camunda's own answer (a proxy's page, a wrong base URL): nothing to judge
        # the request by, so let the runtime retry rather than raise an incident.
        return EngineUnavailableError(f"{message} (is the address the REST API's root?)", **facts)
    if status == 404 and job_id is not None:
        return JobNotFoundError(message, **facts)
    if status in _REJECTED:
        return EngineRejectedError(message, **facts)
    if "RESOURCE_EXHAUSTED" in message:
        return EngineUnavailableError(f"{message} (back pressure: backing off)", **facts)
    return EngineUnavailableError(message, **facts)
