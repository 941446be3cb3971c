"""Context built-ins and context expressions of Camunda FEEL."""

CASES = [
    # get value
    'get value({a: 1}, "a")',
    'get value({a: 1}, "b")',
    'get value({a: {b: 2}}, ["a", "b"])',
    'get value({a: {b: 2}}, ["a", "c"])',
    "get value({a: 1}, [])",
    'get value({"x y": 1}, "x y")',
    'get value(null, "a")',
    "get value({a: 1}, 1)",
    'get value([1], "a")',
    'get value(context: {a: 1}, key: "a")',
    # get entries
    "get entries({a: 1, b: 2})",
    "get entries({})",
    "get entries(null)",
    "get entries([1])",
    # context put
    'context put({a: 1}, "b", 2)',
    'context put({a: 1}, "a", 2)',
    'context put({a: {b: 1}}, ["a", "c"], 2)',
    'context put({a: 1}, ["x", "y"], 2)',
    'context put({}, "a", null)',
    "context put({a: 1}, 1, 2)",
    'context put(null, "a", 1)',
    # context merge
    "context merge([{a: 1}, {b: 2}])",
    "context merge([{a: 1}, {a: 2}])",
    "context merge([])",
    "context merge({a: 1}, {b: 2})",
    "context merge([{a: 1}, 2])",
    # context(entries)
    'context([{key: "a", value: 1}, {key: "b", value: 2}])',
    'context([{key: "a", value: 1}, {key: "a", value: 2}])',
    "context([])",
    "context([{key: 1, value: 1}])",
    'context([{k: "a", v: 1}])',
    # context expressions
    "{a: 1, b: {c: 2}}.b.c",
    "{a: 1, b: a + 1, c: b * 2}",
    '{"a b": 1, "c-d": 2}',
    "{a: 1}.a + {a: 2}.a",
    "{a: [1, 2, 3]}.a[2]",
    "{a: function(x) x + 1}.a(2)",
    "{a: 1, a: 2}",
    "{}.a",
    "{a: null}",
    "{a: 1} = {a: 1}",
    "{a: {b: [1, {c: 2}]}}",
    ("ctx.a", {"ctx": {"a": 1, "b": 2}}),
    ('ctx["a"]', {"ctx": {"a": 1}}),
    ('ctx."a b"', {"ctx": {"a b": 1}}),
    (
        "{total: sum(order.items.price), n: count(order.items)}",
        {"order": {"items": [{"price": 10}, {"price": 5.5}]}},
    ),
]
