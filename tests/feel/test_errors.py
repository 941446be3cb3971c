"""Compile-time rejection (naming the construct and column) and fatal evaluation errors."""

from __future__ import annotations

import pytest

from bpmn_bridge.feel import (
    FeelError,
    FeelEvaluationError,
    FeelSyntaxError,
    compile_expression,
    evaluate,
)


@pytest.mark.parametrize(
    ("source", "fragment", "column"),
    [
        # Each of these is a syntax error for Camunda's engine too.
        ("1 + if true then 1 else 2", "'if' starts an expression that cannot be an operand", 5),
        ("1 < x < 5", "chained comparisons", 7),
        ("(function(a) a)(2)", "only a function name can be called", 16),
        ("1e3", "unexpected name 'e3'", 2),
        ("for x in xs", "expected 'return' in 'for ... in ... return'", 12),
        ("some x in xs", "expected 'satisfies' in 'some ... in ... satisfies'", 13),
        ("every x in xs return x", "expected 'satisfies' in 'every ... in ... satisfies'", 15),
        ("for 1 in xs return 1", "expected a variable name in 'for", 5),
        ("x in", "unexpected end of expression", 5),
        ("a.", "expected a name after '.'", 3),
        ("[1..3", "to close the interval", 6),
        ("function(a", "to close the function parameters", 11),
        ("1..3", "a range ('..') must be written as an interval", 2),
        ("x instance of", "expected a type name after 'instance of'", 14),
        ("'single'", 'unexpected character "\'"', 1),
        ("", "empty expression", 1),
        ("=", "empty expression", 2),
        ("a +", "unexpected end of expression", 4),
        ("(1", "expected ')'", 3),
        ("[1, 2", "expected ']'", 6),
        ("{a: 1", "expected '}'", 6),
        ("{a 1}", "expected a context key followed by ':'", 5),
        ("if x then 1", "expected 'else'", 12),
        ('"abc', "unterminated string", 1),
        ("a b", "unexpected name 'b'", 3),
        ("then", "unexpected keyword 'then'", 1),
        ("=  x +* 2", "unexpected '*'", 7),
    ],
)
def test_rejected_at_compile_time(source: str, fragment: str, column: int) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression(source)
    error = info.value
    assert fragment in str(error)
    assert error.column == column
    assert f"column {column}" in str(error)
    assert error.source == source
    assert isinstance(error, FeelError)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ('bpmnError(null, "m")', "error code must be a non-empty string"),
        ('bpmnError("", "m")', "error code must be a non-empty string"),
        ('bpmnError("E", 1)', "message must be a string"),
        ('bpmnError("E", "m", [1])', "variables must be a context"),
        ('jobError("m", {}, -1)', "retries must be a non-negative integer"),
        ('jobError("m", {}, 1.5)', "retries must be a non-negative integer"),
        ('jobError("m", {}, 1, 30)', "retryBackoff must be a duration"),
    ],
)
def test_error_functions_with_unusable_arguments_are_fatal(source: str, fragment: str) -> None:
    with pytest.raises(FeelEvaluationError) as info:
        evaluate(source, {})
    assert fragment in str(info.value)
    assert any(source in note for note in info.value.__notes__)


def test_job_error_accepts_integral_float_retries() -> None:
    assert evaluate('jobError("m", {}, 2.0)', {}).retries == 2


def test_job_error_takes_a_duration_value_as_backoff() -> None:
    assert evaluate('jobError("m", {}, 1, @"PT30S")', {}).retry_backoff == "PT30S"
    assert evaluate('jobError("m", {}, 1, duration("PT1M"))', {}).retry_backoff == "PT1M"


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        # Where Camunda's engine fails the evaluation, ours raises FeelEvaluationError.
        ("assert(1, false)", "The condition is not fulfilled"),
        ('assert(1, 1 > 2, "too small")', "too small"),
        ("modulo(5, 0)", "division by zero"),
        ('substring("abc", 5)', "out of range"),
        ("x.f(1)", "Expected context"),
        ("?", "No input value available"),
        ("[1] < [2]", "can not be compared"),
    ],
)
def test_camunda_failures_are_evaluation_errors(source: str, fragment: str) -> None:
    with pytest.raises(FeelEvaluationError) as info:
        evaluate(source, {})
    assert fragment in str(info.value)


def test_non_mapping_variables_are_fatal() -> None:
    with pytest.raises(FeelEvaluationError, match="variables must be a mapping"):
        compile_expression("a").evaluate([1])  # type: ignore[arg-type]


def test_type_errors_inside_expressions_yield_null_not_exceptions() -> None:
    assert evaluate('a + b * c - "x" / d', {"a": [1], "b": {}, "c": True, "d": 0}) is None


def test_absurd_nesting_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(FeelSyntaxError, match="nested too deeply"):
        compile_expression("(" * 5000 + "1" + ")" * 5000)


def test_moderate_nesting_compiles() -> None:
    assert evaluate("(" * 50 + "1" + ")" * 50, {}) == 1


def test_nested_unary_test_lists_parse_in_linear_time() -> None:
    # Each "in (" may fall back to a single test; without remembering failed positions this
    # input would take 2**40 steps.
    with pytest.raises(FeelSyntaxError):
        compile_expression("x in (" * 40 + "1 and")
    assert evaluate("x in (" * 40 + "(1..5] and y" + ")" * 40, {"x": 1, "y": True}) is False
    assert evaluate("x in ((1..5] and y)", {"x": 1, "y": True}) is False
