"""FEEL value semantics over plain Python values: equality, ordering, arithmetic, text.

FEEL's null rules in one place: an operation on null or on operands of the wrong type yields
``None`` instead of raising. ``bool`` is never a number here, although Python makes it an
``int`` subclass, hence the ``type(x) in _NUMBER_TYPES`` checks instead of ``isinstance``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

__all__ = [
    "add",
    "divide",
    "feel_equal",
    "feel_order",
    "is_number",
    "multiply",
    "negate",
    "subtract",
    "to_text",
]

_NUMBER_TYPES = (int, float)
_ORDERED_TYPES = (str, dt.datetime, dt.date, dt.time, dt.timedelta)


def is_number(value: object) -> bool:
    return type(value) in _NUMBER_TYPES


def feel_equal(left: Any, right: Any) -> bool | None:
    """``left = right``: null equals only null; values of different kinds give null."""
    if left is None or right is None:
        return left is right
    tl, tr = type(left), type(right)
    if tl in _NUMBER_TYPES and tr in _NUMBER_TYPES:
        return bool(left == right)
    if _kind(left) != _kind(right):
        return None
    return _deep_equal(left, right)


def _kind(value: object) -> type:
    if type(value) in _NUMBER_TYPES:
        return float
    if isinstance(value, Mapping):
        return dict
    if isinstance(value, list | tuple):
        return list
    # datetime is a date subclass, but FEEL keeps "date" and "date and time" apart.
    return type(value)


def _deep_equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is right
    if type(left) in _NUMBER_TYPES and type(right) in _NUMBER_TYPES:
        return bool(left == right)
    kind = _kind(left)
    if kind is not _kind(right):
        return False
    if kind is list:
        return len(left) == len(right) and all(
            _deep_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if kind is dict:
        return left.keys() == right.keys() and all(_deep_equal(left[k], right[k]) for k in left)
    try:
        return bool(left == right)
    except TypeError:
        return False


def feel_order(op: str, left: Any, right: Any) -> bool | None:
    """``<``, ``<=``, ``>``, ``>=`` on numbers, strings and temporal values; else null."""
    tl, tr = type(left), type(right)
    if tl in _NUMBER_TYPES:
        if tr not in _NUMBER_TYPES:
            return None
    elif tl is not tr or not isinstance(left, _ORDERED_TYPES):
        return None
    try:
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:  # e.g. naive vs aware datetimes
        return None


def add(left: Any, right: Any) -> Any:
    tl, tr = type(left), type(right)
    if tl in _NUMBER_TYPES and tr in _NUMBER_TYPES:
        return left + right
    if tl is str and tr is str:
        return left + right
    if (tl is dt.datetime or tl is dt.date) and tr is dt.timedelta:
        return left + right
    if tl is dt.timedelta and tr is dt.timedelta:
        return left + right
    return None


def subtract(left: Any, right: Any) -> Any:
    tl, tr = type(left), type(right)
    if tl in _NUMBER_TYPES and tr in _NUMBER_TYPES:
        return left - right
    if tl in (dt.datetime, dt.date, dt.timedelta) and (tr is tl or tr is dt.timedelta):
        try:
            return left - right
        except TypeError:
            return None
    return None


def multiply(left: Any, right: Any) -> Any:
    if type(left) in _NUMBER_TYPES and type(right) in _NUMBER_TYPES:
        return left * right
    return None


def divide(left: Any, right: Any) -> Any:
    if type(left) not in _NUMBER_TYPES or type(right) not in _NUMBER_TYPES or right == 0:
        return None
    if type(left) is int and type(right) is int and left % right == 0:
        return left // right
    return left / right


def negate(value: Any) -> Any:
    if type(value) in _NUMBER_TYPES:
        return -value
    return None


def to_text(value: Any) -> str:
    """FEEL's ``string()`` rendering of a non-null value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}:{_quoted(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_quoted(v) for v in value) + "]"
    return str(value)


def _quoted(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return to_text(value)
