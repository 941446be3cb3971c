"""Evidence for writing our own evaluator: the same FEEL table against bkflow-feel 1.2.0.

bkflow-feel (the only FEEL evaluator on PyPI we found) is run on the case table of
``cases.ALL_CASES``, and its results are checked against Camunda's own FEEL engine (the JVM
peer; ``test_against_camunda.py`` does the same for ours). The concrete cases where it
deviates are recorded below as assertions, so the decision in docs/feel.md stays checked
against the pinned version. bkflow-feel is a dev dependency only; ``bpmn_bridge`` must never
import it.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import pytest

from bpmn_bridge.feel import evaluate

from .camunda_feel import CamundaFeel
from .cases import ALL_CASES, same_value
from .differential import describe, same

bkflow_api = pytest.importorskip("bkflow_feel.api")


def run_bkflow(
    source: str, variables: dict[str, Any], *, strip_equals: bool = True
) -> tuple[str, Any]:
    """Evaluate with bkflow-feel: ("value", result) or ("raises", exception class name)."""
    logger = logging.getLogger("bkflow_feel")
    previous, logger.disabled = logger.disabled, True  # it logs a traceback per failure
    try:
        # bkflow-feel rejects Camunda's leading "=", so strip it to compare semantics only.
        text = source.strip().removeprefix("=") if strip_equals else source
        return "value", bkflow_api.parse_expression(text, copy.deepcopy(variables))
    except Exception as error:  # any failure is an outcome to record
        return "raises", type(error).__name__
    finally:
        logger.disabled = previous


def agrees_with_camunda(
    outcome: tuple[str, Any], source: str, variables: dict[str, Any], camunda_feel: CamundaFeel
) -> bool:
    """Whether an outcome of ``run_bkflow`` is the value Camunda's FEEL engine gives."""
    kind, value = outcome
    answer = camunda_feel.evaluate(source, variables)
    return kind == "value" and answer.value is not None and same(describe(value), answer.value)


# (source, variables, what bkflow-feel 1.2.0 does); Camunda's engine answers otherwise
BKFLOW_DEVIATIONS: list[tuple[str, dict[str, Any], tuple[str, Any]]] = [
    # Camunda's "=" prefix is not accepted at all.
    ("=a", {"a": 1}, ("raises", "UnexpectedToken")),
    # if-then-else with a comparison as condition does not parse.
    ('if x > 1 then "big" else "small"', {"x": 2}, ("raises", "UnexpectedToken")),
    ("if null then 1 else 2", {}, ("raises", "UnexpectedToken")),
    # Left-associative subtraction chain does not parse.
    ("10 - 4 - 3", {}, ("raises", "UnexpectedToken")),
    # Null and mixed types raise instead of yielding null.
    ("x = null", {"x": 1}, ("raises", "ValidationError")),
    ("null < 1", {}, ("raises", "ValidationError")),
    ("a.b > 10", {}, ("raises", "ValidationError")),
    ("1 + null", {}, ("raises", "ValidationError")),
    ('"a" + 1', {}, ("raises", "ValidationError")),
    ("1 / 0", {}, ("raises", "ZeroDivisionError")),
    ("x between 1 and 10", {}, ("raises", "TypeError")),
    # int and float are treated as different types.
    ("1 = 1.0", {}, ("raises", "ValidationError")),
    ("3 > 2.5", {}, ("raises", "ValidationError")),
    # Python's bool-is-int leaks through.
    ("true + 1", {}, ("value", 2)),
    ("true = 1", {}, ("value", True)),
    ("[1] + [2]", {}, ("value", [1, 2])),
    # Three-valued logic is wrong.
    ("null and false", {}, ("value", None)),
    ("null or false", {}, ("value", False)),
    ('true and "yes"', {}, ("value", "yes")),
    ("not(null)", {}, ("value", True)),
    # A variable as list index is treated as a filter.
    ("xs[i]", {"xs": [10, 20, 30], "i": 2}, ("value", [])),
    # Filter conditions cannot use "item.member" or outer variables.
    ("xs[item.a > 1]", {"xs": [{"a": 1}, {"a": 2}]}, ("value", [])),
    ("xs[a > limit]", {"xs": [{"a": 1}, {"a": 2}], "limit": 1}, ("value", [])),
    # Path on a list does not map; index/path after a filter does not parse.
    ("[{a: 1}, {b: 2}].a", {}, ("raises", "UnexpectedToken")),
    ("xs[item > 1][1]", {"xs": [1, 2, 3]}, ("raises", "UnexpectedToken")),
    # Later context entries cannot see earlier ones.
    ("{a: 1, b: a + 1}", {}, ("raises", "ValidationError")),
    # String escapes are kept verbatim.
    ('"a\\"b"', {}, ("value", 'a\\"b')),
    # Built-ins: missing, or Python-flavoured results.
    ("string(true)", {}, ("value", "True")),
    ("string(null)", {}, ("value", "None")),
    ('number("12")', {}, ("value", None)),
    ('upper case("aBc")', {}, ("value", None)),
    ('string length("abc")', {}, ("raises", "UnexpectedToken")),
    ("sum([1, 2, 3])", {}, ("value", None)),
    ('get value({a: 1}, "a")', {}, ("raises", "UnexpectedToken")),
]


@pytest.mark.parametrize(
    ("source", "variables", "bkflow_outcome"),
    [pytest.param(*row, id=row[0]) for row in BKFLOW_DEVIATIONS],
)
def test_recorded_bkflow_deviation(
    source: str,
    variables: dict[str, Any],
    bkflow_outcome: tuple[str, Any],
    camunda_feel: CamundaFeel,
) -> None:
    kind, value = run_bkflow(source, variables, strip_equals=False)
    assert kind == bkflow_outcome[0]
    assert same_value(value, bkflow_outcome[1]) if kind == "value" else value == bkflow_outcome[1]
    assert not agrees_with_camunda((kind, value), source, variables, camunda_feel)
    assert agrees_with_camunda(
        ("value", evaluate(source, variables)), source, variables, camunda_feel
    )


def test_bkflow_lacks_the_connector_error_functions() -> None:
    # Camunda's connector runtime adds bpmnError and jobError to FEEL; bkflow-feel has neither.
    assert run_bkflow('bpmnError("E1", "boom")', {}) == ("value", None)
    assert run_bkflow('jobError("failed")', {}) == ("value", None)
    assert type(evaluate('bpmnError("E1", "boom")', {})).__name__ == "BpmnErrorResult"
    assert type(evaluate('jobError("failed")', {})).__name__ == "JobErrorResult"


# Cases bkflow-feel does get right, so the comparison is not rigged against it.
BKFLOW_AGREES = [
    "a.b.c",
    "missing",
    '{a: 1, "b": x, c: {d: 2}}',
    "xs[1]",
    "xs[-1]",
    "xs[item > 1]",
    '"a" + "b"',
    "true and null",
    "5 between 1 and 10",
    '"x" = "x"',
    'contains("abc", "b")',
    "count([1, 2, 3])",
]


@pytest.mark.parametrize("source", BKFLOW_AGREES)
def test_bkflow_agrees_on_basics(source: str) -> None:
    variables = {"a": {"b": {"c": 1}}, "x": 5, "xs": [1, 2, 3]}
    kind, value = run_bkflow(source, variables)
    assert kind == "value"
    assert same_value(value, evaluate(source, variables))


def test_bkflow_deviates_on_a_large_share_of_the_table(camunda_feel: CamundaFeel) -> None:
    wrong = [
        source
        for source, variables in ALL_CASES
        if not agrees_with_camunda(run_bkflow(source, variables), source, variables, camunda_feel)
    ]
    # Measured with bkflow-feel 1.2.0 against Camunda's engine: 75 of the 172 cases. Assert a
    # floor, not the exact count, so adding cases to the table does not break this test.
    assert len(wrong) >= 70
    in_table = {source for source, _ in ALL_CASES}
    assert {row[0] for row in BKFLOW_DEVIATIONS if row[0] in in_table} <= set(wrong)


def test_package_never_imports_bkflow() -> None:
    package = Path(__file__).resolve().parents[2] / "bpmn_bridge"
    offenders = [str(path) for path in package.rglob("*.py") if "bkflow" in path.read_text("utf-8")]
    assert offenders == []
