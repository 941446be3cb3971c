"""The FEEL case table: expressions and their variables, by construct.

The expected results are not written here: ``test_against_camunda.py`` evaluates every case
with Camunda's own FEEL engine (the JVM peer in ``tests/feel_engine_peer/``) and with
``bpmn_bridge.feel`` and asserts that both agree. ``test_evaluation.py`` keeps a few cases with
hand-written results that run without Java.
"""

from __future__ import annotations

from typing import Any

Case = tuple[str, dict[str, Any]]

RESPONSE = {"status": 200, "body": {"id": 7, "items": [{"n": 1}, {"n": 5}], "tags": ["a", "b"]}}

PATHS: list[Case] = [
    ("a.b.c", {"a": {"b": {"c": 1}}}),
    ("=a.b.c", {"a": {"b": {"c": 1}}}),
    ("  = a.b", {"a": {"b": "x"}}),
    ("a.b.c", {"a": None}),
    ("a.b.c", {"a": {"b": 3}}),
    ("a.b", {}),
    ("missing", {}),
    ("response.body.id", {"response": RESPONSE}),
    ("[{a: 1}, {b: 2}].a", {}),
    ("response.body.items.n", {"response": RESPONSE}),
    ("{a: {b: 2}}.a.b", {}),
    ("(a).b", {"a": {"b": 4}}),
]

LITERALS: list[Case] = [
    ("1", {}),
    ("-1", {}),
    ("1.5", {}),
    ("1.0", {}),
    (".5", {}),
    ('"a\\"b\\\\c\\n\\u00e9"', {}),
    ('"\\ud83d\\ude00"', {}),
    ("true", {}),
    ("false", {}),
    ("null", {}),
    ("1 // trailing comment", {}),
    ("/* block */ 2", {}),
]

CONTEXTS_AND_LISTS: list[Case] = [
    ('{a: 1, "b": x, c: {d: 2}}', {"x": 5}),
    ("{}", {}),
    ('{"with space": 1}', {}),
    ("{a: 1, b: a + 1}", {}),
    ("{a: x, b: a + 1}", {"x": 10}),
    ("{type: 1, if: 2}.type", {}),
    ("[1, x]", {"x": "y"}),
    ("[]", {}),
    ("[[1], {a: [2]}]", {}),
]

INDEX_AND_FILTER: list[Case] = [
    ("xs[1]", {"xs": [10, 20, 30]}),
    ("xs[3]", {"xs": [10, 20, 30]}),
    ("xs[-1]", {"xs": [10, 20, 30]}),
    ("xs[-3]", {"xs": [10, 20, 30]}),
    ("xs[0]", {"xs": [10, 20, 30]}),
    ("xs[4]", {"xs": [10, 20, 30]}),
    ("xs[-4]", {"xs": [10, 20, 30]}),
    ("xs[i]", {"xs": [10, 20, 30], "i": 2}),
    ("xs[i + 1]", {"xs": [10, 20, 30], "i": 2}),
    ("xs[1]", {}),
    ("xs[item > 1]", {"xs": [1, 2, 3]}),
    ("xs[item > 5]", {"xs": [1, 2, 3]}),
    ("xs[a > 1]", {"xs": [{"a": 1}, {"a": 2}]}),
    ("xs[item.a > 1]", {"xs": [{"a": 1}, {"a": 2}]}),
    ("[{a: 1}, {b: 2}][a < 10]", {}),
    ("xs[a > limit]", {"xs": [{"a": 1}, {"a": 2}], "limit": 1}),
    ("xs[flag]", {"xs": [{"flag": True}, {"flag": False}]}),
    ("xs[item > 1][1]", {"xs": [1, 2, 3]}),
    ("xs[a = 2].b", {"xs": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]}),
    ("response.body.items[n > 2][1].n", {"response": RESPONSE}),
]

ARITHMETIC: list[Case] = [
    ("1 + 2", {}),
    ("1 + 2 * 3", {}),
    ("(1 + 2) * 3", {}),
    ("10 - 4 - 3", {}),
    ("10 / 4", {}),
    ("10 / 2", {}),
    ("1 / 0", {}),
    ("x * 2", {"x": 1.5}),
    ("-x", {"x": 3}),
    ("-x", {"x": "a"}),
    ("1 + null", {}),
    ("null - 1", {}),
    ("x + 1", {}),
    ('"a" + "b"', {}),
    ('"id-" + string(x)', {"x": 42}),
    ('"a" + 1', {}),
    ("true + 1", {}),
    ("[1] + [2]", {}),
]

COMPARISONS: list[Case] = [
    ("x = null", {"x": None}),
    ("x = null", {}),
    ("x = null", {"x": 1}),
    ("null = null", {}),
    ("x != null", {"x": 1}),
    ("1 = 1.0", {}),
    ('"a" = "a"', {}),
    ('1 = "1"', {}),
    ('1 != "1"', {}),
    ("true = 1", {}),
    ("[1, 2] = [1, 2]", {}),
    ("[1, 2] = [2, 1]", {}),
    ("{a: 1} = {a: 1}", {}),
    ("{a: 1} = {a: 2}", {}),
    ("1 < 2", {}),
    ("2 <= 2", {}),
    ("3 > 2.5", {}),
    ("1 >= 2", {}),
    ('"a" < "b"', {}),
    ('1 < "a"', {}),
    ("null < 1", {}),
    ("a.b > 10", {}),
    ("true < false", {}),
    ("5 between 1 and 10", {}),
    ("1 between 1 and 10", {}),
    ("11 between 1 and 10", {}),
    ("x between 1 and 10", {}),
    ('"b" between "a" and "c"', {}),
    ("5 in [1, 5]", {}),
    ("6 in [1, 5]", {}),
    ('"x" in tags', {"tags": ["x", "y"]}),
    ("5 in 5", {}),
    ("null in [1, null]", {}),
]

LOGIC: list[Case] = [
    ("true and true", {}),
    ("true and false", {}),
    ("true and null", {}),
    ("false and null", {}),
    ("null and false", {}),
    ("null and null", {}),
    ('true and "yes"', {}),
    ("true or null", {}),
    ("null or true", {}),
    ("false or null", {}),
    ("null or false", {}),
    ("false or false", {}),
    ("1 or false", {}),
    ("not(true)", {}),
    ("not(false)", {}),
    ("not(null)", {}),
    ("not(1)", {}),
    ("a > 1 and a < 5 or a = 10", {"a": 10}),
    ('if x > 1 then "big" else "small"', {"x": 2}),
    ('if x > 1 then "big" else "small"', {"x": 0}),
    ("if null then 1 else 2", {}),
    ("if 1 then 1 else 2", {}),
    ("if x then 1 else 2", {"x": "true"}),
    ("if a then 1 else if b then 2 else 3", {"b": True}),
    ("1 + if true then 1 else 2", {}),
]

FUNCTIONS: list[Case] = [
    ("string(1)", {}),
    ("string(1.5)", {}),
    ("string(true)", {}),
    ('string("a")', {}),
    ("string(null)", {}),
    ('string([1, "a"])', {}),
    ('number("12")', {}),
    ('number("1500.5")', {}),
    ('number("-3")', {}),
    ('number("abc")', {}),
    ("number(null)", {}),
    ('contains("abc", "b")', {}),
    ('contains("abc", "x")', {}),
    ('contains(null, "x")', {}),
    ('starts with("abc", "ab")', {}),
    ('starts with("abc", "b")', {}),
    ('ends with("abc", "bc")', {}),
    ('ends with(1, "1")', {}),
    ('upper case("aBc")', {}),
    ('lower case("aBc")', {}),
    ("upper case(1)", {}),
    ('string length("abc")', {}),
    ('string length("😀")', {}),
    ("string length(null)", {}),
    ("count([1, 2, 3])", {}),
    ("count([])", {}),
    ("count(null)", {}),
    ("sum([1, 2, 3])", {}),
    ("sum(1, 2, 3)", {}),
    ("sum([1.5, 1])", {}),
    ("sum([])", {}),
    ('sum([1, "a"])', {}),
    ("is defined(x)", {"x": 1}),
    ("is defined(x)", {}),
    ("is defined(x)", {"x": None}),
    ("is defined(x.y)", {"x": {}}),
    ("is defined(x.y)", {"x": {"y": 0}}),
    ("is defined(1)", {}),
    ('get value({a: 1}, "a")', {}),
    ('get value({a: 1}, "b")', {}),
    ('get value(ctx, "x-y")', {"ctx": {"x-y": 2}}),
    ('get value({x: {y: 3}}, ["x", "y"])', {}),
    ('get value(1, "a")', {}),
]

TABLES: dict[str, list[Case]] = {
    "paths": PATHS,
    "literals": LITERALS,
    "contexts-and-lists": CONTEXTS_AND_LISTS,
    "index-and-filter": INDEX_AND_FILTER,
    "arithmetic": ARITHMETIC,
    "comparisons": COMPARISONS,
    "logic": LOGIC,
    "functions": FUNCTIONS,
}

ALL_CASES: list[Case] = [case for cases in TABLES.values() for case in cases]


def same_value(actual: Any, expected: Any) -> bool:
    """Equality that also tells ``True`` from ``1`` and ``2`` from ``2.5``-style types."""
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same_value(actual[k], expected[k]) for k in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same_value(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, int | float):
        return type(actual) in (int, float) and actual == expected
    return bool(actual == expected) and type(actual) is type(expected)
