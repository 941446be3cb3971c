"""A small JUEL subset for Camunda 7 models (conditions and input/output parameters).

Supported inside ``${...}`` (or ``#{...}``): variable names, property paths (``a.b.c``),
string/number/boolean/null literals, comparison ``== != < <= > >=`` and
``eq ne lt gt le ge``, logical ``&& || !`` and ``and or not``, and parentheses. Anything
else (method calls, arithmetic, ``empty``, indexing, ternaries, ...) raises
`JuelSyntaxError`, which the BPMN parser reports as an unsupported model.

`parse` returns the AST; `compile_template` turns a parameter/condition text (a whole
expression or text with embedded expressions) into a callable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import DevEngineError

__all__ = [
    "And",
    "Compare",
    "JuelError",
    "JuelSyntaxError",
    "JuelTemplate",
    "Literal",
    "Node",
    "Not",
    "Or",
    "Path",
    "compile_template",
    "parse",
]


class JuelError(DevEngineError):
    """Evaluating a JUEL expression failed (e.g. an unknown variable)."""


class JuelSyntaxError(JuelError):
    """The text is not in the supported JUEL subset."""


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant."""

    value: Any


@dataclass(frozen=True, slots=True)
class Path:
    """A variable with optional property accesses: ``names[0].names[1]...``."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison; ``op`` is one of ``== != < <= > >=``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class And:
    """Short-circuit conjunction."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or:
    """Short-circuit disjunction."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    """Negation."""

    operand: Node


Node = Literal | Path | Compare | And | Or | Not

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>\d+\.\d*(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?|\.\d+)
      | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<op>==|!=|<=|>=|&&|\|\||[<>!().])
      | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    )""",
    re.VERBOSE,
)
_WORD_OPS = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "and": "&&",
    "or": "||",
    "not": "!",
}
_RESERVED = {"empty", "div", "mod", "instanceof"}
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}


def _tokenize(src: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(src):
        if src[pos:].strip() == "":
            break
        match = _TOKEN.match(src, pos)
        if match is None:
            raise JuelSyntaxError(f"Unsupported JUEL at {src[pos:].strip()[:20]!r}")
        pos = match.end()
        if match.group("num") is not None:
            text = match.group("num")
            is_float = any(c in text for c in ".eE")
            tokens.append(("lit", float(text) if is_float else int(text)))
        elif match.group("str") is not None:
            raw = match.group("str")[1:-1]
            tokens.append(("lit", re.sub(r"\\(.)", r"\1", raw)))
        elif match.group("op") is not None:
            tokens.append(("op", match.group("op")))
        else:
            name = match.group("name")
            if name in _WORD_OPS:
                tokens.append(("op", _WORD_OPS[name]))
            elif name in ("true", "false"):
                tokens.append(("lit", name == "true"))
            elif name == "null":
                tokens.append(("lit", None))
            elif name in _RESERVED:
                raise JuelSyntaxError(f"Unsupported JUEL operator '{name}'")
            else:
                tokens.append(("name", name))
    return tokens


_MAX_NESTING = 64
_MAX_OPERATORS = 256  # a chain a && b && ... is as deep a tree as that many parentheses


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        operators = sum(1 for kind, _ in tokens if kind == "op" and _ not in ("(", ")", "."))
        if operators > _MAX_OPERATORS:
            # checked up front: parsing and evaluating recurse once per operator
            raise JuelSyntaxError(
                f"JUEL expression has {operators} operators, more than the limit of "
                f"{_MAX_OPERATORS}"
            )

    def nested(self) -> None:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise JuelSyntaxError(
                f"JUEL expression nests deeper than {_MAX_NESTING} levels of parentheses or '!'"
            )

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take_op(self, *ops: str) -> str | None:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in ops:
            self.pos += 1
            return str(tok[1])
        return None

    def parse(self) -> Node:
        node = self.or_()
        leftover = self.peek()
        if leftover is not None:
            raise JuelSyntaxError(f"Unexpected {leftover[1]!r} in JUEL expression")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.take_op("||"):
            node = Or(node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.compare()
        while self.take_op("&&"):
            node = And(node, self.compare())
        return node

    def compare(self) -> Node:
        node = self.unary()
        while (op := self.take_op(*_COMPARE)) is not None:
            node = Compare(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.take_op("!"):
            self.nested()
            node = Not(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise JuelSyntaxError("Unexpected end of JUEL expression")
        kind, value = tok
        self.pos += 1
        if kind == "lit":
            return Literal(value)
        if kind == "op" and value == "(":
            self.nested()
            node = self.or_()
            if not self.take_op(")"):
                raise JuelSyntaxError("Missing ')' in JUEL expression")
            self.depth -= 1
            return node
        if kind == "name":
            names = [str(value)]
            while self.take_op("."):
                nxt = self.peek()
                if nxt is None or nxt[0] != "name":
                    raise JuelSyntaxError("Expected a property name after '.'")
                self.pos += 1
                names.append(str(nxt[1]))
            follow = self.peek()
            if follow is not None and follow[0] == "op" and follow[1] == "(":
                raise JuelSyntaxError(f"Method calls are not supported ('{'.'.join(names)}(...)')")
            return Path(tuple(names))
        raise JuelSyntaxError(f"Unexpected {value!r} in JUEL expression")


def parse(src: str) -> Node:
    """Parse the inside of ``${...}`` into an AST.

    Raises:
        JuelSyntaxError: outside the supported subset.
    """
    return _Parser(_tokenize(src)).parse()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def evaluate(node: Node, variables: Mapping[str, Any]) -> Any:
    """Evaluate an AST against plain variables.

    Raises:
        JuelError: unknown variable or incomparable operands.
    """
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Path):
        head = node.names[0]
        if head not in variables:
            raise JuelError(f"Unknown property used in expression: ${{{'.'.join(node.names)}}}")
        value = variables[head]
        for name in node.names[1:]:
            value = value.get(name) if isinstance(value, Mapping) else None
        return value
    if isinstance(node, Not):
        return not _truthy(evaluate(node.operand, variables))
    if isinstance(node, And):
        return _truthy(evaluate(node.left, variables)) and _truthy(evaluate(node.right, variables))
    if isinstance(node, Or):
        return _truthy(evaluate(node.left, variables)) or _truthy(evaluate(node.right, variables))
    left = evaluate(node.left, variables)
    right = evaluate(node.right, variables)
    # JUEL coerces a string compared with a number to a number.
    if _number(left) and isinstance(right, str):
        right = _to_number(right)
    elif _number(right) and isinstance(left, str):
        left = _to_number(left)
    if node.op == "==":
        return bool(left == right)
    if node.op == "!=":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        if node.op == "<":
            return bool(left < right)
        if node.op == "<=":
            return bool(left <= right)
        if node.op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError as exc:
        raise JuelError(f"Cannot compare {left!r} and {right!r}") from exc


def _to_number(text: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise JuelError(f"Cannot coerce {text!r} to a number") from exc


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


_EMBEDDED = re.compile(r"[$#]\{((?:[^}'\"]|'[^']*'|\"[^\"]*\")*)\}")


@dataclass(frozen=True, slots=True)
class JuelTemplate:
    """Text with embedded expressions; a single ``${...}`` keeps its value's type.

    Attributes:
        parts: literal strings and parsed expressions in order.
    """

    parts: tuple[str | Node, ...]

    def __call__(self, variables: Mapping[str, Any]) -> Any:
        """Evaluate against plain variables (see `evaluate`)."""
        if len(self.parts) == 1 and not isinstance(self.parts[0], str):
            return evaluate(self.parts[0], variables)
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                value = evaluate(part, variables)
                out.append("" if value is None else _to_text(value))
        return "".join(out)


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def compile_template(text: str) -> JuelTemplate:
    """Compile a value that may contain ``${...}``/``#{...}`` expressions.

    Raises:
        JuelSyntaxError: an embedded expression is outside the subset or unterminated.
    """
    parts: list[str | Node] = []
    pos = 0
    for match in _EMBEDDED.finditer(text):
        if match.start() > pos:
            parts.append(text[pos : match.start()])
        parts.append(parse(match.group(1)))
        pos = match.end()
    rest = text[pos:]
    if "${" in rest or "#{" in rest:
        raise JuelSyntaxError(f"Unterminated JUEL expression in {text!r}")
    if rest or not parts:
        parts.append(rest)
    return JuelTemplate(tuple(parts))
