"""Syntax tree of FEEL expressions; ``pos`` fields are 1-based source columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Arithmetic",
    "AtLeastOne",
    "Between",
    "Call",
    "Compare",
    "ContextLiteral",
    "Filter",
    "For",
    "FunctionDefinition",
    "If",
    "In",
    "InputCompare",
    "InputValue",
    "InstanceOf",
    "Interval",
    "IterationRange",
    "ListLiteral",
    "Literal",
    "Logical",
    "Name",
    "Negate",
    "Node",
    "Path",
    "QualifiedCall",
    "Quantified",
    "UnaryTest",
]


@dataclass(frozen=True, slots=True)
class Node:
    pos: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A constant: null, boolean, string, number (``int`` or ``Decimal``) or temporal value."""

    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class InputValue(Node):
    """``?``: the value a unary test is applied to."""


@dataclass(frozen=True, slots=True)
class Path(Node):
    target: Node
    member: str


@dataclass(frozen=True, slots=True)
class Filter(Node):
    target: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``name(args)`` or ``name(p: arg, ...)``; ``named`` holds the named arguments."""

    function: str
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] | None = None


@dataclass(frozen=True, slots=True)
class QualifiedCall(Node):
    """``a.b.f(args)``: call the function stored under ``f`` in the context ``a.b``."""

    target: Node
    function: str
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] | None = None


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ContextLiteral(Node):
    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Negate(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    """``+ - * / **``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    """``value in test``; ``test`` is a unary-test node (UnaryTest, InputCompare, Interval,
    AtLeastOne)."""

    value: Node
    container: Node


@dataclass(frozen=True, slots=True)
class UnaryTest(Node):
    """An expression used as a unary test: true if it is the input, contains it, or is true."""

    expression: Node
    # A bare ``true``/``false`` ending the text compares by equality only.
    equality_only: bool = False


@dataclass(frozen=True, slots=True)
class InputCompare(Node):
    """``< x``, ``<= x``, ``> x``, ``>= x`` applied to the input value."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Interval(Node):
    """``[a..b]``, ``(a..b)``, ``]a..b[`` and mixes: a range value or a unary test."""

    start: Node
    end: Node
    start_closed: bool
    end_closed: bool


@dataclass(frozen=True, slots=True)
class AtLeastOne(Node):
    """``(test1, test2)``: true if any test holds."""

    tests: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Logical(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class IterationRange(Node):
    """``a..b`` after ``in`` of a ``for``/``some``/``every`` iterator: the numbers from a to b."""

    start: Node
    end: Node


@dataclass(frozen=True, slots=True)
class For(Node):
    """``for a in xs, b in 1..3 return body``."""

    iterators: tuple[tuple[str, Node], ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    """``some``/``every`` ``x in xs satisfies condition``."""

    kind: str
    iterators: tuple[tuple[str, Node], ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    value: Node
    type_name: str


@dataclass(frozen=True, slots=True)
class FunctionDefinition(Node):
    params: tuple[str, ...]
    body: Node
