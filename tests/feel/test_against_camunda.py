"""Every FEEL case, evaluated by ``bpmn_bridge.feel`` and by Camunda's own FEEL engine.

The cases are ``cases.py`` (the constructs our documentation lists) and every module in
``corpus/`` (the whole language, built-ins with typical, edge and wrong-type arguments). Each
must agree with Camunda — same FEEL type and value, or both an error — except the cases in
``known_differences.py``, which are marked ``xfail(strict=True)``: one that starts to agree
fails the run until it is taken off the list.

The peer evaluates all cases in one batch on first use (one JVM for the session).
"""

from __future__ import annotations

from typing import Any

import pytest

from . import cases, corpus
from .camunda_feel import CamundaFeel
from .differential import Comparison, case_id, compare, describe, run_ours, same
from .known_differences import KNOWN_DIFFERENCES
from .test_evaluation import CORE

AreaCase = tuple[str, str, dict[str, Any]]


def all_cases() -> list[AreaCase]:
    """``(area, source, variables)`` for the case table and the corpus, without duplicates."""
    listed: dict[str, AreaCase] = {}
    for area, table in cases.TABLES.items():
        for source, variables in table:
            listed.setdefault(case_id(source, variables), (area, source, variables))
    for area, table in corpus.load().items():
        for source, variables in table:
            listed.setdefault(case_id(source, variables), (area, source, variables))
    return list(listed.values())


ALL = all_cases()


@pytest.fixture(scope="session")
def camunda_comparisons(camunda_feel: CamundaFeel) -> dict[str, Comparison]:
    """Both engines' outcome for every case, by case id (the peer's part in one batch)."""
    return {c.case_id: c for c in compare(camunda_feel, ALL)}


def _param(area: str, source: str, variables: dict[str, Any]) -> Any:
    name = case_id(source, variables)
    marks = []
    if name in KNOWN_DIFFERENCES:
        marks.append(
            pytest.mark.xfail(reason="known difference (known_differences.py)", strict=True)
        )
    return pytest.param(name, id=f"{area}: {name}", marks=marks)


@pytest.mark.parametrize("name", [_param(*case) for case in ALL])
def test_agrees_with_camunda(name: str, camunda_comparisons: dict[str, Comparison]) -> None:
    comparison = camunda_comparisons[name]
    assert comparison.verdict != "differ", comparison.explain()


def test_known_differences_are_all_cases() -> None:
    # A stale entry would never run, so it could never force its own removal.
    stale = KNOWN_DIFFERENCES - {case_id(source, variables) for _, source, variables in ALL}
    assert not stale


def test_a_wrong_result_is_caught(camunda_feel: CamundaFeel) -> None:
    # The comparison itself can fail: our answer to "1 + 1" checked against Camunda's answer to
    # "1 + 2" differs, and so does a string against a number with the same text.
    [three] = camunda_feel.evaluate_many([("1 + 2", {})])
    ours = run_ours("1 + 1", {})
    assert Comparison("check", "1 + 1", {}, ours, three).verdict == "differ"
    [text] = camunda_feel.evaluate_many([('"2"', {})])
    assert Comparison("check", "1 + 1", {}, ours, text).verdict == "differ"


@pytest.mark.parametrize(
    ("source", "variables", "expected"), [pytest.param(*row, id=row[0]) for row in CORE]
)
def test_hand_written_results_are_camundas(
    source: str, variables: dict[str, Any], expected: Any, camunda_feel: CamundaFeel
) -> None:
    # test_evaluation.py keeps these results for runs without Java; they must be Camunda's.
    answer = camunda_feel.evaluate(source, variables)
    assert answer.value is not None and same(describe(expected), answer.value), answer
