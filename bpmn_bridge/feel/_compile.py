"""Turn a syntax tree into nested Python closures.

Each node becomes one ``Callable[[Mapping[str, Any]], Any]`` chosen once, at compile time,
for its node type and shape, so evaluation does no type dispatch on the tree. Constant
sub-expressions with immutable results are folded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from . import _ast as ast
from ._builtins import SUPPORTED_FUNCTIONS
from ._semantics import (
    add,
    divide,
    feel_equal,
    feel_order,
    multiply,
    negate,
    subtract,
)

__all__ = ["Evaluator", "compile_node", "free_names"]

Evaluator = Callable[[Mapping[str, Any]], Any]

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
}
# Calls that can raise, so must never run at compile time.
_EFFECTFUL_FUNCTIONS = frozenset({"bpmnError", "jobError"})
_IMMUTABLE_TYPES = (type(None), bool, int, float, str)
_BOOLEAN_NODES = (ast.Compare, ast.Logical, ast.Between, ast.In)
_BOOLEAN_FUNCTIONS = frozenset({"contains", "starts with", "ends with", "not", "is defined"})


def free_names(node: ast.Node) -> frozenset[str]:
    """Top-level variable names ``node`` may read (a superset inside filters)."""
    return frozenset(_free(node))


def _free(node: ast.Node) -> set[str]:
    if isinstance(node, ast.Name):
        return {node.name}
    if isinstance(node, ast.Filter):
        # Inside a filter, a name may be a member of the current item; keep it, since
        # fetching a variable too many is harmless and one too few is not.
        return _free(node.target) | (_free(node.condition) - {"item"})
    if isinstance(node, ast.ContextLiteral):
        names: set[str] = set()
        bound: set[str] = set()
        for key, value in node.entries:
            names |= _free(value) - bound
            bound.add(key)
        return names
    names = set()
    for child in _children(node):
        names |= _free(child)
    return names


def _children(node: ast.Node) -> Iterator[ast.Node]:
    if isinstance(node, ast.Path):
        yield node.target
    elif isinstance(node, ast.Filter):
        yield node.target
        yield node.condition
    elif isinstance(node, ast.Call):
        yield from node.args
    elif isinstance(node, ast.ListLiteral):
        yield from node.items
    elif isinstance(node, ast.ContextLiteral):
        for _, value in node.entries:
            yield value
    elif isinstance(node, ast.Negate):
        yield node.operand
    elif isinstance(node, ast.Arithmetic | ast.Compare | ast.Logical):
        yield node.left
        yield node.right
    elif isinstance(node, ast.Between):
        yield node.value
        yield node.low
        yield node.high
    elif isinstance(node, ast.In):
        yield node.value
        yield node.container
    elif isinstance(node, ast.If):
        yield node.condition
        yield node.then
        yield node.otherwise


def _is_pure(node: ast.Node) -> bool:
    if isinstance(node, ast.Call) and node.function in _EFFECTFUL_FUNCTIONS:
        return False
    return all(_is_pure(child) for child in _children(node))


def compile_node(node: ast.Node) -> Evaluator:
    """Compile ``node`` to a closure evaluating it against a variables mapping."""
    evaluator = _COMPILERS[type(node)](node)
    if not isinstance(node, ast.Literal) and not _free(node) and _is_pure(node):
        value = evaluator({})
        # Folding a list or context would hand every evaluation the same mutable object.
        if type(value) in _IMMUTABLE_TYPES:
            return _constant(value)
    return evaluator


def _constant(value: Any) -> Evaluator:
    def evaluate(variables: Mapping[str, Any]) -> Any:
        return value

    return evaluate


def _compile_literal(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Literal)
    return _constant(node.value)


def _compile_name(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Name)
    name = node.name

    def evaluate(variables: Mapping[str, Any]) -> Any:
        return variables.get(name)

    return evaluate


def member(value: Any, key: str) -> Any:
    """``value.key``: context lookup, mapped over lists, null for anything else."""
    if isinstance(value, Mapping):
        return value.get(key)
    if isinstance(value, list | tuple):
        return [member(item, key) for item in value]
    return None


def _compile_path(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Path)
    keys: list[str] = [node.member]
    target = node.target
    while isinstance(target, ast.Path):
        keys.append(target.member)
        target = target.target
    keys.reverse()
    path = tuple(keys)

    if isinstance(target, ast.Name):
        root = target.name
        if len(path) == 1:
            key = path[0]

            def evaluate_name_member(variables: Mapping[str, Any]) -> Any:
                value = variables.get(root)
                if type(value) is dict:
                    return value.get(key)
                return member(value, key)

            return evaluate_name_member

        def evaluate_name_path(variables: Mapping[str, Any]) -> Any:
            value = variables.get(root)
            for key in path:
                if type(value) is dict:
                    value = value.get(key)
                elif value is None:
                    return None
                else:
                    value = member(value, key)
            return value

        return evaluate_name_path

    base = compile_node(target)

    def evaluate_path(variables: Mapping[str, Any]) -> Any:
        value = base(variables)
        for key in path:
            if type(value) is dict:
                value = value.get(key)
            elif value is None:
                return None
            else:
                value = member(value, key)
        return value

    return evaluate_path


def _index(items: list[Any] | tuple[Any, ...], position: Any) -> Any:
    if type(position) is float:
        if not position.is_integer():
            return None
        position = int(position)
    if type(position) is not int or position == 0:
        return None
    size = len(items)
    if position > 0:
        return items[position - 1] if position <= size else None
    return items[position] if -position <= size else None


class _ItemScope(Mapping[str, Any]):
    """Names visible inside a filter: ``item``, then the item's members, then outer names."""

    __slots__ = ("_item", "_members", "_outer")

    def __init__(self, item: Any, outer: Mapping[str, Any]) -> None:
        self._item = item
        self._members: Mapping[str, Any] = item if isinstance(item, Mapping) else {}
        self._outer = outer

    def get(self, key: str, default: Any = None) -> Any:
        if key == "item":
            return self._item
        members = self._members
        if key in members:
            return members[key]
        return self._outer.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key == "item" or key in self._members or key in self._outer

    def __getitem__(self, key: str) -> Any:
        if key in self:
            return self.get(key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield "item"
        yield from (key for key in self._members if key != "item")
        yield from (key for key in self._outer if key != "item" and key not in self._members)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _as_list(value: Any) -> list[Any] | tuple[Any, ...] | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return value
    # FEEL treats a single value as a one-element list when filtering it.
    return [value]


def _compile_filter(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Filter)
    target = compile_node(node.target)
    condition_node = node.condition
    condition = compile_node(condition_node)

    if isinstance(condition_node, ast.Literal) and type(condition_node.value) in (int, float):
        position = condition_node.value

        def evaluate_index(variables: Mapping[str, Any]) -> Any:
            items = _as_list(target(variables))
            return None if items is None else _index(items, position)

        return evaluate_index

    def keep(items: list[Any] | tuple[Any, ...], variables: Mapping[str, Any]) -> list[Any]:
        return [item for item in items if condition(_ItemScope(item, variables)) is True]

    if isinstance(condition_node, _BOOLEAN_NODES) or (
        isinstance(condition_node, ast.Call) and condition_node.function in _BOOLEAN_FUNCTIONS
    ):

        def evaluate_filter(variables: Mapping[str, Any]) -> Any:
            items = _as_list(target(variables))
            return None if items is None else keep(items, variables)

        return evaluate_filter

    # Index or filter depends on the value: a number indexes, anything else filters.
    def evaluate_index_or_filter(variables: Mapping[str, Any]) -> Any:
        items = _as_list(target(variables))
        if items is None:
            return None
        position = condition(variables)
        if type(position) in (int, float):
            return _index(items, position)
        return keep(items, variables)

    return evaluate_index_or_filter


def _compile_call(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Call)
    impl = SUPPORTED_FUNCTIONS[node.function].impl
    args = tuple(compile_node(arg) for arg in node.args)
    if len(args) == 1:
        (a,) = args

        def evaluate_1(variables: Mapping[str, Any]) -> Any:
            return impl(a(variables))

        return evaluate_1
    if len(args) == 2:
        a, b = args

        def evaluate_2(variables: Mapping[str, Any]) -> Any:
            return impl(a(variables), b(variables))

        return evaluate_2

    def evaluate_n(variables: Mapping[str, Any]) -> Any:
        return impl(*[arg(variables) for arg in args])

    return evaluate_n


def _compile_list(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.ListLiteral)
    items = tuple(compile_node(item) for item in node.items)

    def evaluate(variables: Mapping[str, Any]) -> Any:
        return [item(variables) for item in items]

    return evaluate


class _ContextScope(Mapping[str, Any]):
    """Later context entries see earlier ones: ``{a: 1, b: a + 1}`` gives ``b = 2``."""

    __slots__ = ("_entries", "_outer")

    def __init__(self, entries: dict[str, Any], outer: Mapping[str, Any]) -> None:
        self._entries = entries
        self._outer = outer

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._entries:
            return self._entries[key]
        return self._outer.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._entries or key in self._outer

    def __getitem__(self, key: str) -> Any:
        if key in self:
            return self.get(key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield from self._entries
        yield from (key for key in self._outer if key not in self._entries)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _compile_context(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.ContextLiteral)
    entries = tuple((key, compile_node(value)) for key, value in node.entries)
    keys = {key for key, _ in node.entries}
    self_referencing = any(_free(value) & keys for _, value in node.entries)

    if not self_referencing:

        def evaluate(variables: Mapping[str, Any]) -> Any:
            return {key: value(variables) for key, value in entries}

        return evaluate

    def evaluate_sequential(variables: Mapping[str, Any]) -> Any:
        result: dict[str, Any] = {}
        scope = _ContextScope(result, variables)
        for key, value in entries:
            result[key] = value(scope)
        return result

    return evaluate_sequential


def _compile_negate(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Negate)
    operand = compile_node(node.operand)

    def evaluate(variables: Mapping[str, Any]) -> Any:
        return negate(operand(variables))

    return evaluate


def _compile_arithmetic(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Arithmetic)
    op = _ARITHMETIC[node.op]
    left = compile_node(node.left)
    right = compile_node(node.right)

    def evaluate(variables: Mapping[str, Any]) -> Any:
        return op(left(variables), right(variables))

    return evaluate


def _compile_compare(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Compare)
    left = compile_node(node.left)
    right = compile_node(node.right)
    if node.op == "=":

        def evaluate_equal(variables: Mapping[str, Any]) -> Any:
            return feel_equal(left(variables), right(variables))

        return evaluate_equal
    if node.op == "!=":

        def evaluate_not_equal(variables: Mapping[str, Any]) -> Any:
            equal = feel_equal(left(variables), right(variables))
            return None if equal is None else not equal

        return evaluate_not_equal
    op = node.op

    def evaluate_order(variables: Mapping[str, Any]) -> Any:
        return feel_order(op, left(variables), right(variables))

    return evaluate_order


def _and(left: Any, right: Any) -> bool | None:
    if left is False or right is False:
        return False
    if left is True and right is True:
        return True
    return None


def _compile_between(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Between)
    value = compile_node(node.value)
    low = compile_node(node.low)
    high = compile_node(node.high)

    def evaluate(variables: Mapping[str, Any]) -> Any:
        x = value(variables)
        return _and(feel_order(">=", x, low(variables)), feel_order("<=", x, high(variables)))

    return evaluate


def _compile_in(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.In)
    value = compile_node(node.value)
    container = compile_node(node.container)

    def evaluate(variables: Mapping[str, Any]) -> Any:
        x = value(variables)
        candidates = container(variables)
        if isinstance(candidates, list | tuple):
            return any(feel_equal(x, candidate) is True for candidate in candidates)
        return feel_equal(x, candidates)

    return evaluate


def _compile_logical(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.Logical)
    left = compile_node(node.left)
    right = compile_node(node.right)
    if node.op == "and":

        def evaluate_and(variables: Mapping[str, Any]) -> Any:
            a = left(variables)
            if a is False:
                return False
            b = right(variables)
            if b is False:
                return False
            return True if a is True and b is True else None

        return evaluate_and

    def evaluate_or(variables: Mapping[str, Any]) -> Any:
        a = left(variables)
        if a is True:
            return True
        b = right(variables)
        if b is True:
            return True
        return False if a is False and b is False else None

    return evaluate_or


def _compile_if(node: ast.Node) -> Evaluator:
    assert isinstance(node, ast.If)
    condition = compile_node(node.condition)
    then = compile_node(node.then)
    otherwise = compile_node(node.otherwise)

    def evaluate(variables: Mapping[str, Any]) -> Any:
        return then(variables) if condition(variables) is True else otherwise(variables)

    return evaluate


_COMPILERS: dict[type[ast.Node], Callable[[ast.Node], Evaluator]] = {
    ast.Literal: _compile_literal,
    ast.Name: _compile_name,
    ast.Path: _compile_path,
    ast.Filter: _compile_filter,
    ast.Call: _compile_call,
    ast.ListLiteral: _compile_list,
    ast.ContextLiteral: _compile_context,
    ast.Negate: _compile_negate,
    ast.Arithmetic: _compile_arithmetic,
    ast.Compare: _compile_compare,
    ast.Between: _compile_between,
    ast.In: _compile_in,
    ast.Logical: _compile_logical,
    ast.If: _compile_if,
}
