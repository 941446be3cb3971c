"""Operator precedence, especially of ``in`` and ``between`` next to ``and``/``or``.

Camunda 1.19 reads the right side of ``in`` as a whole expression: ``x in [1] and y`` is
``x in ([1] and y)``, so a gateway condition written that way is never true there.
"""

CASES = [
    "0 in [0] or false",
    "1 in [1] and 2 in [2]",
    "false or 0 in [0]",
    "(1 in [1]) and (2 in [2])",
    ('status in ["A", "B"] and amount > 10', {"status": "A", "amount": 20}),
    ('(status in ["A", "B"]) and amount > 10', {"status": "A", "amount": 20}),
    ("x in [1, 2] or x > 5", {"x": 7}),
    "1 in [1] = true",
    "1 + 1 in [2]",
    "not(1 in [1])",
    "1 between 0 and 2 or false",
    "1 between 0 and 2 and false",
    "true and 1 between 0 and 2",
    "1 between 0 and 2 = true",
    "1 = 1 or false",
    "1 = 1 and 2 = 2",
    "not(true) or true",
    "true or false and false",
    "(true or false) and false",
    "1 + 2 * 3 - 4 / 2",
    "2 * 3 ** 2",
    "-2 ** 2",
    "(-2) ** 2",
    "2 ** 3 ** 2",
    "1 - 2 - 3",
    "8 / 4 / 2",
    "-x.y",
    ("-x.y", {"x": {"y": 2}}),
    ("a.b[1].c", {"a": {"b": [{"c": 5}]}}),
    "if true then 1 else 2 + 10",
    "(if true then 1 else 2) + 10",
    '"a" + "b" = "ab"',
    "1 < 2 = true",
    "[1, 2][1] + 1",
    "{a: 1}.a * 2",
]
