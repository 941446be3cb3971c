"""Camunda FEEL's built-in functions (feel-scala 1.19), plus the connector functions
``bpmnError`` and ``jobError``.

Each name maps to overloads chosen by argument count (positional calls) or by parameter
names (named calls), as Camunda resolves them. Implementations take evaluated arguments and
return ``None`` where Camunda reports "illegal arguments" (a warning and null). They raise
:class:`FeelEvaluationError` where Camunda fails the whole evaluation; any other exception
inside an implementation is turned into such a failure by :func:`invoke_overload`, as a Java
exception thrown inside Camunda's function fails the evaluation.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import math
import random
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
)
from typing import Any

from ._errors import FeelEvaluationError
from ._results import BpmnErrorResult, JobErrorResult
from ._semantics import (
    add,
    divide,
    feel_equal,
    feel_order,
    list_comparable,
    rounded,
    scala_equal,
)
from ._temporal import (
    in_zone,
    parse_date,
    parse_date_and_time,
    parse_duration,
    parse_temporal,
    parse_time,
)
from ._temporal import zone as parse_zone
from ._text import to_text
from ._values import (
    D128,
    EXACT,
    FeelFunction,
    FeelRange,
    YearMonthDuration,
    ZonedTime,
    fail,
    from_decimal,
    from_float,
    kind,
    num,
)

__all__ = [
    "NONDETERMINISTIC",
    "Overload",
    "builtin_names",
    "builtin_overloads",
    "failure",
    "invoke_overload",
    "parse_at",
]

NONDETERMINISTIC = frozenset({"now", "today", "random number", "uuid"})


@dataclass(frozen=True, slots=True)
class Overload:
    params: tuple[str, ...]
    impl: Callable[..., Any]
    varargs: bool = False


_REGISTRY: dict[str, list[Overload]] = {}


def _define(
    name: str, *param_lists: tuple[str, ...], varargs: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        for params in param_lists:
            _REGISTRY.setdefault(name, []).append(Overload(params, impl, varargs))
        return impl

    return register


def builtin_overloads(name: str) -> list[Overload]:
    """The overloads of built-in ``name`` (empty for an unknown name)."""
    return _REGISTRY.get(name, [])


def builtin_names() -> frozenset[str]:
    return frozenset(_REGISTRY)


def failure(overload: Overload, exc: BaseException) -> FeelEvaluationError:
    return FeelEvaluationError(f"failed to invoke a built-in function: {exc!r}")


def invoke_overload(overload: Overload, values: list[Any]) -> Any:
    try:
        return overload.impl(*values)
    except FeelEvaluationError:
        raise
    except Exception as exc:
        raise failure(overload, exc) from exc


def parse_at(text: Any) -> Any:
    """The value of the temporal literal ``@"text"`` (null if the text is not temporal)."""
    return parse_temporal(text) if type(text) is str else None


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _int(value: Any) -> int | None:
    """Java's ``intValue`` of a FEEL number (truncated, then wrapped to 32 bits, as a too
    large size or position is in Camunda), or None for a non-number."""
    n = num(value)
    if n is None:
        return None
    whole = n if type(n) is int else int(n)
    if -(2**31) <= whole < 2**31:
        return whole
    whole &= 0xFFFFFFFF
    return whole - 2**32 if whole >= 2**31 else whole


# -- string --------------------------------------------------------------------------------

_JAVA_WHITESPACE = "".join(chr(c) for c in range(33))


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class _Utf16:
    """A string indexed by UTF-16 code units, as Java's ``String`` is (an emoji is two)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._astral = not text.isascii() and any(ord(ch) > 0xFFFF for ch in text)
        self._units = text.encode("utf-16-le", "surrogatepass") if self._astral else b""

    def __len__(self) -> int:
        return len(self._units) // 2 if self._astral else len(self._text)

    def slice(self, start: int, end: int | None = None) -> str:
        if not self._astral:
            return self._text[start:end]
        stop = None if end is None else 2 * end
        return self._units[2 * start : stop].decode("utf-16-le", "surrogatepass")


@_define("substring", ("string", "start position"))
def _substring(string: Any, start: Any) -> Any:
    position = _int(start)
    if type(string) is not str or position is None:
        return None
    text = _Utf16(string)
    index = position - 1 if position > 0 else len(text) + position
    if index < 0 or index > len(text):
        raise fail(f"substring: start position {position} out of range for {string!r}")
    return text.slice(index)


@_define("substring", ("string", "start position", "length"))
def _substring3(string: Any, start: Any, length: Any) -> Any:
    position = _int(start)
    count = _int(length)
    if type(string) is not str or position is None or count is None:
        return None
    text = _Utf16(string)
    index = position - 1 if position > 0 else len(text) + position
    end = min(index + count, len(text))
    if index < 0 or index > end:
        raise fail(f"substring: range {position}, {count} out of range for {string!r}")
    return text.slice(index, end)


@_define("string length", ("string",))
def _string_length(string: Any) -> Any:
    # Java counts UTF-16 code units: an emoji is 2.
    return _utf16_length(string) if type(string) is str else None


@_define("upper case", ("string",))
def _upper_case(string: Any) -> Any:
    return string.upper() if type(string) is str else None


@_define("lower case", ("string",))
def _lower_case(string: Any) -> Any:
    return string.lower() if type(string) is str else None


@_define("substring before", ("string", "match"))
def _substring_before(string: Any, match: Any) -> Any:
    if type(string) is not str or type(match) is not str:
        return None
    index = string.find(match)
    return string[:index] if index > 0 else ""


@_define("substring after", ("string", "match"))
def _substring_after(string: Any, match: Any) -> Any:
    if type(string) is not str or type(match) is not str:
        return None
    index = string.find(match)
    return string[index + len(match) :] if index >= 0 else ""


def _flags(flags: str) -> int:
    value = 0
    if "s" in flags:
        value |= re.DOTALL
    if "m" in flags:
        value |= re.MULTILINE
    if "i" in flags:
        value |= re.IGNORECASE
    if "x" in flags:
        value |= re.VERBOSE
    return value


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str, flags: int = 0) -> re.Pattern[str] | None:
    try:
        return re.compile(_java_regex(pattern), flags)
    except (re.error, OverflowError, RecursionError):
        return None


def _java_regex(pattern: str) -> str:
    # Java's possessive/atomic syntax and \p{...} classes are not translated; the common
    # subset (classes, groups, quantifiers, anchors, \d \w \s) reads the same in Python.
    return (
        pattern.replace("(?<", "(?P<")
        if "(?<" in pattern and "(?<=" not in pattern and "(?<!" not in pattern
        else pattern
    )


def _java_replacement(replacement: str) -> str | None:
    """Java's ``Matcher.replaceAll`` template (``$1``, ``\\$``) as a Python template."""
    out: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        if ch == "\\":
            if i + 1 >= len(replacement):
                return None
            nxt = replacement[i + 1]
            out.append("\\\\" if nxt == "\\" else nxt)
            i += 2
        elif ch == "$":
            m = re.match(r"\$(\d+|\{(\w+)\})", replacement[i:])
            if m is None:
                return None
            group = m.group(2) or m.group(1)
            out.append(f"\\g<{group}>")
            i += m.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@_define("replace", ("input", "pattern", "replacement"))
def _replace(text: Any, pattern: Any, replacement: Any, flags: Any = "") -> Any:
    if not all(type(v) is str for v in (text, pattern, replacement, flags)):
        return None
    compiled = _pattern(pattern, _flags(flags))
    template = _java_replacement(replacement)
    if compiled is None:
        return None

    def expand(match: re.Match[str]) -> str:
        if template is None:
            raise _BadReplacement
        try:
            return match.expand(template)
        except (re.error, IndexError):
            raise _BadReplacement from None

    # Java reads the replacement only on a match, and Camunda turns its complaint into null.
    try:
        return compiled.sub(expand, text)
    except _BadReplacement:
        return None


class _BadReplacement(Exception):
    pass


_define("replace", ("input", "pattern", "replacement", "flags"))(_replace)


@_define("contains", ("string", "match"))
def _contains(string: Any, match: Any) -> Any:
    if type(string) is str and type(match) is str:
        return match in string
    return None


@_define("starts with", ("string", "match"))
def _starts_with(string: Any, match: Any) -> Any:
    if type(string) is str and type(match) is str:
        return string.startswith(match)
    return None


@_define("ends with", ("string", "match"))
def _ends_with(string: Any, match: Any) -> Any:
    if type(string) is str and type(match) is str:
        return string.endswith(match)
    return None


@_define("matches", ("input", "pattern"))
def _matches(text: Any, pattern: Any, flags: Any = "") -> Any:
    if not all(type(v) is str for v in (text, pattern, flags)):
        return None
    compiled = _pattern(pattern, _flags(flags))
    if compiled is None:
        return None
    return compiled.search(text) is not None


_define("matches", ("input", "pattern", "flags"))(_matches)


@_define("split", ("string", "delimiter"))
def _split(string: Any, delimiter: Any) -> Any:
    if type(string) is not str or type(delimiter) is not str:
        return None
    compiled = _pattern(delimiter)
    if compiled is None:
        return None
    if string == "":
        return [""]
    parts: list[str] = []
    last = 0
    for m in compiled.finditer(string):
        if m.end() == 0:
            continue  # Java drops a leading empty piece from a zero-width match
        parts.append(string[last : m.start()])
        last = m.end()
    parts.append(string[last:])
    return parts


@_define("extract", ("input", "pattern"))
def _extract(text: Any, pattern: Any) -> Any:
    if type(text) is not str or type(pattern) is not str:
        return None
    compiled = _pattern(pattern)
    if compiled is None:
        return None
    return [m.group(0) for m in compiled.finditer(text)]


@_define("trim", ("string",))
def _trim(string: Any) -> Any:
    return string.strip(_JAVA_WHITESPACE) if type(string) is str else None


@_define("uuid", ())
def _uuid() -> Any:
    return str(uuid.uuid4())


@_define("to base64", ("value",))
def _to_base64(value: Any) -> Any:
    if type(value) is not str:
        return None
    return base64.b64encode(value.encode("utf-8", "surrogatepass")).decode("ascii")


# Java's String.isBlank: Character.isWhitespace, which excludes no-break spaces.
_JAVA_BLANK = _JAVA_WHITESPACE + "\u2028\u2029\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
_JAVA_BLANK += "\u2008\u2009\u200a\u205f\u3000\x1c\x1d\x1e\x1f"


@_define("is blank", ("string",))
def _is_blank(string: Any) -> Any:
    return string.strip(_JAVA_BLANK) == "" if type(string) is str else None


# -- list ----------------------------------------------------------------------------------


def _contains_value(items: Any, value: Any) -> bool:
    return any(scala_equal(item, value) for item in items)


@_define("list contains", ("list", "element"))
def _list_contains(items: Any, element: Any) -> Any:
    return _contains_value(items, element) if _is_list(items) else None


@_define("count", ("list",))
def _count(items: Any) -> Any:
    return len(items) if _is_list(items) else None


def _comparable_list(items: Any) -> bool:
    # Camunda's isComparable: lists of lists pass, and then comparing them fails.
    return list_comparable(items)


def _extreme(items: Any, op: str) -> Any:
    if not _is_list(items):
        return None
    if not items:
        return None
    if not _comparable_list(items):
        return None
    best = items[0]
    for item in items[1:]:
        if feel_order(op, item, best):
            best = item
    return best


@_define("min", ("list",), varargs=True)
def _min(items: Any) -> Any:
    return _extreme(items, "<")


@_define("max", ("list",), varargs=True)
def _max(items: Any) -> Any:
    return _extreme(items, ">")


def _numbers(items: Any) -> list[int | Decimal] | None:
    if not _is_list(items) or not items:
        return None
    values = [num(item) for item in items]
    if any(value is None for value in values):
        return None
    return values  # type: ignore[return-value]


@_define("sum", ("list",), varargs=True)
def _sum(items: Any) -> Any:
    values = _numbers(items)
    if values is None:
        return None
    total: Any = 0
    for value in values:
        total = add(total, value)
    return total


@_define("product", ("list",), varargs=True)
def _product(items: Any) -> Any:
    values = _numbers(items)
    if values is None:
        return None
    total: Any = 1
    for value in values:
        total = rounded(EXACT.multiply(total, value), total)
    return total


@_define("mean", ("list",), varargs=True)
def _mean(items: Any) -> Any:
    values = _numbers(items)
    if values is None:
        return None
    return divide(_sum(values), len(values))


@_define("median", ("list",), varargs=True)
def _median(items: Any) -> Any:
    values = _numbers(items)
    if values is None:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return ordered[middle]
    return divide(add(ordered[middle - 1], ordered[middle]), 2)


@_define("stddev", ("list",), varargs=True)
def _stddev(items: Any) -> Any:
    values = _numbers(items)
    if values is None:
        return None
    if len(values) == 1:
        raise fail("stddev: division by zero")
    mean = D128.divide(EXACT.add(0, _sum(values)), len(values))
    deviation = Decimal(0)
    for value in values:
        deviation = EXACT.add(deviation, D128.power(EXACT.subtract(value, mean), 2))
    variance = D128.divide(deviation, len(values) - 1)
    return from_float(math.sqrt(float(variance)))


@_define("mode", ("list",), varargs=True)
def _mode(items: Any) -> Any:
    if not _is_list(items):
        return None
    if not items:
        return []
    values = _numbers(items)
    if values is None:
        return None
    counts: dict[Any, int] = {}
    first: dict[Any, Any] = {}
    for value in values:
        key = EXACT.normalize(Decimal(value))
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, value)
    most = max(counts.values())
    return sorted(first[key] for key, count in counts.items() if count == most)


def _all(items: list[Any]) -> Any:
    result: Any = True
    for item in items:
        if result is False:
            return False
        if result is True:
            result = item if type(item) is bool else None
        elif item is False:
            result = False
        else:
            result = None
    return result


def _any(items: list[Any]) -> Any:
    result: Any = False
    for item in items:
        if result is True:
            return True
        if result is False:
            result = item if type(item) is bool else None
        elif item is True:
            result = True
        else:
            result = None
    return result


for _name in ("and", "all"):
    _define(_name, ("list",), varargs=True)(lambda items: _all(items) if _is_list(items) else None)
for _name in ("or", "any"):
    _define(_name, ("list",), varargs=True)(lambda items: _any(items) if _is_list(items) else None)


def _list_index(items: Any, position: int) -> int:
    return position - 1 if position > 0 else len(items) + position


def _take(items: Any, count: int) -> list[Any]:
    return list(items[: max(count, 0)])


def _drop(items: Any, count: int) -> list[Any]:
    return list(items[max(count, 0) :])


@_define("sublist", ("list", "start"))
def _sublist(items: Any, start: Any, length: Any = None, *, has_length: bool = False) -> Any:
    position = _int(start)
    if not _is_list(items) or position is None:
        return None
    if num(start) == 0:
        return None
    begin = max(_list_index(items, position), 0)
    if not has_length:
        return list(items[begin:])
    count = _int(length)
    if count is None:
        return None
    stop = _list_index(items, position) + count
    return list(items[begin : max(stop, begin)]) if stop > 0 else []


@_define("sublist", ("list", "start", "length"))
def _sublist3(items: Any, start: Any, length: Any) -> Any:
    return _sublist(items, start, length, has_length=True)


@_define("append", ("list", "items"), varargs=True)
def _append(items: Any, extra: Any) -> Any:
    if not _is_list(items) or not _is_list(extra):
        return None
    return [*items, *extra]


@_define("concatenate", ("lists",), varargs=True)
def _concatenate(lists: Any) -> Any:
    if not _is_list(lists):
        return None
    result: list[Any] = []
    for item in lists:
        if _is_list(item):
            result.extend(item)
        else:
            result.append(item)
    return result


@_define("insert before", ("list", "position", "newItem"))
def _insert_before(items: Any, position: Any, new_item: Any) -> Any:
    index = _int(position)
    if not _is_list(items) or index is None or num(position) == 0:
        return None
    at = _list_index(items, index)
    return [*_take(items, at), new_item, *_drop(items, at)]


@_define("remove", ("list", "position"))
def _remove(items: Any, position: Any) -> Any:
    index = _int(position)
    if not _is_list(items) or index is None or num(position) == 0:
        return None
    return [*_take(items, _list_index(items, index)), *_drop(items, _list_index(items, index + 1))]


@_define("reverse", ("list",))
def _reverse(items: Any) -> Any:
    return list(reversed(items)) if _is_list(items) else None


@_define("index of", ("list", "match"))
def _index_of(items: Any, match: Any) -> Any:
    if not _is_list(items):
        return None
    return [k + 1 for k, item in enumerate(items) if scala_equal(item, match)]


def _same(a: Any, b: Any) -> bool:
    return (a is None and b is None) or feel_equal(a, b) is True


def _distinct(items: Any) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if not any(_same(item, seen) for seen in result):
            result.append(item)
    return result


@_define("union", ("lists",), varargs=True)
def _union(lists: Any) -> Any:
    flat = _concatenate(lists)
    return None if flat is None else _distinct(flat)


@_define("distinct values", ("list",))
def _distinct_values(items: Any) -> Any:
    return _distinct(items) if _is_list(items) else None


@_define("duplicate values", ("list",))
def _duplicate_values(items: Any) -> Any:
    if not _is_list(items):
        return None
    return [x for x in _distinct(items) if sum(1 for item in items if _same(item, x)) > 1]


def _flatten(items: Any) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if _is_list(item):
            result.extend(_flatten(item))
        else:
            result.append(item)
    return result


@_define("flatten", ("list",))
def _flatten_function(items: Any) -> Any:
    return _flatten(items) if _is_list(items) else None


@_define("sort", ("list", "precedes"))
def _sort(items: Any, precedes: Any) -> Any:
    if not _is_list(items) or type(precedes) is not FeelFunction:
        return None
    if len(precedes.params) != 2:
        return None

    def less(x: Any, y: Any) -> bool:
        outcome = precedes.invoke([x, y])
        if type(outcome) is not bool:
            raise _NotBoolean
        return outcome

    def compare(x: Any, y: Any) -> int:
        if less(x, y):
            return -1
        if less(y, x):
            return 1
        return 0

    try:
        return sorted(items, key=functools.cmp_to_key(compare))
    except _NotBoolean:
        return None


class _NotBoolean(Exception):
    pass


def _join(items: Any, delimiter: str = "", prefix: str = "", suffix: str = "") -> Any:
    if not _is_list(items) or not all(type(item) is str or item is None for item in items):
        return None
    return prefix + delimiter.join(item for item in items if item is not None) + suffix


@_define("string join", ("list",))
def _string_join(items: Any) -> Any:
    return _join(items)


@_define("string join", ("list", "delimiter"))
def _string_join2(items: Any, delimiter: Any) -> Any:
    if delimiter is None:
        return _join(items)
    if type(delimiter) is not str:
        return None
    return _join(items, delimiter)


@_define("string join", ("list", "delimiter", "prefix", "suffix"))
def _string_join4(items: Any, delimiter: Any, prefix: Any, suffix: Any) -> Any:
    if (
        type(prefix) is str
        and type(suffix) is str
        and (delimiter is None or type(delimiter) is str)
    ):
        return _join(items, delimiter or "", prefix, suffix)
    if prefix is None and suffix is None and (delimiter is None or type(delimiter) is str):
        return _join(items, delimiter or "")
    return None


@_define("is empty", ("list",))
def _is_empty(items: Any) -> Any:
    return len(items) == 0 if _is_list(items) else None


@_define("partition", ("list", "size"))
def _partition(items: Any, size: Any) -> Any:
    count = _int(size)
    if not _is_list(items) or count is None or count <= 0:
        return None
    return [list(items[k : k + count]) for k in range(0, len(items), count)]


# -- numeric -------------------------------------------------------------------------------

_ROUNDING = {
    "UP": ROUND_UP,
    "DOWN": ROUND_DOWN,
    "CEILING": ROUND_CEILING,
    "FLOOR": ROUND_FLOOR,
    "HALF_UP": ROUND_HALF_UP,
    "HALF_DOWN": ROUND_HALF_DOWN,
    "HALF_EVEN": ROUND_HALF_EVEN,
    "UNNECESSARY": "UNNECESSARY",
}


def _round(n: Any, scale: Any, mode: str) -> Any:
    value = num(n)
    digits = _int(scale)
    if value is None or digits is None:
        return None
    current = -Decimal(value).as_tuple().exponent  # type: ignore[operator]
    if abs(digits - current) > 646_456_992:
        return None  # BigInteger would overflow in Java: Camunda warns and yields null
    exponent = EXACT.scaleb(Decimal(1), -digits)
    if mode == "UNNECESSARY":
        rounded = EXACT.quantize(Decimal(value), exponent)
        if rounded != value:
            return None
        return from_decimal(rounded)
    try:
        return from_decimal(Decimal(value).quantize(exponent, rounding=mode, context=EXACT))
    except InvalidOperation:
        return None


@_define("decimal", ("n", "scale"))
def _decimal(n: Any, scale: Any) -> Any:
    return _round(n, scale, ROUND_HALF_EVEN)


@_define("decimal", ("n", "scale", "mode"))
def _decimal3(n: Any, scale: Any, mode: Any) -> Any:
    if num(n) is None or num(scale) is None or type(mode) is not str:
        return None
    rounding = _ROUNDING.get(mode.upper())
    if rounding is None:
        return None
    return _round(n, scale, rounding)


@_define("floor", ("n",))
def _floor(n: Any) -> Any:
    return _round(n, 0, ROUND_FLOOR)


@_define("floor", ("n", "scala"))
def _floor2(n: Any, scale: Any) -> Any:
    return _round(n, scale, ROUND_FLOOR)


@_define("ceiling", ("n",))
def _ceiling(n: Any) -> Any:
    return _round(n, 0, ROUND_CEILING)


@_define("ceiling", ("n", "scale"))
def _ceiling2(n: Any, scale: Any) -> Any:
    return _round(n, scale, ROUND_CEILING)


_define("round up", ("n", "scale"))(lambda n, scale: _round(n, scale, ROUND_UP))
_define("round down", ("n", "scale"))(lambda n, scale: _round(n, scale, ROUND_DOWN))
_define("round half up", ("n", "scale"))(lambda n, scale: _round(n, scale, ROUND_HALF_UP))
_define("round half down", ("n", "scala"))(lambda n, scale: _round(n, scale, ROUND_HALF_DOWN))


@_define("abs", ("number",), ("n",))
def _abs(n: Any) -> Any:
    value = num(n)
    if value is not None:
        # Decimal's abs() would round to the default context's 28 digits.
        return value.copy_abs() if type(value) is Decimal else abs(value)
    if type(n) is YearMonthDuration:
        return YearMonthDuration(abs(n.months))
    if type(n) is dt.timedelta:
        return abs(n)
    return None


def _remainder(a: int | Decimal, b: int | Decimal) -> int | Decimal:
    if type(a) is int and type(b) is int:
        r = abs(a) % abs(b)  # ints: exact
        return -r if a < 0 else r
    return EXACT.remainder(a, b)


@_define("modulo", ("dividend", "divisor"))
def _modulo(dividend: Any, divisor: Any) -> Any:
    a = num(dividend)
    b = num(divisor)
    if a is None or b is None:
        return None
    if b == 0:
        raise fail("modulo: division by zero")
    first = _remainder(a, b)
    result = _remainder(
        EXACT.add(first, b) if type(first) is not int or type(b) is not int else first + b, b
    )
    return from_decimal(result) if type(result) is Decimal else result


def _double(n: Any) -> float | None:
    value = num(n)
    return None if value is None else float(value)


def _from_double(value: float, function: str) -> Any:
    result = from_float(value)
    if result is None:
        raise fail(f"{function}: the result {value} is not a number")
    return result


@_define("sqrt", ("number",))
def _sqrt(n: Any) -> Any:
    value = num(n)
    if value is None or value < 0:
        return None
    return _from_double(math.sqrt(float(value)), "sqrt")


@_define("log", ("number",))
def _log(n: Any) -> Any:
    value = _double(n)
    if value is None:
        return None
    if value <= 0:
        raise fail(f"log: the result of log({value}) is not a number")
    return _from_double(math.log(value), "log")


@_define("exp", ("number",))
def _exp(n: Any) -> Any:
    value = _double(n)
    if value is None:
        return None
    try:
        return _from_double(math.exp(value), "exp")
    except OverflowError:
        raise fail("exp: the result is infinite") from None


@_define("odd", ("number",))
def _odd(n: Any) -> Any:
    value = num(n)
    if value is None:
        return None
    magnitude = value.copy_abs() if isinstance(value, Decimal) else abs(value)
    return _remainder(magnitude, 2) == 1


@_define("even", ("number",))
def _even(n: Any) -> Any:
    value = num(n)
    if value is None:
        return None
    return _remainder(value, 2) == 0


@_define("random number", ())
def _random_number() -> Any:
    return from_float(random.random())


# -- boolean -------------------------------------------------------------------------------


@_define("not", ("negand",))
def _not(value: Any) -> Any:
    if value is True:
        return False
    if value is False:
        return True
    return None


@_define("is defined", ("value",))
def _is_defined(value: Any) -> Any:
    return value is not None


@_define("get or else", ("value", "default"))
def _get_or_else(value: Any, default: Any) -> Any:
    return default if value is None else value


@_define("assert", ("value", "condition"))
def _assert(value: Any, condition: Any) -> Any:
    if condition is True:
        return value
    raise fail("Assertion failure: The condition is not fulfilled")


@_define("assert", ("value", "condition", "cause"))
def _assert3(value: Any, condition: Any, cause: Any) -> Any:
    if condition is True:
        return value
    if type(cause) is str:
        raise fail(f"Assertion failure: {cause}")
    raise fail("Assertion failure: illegal arguments")


# -- context -------------------------------------------------------------------------------


@_define("get entries", ("context",), ("m",))
def _get_entries(context: Any) -> Any:
    if not isinstance(context, Mapping):
        return None
    return [{"key": key, "value": value} for key, value in context.items()]


def _get_path(context: Mapping[str, Any], keys: list[Any]) -> Any:
    value: Any = context
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@_define("get value", ("m", "key"), ("context", "key"))
def _get_value(context: Any, key: Any) -> Any:
    if not isinstance(context, Mapping):
        return None
    if type(key) is str:
        return context.get(key)
    if _is_list(key):
        return _get_value_keys(context, key)
    return None


@_define("get value", ("context", "keys"))
def _get_value_keys(context: Any, keys: Any) -> Any:
    if not isinstance(context, Mapping) or not _is_list(keys):
        return None
    if not all(type(key) is str for key in keys) or not keys:
        return None
    return _get_path(context, list(keys))


def _put_path(context: Mapping[str, Any], keys: list[str], value: Any) -> dict[str, Any]:
    result = dict(context)
    if len(keys) == 1:
        result[keys[0]] = value
        return result
    nested = result.get(keys[0])
    result[keys[0]] = _put_path(nested if isinstance(nested, Mapping) else {}, keys[1:], value)
    return result


@_define("context put", ("context", "key", "value"))
def _context_put(context: Any, key: Any, value: Any) -> Any:
    if not isinstance(context, Mapping):
        return None
    if type(key) is str:
        return _put_path(context, [key], value)
    if _is_list(key) and key and all(type(k) is str for k in key):
        return _put_path(context, list(key), value)
    return None


_define("put", ("context", "key", "value"))(_context_put)


@_define("context put", ("context", "keys", "value"))
def _context_put_keys(context: Any, keys: Any, value: Any) -> Any:
    if not isinstance(context, Mapping) or not _is_list(keys) or not keys:
        return None
    if not all(type(k) is str for k in keys):
        return None
    return _put_path(context, list(keys), value)


@_define("context merge", ("contexts",), varargs=True)
def _context_merge(contexts: Any) -> Any:
    if not _is_list(contexts) or not all(isinstance(c, Mapping) for c in contexts):
        return None
    result: dict[str, Any] = {}
    for context in contexts:
        result.update(context)
    return result


_define("put all", ("contexts",), varargs=True)(_context_merge)


@_define("context", ("entries",))
def _context(entries: Any) -> Any:
    if not _is_list(entries):
        return None
    for entry in entries:
        if (
            not isinstance(entry, Mapping)
            or "value" not in entry
            or type(entry.get("key")) is not str
        ):
            return None
    return {entry["key"]: entry["value"] for entry in entries}


# -- conversion ----------------------------------------------------------------------------


@_define("string", ("from",))
def _string(value: Any) -> Any:
    return None if value is None else to_text(value)


_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _parse_number(text: str) -> Any:
    if not _NUMBER_TEXT.fullmatch(text):
        return None
    value = Decimal(text)
    return from_decimal(value)


@_define("number", ("from",))
def _number(text: Any) -> Any:
    return _parse_number(text) if type(text) is str else None


@_define("number", ("from", "grouping separator"))
def _number2(text: Any, grouping: Any) -> Any:
    if type(text) is not str or type(grouping) is not str or grouping not in (" ", ",", "."):
        return None
    return _parse_number(text.replace(grouping, ""))


@_define("number", ("from", "grouping separator", "decimal separator"))
def _number3(text: Any, grouping: Any, decimal_separator: Any) -> Any:
    if type(text) is not str:
        return None
    if type(grouping) is str and type(decimal_separator) is str:
        if (
            grouping in (" ", ",", ".")
            and decimal_separator in (",", ".")
            and grouping != decimal_separator
        ):
            return _parse_number(text.replace(grouping, "").replace(decimal_separator, "."))
        return None
    if grouping is None and decimal_separator in (",", "."):
        return _parse_number(text.replace(decimal_separator, "."))
    if decimal_separator is None and grouping in (" ", ",", "."):
        return _parse_number(text.replace(grouping, ""))
    return None


@_define("date", ("from",))
def _date(value: Any) -> Any:
    if type(value) is str:
        return parse_date(value)
    if type(value) is dt.datetime:
        return value.date()
    if type(value) is dt.date:
        return value
    return None


@_define("date", ("year", "month", "day"))
def _date3(year: Any, month: Any, day: Any) -> Any:
    y, m, d = _int(year), _int(month), _int(day)
    if y is None or m is None or d is None:
        return None
    try:
        return dt.date(y, m, d)
    except (ValueError, OverflowError):
        return None


@_define("date and time", ("from",))
def _date_and_time(value: Any) -> Any:
    return parse_date_and_time(value) if type(value) is str else None


@_define("date and time", ("date", "time"))
def _date_and_time2(date: Any, time: Any) -> Any:
    kd = kind(date)
    if kd not in ("date", "local date and time", "date and time"):
        return None
    day = date.date() if type(date) is dt.datetime else date
    kt = kind(time)
    if kt == "local time":
        return dt.datetime.combine(day, time)
    if type(time) is ZonedTime:
        local = dt.datetime.combine(day, time.time)
        if time.zone:
            tz = parse_zone(time.zone)
            return local.replace(tzinfo=tz) if tz is None else in_zone(local, tz)
        return local.replace(tzinfo=dt.timezone(dt.timedelta(seconds=time.offset)))
    if type(time) is str and kd != "date":
        tz = parse_zone(time)
        if tz is None:
            raise fail(f"unknown time zone {time!r}")
        if kd == "local date and time":
            return in_zone(date, tz)
        return date.astimezone(tz)
    return None


@_define("time", ("from",))
def _time(value: Any) -> Any:
    if type(value) is str:
        return parse_time(value)
    if type(value) is dt.datetime:
        if value.tzinfo is None:
            return value.time()
        offset = value.utcoffset() or dt.timedelta()
        return ZonedTime(
            value.time(), int(offset.total_seconds()), getattr(value.tzinfo, "key", None)
        )
    if type(value) is dt.date:
        return ZonedTime(dt.time(), 0, None)
    return None


def _seconds_time(hour: Any, minute: Any, second: Any) -> dt.time | None:
    h, m = _int(hour), _int(minute)
    s = num(second)
    if h is None or m is None or s is None:
        return None
    whole = int(s)
    micros = int(EXACT.multiply(EXACT.subtract(Decimal(s), whole), 1_000_000))
    try:
        return dt.time(h, m, whole, micros)
    except (ValueError, OverflowError):
        return None


@_define("time", ("hour", "minute", "second"))
def _time3(hour: Any, minute: Any, second: Any) -> Any:
    return _seconds_time(hour, minute, second)


@_define("time", ("hour", "minute", "second", "offset"))
def _time4(hour: Any, minute: Any, second: Any, offset: Any) -> Any:
    local = _seconds_time(hour, minute, second)
    if local is None:
        return None
    if offset is None:
        return local.replace(microsecond=0)
    if type(offset) is not dt.timedelta:
        return None
    seconds = int(offset.total_seconds())
    if abs(seconds) > 18 * 3600:
        return None
    return ZonedTime(local, seconds, None)


@_define("duration", ("from",))
def _duration(value: Any) -> Any:
    return parse_duration(value) if type(value) is str else None


@_define("years and months duration", ("from", "to"))
def _years_and_months(start: Any, end: Any) -> Any:
    if kind(start) not in ("date", "local date and time", "date and time"):
        return None
    if kind(end) not in ("date", "local date and time", "date and time"):
        return None
    a = start.date() if type(start) is dt.datetime else start
    b = end.date() if type(end) is dt.datetime else end
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    return YearMonthDuration(months)


# -- temporal ------------------------------------------------------------------------------


@_define("now", ())
def _now() -> Any:
    return dt.datetime.now(dt.UTC)


@_define("today", ())
def _today() -> Any:
    return dt.datetime.now(dt.UTC).date()


def _day(value: Any) -> dt.date | None:
    if type(value) is dt.date:
        return value
    if type(value) is dt.datetime:
        return value.date()
    return None


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _date_function(name: str, impl: Callable[[dt.date], Any]) -> None:
    def invoke(value: Any) -> Any:
        day = _day(value)
        return None if day is None else impl(day)

    _define(name, ("date",))(invoke)


_date_function("day of year", lambda d: d.timetuple().tm_yday)
_date_function("day of week", lambda d: _WEEKDAYS[d.weekday()])
_date_function("month of year", lambda d: _MONTHS[d.month - 1])
_date_function("week of year", lambda d: d.isocalendar()[1])
_date_function(
    "last day of month",
    lambda d: (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1),
)


# -- ranges (DMN 1.3 "range functions", with Camunda's formulas) ---------------------------

_POINT_KINDS = frozenset(
    {
        "number",
        "date",
        "time",
        "local time",
        "date and time",
        "local date and time",
        "years and months duration",
        "days and time duration",
    }
)


def _lt(a: Any, b: Any) -> bool:
    return feel_order("<", a, b) is True


def _eq(a: Any, b: Any) -> bool:
    return feel_equal(a, b) is True


def _is_range(value: Any) -> bool:
    return type(value) is FeelRange


def _range_comparable(a: Any, b: Any) -> bool:
    """Camunda's check before any range function: points of one kind (ranges by their start)."""
    x = a.start if _is_range(a) else a
    y = b.start if _is_range(b) else b
    kx = kind(x)
    return kx in _POINT_KINDS and kind(y) == kx


class _NoMatch(Exception):
    """The combination of points and ranges a function has no case for (Scala MatchError)."""


def _range_function(
    name: str, *param_lists: tuple[str, ...]
) -> Callable[[Callable[[Any, Any], bool]], Callable[[Any, Any], bool]]:
    def register(impl: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
        def invoke(a: Any, b: Any) -> Any:
            if not _range_comparable(a, b):
                return None
            try:
                return impl(a, b)
            except _NoMatch:
                raise fail(f"{name}: no case for ({to_text(a)}, {to_text(b)})") from None

        for params in param_lists:
            _REGISTRY.setdefault(name, []).append(Overload(params, invoke))
        return impl

    return register


def _both_ranges(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return True
    raise _NoMatch


_BEFORE_PARAMS = (
    ("point1", "point2"),
    ("point", "range"),
    ("range", "point"),
    ("range1", "range2"),
)


@_range_function("before", *_BEFORE_PARAMS)
def _before(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return _lt(a.end, b.start) or (
            (not a.end_closed or not b.start_closed) and _eq(a.end, b.start)
        )
    if _is_range(b):
        return _lt(a, b.start) or (_eq(a, b.start) and not b.start_closed)
    if _is_range(a):
        return _lt(a.end, b) or (_eq(a.end, b) and not a.end_closed)
    return _lt(a, b)


@_range_function("after", *_BEFORE_PARAMS)
def _after(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return _lt(b.end, a.start) or (
            (not a.start_closed or not b.end_closed) and _eq(a.start, b.end)
        )
    if _is_range(b):
        return _lt(b.end, a) or (_eq(a, b.end) and not b.end_closed)
    if _is_range(a):
        return _lt(b, a.start) or (_eq(a.start, b) and not a.start_closed)
    return _lt(b, a)


@_range_function("meets", ("range1", "range2"))
def _meets(a: Any, b: Any) -> bool:
    return _both_ranges(a, b) and a.end_closed and b.start_closed and _eq(a.end, b.start)


@_range_function("met by", ("range1", "range2"))
def _met_by(a: Any, b: Any) -> bool:
    return _both_ranges(a, b) and a.start_closed and b.end_closed and _eq(a.start, b.end)


@_range_function("overlaps", ("range1", "range2"))
def _overlaps(a: Any, b: Any) -> bool:
    return (
        _both_ranges(a, b)
        and (_lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_closed and b.start_closed))
        and (_lt(a.start, b.end) or (_eq(a.start, b.end) and a.start_closed and b.end_closed))
    )


@_range_function("overlaps before", ("range1", "range2"))
def _overlaps_before(a: Any, b: Any) -> bool:
    return (
        _both_ranges(a, b)
        and (
            _lt(a.start, b.start)
            or (_eq(a.start, b.start) and a.start_closed and not b.start_closed)
        )
        and (_lt(b.start, a.end) or (_eq(a.end, b.start) and a.end_closed and b.start_closed))
        and (_lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_closed or b.end_closed)))
    )


@_range_function("overlaps after", ("range1", "range2"))
def _overlaps_after(a: Any, b: Any) -> bool:
    return (
        _both_ranges(a, b)
        and (
            _lt(b.start, a.start)
            or (_eq(b.start, a.start) and b.start_closed and not a.start_closed)
        )
        and (_lt(a.start, b.end) or (_eq(b.end, a.start) and b.end_closed and a.start_closed))
        and (_lt(b.end, a.end) or (_eq(b.end, a.end) and (not b.end_closed or a.end_closed)))
    )


@_range_function("finishes", ("point", "range"), ("range1", "range2"))
def _finishes(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return (
            a.end_closed == b.end_closed
            and _eq(a.end, b.end)
            and (
                _lt(b.start, a.start)
                or (_eq(a.start, b.start) and (not a.start_closed or b.start_closed))
            )
        )
    if not _is_range(a) and _is_range(b):
        return b.end_closed and _eq(b.end, a)
    raise _NoMatch


@_range_function("finished by", ("range", "point"), ("range1", "range2"))
def _finished_by(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return (
            a.end_closed == b.end_closed
            and _eq(a.end, b.end)
            and (
                _lt(a.start, b.start)
                or (_eq(a.start, b.start) and (a.start_closed or not b.start_closed))
            )
        )
    if _is_range(a) and not _is_range(b):
        return a.end_closed and _eq(a.end, b)
    raise _NoMatch


def _contains_point(r: FeelRange, point: Any) -> bool:
    return (
        (_lt(r.start, point) and _lt(point, r.end))
        or (_eq(r.start, point) and r.start_closed)
        or (_eq(r.end, point) and r.end_closed)
    )


def _encloses(outer: FeelRange, inner: FeelRange) -> bool:
    return (
        _lt(outer.start, inner.start)
        or (_eq(outer.start, inner.start) and (outer.start_closed or not inner.start_closed))
    ) and (
        _lt(inner.end, outer.end)
        or (_eq(outer.end, inner.end) and (outer.end_closed or not inner.end_closed))
    )


@_range_function("includes", ("range", "point"), ("range1", "range2"))
def _includes(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return _encloses(a, b)
    if _is_range(a):
        return _contains_point(a, b)
    raise _NoMatch


@_range_function("during", ("point", "range"), ("range1", "range2"))
def _during(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return _encloses(b, a)
    if _is_range(b):
        return _contains_point(b, a)
    raise _NoMatch


@_range_function("starts", ("point", "range"), ("range1", "range2"))
def _starts(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return (
            _eq(a.start, b.start)
            and a.start_closed == b.start_closed
            and (_lt(a.end, b.end) or (_eq(a.end, b.end) and (not a.end_closed or b.end_closed)))
        )
    if _is_range(b):
        return _eq(b.start, a) and b.start_closed
    raise _NoMatch


@_range_function("started by", ("range", "point"), ("range1", "range2"))
def _started_by(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return (
            _eq(a.start, b.start)
            and a.start_closed == b.start_closed
            and (_lt(b.end, a.end) or (_eq(b.end, a.end) and (not b.end_closed or a.end_closed)))
        )
    if _is_range(a):
        return _eq(a.start, b) and a.start_closed
    raise _NoMatch


@_range_function("coincides", ("point1", "point2"), ("range1", "range2"))
def _coincides(a: Any, b: Any) -> bool:
    if _is_range(a) and _is_range(b):
        return (
            _eq(a.start, b.start)
            and a.start_closed == b.start_closed
            and _eq(a.end, b.end)
            and a.end_closed == b.end_closed
        )
    return _eq(a, b)


# -- connector error functions -------------------------------------------------------------


@_define("bpmnError", ("code", "message"))
def _bpmn_error(code: Any, message: Any, variables: Any = None) -> BpmnErrorResult:
    if type(code) is not str or not code:
        raise FeelEvaluationError(
            f"bpmnError: the error code must be a non-empty string, got {code!r}"
        )
    return BpmnErrorResult(code, _message("bpmnError", message), _variables("bpmnError", variables))


_define("bpmnError", ("code", "message", "variables"))(_bpmn_error)


@_define("jobError", ("message",))
def _job_error(
    message: Any, variables: Any = None, retries: Any = None, retry_backoff: Any = None
) -> JobErrorResult:
    if retries is not None:
        count = num(retries)
        if count is None or count != int(count) or count < 0:
            raise FeelEvaluationError(
                f"jobError: retries must be a non-negative integer or null, got {retries!r}"
            )
        retries = int(count)
    if type(retry_backoff) is dt.timedelta:
        retry_backoff = to_text(retry_backoff)
    if retry_backoff is not None and type(retry_backoff) is not str:
        raise FeelEvaluationError(
            'jobError: retryBackoff must be a duration such as @"PT30S" or "PT30S", '
            f"or null, got {retry_backoff!r}"
        )
    return JobErrorResult(
        _message("jobError", message), _variables("jobError", variables), retries, retry_backoff
    )


_define("jobError", ("message", "variables"))(_job_error)
_define("jobError", ("message", "variables", "retries"))(_job_error)
_define("jobError", ("message", "variables", "retries", "retryBackoff"))(_job_error)


def _message(function: str, message: Any) -> str:
    # A null message (e.g. a missing response field) must not turn the error into a crash.
    if message is None:
        return ""
    if type(message) is not str:
        raise FeelEvaluationError(f"{function}: the message must be a string, got {message!r}")
    return message


def _variables(function: str, variables: Any) -> dict[str, Any]:
    if variables is None:
        return {}
    if not isinstance(variables, Mapping):
        raise FeelEvaluationError(
            f"{function}: variables must be a context, got {type(variables).__name__}"
        )
    from ._values import to_json

    return {key: to_json(value) for key, value in variables.items()}
