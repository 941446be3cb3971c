"""Evaluation without Java: a few hand-checked results, the connector error functions, and
the API's own behaviour (caching, immutability, variable names).

Everything else is checked against Camunda's own FEEL engine in ``test_against_camunda.py``; the
results below were confirmed there too, so these keep a core of the language covered where no
JVM is available.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bpmn_bridge.feel import BpmnErrorResult, JobErrorResult, compile_expression, evaluate

from .cases import RESPONSE, same_value

# (source, variables, expected): one or two per construct, results as Camunda's engine gives.
CORE: list[tuple[str, dict[str, Any], Any]] = [
    ("=a.b.c", {"a": {"b": {"c": 1}}}, 1),
    ("a.b.c", {"a": None}, None),
    ("response.body.items.n", {"response": RESPONSE}, [1, 5]),
    ("{a: 1, b: a + 1}", {}, {"a": 1, "b": 2}),
    ("xs[-1]", {"xs": [10, 20, 30]}, 30),
    ("xs[0]", {"xs": [10, 20, 30]}, None),
    ("xs[a > limit]", {"xs": [{"a": 1}, {"a": 2}], "limit": 1}, [{"a": 2}]),
    ("10 / 4", {}, Decimal("2.5")),
    ("1 / 0", {}, None),
    ('"a" + 1', {}, None),
    ("x = null", {}, True),
    ('1 = "1"', {}, None),
    ("[1, 2] = [1, 2]", {}, True),
    ("false and null", {}, False),
    ("true or null", {}, True),
    ("if null then 1 else 2", {}, 2),
    ("5 between 1 and 10", {}, True),
    ('"x" in tags', {"tags": ["x", "y"]}, True),
    ("string(true)", {}, "true"),
    ('number("1500.5")', {}, Decimal("1500.5")),
    ("sum([])", {}, None),
    ("is defined(x)", {"x": None}, False),
    ('get value({x: {y: 3}}, ["x", "y"])', {}, 3),
]

# bpmnError and jobError come from Camunda's connector runtime, not from its FEEL engine, so
# the peer has no answer for them; their results are checked here.
ERROR_FUNCTIONS: list[tuple[str, dict[str, Any], Any]] = [
    ('bpmnError("E1", "boom")', {}, BpmnErrorResult("E1", "boom", {})),
    ('bpmnError("E1", "boom", {a: x})', {"x": 1}, BpmnErrorResult("E1", "boom", {"a": 1})),
    ('bpmnError("E1", error.message)', {}, BpmnErrorResult("E1", "", {})),
    (
        'if error.code = "404" then bpmnError("NOT_FOUND", "no " + id) else null',
        {"error": {"code": "404"}, "id": "7"},
        BpmnErrorResult("NOT_FOUND", "no 7", {}),
    ),
    (
        'if error.code = "404" then bpmnError("NOT_FOUND", "no") else null',
        {"error": {"code": "500"}},
        None,
    ),
    ('jobError("failed")', {}, JobErrorResult("failed", {}, None, None)),
    (
        'jobError("failed", {attempt: 2}, 3, "PT30S")',
        {},
        JobErrorResult("failed", {"attempt": 2}, 3, "PT30S"),
    ),
    ('jobError("failed", null, 0)', {}, JobErrorResult("failed", {}, 0, None)),
]


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [pytest.param(*case, id=case[0]) for case in CORE + ERROR_FUNCTIONS],
)
def test_case(source: str, variables: dict[str, Any], expected: Any) -> None:
    result = evaluate(source, variables)
    assert same_value(result, expected), f"{source!r} gave {result!r}, expected {expected!r}"


def test_numbers_are_int_or_decimal_inside_and_int_or_float_as_json() -> None:
    assert type(evaluate("2", {})) is int
    # A decimal keeps its scale, as BigDecimal does: string(2.0) is "2.0".
    assert evaluate("2.0", {}) == Decimal("2.0")
    assert evaluate("string(2.0)", {}) == "2.0"
    assert evaluate("2.25", {}) == Decimal("2.25")
    assert compile_expression("[2.0, 2.25, 1 / 3]").evaluate_json({}) == [2, 2.25, 1 / 3]


def test_compile_is_cached() -> None:
    assert compile_expression("=a.b + 1") is compile_expression("=a.b + 1")


def test_source_is_kept_verbatim() -> None:
    expr = compile_expression("= a.b")
    assert expr.source == "= a.b"
    assert repr(expr) == "Expression('= a.b')"


def test_expression_is_immutable() -> None:
    expr = compile_expression("a")
    with pytest.raises(AttributeError):
        expr.source = "b"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("=response.body.id", {"response"}),
        ("{a: x, b: a + y}", {"x", "y"}),
        ("xs[item > limit]", {"xs", "limit"}),
        ('"constant"', set()),
        ("if ok then bpmnError(code, msg) else jobError(m)", {"ok", "code", "msg", "m"}),
        ("is defined(x.y)", {"x"}),
    ],
)
def test_variable_names(source: str, names: set[str]) -> None:
    assert compile_expression(source).variable_names == frozenset(names)


def test_results_are_fresh_objects_per_evaluation() -> None:
    expr = compile_expression("{a: [1]}")
    first = expr.evaluate({})
    first["a"].append(2)
    assert expr.evaluate({}) == {"a": [1]}


def test_variables_are_not_mutated() -> None:
    variables = {"xs": [{"a": 1}], "c": {"d": 1}}
    evaluate("{a: xs[a > 0], b: c, n: count(xs)}", variables)
    assert variables == {"xs": [{"a": 1}], "c": {"d": 1}}


def test_datetime_values_compare_and_print() -> None:
    import datetime as dt

    early = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    late = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    assert evaluate("a < b", {"a": early, "b": late}) is True
    assert evaluate("a = b", {"a": early, "b": early}) is True
    # Camunda prints a zero offset as "Z".
    assert evaluate("string(a)", {"a": early}) == "2024-01-01T00:00:00Z"
    assert evaluate("a < 1", {"a": early}) is None
