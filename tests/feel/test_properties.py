"""Property tests: FEEL paths and context construction agree with plain Python lookups."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bpmn_bridge.feel import FeelSyntaxError, compile_expression, evaluate

from .cases import same_value

# FEEL names: letters first; skip the words that mean something in the grammar.
_KEYWORDS = {
    "and", "or", "if", "then", "else", "for", "some", "every", "in", "return", "satisfies",
    "between", "instance", "of", "true", "false", "null", "function", "not", "item",
}  # fmt: skip
names = st.text(string.ascii_letters + "_", min_size=1, max_size=8).filter(
    lambda name: name not in _KEYWORDS
)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
json_values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(names, children, max_size=4),
    max_leaves=20,
)


def feel_literal(value: Any) -> str:
    """Write ``value`` as FEEL source."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(feel_literal(v) for v in value) + "]"
    return (
        "{" + ", ".join(f"{_string_literal(k)}: {feel_literal(v)}" for k, v in value.items()) + "}"
    )


def _string_literal(text: str) -> str:
    # Camunda's FEEL has no \u escapes (they stay as written); only \\ and \" are needed.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@given(json_values)
def test_context_member_round_trips_a_variable(value: Any) -> None:
    assert same_value(evaluate("{a: x}.a", {"x": value}), value)


@settings(deadline=None)  # each example compiles a fresh source; shared CI machines stall
@given(json_values.filter(lambda v: not _has_float(v)))
def test_literal_round_trips(value: Any) -> None:
    assert same_value(evaluate(feel_literal(value), {}), value)


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    return False


def _python_lookup(root: Any, path: list[str]) -> Any:
    value = root
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


nested = st.recursive(
    scalars,
    lambda children: st.dictionaries(st.sampled_from("abc"), children, max_size=3),
    max_leaves=15,
)


@given(nested, st.lists(st.sampled_from("abc"), min_size=1, max_size=4))
def test_path_on_nested_contexts_equals_python_lookup(root: Any, path: list[str]) -> None:
    source = "=root." + ".".join(path)
    assert same_value(evaluate(source, {"root": root}), _python_lookup(root, path))


@given(st.lists(st.integers(), max_size=6), st.integers(min_value=-8, max_value=8))
def test_index_is_one_based_and_negative_from_end(items: list[int], index: int) -> None:
    if 1 <= index <= len(items):
        expected: Any = items[index - 1]
    elif -len(items) <= index <= -1:
        expected = items[index]
    else:
        expected = None
    assert evaluate("xs[i]", {"xs": items, "i": index}) == expected


@given(st.lists(st.integers(), max_size=8), st.integers())
def test_filter_matches_list_comprehension(items: list[int], limit: int) -> None:
    assert evaluate("xs[item > limit]", {"xs": items, "limit": limit}) == [
        x for x in items if x > limit
    ]


booleans3 = st.sampled_from([True, False, None])


@given(booleans3, booleans3)
def test_three_valued_logic_truth_tables(a: bool | None, b: bool | None) -> None:
    values = {"a": a, "b": b}
    expected_and = False if False in (a, b) else (True if a is True and b is True else None)
    expected_or = True if True in (a, b) else (False if a is False and b is False else None)
    assert evaluate("a and b", values) is expected_and
    assert evaluate("a or b", values) is expected_or


@settings(deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_text_compiles_or_raises_feel_syntax_error(source: str) -> None:
    try:
        compile_expression(source)
    except FeelSyntaxError as error:
        assert 1 <= error.column <= len(source) + 1
