"""``value.name``: context entries, and the properties of temporal values and ranges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ._values import FeelRange, YearMonthDuration, ZonedTime

__all__ = ["member"]


def member(value: Any, key: str) -> Any:
    """``value.key``: context lookup, mapped over lists, a property, or null."""
    if isinstance(value, Mapping):
        return value.get(key)
    if isinstance(value, list | tuple):
        return [member(item, key) for item in value]
    if value is None:
        return None
    return _property(value, key)


def _offset(seconds: int | None) -> Any:
    return None if seconds is None else dt.timedelta(seconds=seconds)


def _property(value: Any, key: str) -> Any:
    t = type(value)
    if t is dt.date:
        return _date_property(value, key)
    if t is dt.datetime:
        found = _date_property(value, key)
        if found is not None:
            return found
        if key in ("hour", "minute", "second"):
            return getattr(value, key)
        if key == "time offset":
            offset = value.utcoffset()
            return None if offset is None else offset
        if key == "timezone":
            return getattr(value.tzinfo, "key", None)
        return None
    if t is dt.time:
        if key in ("hour", "minute", "second"):
            return getattr(value, key)
        if key == "time offset":
            return value.utcoffset()
        return None
    if t is ZonedTime:
        if key in ("hour", "minute", "second"):
            return getattr(value.time, key)
        if key == "time offset":
            return _offset(value.offset)
        if key == "timezone":
            return value.zone
        return None
    if t is dt.timedelta:
        total = value.days * 86400 + value.seconds
        if total < 0 and value.microseconds:
            total += 1
        sign = -1 if total < 0 else 1
        total = abs(total)
        parts = {
            "days": total // 86400,
            "hours": total // 3600 % 24,
            "minutes": total // 60 % 60,
            "seconds": total % 60,
        }
        found = parts.get(key)
        return None if found is None else sign * found
    if t is YearMonthDuration:
        sign = -1 if value.months < 0 else 1
        if key == "years":
            return sign * (abs(value.months) // 12)
        if key == "months":
            return sign * (abs(value.months) % 12)
        return None
    if t is FeelRange:
        return {
            "start": value.start,
            "end": value.end,
            "start included": value.start_closed,
            "end included": value.end_closed,
        }.get(key)
    return None


def _date_property(value: dt.date, key: str) -> Any:
    if key == "year":
        return value.year
    if key == "month":
        return value.month
    if key == "day":
        return value.day
    if key == "weekday":
        return value.isoweekday()
    return None
