"""JUEL ⇄ FEEL for the expressions both engines share: literals, paths, comparisons, logic.

JUEL is read with the dev engine's JUEL subset parser and FEEL with the FEEL package's
parser, so the migrator accepts exactly what the engines here evaluate. Anything outside
the shared subset raises `Unconvertible` with the reason; the migrator reports it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from bpmn_bridge.devengine import _juel
from bpmn_bridge.feel import FeelError
from bpmn_bridge.feel import _ast as feel_ast
from bpmn_bridge.feel._parser import parse as parse_feel

__all__ = ["Unconvertible", "feel_to_juel", "juel_to_feel"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Words FEEL reads as operators or literals: a JUEL variable so named is no FEEL name.
_FEEL_RESERVED = {
    "and", "or", "not", "null", "true", "false", "if", "then", "else", "for", "in",
    "return", "some", "every", "satisfies", "instance", "of", "between", "function",
}  # fmt: skip
_JUEL_RESERVED = {
    "and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "true", "false", "null",
    "empty", "div", "mod", "instanceof",
}  # fmt: skip
_COMPARE_TO_FEEL = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_COMPARE_TO_JUEL = {v: k for k, v in _COMPARE_TO_FEEL.items()}


class Unconvertible(ValueError):
    """The expression is outside the subset both engines share; the message says why."""


# ---------------------------------------------------------------- JUEL → FEEL


def juel_to_feel(text: str) -> str:
    """Translate a Camunda 7 value (text, ``${...}``, or text with embedded ``${...}``).

    Args:
        text: The condition or parameter text.

    Returns:
        A FEEL expression starting with ``=``: a single expression keeps its type, text
        becomes a string literal, mixed text a string concatenation.

    Raises:
        Unconvertible: A JUEL construct with no FEEL equivalent here (method calls,
            arithmetic, ``empty``, ...), or invalid JUEL.
    """
    try:
        template = _juel.compile_template(text)
    except _juel.JuelSyntaxError as exc:
        raise Unconvertible(str(exc)) from None
    numbers = iter(_number_tokens(text))
    parts = template.parts
    if len(parts) == 1:
        only = parts[0]
        return "=" + (json.dumps(only) if isinstance(only, str) else _feel(only, numbers, top=True))
    pieces = [
        json.dumps(p) if isinstance(p, str) else f"string({_feel(p, numbers, top=True)})"
        for p in parts
    ]
    return "=" + " + ".join(pieces)


def _number_tokens(text: str) -> list[str]:
    """The number literals of every embedded expression, as written, in source order.

    The JUEL parser keeps a number as a Python float; the text is what the user wrote, so
    FEEL gets every digit of it (FEEL numbers are decimals).
    """
    found: list[str] = []
    for embedded in _juel._EMBEDDED.finditer(text):
        source, pos = embedded.group(1), 0
        while (match := _juel._TOKEN.match(source, pos)) is not None and match.end() > pos:
            if match.group("num") is not None:
                found.append(match.group("num"))
            pos = match.end()
    return found


def feel_number(text: str) -> str:
    """A number literal as FEEL reads it: plain digits, no exponent, every digit kept.

    Args:
        text: A decimal number in any notation Python's ``Decimal`` reads (``1e-05``).

    Returns:
        ``0.00001`` for ``1e-05``, ``100000000000000000000`` for ``1E+20``.

    Raises:
        Unconvertible: Not a finite number.
    """
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise Unconvertible(f"{text!r} is no number") from None
    if not number.is_finite():
        raise Unconvertible(f"{text!r} is no finite number")
    plain = format(number, "f")
    return "0" if plain in ("-0", "-0.0") else plain


def _feel(node: _juel.Node, numbers: Iterator[str], *, top: bool = False) -> str:
    if isinstance(node, _juel.Literal):
        value = node.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            written = next(numbers, None)
            # The token belongs to this literal when it reads as the same value; otherwise
            # (never seen, a safety net) the value itself is printed in FEEL's notation.
            if written is not None and float(written) == float(value):
                return feel_number(written)
            return feel_number(repr(value))
        return _feel_literal(value)
    if isinstance(node, _juel.Path):
        for name in node.names:
            if not _NAME.match(name) or name in _FEEL_RESERVED:
                raise Unconvertible(f"the name {name!r} is no FEEL name")
        return ".".join(node.names)
    if isinstance(node, _juel.Not):
        return f"not({_feel(node.operand, numbers, top=True)})"
    if isinstance(node, _juel.Compare):
        left = _feel(node.left, numbers)
        text = f"{left} {_COMPARE_TO_FEEL[node.op]} {_feel(node.right, numbers)}"
    elif isinstance(node, _juel.And):
        left = _feel(node.left, numbers)
        text = f"{left} and {_feel(node.right, numbers)}"
    else:
        left = _feel(node.left, numbers)
        text = f"{left} or {_feel(node.right, numbers)}"
    return text if top else f"({text})"


def _feel_literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return feel_number(repr(value) if isinstance(value, float) else str(value))
    return json.dumps(value)


# ---------------------------------------------------------------- FEEL → JUEL


def feel_to_juel(source: str) -> str:
    """Translate a Camunda 8 FEEL expression (``=...``) into a Camunda 7 value.

    Args:
        source: The FEEL expression, with or without the leading ``=``.

    Returns:
        Plain text for a string literal, ``${...}`` for an expression, and text with
        embedded ``${...}`` for a concatenation of strings and ``string(...)`` calls.

    Raises:
        Unconvertible: A FEEL construct with no JUEL equivalent here (functions,
            arithmetic, filters, contexts, ...), or invalid FEEL.
    """
    try:
        node = parse_feel(source)
    except FeelError as exc:
        raise Unconvertible(str(exc)) from None
    if isinstance(node, feel_ast.Literal) and isinstance(node.value, str):
        if "${" in node.value or "#{" in node.value:
            raise Unconvertible("the text would read as a JUEL expression")
        return node.value
    concatenated = _concatenation(node, source)
    if concatenated is not None:
        return concatenated
    return "${" + _juel_expr(node, source, top=True) + "}"


def _concatenation(node: feel_ast.Node, source: str) -> str | None:
    if not (isinstance(node, feel_ast.Arithmetic) and node.op == "+"):
        return None
    parts: list[feel_ast.Node] = []

    def flatten(n: feel_ast.Node) -> None:
        if isinstance(n, feel_ast.Arithmetic) and n.op == "+":
            flatten(n.left)
            flatten(n.right)
        else:
            parts.append(n)

    flatten(node)
    out: list[str] = []
    for part in parts:
        if isinstance(part, feel_ast.Literal) and isinstance(part.value, str):
            if "${" in part.value or "#{" in part.value:
                raise Unconvertible("the text would read as a JUEL expression")
            out.append(part.value)
        elif isinstance(part, feel_ast.Call) and part.function == "string" and len(part.args) == 1:
            out.append("${" + _juel_expr(part.args[0], source, top=True) + "}")
        else:
            return None  # numeric addition, not text: no JUEL equivalent in the subset
    return "".join(out)


def _juel_expr(node: feel_ast.Node, source: str, *, top: bool = False) -> str:
    if isinstance(node, feel_ast.Literal):
        value = node.value
        if value is None or isinstance(value, bool):
            return _feel_literal(value)
        if isinstance(value, int | float | Decimal):
            return _juel_number(_written_number(node, source, value))
        if isinstance(value, str):
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        raise Unconvertible(f"the literal {value!r} has no JUEL form")
    if isinstance(node, feel_ast.Name):
        return _juel_name(node.name)
    if isinstance(node, feel_ast.Path):
        return f"{_juel_expr(node.target, source)}.{_juel_name(node.member)}"
    if isinstance(node, feel_ast.Call) and node.function == "not" and len(node.args) == 1:
        return f"!({_juel_expr(node.args[0], source, top=True)})"
    if isinstance(node, feel_ast.Compare) and node.op in _COMPARE_TO_JUEL:
        left, right = _juel_expr(node.left, source), _juel_expr(node.right, source)
        text = f"{left} {_COMPARE_TO_JUEL[node.op]} {right}"
    elif isinstance(node, feel_ast.Logical):
        left, right = _juel_expr(node.left, source), _juel_expr(node.right, source)
        text = f"{left} {'&&' if node.op == 'and' else '||'} {right}"
    else:
        raise Unconvertible(
            f"FEEL {type(node).__name__.lower()} expressions have no JUEL form here"
        )
    return text if top else f"({text})"


_FEEL_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_JUEL_LONG = 2**63


def _written_number(node: feel_ast.Node, source: str, value: object) -> Decimal:
    """The literal's value as written in the source (the parser may hold a float)."""
    position = getattr(node, "pos", None)
    if isinstance(position, int) and position >= 1:
        match = _FEEL_NUMBER.match(source, position - 1)
        if match is not None:
            written = Decimal(match.group())
            if float(written) == float(value):  # type: ignore[arg-type]
                return written
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def _juel_number(exact: Decimal) -> str:
    """A JUEL literal of exactly this value, or `Unconvertible`.

    Camunda 7's JUEL parser reads integer literals as a Java ``long`` (a larger one is a
    syntax error) and decimal literals as a ``double``.
    """
    if exact == exact.to_integral_value() and abs(exact) < _JUEL_LONG:
        return str(int(exact))
    as_double = float(exact)
    if Decimal(repr(as_double)) != exact:
        raise Unconvertible(
            f"JUEL reads {format(exact, 'f')} as a binary double ({as_double!r}); "
            "the value would change"
        )
    # Python's shortest form (2.5, 1e-05, 1e+20) is a JUEL floating-point literal too.
    return repr(as_double)


def _juel_name(name: str) -> str:
    if not _NAME.match(name) or name in _JUEL_RESERVED:
        raise Unconvertible(f"the name {name!r} is no JUEL name")
    return name
