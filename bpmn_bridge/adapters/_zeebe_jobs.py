"""Zeebe job messages to core jobs, and core values to the JSON documents Zeebe takes.

Zeebe variables are JSON. Python values JSON has no type for are converted, one rule each,
chosen so FEEL can still use the result:

* ``datetime``, ``date``, ``time`` -> ISO-8601 text (FEEL ``date and time("...")`` parses it);
* ``timedelta`` -> ISO-8601 duration text (``PT1.5S``), FEEL's ``duration("...")`` format;
* ``Decimal`` -> JSON number (a float: Zeebe stores numbers as doubles anyway);
* ``bytes``, ``bytearray``, ``memoryview`` -> standard base64 text with padding (JSON has no
  binary type; base64 is what Camunda's Java client does with ``byte[]`` via Jackson);
* ``UUID`` -> text; ``Enum`` -> its value; ``set`` / ``frozenset`` -> list (sorted when the
  items can be sorted, so the document does not change from run to run).

NaN and infinity are refused (JSON has neither), as is any other type.
"""

from __future__ import annotations

import base64
import enum
import json
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from pyzeebe.proto import gateway_pb2 as pb

from bpmn_bridge.core import EngineRejectedError, InputError, Job, JobInfo, format_duration

__all__ = ["MAX_ERROR_MESSAGE", "dumps_variables", "error_message", "job_from_message"]

MAX_ERROR_MESSAGE = 6000
"""Characters of a failure message sent to Zeebe. Incidents show it in Operate and it is
written to the broker's log with every retry; a stack trace beyond this helps nobody there."""


def job_from_message(message: pb.ActivatedJob, *, engine: str) -> Job:
    """The core job for one activated Zeebe job.

    Args:
        message: The job as the gateway sent it.
        engine: The engine's configured name.

    Returns:
        The job, with variables and custom headers decoded from their JSON documents.
    """
    info = JobInfo(
        engine=engine,
        id=str(message.key),
        type=message.type,
        process_instance_id=str(message.processInstanceKey),
        bpmn_process_id=message.bpmnProcessId,
        process_definition_id=str(message.processDefinitionKey),
        process_definition_version=message.processDefinitionVersion,
        element_id=message.elementId,
        element_instance_id=str(message.elementInstanceKey),
        tenant_id=message.tenantId or None,
        retries=message.retries,
        deadline=datetime.fromtimestamp(message.deadline / 1000, tz=UTC)
        if message.deadline
        else None,
        worker=message.worker,
    )
    try:
        variables = json.loads(message.variables) if message.variables else {}
    except (ValueError, RecursionError):
        # One job's variables must not fail the whole activation batch: the job carries
        # the problem to the pipeline, which raises an incident for it alone.
        variables = _Undecodable()
    headers = json.loads(message.customHeaders) if message.customHeaders else {}
    return Job(
        info=info,
        variables=variables if isinstance(variables, dict | _Undecodable) else {},
        headers={str(k): v if isinstance(v, str) else json.dumps(v) for k, v in headers.items()},
    )


class _Undecodable(Mapping[str, Any]):
    """Variables Python cannot decode (JSON nested past its recursion limit).

    Any use raises :class:`InputError`, which the pipeline turns into an incident.
    """

    def _refuse(self) -> InputError:
        return InputError(
            "The job's variables cannot be decoded: the JSON document nests too deeply"
        )

    def __getitem__(self, key: str) -> Any:
        raise self._refuse()

    def __iter__(self) -> Iterator[str]:
        raise self._refuse()

    def __len__(self) -> int:
        raise self._refuse()


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return "-" + format_duration(-value) if value < timedelta(0) else format_duration(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        return float(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset):
        try:
            return sorted(value)
        except TypeError:
            return list(value)
    raise TypeError(f"values of type {type(value).__name__} cannot be sent as JSON")


_ENCODER = json.JSONEncoder(default=_encode, allow_nan=False, separators=(",", ":"))
"""One encoder for every document: ``json.dumps`` with options builds a new one per call."""


def dumps_variables(variables: Mapping[str, Any], what: str) -> str:
    """Encode variables as the JSON object document Zeebe expects.

    Args:
        variables: The variables to set.
        what: The operation, for the error message.

    Returns:
        The JSON text; an empty string when there are no variables.

    Raises:
        EngineRejectedError: A value cannot be represented in JSON; the message names the
            variable.
    """
    if not variables:
        return ""
    try:
        return _ENCODER.encode(dict(variables))
    except (TypeError, ValueError):
        for name, value in variables.items():
            try:
                json.dumps(value, default=_encode, allow_nan=False)
            except (TypeError, ValueError) as exc:
                raise EngineRejectedError(
                    f"{what}: variable {name!r} cannot be sent to Zeebe: {exc}"
                ) from exc
        raise


def milliseconds(duration: timedelta) -> int:
    """A backoff or timeout as Camunda 8's whole, non-negative milliseconds."""
    return max(0, round(duration.total_seconds() * 1000))


def error_message(message: str, details: str) -> str:
    """The ``errorMessage`` Zeebe stores for a failure: the message, then the details,
    cut to :data:`MAX_ERROR_MESSAGE` characters with a note saying how much was cut.

    Args:
        message: One line saying what went wrong.
        details: More (a stack trace, a response body); may be empty.

    Returns:
        The text to send.
    """
    text = f"{message}\n\n{details}" if details else message
    if len(text) <= MAX_ERROR_MESSAGE:
        return text
    note = "... [{} more characters cut by bpmn-bridge]"
    cut = len(text) - MAX_ERROR_MESSAGE + len(note.format(len(text)))
    return text[: len(text) - cut] + note.format(cut)
