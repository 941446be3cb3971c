"""Built-ins at the edges: argument kinds and sizes that random search found to differ.

Found by generating built-in calls with arguments of every FEEL type and comparing with
Camunda's engine. Camunda fails outright on some of these (a Scala MatchError or a Java
exception surfaces as an evaluation failure) where a null would be expected.
"""

CASES = [
    # range functions with two points where only point/range or range/range is defined
    "meets(1, 2)",
    "met by(5, 1)",
    "overlaps(1, 1)",
    "overlaps before(1, 1)",
    "overlaps after(0, 0)",
    "finishes(0, 1)",
    'finished by(@"2020-01-02", @"2020-01-02")',
    "includes(1, 1)",
    "during(0, 0)",
    "starts(1, 0)",
    "started by(0, 0)",
    "not(includes(1, 1))",
    # range functions with strings as points
    'before("a", "b")',
    'after("2020-01-02", "i")',
    'coincides("1", "1")',
    'before("10:00:00", "11:00:00")',
    # min / max over lists of lists
    "max([3, 1], [2])",
    "max([[1], [2, 3]])",
    "min([[1], [2]])",
    "max([3, 1, 2], [3, 1, 2], [3, 1, 2])",
    # sizes beyond a Java int
    "partition([], 1000000000000)",
    "partition([1, 2], 3000000000)",
    "sublist([1, 2], 1000000000000)",
    "sublist([1, 2, 3], 1, 4294967297)",
    'substring("abc", 4294967297)',
    "round up(1000000000000, 1000000000000)",
    "round half up(1.5, 1000000000000)",
    "decimal(1.5, 1000000000000)",
    "floor(1.5, 1000000000000)",
    "ceiling(1.5, -1000000000000)",
    # replacement text naming a group the pattern does not have
    'replace("Hello", "\\d", "$1")',
    'replace("a,b", ",", "$1")',
    'replace("abc", "b", "$2$1", "i")',
    'replace("abc", "(b)", "[$1]")',
    # fractional positions
    "sublist([1, 2, 3], 0.5)",
    "sublist([1, 2, 3], -0.5)",
    "sublist([1, 2, 3], 1.5, 1.5)",
    "sublist([], 0.5, 2.5)",
    # precision of statistics
    "stddev(stddev(1, 1), stddev(1, 0))",
    "stddev([1, 0])",
    "stddev([0, 0.7071067811865476])",
    "mean([1, 2, 2])",
    "median([1, 2, 2, 4])",
]
