"""Every supported construct, table-driven, against Camunda's documented results."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn_bridge.feel import compile_expression, evaluate

from .cases import (
    ARITHMETIC,
    COMPARISONS,
    CONTEXTS_AND_LISTS,
    ERROR_FUNCTIONS,
    FUNCTIONS,
    INDEX_AND_FILTER,
    LITERALS,
    LOGIC,
    PATHS,
    same_value,
)

TABLES = {
    "paths": PATHS,
    "literals": LITERALS,
    "contexts-and-lists": CONTEXTS_AND_LISTS,
    "index-and-filter": INDEX_AND_FILTER,
    "arithmetic": ARITHMETIC,
    "comparisons": COMPARISONS,
    "logic": LOGIC,
    "functions": FUNCTIONS,
    "error-functions": ERROR_FUNCTIONS,
}


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        pytest.param(source, variables, expected, id=f"{table}: {source}")
        for table, cases in TABLES.items()
        for source, variables, expected in cases
    ],
)
def test_case(source: str, variables: dict[str, Any], expected: Any) -> None:
    result = evaluate(source, variables)
    assert same_value(result, expected), f"{source!r} gave {result!r}, expected {expected!r}"


def test_integral_literal_is_int_and_fraction_is_float() -> None:
    assert type(evaluate("2", {})) is int
    assert type(evaluate("2.0", {})) is int
    assert type(evaluate("2.25", {})) is float


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
    assert evaluate("string(a)", {"a": early}) == "2024-01-01T00:00:00+00:00"
    assert evaluate("a < 1", {"a": early}) is None
