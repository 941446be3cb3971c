"""What both template writers share: template ids, the standard headers, FEEL literals."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from bpmn_bridge.core import ConnectorSpec, format_duration

__all__ = ["HeaderProperty", "feel_literal", "standard_header_properties", "template_id"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def template_id(spec: ConnectorSpec) -> str:
    """The template id of a connector, stable across runs and the same on both engines.

    ``io.bpmn-bridge:http-json:1`` becomes ``io.bpmn-bridge.http-json.v1``: colons become
    dots and a trailing version number gets a ``v``, so the id reads like Camunda's own
    (``io.camunda.connectors.HttpJson.v2``).

    Args:
        spec: The connector's spec.

    Returns:
        The id.
    """
    parts = [p for p in spec.type.split(":") if p]
    if len(parts) > 1 and parts[-1].isdigit():
        parts[-1] = "v" + parts[-1]
    return _UNSAFE.sub("-", ".".join(parts)).strip("-") or "connector"


@dataclass(frozen=True, slots=True)
class HeaderProperty:
    """One standard header as a template property."""

    key: str
    label: str
    description: str
    group: str
    feel: bool = False


def standard_header_properties(spec: ConnectorSpec) -> list[HeaderProperty]:
    """The standard headers with labels and the connector's defaults in their descriptions.

    The ``retries`` header is listed too; the Camunda 8 writer uses the task definition's
    retries instead, because Zeebe always reports a job's retries.
    """
    return [
        HeaderProperty(
            "resultVariable",
            "Result variable",
            "Store the whole result in this process variable.",
            "output",
        ),
        HeaderProperty(
            "resultExpression",
            "Result expression",
            "A FEEL expression mapping the result (as 'result') to variables, e.g. "
            "={orderId: result.body.id}.",
            "output",
            feel=True,
        ),
        HeaderProperty(
            "errorExpression",
            "Error expression",
            "A FEEL expression turning an error into a BPMN error or a failure, e.g. "
            '=if error.code = "404" then bpmnError("NOT_FOUND", error.message) else null.',
            "errors",
            feel=True,
        ),
        HeaderProperty(
            "retries",
            "Retries",
            f"How often the engine retries a failed job (default {spec.retries}).",
            "retries",
        ),
        HeaderProperty(
            "retryBackoff",
            "Retry backoff",
            "ISO-8601 wait before a retry, e.g. PT10S "
            f"(default {format_duration(spec.retry_backoff)}).",
            "retries",
        ),
        HeaderProperty(
            "jobTimeout",
            "Job timeout",
            f"ISO-8601 limit for one attempt (default {format_duration(spec.timeout)}).",
            "retries",
        ),
    ]


HEADER_GROUPS = (
    ("output", "Output mapping"),
    ("errors", "Error handling"),
    ("retries", "Retries and timeout"),
)


def feel_literal(value: Any) -> str:
    """Write plain data (JSON-like) as a FEEL literal.

    Raises:
        ValueError: The value has no FEEL literal (e.g. a float NaN or an object).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value!r} has no FEEL literal")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(feel_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))}: {feel_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise ValueError(f"{type(value).__name__} has no FEEL literal")


def described(description: str, *more: str) -> str:
    """Sentences joined with their full stops: ``described("Sends mail", "Reads x.")``."""
    sentences = [text.strip() for text in (description, *more) if text and text.strip()]
    return " ".join(t if t[-1] in ".!?" else t + "." for t in sentences)


def errors_sentence(errors: tuple[str, ...]) -> str:
    """The sentence naming the BPMN errors a connector throws, or "" without any."""
    if not errors:
        return ""
    return "Throws BPMN errors (draw boundary error events for them): " + ", ".join(errors)
