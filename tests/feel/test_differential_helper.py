"""The comparison helper itself: our values in the peer's typed form, and the verdicts.

The first tests run without Java. The last one checks, against the peer, that each kind of
FEEL value Camunda prints is written the same way by ``describe`` for the Python value the
evaluator holds (so a difference the suite reports is a real one, not a formatting artefact).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .camunda_feel import CamundaFeel, CamundaResult
from .differential import Comparison, Ours, describe, same


@dataclass(frozen=True)
class YearMonthDuration:  # the shape of the evaluator's own class (read by name and fields)
    months: int


@dataclass(frozen=True)
class ZonedTime:
    time: dt.time
    offset: int
    zone: str | None = None


@dataclass(frozen=True)
class FeelRange:
    start: Any
    start_closed: bool
    end: Any
    end_closed: bool


def number(text: str) -> dict[str, Any]:
    return {"type": "number", "value": text}


@pytest.mark.parametrize(
    ("ours", "theirs", "equal"),
    [
        (2, number("2"), True),
        (Decimal("2.50"), number("2.5"), True),
        (2.5, number("2.50"), True),
        (0.30000000000000004, number("0.3"), False),
        (Decimal("0.3333333333333333333333333333333333"), number("0.3333333333333333"), False),
        (True, number("1"), False),
        ("1", number("1"), False),
        (None, {"type": "null"}, True),
        (
            [1, "a"],
            {"type": "list", "items": [number("1"), {"type": "string", "value": "a"}]},
            True,
        ),
        ([1, 2], {"type": "list", "items": [number("2"), number("1")]}, False),
        ([1], {"type": "list", "items": [number("1"), number("1")]}, False),
        (
            {"a": 1, "b": None},
            {"type": "context", "entries": {"b": {"type": "null"}, "a": number("1")}},
            True,
        ),
        ({"a": 1}, {"type": "context", "entries": {"a": number("1"), "b": number("1")}}, False),
        ({"a": 1}, {"type": "list", "items": [number("1")]}, False),
    ],
)
def test_same(ours: Any, theirs: dict[str, Any], equal: bool) -> None:
    assert same(describe(ours), theirs) is equal


def test_ranges_compare_bounds_and_closedness() -> None:
    # Camunda 1.19 reads a range literal as a unary test against the (missing) input value,
    # so the peer has no range results to check this against; the shape is the peer's.
    theirs = {
        "type": "range",
        "start": {"value": number("1"), "closed": True},
        "end": {"value": number("3"), "closed": False},
    }
    assert same(describe(FeelRange(1, True, 3, False)), theirs)
    assert not same(describe(FeelRange(1, True, 3, True)), theirs)
    assert not same(describe(FeelRange(1, True, 4, False)), theirs)


def test_unknown_python_values_never_match() -> None:
    described = describe(object())
    assert described["type"].startswith("python ")
    assert not same(described, {"type": "string", "value": described["value"]})


def _comparison(ours: Ours, camunda: CamundaResult) -> Comparison:
    return Comparison("check", "x", {}, ours, camunda)


def test_verdicts() -> None:
    one, two = number("1"), number("2")
    value = CamundaResult(value=one, error=None)
    failure = CamundaResult(value=None, error="failed to parse expression")
    assert _comparison(Ours(value=one, error=None), value).verdict == "agree"
    assert _comparison(Ours(value=two, error=None), value).verdict == "differ"
    assert _comparison(Ours(value=None, error="FeelSyntaxError: x"), failure).verdict == (
        "both-error"
    )
    assert _comparison(Ours(value=None, error="FeelSyntaxError: x"), value).verdict == "differ"
    assert _comparison(Ours(value=one, error=None), failure).verdict == "differ"
    # A Python exception escaping our evaluator never counts as agreeing with a failure.
    crash = Ours(value=None, error="KeyError: 'x'", crashed=True)
    assert _comparison(crash, failure).verdict == "differ"
    explained = _comparison(crash, failure).explain()
    assert "a Python exception escaped" in explained and "failed to parse" in explained


BERLIN = ZoneInfo("Europe/Berlin")  # summer time below: the region, not +02:00, is kept
PLUS_ONE = dt.timezone(dt.timedelta(hours=1))
MINUS_530 = dt.timezone(-dt.timedelta(hours=5, minutes=30))


def _function(x: Any) -> Any:
    return x


# (FEEL expression, the Python value our evaluator holds for it)
TYPED_VALUES: list[tuple[str, Any]] = [
    ('date("2020-01-02")', dt.date(2020, 1, 2)),
    ('time("10:20:30")', dt.time(10, 20, 30)),
    ('time("10:20:00.5")', dt.time(10, 20, 0, 500000)),
    ('time("10:20:30+01:00")', dt.time(10, 20, 30, tzinfo=PLUS_ONE)),
    ('time("10:20:30Z")', dt.time(10, 20, 30, tzinfo=dt.UTC)),
    ('time("10:20:30+01:00")', ZonedTime(dt.time(10, 20, 30), 3600)),
    ('time("10:20:30@Europe/Paris")', ZonedTime(dt.time(10, 20, 30), 3600, "Europe/Paris")),
    ('date and time("2020-01-02T10:20:30")', dt.datetime(2020, 1, 2, 10, 20, 30)),
    ('date and time("2020-01-02T00:00:00Z")', dt.datetime(2020, 1, 2, tzinfo=dt.UTC)),
    (
        'date and time("2020-01-02T10:20:00-05:30")',
        dt.datetime(2020, 1, 2, 10, 20, tzinfo=MINUS_530),
    ),
    (
        'date and time("2020-07-02T10:20:00@Europe/Berlin")',
        dt.datetime(2020, 7, 2, 10, 20, tzinfo=BERLIN),
    ),
    ('duration("P1DT2H3M4.5S")', dt.timedelta(days=1, hours=2, minutes=3, seconds=4.5)),
    ('duration("PT49H")', dt.timedelta(days=2, hours=1)),
    ('duration("-PT1H")', dt.timedelta(hours=-1)),
    ('duration("PT0S")', dt.timedelta(0)),
    ('duration("PT1M")', dt.timedelta(minutes=1)),
    ('duration("P1Y2M")', YearMonthDuration(14)),
    ('duration("-P3M")', YearMonthDuration(-3)),
    ('duration("P2Y")', YearMonthDuration(24)),
    ('years and months duration(date("2020-01-01"), date("2020-01-01"))', YearMonthDuration(0)),
    ("function(x) x", _function),
    ('{a: [1, "x"], b: @"2020-01-02"}', {"a": [1, "x"], "b": dt.date(2020, 1, 2)}),
]


@pytest.mark.parametrize(("source", "value"), TYPED_VALUES, ids=[s for s, _ in TYPED_VALUES])
def test_describe_writes_what_camunda_prints(
    source: str, value: Any, camunda_feel: CamundaFeel
) -> None:
    answer = camunda_feel.evaluate(source)
    assert answer.value is not None, answer
    assert same(describe(value), answer.value), (describe(value), answer.value)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ('date("2020-01-02")', dt.date(2020, 1, 3)),
        ('time("10:20:30")', dt.time(10, 20, 30, tzinfo=dt.UTC)),
        (
            'date and time("2020-01-02T10:20:30")',
            dt.datetime(2020, 1, 2, 10, 20, 30, tzinfo=dt.UTC),
        ),
        ('duration("P1D")', YearMonthDuration(1)),
        ("function(x) x", "function"),
    ],
)
def test_describe_tells_near_misses_apart(
    source: str, value: Any, camunda_feel: CamundaFeel
) -> None:
    answer = camunda_feel.evaluate(source)
    assert answer.value is not None and not same(describe(value), answer.value)
