"""How values enter the evaluator from JSON variables and leave it as JSON.

Entry: ``int`` stays an exact integer, ``float`` is read as the decimal its shortest
``repr`` spells (the JSON text), ``Decimal`` as itself. Exit (``evaluate_json`` /
``to_json``): integral numbers become ``int``, others ``float`` (the double Camunda 8
stores); temporal values their FEEL text; ranges and functions null. The pipeline and the
embedded engine apply the exit rule to every mapping result.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from bpmn_bridge import Completed, connector
from bpmn_bridge.feel import YearMonthDuration, compile_expression, evaluate, to_json
from bpmn_bridge.testing import run_connector


def test_floats_enter_as_the_decimals_they_spell() -> None:
    assert evaluate("a + b", {"a": 0.1, "b": 0.2}) == Decimal("0.3")
    assert evaluate("a + b = 0.3", {"a": 0.1, "b": 0.2}) is True
    assert evaluate("a * 3", {"a": 1.1}) == Decimal("3.3")
    # An untouched float leaves as it came.
    assert compile_expression("{v: a}").evaluate_json({"a": 0.1}) == {"v": 0.1}


def test_integers_stay_exact() -> None:
    big = 2**70 + 1
    assert evaluate("a + 1", {"a": big}) == big + 1
    assert compile_expression("{v: a * 2}").evaluate_json({"a": big}) == {"v": 2 * big}


def test_division_rounds_to_34_digits_like_decimal128() -> None:
    third = evaluate("1 / 3", {})
    assert third == Decimal("0." + "3" * 34)
    assert evaluate("10 / 4", {}) == Decimal("2.5")
    assert evaluate("10 / 2", {}) == 5
    assert type(evaluate("10 / 2", {})) is int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.50"), 2.5),
        (Decimal("3.0"), 3),
        (Decimal("1E+3"), 1000),
        (Decimal("0.3333333333333333333333333333333333"), 1 / 3),
        (dt.date(2020, 1, 2), "2020-01-02"),
        (dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2020-01-02T03:04:05Z"),
        (dt.timedelta(days=1, hours=2), "P1DT2H"),
        (YearMonthDuration(14), "P1Y2M"),
        ({"a": [Decimal("0.5"), {"b": dt.time(10, 30)}]}, {"a": [0.5, {"b": "10:30:00"}]}),
    ],
)
def test_exit_rule(value: Any, expected: Any) -> None:
    converted = to_json(value)
    assert converted == expected
    assert type(converted) is type(expected)
    json.dumps(converted)  # always serialisable


def test_ranges_and_functions_leave_as_null() -> None:
    result = compile_expression("{r: [1..3], f: function(x) x, n: string([1..3])}").evaluate_json(
        {}
    )
    assert result == {"r": None, "n": "[1..3]"}


class Order(BaseModel):
    items: list[dict[str, Any]]


@connector(type="order-lines")
async def order_lines(order: Order) -> dict[str, Any]:
    return {"lines": order.items}


async def test_a_result_expression_through_the_pipeline_leaves_as_json() -> None:
    outcome = await run_connector(
        order_lines,
        variables={"items": [{"sku": "a", "price": 0.1}, {"sku": "b", "price": 0.2}]},
        headers={
            "resultExpression": (
                '={skus: string join(for l in response.lines return l.sku, ","),'
                " total: sum(response.lines.price),"
                ' due: @"2020-01-31" + @"P1M",'
                " cheap: some l in response.lines satisfies l.price < 0.15}"
            )
        },
    )
    assert outcome == Completed({"skus": "a,b", "total": 0.3, "due": "2020-02-29", "cheap": True})
    assert isinstance(outcome, Completed)
    assert type(outcome.variables["total"]) is float
