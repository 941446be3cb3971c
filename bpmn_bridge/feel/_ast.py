"""Syntax tree of the supported FEEL subset; ``pos`` fields are 1-based source columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Arithmetic",
    "Between",
    "Call",
    "Compare",
    "ContextLiteral",
    "Filter",
    "If",
    "In",
    "ListLiteral",
    "Literal",
    "Logical",
    "Name",
    "Negate",
    "Node",
    "Path",
]


@dataclass(frozen=True, slots=True)
class Node:
    pos: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


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
    function: str
    args: tuple[Node, ...]


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
    value: Node
    container: Node


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
