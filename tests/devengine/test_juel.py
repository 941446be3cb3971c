"""The JUEL subset used by Camunda 7 models."""

from __future__ import annotations

import pytest

from bpmn_bridge.devengine._juel import (
    And,
    Compare,
    JuelError,
    JuelSyntaxError,
    Literal,
    Path,
    compile_template,
    parse,
)


def test_parse_returns_an_ast() -> None:
    assert parse("order.amount gt 10 && ok") == And(
        Compare(">", Path(("order", "amount")), Literal(10)), Path(("ok",))
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${amount > 100}", True),
        ("${amount le 100}", False),
        ("${name == 'bob' and not (amount lt 5)}", True),
        ('${name ne "bob" || amount >= 150}', True),
        ("${!flag}", True),
        ("${missing_ok == null}", True),
        ("${amount == '150'}", True),
    ],
)
def test_conditions(text: str, expected: bool) -> None:
    variables = {"amount": 150, "name": "bob", "flag": False, "missing_ok": None}
    assert compile_template(text)(variables) is expected


def test_single_expression_keeps_type_and_templates_concatenate() -> None:
    assert compile_template("${order.id}")({"order": {"id": 7}}) == 7
    assert compile_template("Hello ${name}!")({"name": "Ann"}) == "Hello Ann!"
    assert compile_template("plain")({}) == "plain"


@pytest.mark.parametrize(
    "text",
    ["${a.b()}", "${a + 1}", "${empty a}", "${a[0]}", "${a ? b : c}", "${a"],
)
def test_outside_the_subset_is_a_syntax_error(text: str) -> None:
    with pytest.raises(JuelSyntaxError):
        compile_template(text)


def test_unknown_variable_is_an_evaluation_error() -> None:
    with pytest.raises(JuelError, match="Unknown property"):
        compile_template("${nope}")({})
