"""Generated expressions over the grammar: evaluation never lets a Python exception escape.

Whatever the expression and the JSON-like variables, the evaluator answers with a value or a
``FeelError`` (Camunda's failure), never with ``TypeError`` and the like. The agreement of
the values with Camunda is checked in ``test_generated_against_camunda.py``.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpmn_bridge.feel import FeelError, compile_expression

names = st.sampled_from(["a", "b", "xs", "ctx", "n", "s", "item", "partial"])
atoms = st.one_of(
    names,
    st.integers(-3, 12).map(str),
    st.sampled_from(["1.5", "0.1", "null", "true", "false", '"x"', '""', "[]", "{}", "?"]),
    st.sampled_from(['@"2020-01-31"', '@"PT1H"', '@"P1Y"', '@"10:00:00+01:00"']),
    st.sampled_from(['@"2020-01-01T10:00:00@Europe/Berlin"', "[1..3]", "(1..5)"]),
)
functions = st.sampled_from(
    [
        "string", "number", "count", "sum", "min", "max", "abs", "floor", "decimal",
        "substring", "string join", "append", "sort", "reverse", "flatten", "get value",
        "context put", "date", "duration", "is defined", "not", "list contains", "mean",
        "modulo", "round half up", "split", "replace", "matches", "index of", "distinct values",
        "before", "includes", "day of week", "years and months duration", "get or else",
    ]
)  # fmt: skip


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        children,
        st.sampled_from(["+", "-", "*", "/", "**", "=", "!=", "<", ">=", "and", "or", "in"]),
        children,
    ).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    call = st.tuples(functions, st.lists(children, max_size=3)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})"
    )
    return st.one_of(
        binary,
        call,
        st.tuples(children, children).map(lambda t: f"[{t[0]}, {t[1]}]"),
        st.tuples(children, children).map(lambda t: f"{{k: {t[0]}, m: {t[1]}}}"),
        st.tuples(children, children).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(children, st.sampled_from(["a", "year", "hours", "start"])).map(
            lambda t: f"{t[0]}.{t[1]}"
        ),
        st.tuples(children, children, children).map(lambda t: f"if {t[0]} then {t[1]} else {t[2]}"),
        st.tuples(children, children).map(lambda t: f"for x in {t[0]} return {t[1]}"),
        st.tuples(children, children).map(lambda t: f"some x in {t[0]} satisfies {t[1]}"),
        st.tuples(children, children, children).map(lambda t: f"{t[0]} between {t[1]} and {t[2]}"),
        st.tuples(children, st.sampled_from(["number", "string", "list", "Any", "date"])).map(
            lambda t: f"{t[0]} instance of {t[1]}"
        ),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"(function(x) {c})"),
    )


expressions = st.recursive(atoms, _combine, max_leaves=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-10, 10)
    | st.text(string.ascii_letters, max_size=3)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from("abc"), children, max_size=3)
    ),
    max_leaves=8,
)
variables = st.fixed_dictionaries(
    {
        "a": json_values,
        "b": json_values,
        "xs": st.lists(json_values, max_size=3),
        "n": st.integers(-3, 3),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=expressions, values=variables)
def test_no_python_exception_escapes(source: str, values: dict[str, Any]) -> None:
    try:
        expression = compile_expression(source)
        expression.evaluate(values)
        expression.evaluate_json(values)
    except FeelError:
        pass
