"""Reading temporal text the way Camunda's FEEL does (``@"..."``, ``date("...")``, ...)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._values import YearMonthDuration, ZonedTime

__all__ = [
    "in_zone",
    "parse_date",
    "parse_date_and_time",
    "parse_duration",
    "parse_temporal",
    "parse_time",
    "zone",
]

# Camunda's patterns (org.camunda.feel package object), years limited to Python's 1..9999.
_DATE = re.compile(r"(\d{4})-([01]\d)-([0-3]\d)")
_DATE_LIKE = re.compile(r"-?(?:[1-9]\d{0,4})?\d{4}-[01]\d-[0-3]\d")
_TIME = r"(\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,9}))?"
_LOCAL_TIME = re.compile(r"T?" + _TIME)
_OFFSET_TIME = re.compile(r"T?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([+-]\d{2}:\d{2}|Z|@.*)")
_LOCAL_DATE_TIME = re.compile(
    r"(\d{4})-([01]\d)-([0-3]\d)T([0-2]\d):([0-5]\d)(?::([0-5]\d))?(?:\.(\d{1,9}))?"
)
_OFFSET_DATE_TIME = re.compile(
    r"(\d{4})-([01]\d)-([0-3]\d)T([0-2]\d):([0-5]\d)(?::([0-5]\d))?(?:\.(\d{1,9}))?"
    r"([+-][01]\d:[0-5]\d|Z|@.*)"
)
_OFFSET_DATE_TIME_LIKE = re.compile(
    r"-?(?:[1-9]\d{0,4})?\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(?::[0-5]\d)?(?:\.\d{1,9})?"
    r"(?:[+-][01]\d:[0-5]\d|Z|@.*)"
)
_LOCAL_DATE_TIME_LIKE = re.compile(
    r"-?(?:[1-9]\d{0,4})?\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(?::[0-5]\d)?(?:\.\d{1,9})?"
)
_YEAR_MONTH = re.compile(r"-?P-?(\d+Y)?-?(\d+M)?")
_DAY_TIME = re.compile(r"-?P(-?(\d+D)?(T-?(\d+H)?-?(\d+M)?-?(\d+(.\d*)?S)?)?)")
# java.time.Period.parse / Duration.parse, which do the actual reading.
_PERIOD = re.compile(
    r"([-+]?)P(?:([-+]?\d+)Y)?(?:([-+]?\d+)M)?(?:([-+]?\d+)W)?(?:([-+]?\d+)D)?", re.I
)
_DURATION = re.compile(
    r"([-+]?)P(?:([-+]?\d+)D)?(T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?",
    re.I,
)


def zone(name: str) -> dt.tzinfo | None:
    """A region zone (``Europe/Berlin``) or a fixed offset (``+01:00``, ``Z``, ``UTC``)."""
    offset = _parse_offset(name)
    if offset is not None:
        return dt.timezone(dt.timedelta(seconds=offset))
    if not name or name.startswith("/") or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _parse_offset(text: str) -> int | None:
    if text == "Z":
        return 0  # "UTC", "GMT" are region ids in java.time, kept as zones
    m = re.fullmatch(r"([+-])(\d{2}):(\d{2})(?::(\d{2}))?", text)
    if m is None:
        return None
    hours, minutes, seconds = int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)
    if hours > 18 or minutes > 59 or seconds > 59:
        return None
    total = hours * 3600 + minutes * 60 + seconds
    return -total if m.group(1) == "-" else total


def _micros(fraction: str | None) -> int:
    return int((fraction or "").ljust(6, "0")[:6]) if fraction else 0


def _time(hour: str, minute: str, second: str | None, fraction: str | None) -> dt.time | None:
    if hour == "24" and minute == "00" and int(second or 0) == 0 and not int(fraction or 0):
        return dt.time()  # java.time reads 24:00 as the midnight that ends the day
    try:
        return dt.time(int(hour), int(minute), int(second or 0), _micros(fraction))
    except ValueError:
        return None


def in_zone(local: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """``ZonedDateTime.of(local, zone)``: a time in a DST gap moves on by the gap's length
    (02:30 on a spring-forward night is 03:30); in an overlap the earlier offset wins."""
    aware = local.replace(tzinfo=tz)
    if isinstance(tz, ZoneInfo):
        return aware.astimezone(dt.UTC).astimezone(tz)
    return aware


def parse_date(text: str) -> dt.date | None:
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_time(text: str) -> Any:
    """``time("...")``: a local time, or a time with an offset or zone; None if invalid."""
    m = _OFFSET_TIME.fullmatch(text)
    if m is not None:
        local = _time(m.group(1), m.group(2), m.group(3), m.group(4))
        if local is None:
            return None
        suffix = m.group(5)
        if suffix.startswith("@"):
            tz = zone(suffix[1:])
            if tz is None:
                return None
            if isinstance(tz, dt.timezone):
                offset = tz.utcoffset(None)
                return ZonedTime(local, int(offset.total_seconds()), None)
            # Camunda takes the zone's standard offset "now" for a time without a date.
            now = dt.datetime.now(tz)
            standard = (now.utcoffset() or dt.timedelta()) - (now.dst() or dt.timedelta())
            return ZonedTime(local, int(standard.total_seconds()), suffix[1:])
        offset_seconds = _parse_offset(suffix)
        if offset_seconds is None:
            return None
        return ZonedTime(local, offset_seconds, None)
    m = _LOCAL_TIME.fullmatch(text)
    if m is None:
        return None
    return _time(m.group(1), m.group(2), m.group(3), m.group(4))


def parse_date_and_time(text: str) -> dt.datetime | None:
    """``date and time("...")``; a bare date means midnight of that day."""
    if _DATE_LIKE.fullmatch(text):
        day = parse_date(text)
        return None if day is None else dt.datetime(day.year, day.month, day.day)
    m = _OFFSET_DATE_TIME.fullmatch(text)
    if m is not None:
        local = _local_date_time(m)
        if local is None:
            return None
        suffix = m.group(8)
        tz = zone(suffix[1:]) if suffix.startswith("@") else zone(suffix)
        if tz is None:
            return None
        return in_zone(local, tz)
    m = _LOCAL_DATE_TIME.fullmatch(text)
    if m is not None:
        return _local_date_time(m)
    return None


def _local_date_time(m: re.Match[str]) -> dt.datetime | None:
    try:
        return dt.datetime(
            int(m.group(1)),
            int(m.group(2)),
            int(m.group(3)),
            int(m.group(4)),
            int(m.group(5)),
            int(m.group(6) or 0),
            _micros(m.group(7)),
        )
    except ValueError:
        return None


def parse_duration(text: str) -> Any:
    """``duration("...")``: years-months (``P1Y2M``) or days-time (``P1DT2H``); else None."""
    if _YEAR_MONTH.fullmatch(text):
        m = _PERIOD.fullmatch(text)
        if m is None or text in ("P", "-P"):
            return None
        sign = -1 if m.group(1) == "-" else 1
        years = int(m.group(2) or 0)
        months = int(m.group(3) or 0)
        return YearMonthDuration(sign * (years * 12 + months))
    if _DAY_TIME.fullmatch(text):
        m = _DURATION.fullmatch(text)
        if m is None or (m.group(3) is not None and m.group(3).upper() == "T"):
            return None
        if not any(m.group(k) for k in (2, 4, 5, 6)):
            return None
        sign = -1 if m.group(1) == "-" else 1
        seconds_text = m.group(6) or "0"
        micros = _micros(m.group(7))
        if seconds_text.startswith("-"):
            micros = -micros
        try:
            value = dt.timedelta(
                days=int(m.group(2) or 0),
                hours=int(m.group(4) or 0),
                minutes=int(m.group(5) or 0),
                seconds=int(seconds_text),
                microseconds=micros,
            )
        except OverflowError:
            return None
        return value if sign == 1 else -value
    return None


def parse_temporal(text: str) -> Any:
    """``@"..."``: whichever temporal type the text spells, like Camunda's parser."""
    if _DATE_LIKE.fullmatch(text):
        return parse_date(text)
    if _OFFSET_TIME.fullmatch(text):
        return parse_time(text)
    if _OFFSET_DATE_TIME_LIKE.fullmatch(text):
        return parse_date_and_time(text)
    if _LOCAL_DATE_TIME_LIKE.fullmatch(text):
        return parse_date_and_time(text)
    if _YEAR_MONTH.fullmatch(text) or _DAY_TIME.fullmatch(text):
        return parse_duration(text)
    return parse_time(text)
