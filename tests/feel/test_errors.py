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
        ("for x in xs return x", "'for' expressions", 1),
        ("some x in xs satisfies x > 1", "quantified expressions", 1),
        ("every x in xs satisfies x > 1", "quantified expressions", 1),
        ("x instance of number", "'instance of'", 3),
        ('@"2020-01-01"', "temporal literals", 1),
        ('date("2020-01-01")', "built-in function 'date' is not supported", 1),
        ('=date and time("2020-01-01T00:00:00")', "'date and time' is not supported", 2),
        ('duration("PT1H")', "'duration' is not supported", 1),
        ("now()", "'now' is not supported", 1),
        ('substring("abc", 2)', "'substring' is not supported", 1),
        ("function(a) a + 1", "function definitions", 1),
        ("[1..3]", "ranges ('..')", 3),
        ("x in [1..3]", "ranges ('..')", 8),
        ("x in (1..3)", "intervals", 6),
        ("x in < 5", "unary tests after 'in'", 6),
        ("2 ** 3", "exponentiation ('**')", 3),
        ('contains(string: "a", match: "b")', "named arguments", 10),
        ("foo(1)", "unknown function 'foo'", 1),
        ("a.b(1)", "only built-in functions can be called", 4),
        ("count(1, 2)", "takes 1 argument(s), got 2", 1),
        ("bpmnError()", "takes 2 to 3 argument(s), got 0", 1),
        ("1 < x < 5", "chained comparisons", 7),
        ("{a b: 1}", "context keys with spaces", 4),
        ("{a: 1, a: 2}", "duplicate context key 'a'", 8),
        ("'single'", "single-quoted strings", 1),
        ("`a b`", "backtick", 1),
        ("?", "unary-test input '?'", 1),
        ("", "empty expression", 1),
        ("=", "empty expression", 2),
        ("a +", "unexpected end of expression", 4),
        ("(1", "expected ')'", 3),
        ("[1, 2", "expected ']'", 6),
        ("{a: 1", "expected '}'", 6),
        ("if x then 1", "expected 'else'", 12),
        ('"abc', "unterminated string", 1),
        ('"\\q"', "invalid escape", 2),
        ("a b", "unexpected name 'b'", 3),
        ("1 $", "unexpected character '$'", 3),
        ("then", "unexpected keyword 'then'", 1),
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
        ('jobError("m", {}, 1, 30)', "retryBackoff must be an ISO-8601 duration string"),
    ],
)
def test_error_functions_with_unusable_arguments_are_fatal(source: str, fragment: str) -> None:
    with pytest.raises(FeelEvaluationError) as info:
        evaluate(source, {})
    assert fragment in str(info.value)
    assert any(source in note for note in info.value.__notes__)


def test_job_error_accepts_integral_float_retries() -> None:
    assert evaluate('jobError("m", {}, 2.0)', {}).retries == 2


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
