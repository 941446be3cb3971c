"""Generated FEEL expressions, checked against Camunda's engine.

Hypothesis writes expressions from the documented grammar (literals, paths, contexts, lists,
indexes, filters, arithmetic, comparisons, logic, ``if``, ``between``, ``in`` and the listed
built-ins) over JSON-like variables; ``bpmn_bridge.feel`` and Camunda's FEEL engine must agree
on each (same type and value, or both an error). A difference shrinks to a small expression.
A second set calls the built-in functions, nested, with arguments of every FEEL type; a third
calls them with arguments of the types they take, and adds temporal arithmetic.

``derandomize``: the same examples every run, so CI does not turn red by chance on a
difference nobody touched; a change to the strategies below (or to our evaluator) is what
brings new examples or new verdicts. Differences found by random runs are kept as cases in
``corpus/`` (and listed in ``known_differences.py`` until they agree).
"""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .camunda_feel import CamundaFeel
from .differential import Comparison, run_ours

# -- variables: fixed names, JSON-like values ------------------------------------------------

text = st.text(string.ascii_letters + string.digits + " -_", max_size=6)
integers = st.integers(min_value=-1000, max_value=1000)
# JSON numbers with fractions enter as the decimal their shortest text spells (0.1 is 0.1).
fractions = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(
    lambda f: not f.is_integer()
)
numbers = integers | fractions
scalars = st.none() | st.booleans() | numbers | text
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c"]), children, max_size=3)
    ),
    max_leaves=8,
)
variables = st.fixed_dictionaries(
    {
        "n": numbers,
        "s": text,
        "b": st.booleans(),
        "xs": st.lists(numbers, max_size=4),  # a number list, for filters and indexes
        "ctx": st.dictionaries(st.sampled_from(["a", "b", "c"]), json_values, max_size=3),
        "v": json_values,
    }
)

# -- expressions ------------------------------------------------------------------------------

NAMES = ["n", "s", "b", "xs", "ctx", "v", "ctx.a", "ctx.b.c", "v.a", "missing"]

literals = st.one_of(
    numbers.map(str),
    st.sampled_from(["0.5", "1.25", "2.0", "-3.5", "0.1", "0.2", "1.005", "3.14159"]),
    text.map(json.dumps),
    st.sampled_from(["true", "false", "null"]),
)
atoms = literals | st.sampled_from(NAMES)

UNARY_FUNCTIONS = [
    "string",
    "number",
    "upper case",
    "lower case",
    "string length",
    "count",
    "sum",
    "is defined",
    "not",
]
BINARY_FUNCTIONS = ["contains", "starts with", "ends with", "get value"]
BINARY_OPERATORS = ["+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "and", "or"]


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(BINARY_OPERATORS), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        inner.map(lambda e: f"-{e}" if not e.startswith("-") else f"-({e})"),
        st.tuples(inner, inner, inner).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} between {t[1]} and {t[2]})"),
        st.tuples(inner, st.lists(inner, max_size=3)).map(
            lambda t: f"({t[0]} in [{', '.join(t[1])}])"
        ),
        st.lists(inner, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
        st.lists(
            st.tuples(st.sampled_from(["a", "b", "c"]), inner), max_size=3, unique_by=lambda t: t[0]
        ).map(lambda entries: "{" + ", ".join(f"{k}: {e}" for k, e in entries) + "}"),
        # filters and indexes on anything (a non-list is null there), any computed index
        st.tuples(st.sampled_from(["xs", "v", "ctx.a", "[n, s, 3]"]), inner).map(
            lambda t: f"{t[0]}[{t[1]}]"
        ),
        st.tuples(
            st.sampled_from(["xs", "v", "ctx.a", "[n, s, 3]"]),
            st.sampled_from(["<", ">", "="]),
            inner,
        ).map(lambda t: f"{t[0]}[item {t[1]} {t[2]}]"),
        st.tuples(st.sampled_from(UNARY_FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(BINARY_FUNCTIONS), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: f"sum({', '.join(items)})"),
    )


untyped = st.recursive(atoms, _extend, max_leaves=6)

# Typed branches, so that most results are values rather than null.
small = st.integers(min_value=-20, max_value=20).map(str)
num_atoms = small | st.sampled_from(
    ["n", "0.5", "-1.25", "0.1", "1.005", "count(xs)", "string length(s)", "sum(xs)"]
)


def _numeric(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(" ".join).map("({})".format),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} / {t[1]})"),
        inner.map("-({})".format),
        st.tuples(bool_atoms, inner, inner).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: f"sum([{', '.join(items)}])"),
    )


str_atoms = text.map(json.dumps) | st.sampled_from(["s", "ctx.a", "upper case(s)"])


def _textual(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]} + {t[1]})"),
        inner.map("upper case({})".format),
        inner.map("lower case({})".format),
        num_atoms.map("string({})".format),
        st.tuples(bool_atoms, inner, inner).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
    )


bool_atoms = st.sampled_from(["b", "true", "false", "is defined(ctx.a)", "(n > 0)"])
num_exprs = st.recursive(num_atoms, _numeric, max_leaves=5)
str_exprs = st.recursive(str_atoms, _textual, max_leaves=4)
bool_exprs = st.one_of(
    st.tuples(num_exprs, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), num_exprs).map(
        " ".join
    ),
    st.tuples(str_exprs, st.sampled_from(["=", "!=", "<", ">="]), str_exprs).map(" ".join),
    st.tuples(st.sampled_from(["contains", "starts with", "ends with"]), str_exprs, str_exprs).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]})"
    ),
    st.tuples(num_exprs, num_exprs, num_exprs).map(lambda t: f"{t[0]} between {t[1]} and {t[2]}"),
    # Not in parentheses: next to and/or, Camunda reads the right side of `in` as the rest.
    st.tuples(num_exprs, st.lists(num_exprs, max_size=3)).map(
        lambda t: f"{t[0]} in [{', '.join(t[1])}]"
    ),
)
bool_exprs = st.recursive(
    bool_exprs | bool_atoms,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join).map("({})".format),
        inner.map("not({})".format),
    ),
    max_leaves=3,
)
typed = st.one_of(
    num_exprs,
    str_exprs,
    bool_exprs,
    st.lists(num_exprs | str_exprs, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
    st.tuples(num_exprs, str_exprs, bool_exprs).map(
        lambda t: f"{{a: {t[0]}, b: {t[1]}, c: {t[2]}}}"
    ),
    st.tuples(st.sampled_from(["<", ">", "="]), num_exprs).map(lambda t: f"xs[item {t[0]} {t[1]}]"),
)
expressions = untyped | typed


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(source=expressions, values=variables)
def test_generated_expression_agrees_with_camunda(
    source: str, values: dict[str, Any], camunda_feel: CamundaFeel
) -> None:
    comparison = Comparison(
        "generated", source, values, run_ours(source, values), camunda_feel.evaluate(source, values)
    )
    assert comparison.verdict != "differ", comparison.explain()


# -- built-ins called with arguments of every FEEL type ------------------------------------

# name: (fewest, most) arguments.
BUILTINS: dict[str, tuple[int, int]] = {
    "not": (1, 1), "is defined": (1, 1), "get or else": (2, 2), "string": (1, 1),
    "number": (1, 3), "substring": (2, 3), "string length": (1, 1), "upper case": (1, 1),
    "lower case": (1, 1), "substring before": (2, 2), "substring after": (2, 2),
    "replace": (3, 4), "contains": (2, 2), "starts with": (2, 2), "ends with": (2, 2),
    "matches": (2, 3), "split": (2, 2), "extract": (2, 2), "trim": (1, 1), "is blank": (1, 1),
    "to base64": (1, 1), "string join": (1, 4), "list contains": (2, 2), "count": (1, 1),
    "min": (1, 3), "max": (1, 3), "sum": (1, 3), "product": (1, 3), "mean": (1, 3),
    "median": (1, 3), "mode": (1, 3), "all": (1, 2), "any": (1, 2),
    "sublist": (2, 3), "append": (1, 3), "concatenate": (1, 3), "insert before": (3, 3),
    "remove": (2, 2), "reverse": (1, 1), "index of": (2, 2), "union": (1, 3),
    "distinct values": (1, 1), "duplicate values": (1, 1), "flatten": (1, 1),
    "is empty": (1, 1), "partition": (2, 2), "decimal": (2, 2), "floor": (1, 2),
    "ceiling": (1, 2), "round up": (2, 2), "round down": (2, 2), "round half up": (2, 2),
    "round half down": (2, 2), "abs": (1, 1), "modulo": (2, 2), "sqrt": (1, 1),
    "log": (1, 1), "exp": (1, 1), "odd": (1, 1), "even": (1, 1), "get value": (2, 2),
    "get entries": (1, 1), "context put": (3, 3), "context merge": (1, 2), "context": (1, 1),
    "date": (1, 3), "time": (1, 4), "date and time": (1, 2), "duration": (1, 1),
    "years and months duration": (2, 2), "day of week": (1, 1), "day of year": (1, 1),
    "week of year": (1, 1), "month of year": (1, 1), "last day of month": (1, 1),
    "before": (2, 2), "after": (2, 2), "meets": (2, 2), "met by": (2, 2), "overlaps": (2, 2),
    "overlaps before": (2, 2), "overlaps after": (2, 2), "finishes": (2, 2),
    "finished by": (2, 2), "includes": (2, 2), "during": (2, 2), "starts": (2, 2),
    "started by": (2, 2), "coincides": (2, 2),
}  # fmt: skip
# One literal of each kind, typical and edge (a size past a Java int, nested lists, ranges).
ARGUMENTS = [
    "0", "1", "2", "-1", "3", "1.5", "-2.5", "0.1", "100", "10.0",
    '""', '"a"', '"abc"', '"a,b,c"', '"  x "', '"ÄÖ"', '"1"', '"2.5"', '"2020-01-02"',
    '"10:00:00"', '"P1D"', '"P1Y"', '"2020-01-02T10:00:00"', '"[a-c]"', '","', '"."', '"i"',
    "true", "false", "null", "[]", "[1, 2, 3]", "[3, 1, 2]", '["a", "b"]', "[1, null]",
    "[true, false]", '[1, "a"]', "{}", "{a: 1}", "{a: 1, b: {c: 2}}", '[{key: "a", value: 1}]',
    '@"2020-01-02"', '@"10:30:00"', '@"10:30:00+01:00"', '@"2020-01-02T10:30:00"',
    '@"2020-01-02T10:30:00Z"', '@"2020-01-02T10:30:00@Europe/Berlin"', '@"P1D"', '@"PT2H30M"',
    '@"-PT1H"', '@"P1Y2M"', "1000000000000", "[[1], [2, 3]]", "[1..5]", "(1..5)", "[2..3]",
    "x", "xs", "ctx", "s", "d", "missing",
]  # fmt: skip
CALL_VARIABLES = {"x": 5, "xs": [1, 2, 3], "ctx": {"a": 1}, "s": "abc", "d": "2020-01-02"}


def _call(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def with_arguments(name: str) -> st.SearchStrategy[str]:
        fewest, most = BUILTINS[name]
        return st.lists(inner, min_size=fewest, max_size=most).map(
            lambda args: f"{name}({', '.join(args)})"
        )

    return st.sampled_from(sorted(BUILTINS)).flatmap(with_arguments)


calls = _call(st.recursive(st.sampled_from(ARGUMENTS), _call, max_leaves=3))


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(source=calls)
def test_generated_builtin_call_agrees_with_camunda(source: str, camunda_feel: CamundaFeel) -> None:
    answer = camunda_feel.evaluate(source, CALL_VARIABLES)
    comparison = Comparison(
        "generated", source, CALL_VARIABLES, run_ours(source, CALL_VARIABLES), answer
    )
    assert comparison.verdict != "differ", comparison.explain()


# -- built-ins with arguments of the types they take, and temporal arithmetic ------------------
# Typical arguments, so that most calls compute something: pools of literals per FEEL type and
# each built-in's signatures. Edge and wrong-type arguments are the set above and the corpus.

ints = st.integers(-12, 12).map(str)
decs = st.sampled_from(["0.5", "1.25", "-2.75", "0.1", "3.14159", "1.005", "2.5", "-0.5", "1.0"])
NUM = ints | decs | st.sampled_from(["x", "n"])
STR = st.sampled_from(
    [
        '"abc"',
        '"Hello World"',
        '""',
        '"a,b,,c"',
        '"  pad  "',
        '"ÄäÖ"',
        '"x1y22z333"',
        '"a.b"',
        "s",
        '"foobar"',
        '"ß"',
        '"İ"',
    ]
)
PAT = st.sampled_from(
    ['"b"', '"[0-9]+"', '"^a"', '"(a)(b)?"', '"o"', '","', '"\\\\s+"', '"\\\\d"', '"."', '"z*"']
)
REP = st.sampled_from(['"X"', '""', '"[$0]"', '"$1"', '"$2$1"'])
FLAGS = st.sampled_from(['"i"', '"s"', '"m"', '"x"', '"q"', '""'])
BOOL = st.sampled_from(["true", "false", "null", "b"])
LNUM = st.lists(NUM, max_size=5).map(lambda xs: "[" + ", ".join(xs) + "]") | st.just("xs")
LSTR = st.lists(STR, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
LANY = (
    LNUM
    | LSTR
    | st.sampled_from(
        ["[1, [2, [3]], []]", "[null, 1, null]", "[{a: 1}, {a: 1}, {b: 2}]", "[true, false, true]"]
    )
)
LBOOL = st.lists(BOOL, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
CTX = st.sampled_from(["{}", "{a: 1}", "{a: 1, b: {c: [1, 2]}}", "ctx", '{"x y": 2}'])
KEY = st.sampled_from(['"a"', '"b"', '"c"', '"x y"', '["b", "c"]', '["a"]', "[]"])
DATE = st.sampled_from(
    [
        '@"2020-02-29"',
        '@"2021-01-01"',
        '@"2019-12-31"',
        '@"2024-03-31"',
        'date("2020-06-15")',
        "date(2021, 2, 28)",
    ]
)
TIME = st.sampled_from(
    [
        '@"10:30:00"',
        '@"23:59:59.5"',
        '@"00:00:00"',
        '@"10:30:00+02:00"',
        '@"10:30:00Z"',
        "time(1, 2, 3)",
    ]
)
DT = st.sampled_from(
    [
        '@"2020-02-29T10:30:00"',
        '@"2021-12-31T23:59:59Z"',
        '@"2020-03-29T01:30:00@Europe/Berlin"',
        '@"2020-10-25T02:30:00@Europe/Berlin"',
        '@"2020-01-01T00:00:00-05:00"',
        'date and time("2019-01-01T12:00:00")',
    ]
)
DTD = st.sampled_from(
    ['@"P1D"', '@"PT1H30M"', '@"-PT45S"', '@"PT0.5S"', '@"P2DT3H"', '@"PT0S"', 'duration("PT36H")']
)
YMD = st.sampled_from(['@"P1Y"', '@"P14M"', '@"-P2M"', '@"P0M"', 'duration("P1Y6M")'])
TEMP = DATE | TIME | DT | DTD | YMD
FN = st.sampled_from(["function(a, b) a < b", "function(a, b) a > b"])
SIG = {
    "substring": [(STR, NUM), (STR, NUM, NUM)],
    "string length": [(STR,)],
    "upper case": [(STR,)],
    "lower case": [(STR,)],
    "substring before": [(STR, STR)],
    "substring after": [(STR, STR)],
    "replace": [(STR, PAT, REP), (STR, PAT, REP, FLAGS)],
    "contains": [(STR, STR)],
    "starts with": [(STR, STR)],
    "ends with": [(STR, STR)],
    "matches": [(STR, PAT), (STR, PAT, FLAGS)],
    "split": [(STR, PAT)],
    "extract": [(STR, PAT)],
    "trim": [(STR,)],
    "is blank": [(STR,)],
    "to base64": [(STR,)],
    "string join": [(LSTR,), (LSTR, STR), (LSTR, STR, STR, STR)],
    "string": [(NUM,), (TEMP,), (LANY,), (CTX,), (BOOL,)],
    "number": [(STR,), (STR, STR, STR)],
    "list contains": [(LANY, NUM), (LANY, STR)],
    "count": [(LANY,)],
    "min": [(LNUM,), (NUM, NUM)],
    "max": [(LNUM,), (NUM, NUM, NUM)],
    "sum": [(LNUM,)],
    "product": [(LNUM,)],
    "mean": [(LNUM,)],
    "median": [(LNUM,)],
    "stddev": [(LNUM,)],
    "mode": [(LNUM,)],
    "all": [(LBOOL,)],
    "any": [(LBOOL,)],
    "sublist": [(LANY, NUM), (LANY, NUM, NUM)],
    "append": [(LANY, NUM, STR)],
    "concatenate": [(LANY, LANY)],
    "insert before": [(LANY, NUM, NUM)],
    "remove": [(LANY, NUM)],
    "reverse": [(LANY,)],
    "index of": [(LANY, NUM)],
    "union": [(LANY, LANY)],
    "distinct values": [(LANY,)],
    "duplicate values": [(LANY,)],
    "flatten": [(LANY,)],
    "is empty": [(LANY,)],
    "partition": [(LANY, NUM)],
    "sort": [(LNUM, FN), (LSTR, FN)],
    "decimal": [(NUM, NUM)],
    "floor": [(NUM,), (NUM, NUM)],
    "ceiling": [(NUM,), (NUM, NUM)],
    "round up": [(NUM, NUM)],
    "round down": [(NUM, NUM)],
    "round half up": [(NUM, NUM)],
    "round half down": [(NUM, NUM)],
    "abs": [(NUM,), (DTD,), (YMD,)],
    "modulo": [(NUM, NUM)],
    "sqrt": [(NUM,)],
    "log": [(NUM,)],
    "exp": [(NUM,)],
    "odd": [(NUM,)],
    "even": [(NUM,)],
    "get value": [(CTX, KEY)],
    "get entries": [(CTX,)],
    "context put": [(CTX, KEY, NUM)],
    "context merge": [(st.lists(CTX, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),)],
    "date": [(DT,), (DATE,)],
    "time": [(DT,), (TIME,)],
    "date and time": [(DATE, TIME), (DT, STR)],
    "years and months duration": [(DATE, DATE)],
    "day of week": [(DATE,), (DT,)],
    "day of year": [(DATE,)],
    "week of year": [(DATE,)],
    "month of year": [(DATE,)],
    "last day of month": [(DATE,)],
    "get or else": [(NUM, NUM), (BOOL, STR)],
    "is defined": [(NUM,)],
}


def call_for(name):
    return (
        st.sampled_from(SIG[name])
        .flatmap(lambda sig: st.tuples(*sig))
        .map(lambda args: f"{name}({', '.join(args)})")
    )


typed_calls = st.sampled_from(sorted(SIG)).flatmap(call_for)
ops = st.one_of(
    st.tuples(
        st.one_of(NUM, DATE, DT, TIME, DTD, YMD),
        st.sampled_from(["+", "-", "*", "/", "<", "=", ">="]),
        st.one_of(NUM, DATE, DT, TIME, DTD, YMD),
    ).map(" ".join),
    st.tuples(
        st.one_of(DATE, DT, TIME, DTD, YMD),
        st.sampled_from(
            [
                "year",
                "month",
                "day",
                "weekday",
                "hour",
                "minute",
                "second",
                "time offset",
                "timezone",
                "years",
                "months",
                "days",
                "hours",
                "minutes",
                "seconds",
            ]
        ),
    ).map(lambda t: f"({t[0]}).{t[1]}"),
)
typed_exprs = typed_calls | ops
TYPED_VARIABLES = {
    "x": 7,
    "n": -3.5,
    "s": "Hello",
    "b": True,
    "xs": [4, 1, 3, 1],
    "ctx": {"a": 1, "b": {"c": 2}},
}


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(source=typed_exprs)
def test_generated_typed_call_agrees_with_camunda(source: str, camunda_feel: CamundaFeel) -> None:
    answer = camunda_feel.evaluate(source, TYPED_VARIABLES)
    ours = run_ours(source, TYPED_VARIABLES)
    comparison = Comparison("generated", source, TYPED_VARIABLES, ours, answer)
    assert comparison.verdict != "differ", comparison.explain()
