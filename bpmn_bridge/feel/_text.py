"""FEEL's text form of values: what ``string(x)`` returns, as Camunda prints it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._values import FeelFunction, FeelRange, YearMonthDuration, ZonedTime, num

__all__ = [
    "format_date",
    "format_datetime",
    "format_days_time",
    "format_local_time",
    "format_offset",
    "format_years_months",
    "to_text",
]


def to_text(value: Any) -> str:
    """``string(value)`` for a non-null value (null prints as ``null`` inside containers)."""
    t = type(value)
    if t is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return "null"
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value)
    if t is Decimal or t is float:
        return str(num(value))
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}:{_inner(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inner(v) for v in value) + "]"
    if t is dt.datetime:
        return format_datetime(value)
    if t is dt.date:
        return format_date(value)
    if t is dt.time:
        return format_local_time(value) + format_offset(value.utcoffset())
    if t is ZonedTime:
        text = format_local_time(value.time)
        return text + ("@" + value.zone if value.zone else format_offset(value.offset))
    if t is dt.timedelta:
        return format_days_time(value)
    if t is YearMonthDuration:
        return format_years_months(value.months)
    if t is FeelRange:
        return (
            ("[" if value.start_closed else "(")
            + _inner(value.start)
            + ".."
            + _inner(value.end)
            + ("]" if value.end_closed else ")")
        )
    if t is FeelFunction:
        return f"function({', '.join(value.params)})"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _inner(value: Any) -> str:
    # Camunda prints nested strings quoted (its Val.toString), e.g. [1, "a"].
    if type(value) is str:
        return '"' + value + '"'
    return to_text(value)


def format_date(value: dt.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_local_time(value: dt.time) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def format_offset(offset: dt.timedelta | int | None) -> str:
    if offset is None:
        return ""
    seconds = int(offset.total_seconds()) if isinstance(offset, dt.timedelta) else offset
    if seconds == 0:
        return "Z"
    sign = "+" if seconds > 0 else "-"
    seconds = abs(seconds)
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    if seconds % 60:
        text += f":{seconds % 60:02d}"
    return text


def format_datetime(value: dt.datetime) -> str:
    text = format_date(value) + "T" + format_local_time(value.time())
    tz = value.tzinfo
    if tz is None:
        return text
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return text + "@" + key
    return text + format_offset(value.utcoffset())


def format_days_time(value: dt.timedelta) -> str:
    total = value.days * 86400 + value.seconds
    micros = value.microseconds
    # Java's Duration: seconds and nanos; the text drops fractions of a second.
    if total < 0 and micros:
        total += 1
    negative = total < 0
    total = abs(total)
    day, rest = divmod(total, 86400)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    if not (day or hour or minute or second):
        return "P0D"
    text = "P" + (f"{day}D" if day else "")
    if hour or minute or second:
        text += "T" + (f"{hour}H" if hour else "") + (f"{minute}M" if minute else "")
        text += f"{second}S" if second else ""
    return ("-" if negative else "") + text


def format_years_months(months: int) -> str:
    if months == 0:
        return "P0Y"
    negative = months < 0
    year, month = divmod(abs(months), 12)
    text = "P" + (f"{year}Y" if year else "") + (f"{month}M" if month else "")
    return ("-" if negative else "") + text
