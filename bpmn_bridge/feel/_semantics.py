"""FEEL operators over Python values: equality, ordering and arithmetic, Camunda's way.

An operation on null or on operands of the wrong types yields ``None`` (FEEL null). ``bool``
is never a number here, although Python makes it an ``int`` subclass, hence the exact
``type(x) is int`` checks instead of ``isinstance``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._values import (
    D128,
    EXACT,
    YearMonthDuration,
    ZonedTime,
    fail,
    from_decimal,
    from_float,
    kind,
    num,
)

__all__ = [
    "add",
    "add_months",
    "divide",
    "feel_equal",
    "feel_order",
    "list_comparable",
    "multiply",
    "negate",
    "power",
    "rounded",
    "same_kind_comparable",
    "scala_equal",
    "subtract",
]

_ORDERED_KINDS = frozenset(
    {
        "number",
        "string",
        "date",
        "local time",
        "time",
        "local date and time",
        "date and time",
        "days and time duration",
        "years and months duration",
    }
)
_BASE_DATE = dt.date(2000, 1, 3)


def feel_equal(left: Any, right: Any) -> bool | None:
    """``left = right``: null equals only null; values of different kinds give null."""
    if left is None or right is None:
        return left is right
    tl, tr = type(left), type(right)
    if tl is tr and (tl is str or tl is int or tl is bool):
        return bool(left == right)
    kl = kind(left)
    kr = kind(right)
    if kl != kr:
        return None
    if kl == "number":
        return num(left) == num(right)
    if kl == "list":
        return len(left) == len(right) and all(
            feel_equal(a, b) is True for a, b in zip(left, right, strict=True)
        )
    if kl == "context":
        return left.keys() == right.keys() and all(
            feel_equal(left[k], right[k]) is True for k in left
        )
    if kl in ("range", "function", "unknown"):
        return None
    if kl == "date and time":
        # Java's ZonedDateTime.equals: same local date-time, offset and zone.
        return bool(
            left.replace(tzinfo=None) == right.replace(tzinfo=None)
            and left.utcoffset() == right.utcoffset()
            and _zone_id(left) == _zone_id(right)
        )
    if kl == "time" and tl is dt.time:
        return bool(left == right and left.utcoffset() == right.utcoffset())
    return bool(left == right)


def scala_equal(left: Any, right: Any) -> bool:
    """Scala's ``==`` on Camunda's values, as ``List.contains`` uses it.

    Like FEEL equality for numbers, strings, lists and temporal values, but two contexts are
    equal only when they are the same object, and null equals null.
    """
    if left is None or right is None:
        return left is right
    if isinstance(left, Mapping) or isinstance(right, Mapping):
        return left is right
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(
            scala_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    return feel_equal(left, right) is True


def _zone_id(value: dt.datetime) -> str | None:
    return getattr(value.tzinfo, "key", None)


def same_kind_comparable(*values: Any) -> bool:
    """Camunda's ``isComparable`` plus ``hasSameType`` for ``<``-style operators."""
    first = kind(values[0])
    return first in _ORDERED_KINDS and all(kind(v) == first for v in values[1:])


def _sort_key(value: Any) -> Any:
    t = type(value)
    if t is float:
        return num(value)
    if t is ZonedTime:
        return value.nanos()
    return value


def feel_order(op: str, left: Any, right: Any) -> bool | None:
    """``<``, ``<=``, ``>``, ``>=``; null unless both sides are of one comparable kind."""
    tl = type(left)
    if tl is not type(right) or tl is float or tl is ZonedTime:
        if left is None or right is None:
            return None
        kl = kind(left)
        if kl != kind(right):
            return None
        if kl == "list":
            return _compare_lists(left, right)
        if kl not in _ORDERED_KINDS:
            return None
        left, right = _sort_key(left), _sort_key(right)
    elif tl is not int and tl is not str and tl is not Decimal:
        k = kind(left)
        if k == "list" and kind(right) == "list":
            return _compare_lists(left, right)
        if k not in _ORDERED_KINDS or kind(right) != k:
            return None
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def list_comparable(value: Any) -> bool:
    """Camunda's ``isComparable`` of a list: non-empty, one kind, comparable items."""
    if not value:
        return False
    first = kind(value[0])
    head_ok = list_comparable(value[0]) if first == "list" else first in _ORDERED_KINDS
    return head_ok and all(kind(item) == first for item in value)


def _compare_lists(left: Any, right: Any) -> bool | None:
    if list_comparable(left) and list_comparable(right):
        # Camunda's engine throws here (lists have no order), failing the evaluation.
        raise fail(f"{_show(left)} can not be compared to {_show(right)}")
    return None


def _show(value: Any) -> str:
    from ._text import to_text

    return to_text(value)


# -- arithmetic ----------------------------------------------------------------------------


_LIMIT = 10**34


def rounded(result: int | Decimal, left: int | Decimal) -> Any:
    """Round an exact ``+ - *`` result the way Scala's BigDecimal does.

    Scala keeps a MathContext per value: 34 digits (DECIMAL128), or as many digits as a
    longer literal has; an operation rounds to its left operand's.
    """
    if type(result) is int and -_LIMIT < result < _LIMIT:
        return result
    digits = len(Decimal(result).as_tuple().digits)
    if digits <= 34:
        return from_decimal(result) if type(result) is Decimal else result
    precision = max(34, len(Decimal(left).as_tuple().digits))
    if digits <= precision:
        return from_decimal(result) if type(result) is Decimal else result
    context = decimal.Context(
        prec=precision,
        rounding=decimal.ROUND_HALF_EVEN,
        Emax=decimal.MAX_EMAX,
        Emin=decimal.MIN_EMIN,
        traps=[],
    )
    return from_decimal(context.plus(Decimal(result)))


def add(left: Any, right: Any) -> Any:
    tl, tr = type(left), type(right)
    if tl is int and tr is int:
        return rounded(left + right, left)
    if tl is str and tr is str:
        return left + right
    a = num(left)
    if a is not None:
        b = num(right)
        if b is None:
            return None
        return rounded(EXACT.add(a, b), a)
    return _temporal_add(left, right, 1)


def subtract(left: Any, right: Any) -> Any:
    tl, tr = type(left), type(right)
    if tl is int and tr is int:
        return rounded(left - right, left)
    a = num(left)
    if a is not None:
        b = num(right)
        if b is None:
            return None
        return rounded(EXACT.subtract(a, b), a)
    kl, kr = kind(left), kind(right)
    if kl == kr:
        if kl == "date":
            return dt.timedelta(days=(left - right).days)
        if kl == "date and time":
            # Java's Duration.between counts on the instant time-line.
            return left.astimezone(dt.UTC) - right.astimezone(dt.UTC)
        if kl == "local date and time":
            return left - right
        if kl == "local time":
            return _time_seconds(left) - _time_seconds(right)
        if kl == "time":
            if tl is ZonedTime:
                return dt.timedelta(microseconds=abs(left.nanos() - right.nanos()) // 1000)
            return None
        if kl == "years and months duration":
            return YearMonthDuration(left.months - right.months)
        if kl == "days and time duration":
            return left - right
        return None
    return _temporal_add(left, right, -1)


def _time_seconds(value: dt.time) -> dt.timedelta:
    return dt.timedelta(
        hours=value.hour,
        minutes=value.minute,
        seconds=value.second,
        microseconds=value.microsecond,
    )


def add_months(value: Any, months: int) -> Any:
    """Java's ``plus(Period)``: move the month, clamping the day to the month's end."""
    total = value.year * 12 + (value.month - 1) + months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None  # beyond Python's dates (see docs/feel.md): null rather than a wrong date
    month += 1
    day = min(value.day, _days_in_month(year, month))
    moved = value.replace(year=year, month=month, day=day)
    tz = getattr(moved, "tzinfo", None)
    if tz is not None and hasattr(tz, "key"):
        from ._temporal import in_zone

        return in_zone(moved.replace(tzinfo=None), tz)
    return moved


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day


def _temporal_add(left: Any, right: Any, sign: int) -> Any:
    """``left + right`` (sign 1) or ``left - right`` (sign -1) with a duration operand."""
    kl, kr = kind(left), kind(right)
    if (
        sign == 1
        and kl in ("days and time duration", "years and months duration")
        and kr
        not in (
            "days and time duration",
            "years and months duration",
        )
    ):
        left, right, kl, kr = right, left, kr, kl
    try:
        if kr == "days and time duration":
            delta = right if sign == 1 else -right
            if kl == "days and time duration":
                return left + delta
            if kl == "local date and time":
                return left + delta
            if kl == "date and time":
                # ZonedDateTime.plus(Duration) moves on the instant time-line (DST-aware).
                tz = left.tzinfo
                return (left.astimezone(dt.UTC) + delta).astimezone(tz)
            if kl == "date":
                return (dt.datetime.combine(left, dt.time()) + delta).date()
            if kl == "local time":
                base = dt.datetime.combine(_BASE_DATE, left)
                return (base + delta).time()
            if kl == "time" and type(left) is ZonedTime:
                base = dt.datetime.combine(_BASE_DATE, left.time)
                return ZonedTime((base + delta).time(), left.offset, left.zone)
            return None
        if kr == "years and months duration":
            months = right.months * sign
            if kl == "years and months duration":
                return YearMonthDuration(left.months + months)
            if kl in ("date", "local date and time", "date and time"):
                return add_months(left, months)
            return None
    except OverflowError:
        # Beyond Python's dates and durations (years 1 to 9999, 999999999 days), which
        # java.time still represents: null, as for any other value FEEL cannot produce here.
        return None
    return None


def multiply(left: Any, right: Any) -> Any:
    tl, tr = type(left), type(right)
    if tl is int and tr is int:
        return rounded(left * right, left)
    a = num(left)
    b = num(right)
    if a is not None and b is not None:
        return rounded(EXACT.multiply(a, b), a)
    if a is not None:
        return _scale_duration(right, a)
    if b is not None:
        return _scale_duration(left, b)
    return None


def _scale_duration(duration: Any, factor: int | Decimal) -> Any:
    times = int(factor)  # Camunda multiplies by the number's intValue
    if not -(2**31) <= times < 2**31:
        times &= 0xFFFFFFFF
        times = times - 2**32 if times >= 2**31 else times
    t = type(duration)
    if t is dt.timedelta:
        try:
            return duration * times
        except OverflowError:
            return None  # beyond timedelta's 999999999 days (see docs/feel.md)
    if t is YearMonthDuration:
        return YearMonthDuration(duration.months * times)
    return None


def divide(left: Any, right: Any) -> Any:
    a = num(left)
    b = num(right)
    if a is not None and b is not None:
        if b == 0:
            return None
        return from_decimal(D128.divide(a, b))
    tl = type(left)
    if tl is dt.timedelta:
        if b is not None:
            if b == 0:
                return None
            millis = _millis(left)
            return dt.timedelta(milliseconds=_java_int(D128.divide(millis, b)))
        if type(right) is dt.timedelta and right:
            return _java_long_div(_millis(left), _millis(right))
        return None
    if tl is YearMonthDuration:
        if b is not None:
            if b == 0:
                return None
            return YearMonthDuration(_java_int(D128.divide(left.months, b)))
        if type(right) is YearMonthDuration and right.months:
            return _java_long_div(left.months, right.months)
    return None


def _millis(value: dt.timedelta) -> int:
    return (value.days * 86400 + value.seconds) * 1000 + value.microseconds // 1000


def _java_long_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _java_int(value: Decimal) -> int:
    return int(value)  # int() truncates toward zero, like intValue


def power(left: Any, right: Any) -> Any:
    a = num(left)
    b = num(right)
    if a is None or b is None:
        return None
    if b == b.to_integral_value() if type(b) is Decimal else True:
        exponent = int(b)
        if abs(exponent) > 999_999_999:
            raise fail("exponent out of range")
        if a == 0 and exponent < 0:
            raise fail("Division by zero")
        if type(a) is int and exponent >= 0 and abs(a) < 2**63 and exponent < 64:
            result = a**exponent
            if len(str(abs(result))) <= 34:
                return result
        return from_decimal(D128.power(a, exponent))
    try:
        value = math.pow(float(a), float(b))
    except (OverflowError, ValueError):
        raise fail(f"cannot raise {a} to the power {b}") from None
    result = from_float(value)
    if result is None:
        raise fail(f"cannot raise {a} to the power {b}")
    return result


def negate(value: Any) -> Any:
    t = type(value)
    if t is int:
        return -value
    a = num(value)
    if a is None:
        return None
    # Decimal's unary minus would round to the default context's 28 digits.
    if not isinstance(a, Decimal):
        return -a
    return a.copy_negate() if a else a.copy_abs()


def is_context(value: Any) -> bool:
    return isinstance(value, Mapping)
