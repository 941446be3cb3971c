"""The table of FEEL cases with Camunda's documented results, shared by several test modules.

Each case is (source, variables, expected). Expected values follow Camunda 8 FEEL
(feel-scala) semantics as documented at docs.camunda.io ("FEEL language guide").
"""

from __future__ import annotations

from typing import Any

from bpmn_bridge.feel import BpmnErrorResult, JobErrorResult

Case = tuple[str, dict[str, Any], Any]

RESPONSE = {"status": 200, "body": {"id": 7, "items": [{"n": 1}, {"n": 5}], "tags": ["a", "b"]}}

PATHS: list[Case] = [
    ("a.b.c", {"a": {"b": {"c": 1}}}, 1),
    ("=a.b.c", {"a": {"b": {"c": 1}}}, 1),
    ("  = a.b", {"a": {"b": "x"}}, "x"),
    ("a.b.c", {"a": None}, None),
    ("a.b.c", {"a": {"b": 3}}, None),
    ("a.b", {}, None),
    ("missing", {}, None),
    ("response.body.id", {"response": RESPONSE}, 7),
    ("[{a: 1}, {b: 2}].a", {}, [1, None]),
    ("response.body.items.n", {"response": RESPONSE}, [1, 5]),
    ("{a: {b: 2}}.a.b", {}, 2),
    ("(a).b", {"a": {"b": 4}}, 4),
]

LITERALS: list[Case] = [
    ("1", {}, 1),
    ("-1", {}, -1),
    ("1.5", {}, 1.5),
    ("1.0", {}, 1),
    (".5", {}, 0.5),
    ('"a\\"b\\\\c\\n\\u00e9"', {}, 'a"b\\c\né'),
    ('"\\ud83d\\ude00"', {}, "\U0001f600"),
    ("true", {}, True),
    ("false", {}, False),
    ("null", {}, None),
    ("1 // trailing comment", {}, 1),
    ("/* block */ 2", {}, 2),
]

CONTEXTS_AND_LISTS: list[Case] = [
    ('{a: 1, "b": x, c: {d: 2}}', {"x": 5}, {"a": 1, "b": 5, "c": {"d": 2}}),
    ("{}", {}, {}),
    ('{"with space": 1}', {}, {"with space": 1}),
    ("{a: 1, b: a + 1}", {}, {"a": 1, "b": 2}),
    ("{a: x, b: a + 1}", {"x": 10}, {"a": 10, "b": 11}),
    ("{type: 1, if: 2}.type", {}, 1),
    ("[1, x]", {"x": "y"}, [1, "y"]),
    ("[]", {}, []),
    ("[[1], {a: [2]}]", {}, [[1], {"a": [2]}]),
]

INDEX_AND_FILTER: list[Case] = [
    ("xs[1]", {"xs": [10, 20, 30]}, 10),
    ("xs[3]", {"xs": [10, 20, 30]}, 30),
    ("xs[-1]", {"xs": [10, 20, 30]}, 30),
    ("xs[-3]", {"xs": [10, 20, 30]}, 10),
    ("xs[0]", {"xs": [10, 20, 30]}, None),
    ("xs[4]", {"xs": [10, 20, 30]}, None),
    ("xs[-4]", {"xs": [10, 20, 30]}, None),
    ("xs[i]", {"xs": [10, 20, 30], "i": 2}, 20),
    ("xs[i + 1]", {"xs": [10, 20, 30], "i": 2}, 30),
    ("xs[1]", {}, None),
    ("xs[item > 1]", {"xs": [1, 2, 3]}, [2, 3]),
    ("xs[item > 5]", {"xs": [1, 2, 3]}, []),
    ("xs[a > 1]", {"xs": [{"a": 1}, {"a": 2}]}, [{"a": 2}]),
    ("xs[item.a > 1]", {"xs": [{"a": 1}, {"a": 2}]}, [{"a": 2}]),
    ("[{a: 1}, {b: 2}][a < 10]", {}, [{"a": 1}]),
    ("xs[a > limit]", {"xs": [{"a": 1}, {"a": 2}], "limit": 1}, [{"a": 2}]),
    ("xs[flag]", {"xs": [{"flag": True}, {"flag": False}]}, [{"flag": True}]),
    ("xs[item > 1][1]", {"xs": [1, 2, 3]}, 2),
    ("xs[a = 2].b", {"xs": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]}, ["y"]),
    ("response.body.items[n > 2][1].n", {"response": RESPONSE}, 5),
]

ARITHMETIC: list[Case] = [
    ("1 + 2", {}, 3),
    ("1 + 2 * 3", {}, 7),
    ("(1 + 2) * 3", {}, 9),
    ("10 - 4 - 3", {}, 3),
    ("10 / 4", {}, 2.5),
    ("10 / 2", {}, 5),
    ("1 / 0", {}, None),
    ("x * 2", {"x": 1.5}, 3.0),
    ("-x", {"x": 3}, -3),
    ("-x", {"x": "a"}, None),
    ("1 + null", {}, None),
    ("null - 1", {}, None),
    ("x + 1", {}, None),
    ('"a" + "b"', {}, "ab"),
    ('"id-" + string(x)', {"x": 42}, "id-42"),
    ('"a" + 1', {}, None),
    ("true + 1", {}, None),
    ("[1] + [2]", {}, None),
]

COMPARISONS: list[Case] = [
    ("x = null", {"x": None}, True),
    ("x = null", {}, True),
    ("x = null", {"x": 1}, False),
    ("null = null", {}, True),
    ("x != null", {"x": 1}, True),
    ("1 = 1.0", {}, True),
    ('"a" = "a"', {}, True),
    ('1 = "1"', {}, None),
    ('1 != "1"', {}, None),
    ("true = 1", {}, None),
    ("[1, 2] = [1, 2]", {}, True),
    ("[1, 2] = [2, 1]", {}, False),
    ("{a: 1} = {a: 1}", {}, True),
    ("{a: 1} = {a: 2}", {}, False),
    ("1 < 2", {}, True),
    ("2 <= 2", {}, True),
    ("3 > 2.5", {}, True),
    ("1 >= 2", {}, False),
    ('"a" < "b"', {}, True),
    ('1 < "a"', {}, None),
    ("null < 1", {}, None),
    ("a.b > 10", {}, None),
    ("true < false", {}, None),
    ("5 between 1 and 10", {}, True),
    ("1 between 1 and 10", {}, True),
    ("11 between 1 and 10", {}, False),
    ("x between 1 and 10", {}, None),
    ('"b" between "a" and "c"', {}, True),
    ("5 in [1, 5]", {}, True),
    ("6 in [1, 5]", {}, False),
    ('"x" in tags', {"tags": ["x", "y"]}, True),
    ("5 in 5", {}, True),
    ("null in [1, null]", {}, True),
]

LOGIC: list[Case] = [
    ("true and true", {}, True),
    ("true and false", {}, False),
    ("true and null", {}, None),
    ("false and null", {}, False),
    ("null and false", {}, False),
    ("null and null", {}, None),
    ('true and "yes"', {}, None),
    ("true or null", {}, True),
    ("null or true", {}, True),
    ("false or null", {}, None),
    ("null or false", {}, None),
    ("false or false", {}, False),
    ("1 or false", {}, None),
    ("not(true)", {}, False),
    ("not(false)", {}, True),
    ("not(null)", {}, None),
    ("not(1)", {}, None),
    ("a > 1 and a < 5 or a = 10", {"a": 10}, True),
    ('if x > 1 then "big" else "small"', {"x": 2}, "big"),
    ('if x > 1 then "big" else "small"', {"x": 0}, "small"),
    ("if null then 1 else 2", {}, 2),
    ("if 1 then 1 else 2", {}, 2),
    ("if x then 1 else 2", {"x": "true"}, 2),
    ("if a then 1 else if b then 2 else 3", {"b": True}, 2),
    ("1 + if true then 1 else 2", {}, 2),
]

FUNCTIONS: list[Case] = [
    ("string(1)", {}, "1"),
    ("string(1.5)", {}, "1.5"),
    ("string(true)", {}, "true"),
    ('string("a")', {}, "a"),
    ("string(null)", {}, None),
    ('string([1, "a"])', {}, '[1, "a"]'),
    ('number("12")', {}, 12),
    ('number("1500.5")', {}, 1500.5),
    ('number("-3")', {}, -3),
    ('number("abc")', {}, None),
    ("number(null)", {}, None),
    ('contains("abc", "b")', {}, True),
    ('contains("abc", "x")', {}, False),
    ('contains(null, "x")', {}, None),
    ('starts with("abc", "ab")', {}, True),
    ('starts with("abc", "b")', {}, False),
    ('ends with("abc", "bc")', {}, True),
    ('ends with(1, "1")', {}, None),
    ('upper case("aBc")', {}, "ABC"),
    ('lower case("aBc")', {}, "abc"),
    ("upper case(1)", {}, None),
    ('string length("abc")', {}, 3),
    ('string length("\U0001f600")', {}, 1),
    ("string length(null)", {}, None),
    ("count([1, 2, 3])", {}, 3),
    ("count([])", {}, 0),
    ("count(null)", {}, None),
    ("sum([1, 2, 3])", {}, 6),
    ("sum(1, 2, 3)", {}, 6),
    ("sum([1.5, 1])", {}, 2.5),
    ("sum([])", {}, None),
    ('sum([1, "a"])', {}, None),
    ("is defined(x)", {"x": 1}, True),
    ("is defined(x)", {}, False),
    ("is defined(x)", {"x": None}, False),
    ("is defined(x.y)", {"x": {}}, False),
    ("is defined(x.y)", {"x": {"y": 0}}, True),
    ("is defined(1)", {}, True),
    ('get value({a: 1}, "a")', {}, 1),
    ('get value({a: 1}, "b")', {}, None),
    ('get value(ctx, "x-y")', {"ctx": {"x-y": 2}}, 2),
    ('get value({x: {y: 3}}, ["x", "y"])', {}, 3),
    ('get value(1, "a")', {}, None),
]

ERROR_FUNCTIONS: list[Case] = [
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

ALL_CASES: list[Case] = (
    PATHS
    + LITERALS
    + CONTEXTS_AND_LISTS
    + INDEX_AND_FILTER
    + ARITHMETIC
    + COMPARISONS
    + LOGIC
    + FUNCTIONS
    + ERROR_FUNCTIONS
)


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
