"""FEEL values in Python, and how numbers and other values enter and leave the evaluator.

Inside the evaluator a FEEL value is one of:

==========================  =====================================================
FEEL                        Python
==========================  =====================================================
null                        ``None``
boolean                     ``bool``
number                      ``int`` (integral, scale 0) or ``decimal.Decimal``;
                            ``float`` from variables is read as the decimal its
                            shortest ``repr`` spells (``0.1`` is exactly 0.1)
string                      ``str``
list / context              ``list`` (or ``tuple``) / ``dict`` (or any ``Mapping``)
date                        ``datetime.date``
time                        ``datetime.time`` (local) or :class:`ZonedTime`
date and time               ``datetime.datetime``, naive (local) or aware
days and time duration      ``datetime.timedelta``
years and months duration   :class:`YearMonthDuration`
range                       :class:`FeelRange`
function                    :class:`FeelFunction`
==========================  =====================================================

Numbers follow Camunda (``java.math.BigDecimal``): ``+ - *`` are exact, ``/`` and ``**``
round to 34 significant digits (``MathContext.DECIMAL128``, half-even).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._errors import FeelEvaluationError

__all__ = [
    "D128",
    "EXACT",
    "FeelFunction",
    "FeelRange",
    "YearMonthDuration",
    "ZonedTime",
    "kind",
    "num",
    "to_json",
    "type_name",
]

D128 = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=6144, Emin=-6143, traps=[])
EXACT = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[]
)


def fail(message: str) -> FeelEvaluationError:
    """A failure where Camunda's engine fails the whole evaluation."""
    return FeelEvaluationError(message)


def num(value: Any) -> int | Decimal | None:
    """The FEEL number ``value`` stands for, or None if it is not a number."""
    t = type(value)
    if t is int or t is Decimal:
        return value  # type: ignore[no-any-return]
    if t is float:
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    return None


def is_number(value: Any) -> bool:
    t = type(value)
    return t is int or t is Decimal or t is float


def from_decimal(value: Decimal) -> int | Decimal | None:
    """Normalise an arithmetic result: NaN/infinity are not FEEL numbers."""
    if not value.is_finite():
        return None
    if value.as_tuple().exponent == 0:
        return int(value)
    return value


def from_float(value: float) -> int | Decimal | None:
    """A ``double`` result the way Camunda wraps it: the decimal of ``Double.toString``."""
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return Decimal(repr(value))


@dataclass(frozen=True, slots=True, order=True)
class YearMonthDuration:
    """A FEEL years-and-months duration, stored as total months (``P1Y2M`` is 14)."""

    months: int


@dataclass(frozen=True, slots=True)
class ZonedTime:
    """A time of day with a UTC offset (and the zone it came from, if any)."""

    time: dt.time
    offset: int  # seconds east of UTC
    zone: str | None = None

    def nanos(self) -> int:
        t = self.time
        seconds = t.hour * 3600 + t.minute * 60 + t.second - self.offset
        return seconds * 1_000_000_000 + t.microsecond * 1000


@dataclass(frozen=True, slots=True)
class FeelRange:
    """An interval such as ``[1..10)``: both bounds, each closed or open."""

    start: Any
    start_closed: bool
    end: Any
    end_closed: bool


@dataclass(frozen=True, slots=True, eq=False)
class FeelFunction:
    """A function value: a FEEL ``function(a, b) ...`` definition."""

    params: tuple[str, ...]
    invoke: Callable[[list[Any]], Any]


_KINDS: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    Decimal: "number",
    float: "number",
    str: "string",
    list: "list",
    tuple: "list",
    dict: "context",
    dt.date: "date",
    dt.timedelta: "days and time duration",
    YearMonthDuration: "years and months duration",
    ZonedTime: "time",
    FeelRange: "range",
    FeelFunction: "function",
}


def kind(value: Any) -> str:
    """The FEEL type of ``value``, telling local from zoned times and date-times apart."""
    t = type(value)
    found = _KINDS.get(t)
    if found is not None:
        return found
    if t is dt.datetime:
        return "local date and time" if value.tzinfo is None else "date and time"
    if t is dt.time:
        return "local time" if value.tzinfo is None else "time"
    if isinstance(value, Mapping):
        return "context"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dt.datetime):
        return "local date and time" if value.tzinfo is None else "date and time"
    if isinstance(value, dt.date):
        return "date"
    return "unknown"


def type_name(value: Any) -> str:
    """The name ``instance of`` tests against (``time`` for local and zoned times alike)."""
    k = kind(value)
    if k == "local time":
        return "time"
    if k == "local date and time":
        return "date and time"
    return k


def to_json(value: Any) -> Any:
    """A FEEL result as JSON-ready Python data (the exit rule for numbers and temporals).

    Integral numbers become ``int``, others ``float`` (what Camunda 8 stores: a double);
    temporal values become their FEEL string form; ranges and functions become null;
    containers are converted deeply. Untouched ``float`` values pass through unchanged.
    """
    t = type(value)
    if t is Decimal:
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if t is str or t is int or t is bool or t is float or value is None:
        return value
    if t is dict or isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items() if type(v) is not FeelFunction}
    if t is list or t is tuple:
        return [to_json(v) for v in value]
    if t is FeelRange or t is FeelFunction:
        return None
    from ._text import to_text

    return to_text(value)
