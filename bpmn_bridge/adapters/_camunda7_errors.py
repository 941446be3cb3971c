"""Camunda 7 REST answers and aiohttp transport errors → the core's EngineError tree.

What the real engine (7.24) answers, and what it means for a worker:

- ``404 {"type": "RestException", "message": "External task with id … does not exist"}``:
  completed, cancelled or its process instance deleted → ``JobNotFoundError``.
- ``400 {"type": "RestException", "message": "… cannot be completed by worker 'w1'. It is
  locked by worker 'w2'."}`` (also ``… locked by worker 'null'`` once unlocked): the lease
  went to someone else → ``JobNotFoundError``, the same outcome as a lost Zeebe job.
- ``500`` whose message says the task ``does not exist`` / ``Cannot find external task``
  (older engines) → ``JobNotFoundError``.
- ``400`` otherwise (``InvalidRequestException``: a variable that does not convert, a long
  poll over 30 minutes) → ``EngineRejectedError``.
- ``500 {"type": "ProcessEngineException", …}``: the engine ran the command and refused it
  (an output mapping failed, ``maxResults`` negative, a String over its text column:
  ``ProcessEnginePersistenceException`` code 10002) → ``EngineRejectedError``; except
  ``OptimisticLockingException`` (code 1) and deadlocks (code 10000), which a retry may
  cure → ``EngineUnavailableError``.
- ``401`` / ``403`` → ``EngineRejectedError`` (credentials or authorizations are wrong;
  reconnecting will not fix them).
- Any other 5xx, a 5xx that is not the engine's JSON (a proxy's page), connection
  failures and timeouts → ``EngineUnavailableError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp

from bpmn_bridge.core import (
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
    JobNotFoundError,
)

__all__ = ["error_for_response", "translate_transport_errors"]

# Older engines and other paths report a vanished task as a 500 with these words.
_GONE_HINTS = ("does not exist", "Cannot find external task")
_TRANSIENT_TYPES = frozenset({"OptimisticLockingException", "CrdbTransactionRetryException"})
_TRANSIENT_CODES = frozenset({1, 10000})  # Camunda's built-in optimistic locking, deadlock


def _engine_body(content: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(content)
    except ValueError:  # also UnicodeDecodeError
        return None
    if isinstance(body, dict) and isinstance(body.get("type"), str):
        return body
    return None


def error_for_response(
    status: int, content: bytes, *, engine: str, action: str, job_id: str | None = None
) -> EngineError:
    """The core error for an engine answer that is not a success.

    Args:
        status: The answer's HTTP status (300 or above).
        content: The answer's body.
        engine: The engine's configured name, for the message.
        action: What was asked, e.g. ``"complete"``.
        job_id: The external task's id for job operations; None for fetch and check.

    Returns:
        The error to raise, carrying ``engine``, ``action``, ``status`` and ``job_id``.
    """
    body = _engine_body(content)
    detail = str(body.get("message", "")) if body else content[:200].decode(errors="replace")
    message = f"{engine}: {action} failed with HTTP {status}: {detail}".rstrip(": ")
    facts: dict[str, Any] = {
        "engine": engine,
        "action": action,
        "status": status,
        "job_id": job_id,
    }
    gone = "locked by worker" in detail or any(hint in detail for hint in _GONE_HINTS)
    if job_id is not None and (status == 404 or gone):
        if status == 404 and body is None:
            # Not the engine's own "does not exist": the URL leads somewhere else.
            return EngineUnavailableError(message, **facts)
        return JobNotFoundError(message, **facts)
    if status in (401, 403):
        return EngineRejectedError(message, **facts)
    if status >= 500:
        if body is None:
            return EngineUnavailableError(message, **facts)
        if body.get("type") in _TRANSIENT_TYPES or body.get("code") in _TRANSIENT_CODES:
            return EngineUnavailableError(message, **facts)
        return EngineRejectedError(message, **facts)
    if status == 404:
        return EngineUnavailableError(f"{message} (is the base URL the engine-rest root?)", **facts)
    return EngineRejectedError(message, **facts)


@contextmanager
def translate_transport_errors(
    *, engine: str, action: str, url: str, job_id: str | None = None
) -> Iterator[None]:
    """Raise ``EngineUnavailableError`` for any transport failure or timeout in the block.

    Args:
        engine: The engine's configured name.
        action: What was asked.
        url: The engine's base URL, for the message.
        job_id: The external task's id for job operations.

    Raises:
        EngineUnavailableError: The request did not get an answer (``status`` is ``None``).
    """
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise EngineUnavailableError(
            f"{engine}: {action} could not reach {url}: {type(exc).__name__}: {exc}",
            engine=engine,
            action=action,
            job_id=job_id,
        ) from exc
