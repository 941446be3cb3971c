"""Paths, indexes and filters, including on values that are not lists."""

CASES = [
    # a filter or an index on a value that is not a list
    ("v[item > 1]", {"v": {"a": 1}}),
    ("v[item > 1]", {"v": 5}),
    ("v[a > 1]", {"v": {"a": 2}}),
    ("v[1]", {"v": {}}),
    ("v[1]", {"v": 5}),
    ("v[-1]", {"v": "abc"}),
    ("v[1]", {"v": False}),
    ("v[1]", {"v": None}),
    ("v[item > 1]", {"v": None}),
    # fractional, huge and non-numeric indexes
    "[1, 2, 3][1.5]",
    "[1, 2, 3][-1.25]",
    "[1, 2, 3][2.99]",
    "[1, 2, 3][10000000000000000000000]",
    '[1, 2, 3]["1"]',
    "[1, 2, 3][true]",
    "[1, 2, 3][null]",
    "[][1]",
    "[[1, 2], [3]][2][1]",
    # paths
    ("a.b", {"a": [{"b": 1}, {"b": 2}, {"c": 3}]}),
    ("a.b.c", {"a": [{"b": {"c": 1}}, {"b": [{"c": 2}]}]}),
    ('{"a b": 1}."a b"', {}),
    "{a: 1}.b",
    "[1, 2].a",
    '"abc".length',
    "null.a",
    # filters with item, members and nested lists
    "[1, 2, 3, 4][item > 2]",
    "[1, 2, 3, 4][item > 2][item < 4]",
    "[{a: 1}, {a: 2}, {b: 3}][a > 1]",
    "[{a: 1}, {a: 2}, {b: 3}][item.a = null]",
    "[[1, 2], [3]][count(item) > 1]",
    '[1, "a", null, true][item = null]',
    "[1, 2, 3][item]",
    "[true, false, null][item]",
    ("xs[item.n >= min]", {"xs": [{"n": 1}, {"n": 5}], "min": 2}),
    ("xs[n > 1].n", {"xs": [{"n": 1}, {"n": 5}]}),
]
