"""The standard headers, read the same way on both engines.

On Camunda 8 they are task headers (``zeebe:taskHeaders``); on Camunda 7 they are extension
properties (``camunda:properties``) of the external task.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from bpmn_bridge.core._durations import parse_duration
from bpmn_bridge.core._errors import InvalidHeaderError
from bpmn_bridge.feel import Expression, FeelError, compile_expression

__all__ = ["NO_HEADERS", "STANDARD_HEADERS", "StandardHeaders", "parse_standard_headers"]

RESULT_VARIABLE = "resultVariable"
RESULT_EXPRESSION = "resultExpression"
ERROR_EXPRESSION = "errorExpression"
RETRIES = "retries"
RETRY_BACKOFF = "retryBackoff"
JOB_TIMEOUT = "jobTimeout"
STANDARD_HEADERS = (
    RESULT_VARIABLE,
    RESULT_EXPRESSION,
    ERROR_EXPRESSION,
    RETRIES,
    RETRY_BACKOFF,
    JOB_TIMEOUT,
)


@dataclass(frozen=True, slots=True)
class StandardHeaders:
    """The standard headers of one job, parsed and validated."""

    result_variable: str | None = None
    result_expression: Expression | None = None
    error_expression: Expression | None = None
    retries: int | None = None
    retry_backoff: timedelta | None = None
    job_timeout: timedelta | None = None


NO_HEADERS = StandardHeaders()
"""A job without standard headers: shared, as the parse result is frozen."""


def parse_standard_headers(headers: Mapping[str, str]) -> StandardHeaders:
    """Parse the standard headers out of a job's headers; other headers are ignored.

    Raises:
        InvalidHeaderError: A standard header's value is not usable; names the header.
    """
    # One scan per job (a list, not a generator, as this runs for every job).
    found = [(n, headers[n]) for n in STANDARD_HEADERS if n in headers]
    if not found:
        return NO_HEADERS
    return _parse(tuple(found))


@lru_cache(maxsize=1024)
def _parse(items: tuple[tuple[str, str], ...]) -> StandardHeaders:
    # Headers repeat per task definition, so the parse (and FEEL compile) is cached.
    values = {name: value.strip() for name, value in items if value is not None}
    return StandardHeaders(
        result_variable=values.get(RESULT_VARIABLE) or None,
        result_expression=_expression(RESULT_EXPRESSION, values.get(RESULT_EXPRESSION)),
        error_expression=_expression(ERROR_EXPRESSION, values.get(ERROR_EXPRESSION)),
        retries=_retries(values.get(RETRIES)),
        retry_backoff=_duration(RETRY_BACKOFF, values.get(RETRY_BACKOFF)),
        job_timeout=_duration(JOB_TIMEOUT, values.get(JOB_TIMEOUT)),
    )


def _expression(header: str, source: str | None) -> Expression | None:
    if not source:
        return None
    try:
        return compile_expression(source)
    except FeelError as exc:
        raise InvalidHeaderError(header, str(exc)) from None


def _retries(value: str | None) -> int | None:
    if not value:
        return None
    try:
        retries = int(value)
    except ValueError:
        raise InvalidHeaderError(RETRIES, f"{value!r} is not a whole number") from None
    if retries < 0:
        raise InvalidHeaderError(RETRIES, f"must be 0 or more, got {retries}")
    return retries


def _duration(header: str, value: str | None) -> timedelta | None:
    if not value:
        return None
    try:
        duration = parse_duration(value)
    except ValueError as exc:
        raise InvalidHeaderError(header, str(exc)) from None
    if duration < timedelta(0):
        raise InvalidHeaderError(header, f"must not be negative, got {value!r}")
    return duration
