"""Built-in FEEL functions of the supported subset, and the names of unsupported ones.

Each implementation takes already-evaluated positional arguments and follows FEEL's rule
that wrong argument types yield null.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import FeelEvaluationError
from ._results import BpmnErrorResult, JobErrorResult
from ._semantics import is_number, to_text

__all__ = ["MULTI_WORD_FUNCTIONS", "SUPPORTED_FUNCTIONS", "UNSUPPORTED_FUNCTIONS", "FunctionSpec"]

_MANY = 1 << 16
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    arity: tuple[int, int]
    impl: Callable[..., Any]


def _string(value: Any) -> Any:
    return None if value is None else to_text(value)


def _number(text: Any) -> Any:
    if type(text) is not str:
        return None
    stripped = text.strip()
    if not _NUMBER_TEXT.fullmatch(stripped):
        return None
    if _is_integral_text(stripped):
        return int(stripped)
    value = float(stripped)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _is_integral_text(text: str) -> bool:
    return text.lstrip("+-").isdigit()


def _contains(text: Any, sub: Any) -> Any:
    if type(text) is str and type(sub) is str:
        return sub in text
    return None


def _starts_with(text: Any, prefix: Any) -> Any:
    if type(text) is str and type(prefix) is str:
        return text.startswith(prefix)
    return None


def _ends_with(text: Any, suffix: Any) -> Any:
    if type(text) is str and type(suffix) is str:
        return text.endswith(suffix)
    return None


def _upper_case(text: Any) -> Any:
    return text.upper() if type(text) is str else None


def _lower_case(text: Any) -> Any:
    return text.lower() if type(text) is str else None


def _string_length(text: Any) -> Any:
    # FEEL counts Unicode code points, which is what len() of a Python str does.
    return len(text) if type(text) is str else None


def _count(items: Any) -> Any:
    return len(items) if isinstance(items, list | tuple) else None


def _sum(*args: Any) -> Any:
    items = args[0] if len(args) == 1 and isinstance(args[0], list | tuple) else args
    if not items or not all(is_number(item) for item in items):
        return None
    return sum(items)


def _not(value: Any) -> Any:
    if value is True:
        return False
    if value is False:
        return True
    return None


def _is_defined(value: Any) -> bool:
    # Camunda 8.x: false for null as well as for missing names/members (a missing name
    # reads as null). Older FEEL engines returned true for an existing null.
    return value is not None


def _get_value(context: Any, key: Any) -> Any:
    if not isinstance(context, Mapping):
        return None
    if type(key) is str:
        return context.get(key)
    # Camunda extension: a list of keys is a path into nested contexts.
    if isinstance(key, list | tuple) and key and all(type(k) is str for k in key):
        value: Any = context
        for k in key:
            if not isinstance(value, Mapping):
                return None
            value = value.get(k)
        return value
    return None


def _bpmn_error(code: Any, message: Any, variables: Any = None) -> BpmnErrorResult:
    if type(code) is not str or not code:
        raise FeelEvaluationError(
            f"bpmnError: the error code must be a non-empty string, got {code!r}"
        )
    return BpmnErrorResult(code, _message("bpmnError", message), _variables("bpmnError", variables))


def _job_error(
    message: Any, variables: Any = None, retries: Any = None, retry_backoff: Any = None
) -> JobErrorResult:
    if retries is not None:
        if type(retries) is float and retries.is_integer():
            retries = int(retries)
        if type(retries) is not int or retries < 0:
            raise FeelEvaluationError(
                f"jobError: retries must be a non-negative integer or null, got {retries!r}"
            )
    if retry_backoff is not None and type(retry_backoff) is not str:
        raise FeelEvaluationError(
            'jobError: retryBackoff must be an ISO-8601 duration string such as "PT30S" '
            f"or null, got {retry_backoff!r}"
        )
    return JobErrorResult(
        _message("jobError", message), _variables("jobError", variables), retries, retry_backoff
    )


def _message(function: str, message: Any) -> str:
    # A null message (e.g. a missing response field) must not turn the error into a crash.
    if message is None:
        return ""
    if type(message) is not str:
        raise FeelEvaluationError(f"{function}: the message must be a string, got {message!r}")
    return message


def _variables(function: str, variables: Any) -> dict[str, Any]:
    if variables is None:
        return {}
    if not isinstance(variables, Mapping):
        raise FeelEvaluationError(
            f"{function}: variables must be a context, got {type(variables).__name__}"
        )
    return dict(variables)


SUPPORTED_FUNCTIONS: dict[str, FunctionSpec] = {
    "string": FunctionSpec((1, 1), _string),
    "number": FunctionSpec((1, 1), _number),
    "contains": FunctionSpec((2, 2), _contains),
    "starts with": FunctionSpec((2, 2), _starts_with),
    "ends with": FunctionSpec((2, 2), _ends_with),
    "upper case": FunctionSpec((1, 1), _upper_case),
    "lower case": FunctionSpec((1, 1), _lower_case),
    "string length": FunctionSpec((1, 1), _string_length),
    "count": FunctionSpec((1, 1), _count),
    "sum": FunctionSpec((1, _MANY), _sum),
    "not": FunctionSpec((1, 1), _not),
    "get value": FunctionSpec((2, 2), _get_value),
    "is defined": FunctionSpec((1, 1), _is_defined),
    "bpmnError": FunctionSpec((2, 3), _bpmn_error),
    "jobError": FunctionSpec((1, 4), _job_error),
}

# FEEL / Camunda built-ins outside the subset, named so the error says "not supported"
# rather than "unknown function".
UNSUPPORTED_FUNCTIONS = frozenset(
    {
        "date",
        "time",
        "date and time",
        "duration",
        "years and months duration",
        "now",
        "today",
        "day of week",
        "day of year",
        "week of year",
        "month of year",
        "abs",
        "substring",
        "substring before",
        "substring after",
        "replace",
        "matches",
        "split",
        "string join",
        "trim",
        "extract",
        "list contains",
        "min",
        "max",
        "mean",
        "median",
        "mode",
        "stddev",
        "product",
        "all",
        "any",
        "sublist",
        "append",
        "concatenate",
        "insert before",
        "remove",
        "reverse",
        "index of",
        "union",
        "distinct values",
        "flatten",
        "sort",
        "decimal",
        "floor",
        "ceiling",
        "round",
        "round up",
        "round down",
        "round half up",
        "round half down",
        "sqrt",
        "log",
        "exp",
        "odd",
        "even",
        "modulo",
        "get entries",
        "context",
        "context put",
        "context merge",
        "is",
        "get or else",
        "assert",
        "uuid",
        "to base64",
        "from json",
        "to json",
        "random number",
        "partition",
        "duplicate values",
        "string format",
        "is empty",
        "is blank",
        "last day of month",
        "put",
        "put all",
        "error",
    }
)

MULTI_WORD_FUNCTIONS = frozenset(
    name for name in (*SUPPORTED_FUNCTIONS, *UNSUPPORTED_FUNCTIONS) if " " in name
)
