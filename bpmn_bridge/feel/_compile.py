"""Turn a syntax tree into nested Python closures.

Each node becomes one ``Callable[[Scope], Any]`` chosen once, at compile time, for its node
type and shape, so evaluation does no type dispatch on the tree. Constant sub-expressions
with immutable results are folded. A scope is anything with ``get(name)``: the variables
mapping at the top, :class:`_Scope` chains inside ``for``, filters, functions and contexts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from . import _ast as ast
from ._builtins import (
    NONDETERMINISTIC,
    Overload,
    builtin_overloads,
    failure,
    invoke_overload,
    parse_at,
)
from ._errors import FeelEvaluationError
from ._parser import IMPLICIT_INPUT_NAME
from ._properties import member
from ._semantics import (
    add,
    divide,
    feel_equal,
    feel_order,
    multiply,
    negate,
    power,
    same_kind_comparable,
    scala_equal,
    subtract,
)
from ._values import EXACT, FeelFunction, FeelRange, fail, from_decimal, is_number, num, type_name

__all__ = ["Evaluator", "compile_node", "free_names", "needs_conversion"]

Evaluator = Callable[[Any], Any]

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "**": power,
}
_EFFECTFUL_FUNCTIONS = frozenset({"bpmnError", "jobError", "assert"}) | NONDETERMINISTIC
_IMMUTABLE_TYPES = (type(None), bool, int, Decimal, str)
_INPUT = "?"
_LIMIT = 10**34
_MISSING = object()


class _Scope:
    """Local names over an outer scope (iteration variables, parameters, context entries)."""

    __slots__ = ("_locals", "_outer")

    def __init__(self, local_names: dict[str, Any], outer: Any) -> None:
        self._locals = local_names
        self._outer = outer

    def get(self, key: str, default: Any = None) -> Any:
        local_names = self._locals
        if key in local_names:
            return local_names[key]
        return self._outer.get(key, default)


class _ItemScope:
    """Inside a filter: the item's own entries, then ``item``, then outer names."""

    __slots__ = ("_item", "_members", "_outer")

    def __init__(self, item: Any, outer: Any) -> None:
        self._item = item
        self._members: Mapping[str, Any] | None = (
            item if type(item) is dict or isinstance(item, Mapping) else None
        )
        self._outer = outer

    def get(self, key: str, default: Any = None) -> Any:
        members = self._members
        if members is not None and key in members:
            return members[key]
        if key == "item":
            return self._item
        return self._outer.get(key, default)


# -- analysis ------------------------------------------------------------------------------


def _children(node: ast.Node) -> Iterator[ast.Node]:
    if isinstance(node, ast.Path):
        yield node.target
    elif isinstance(node, ast.Filter):
        yield node.target
        yield node.condition
    elif isinstance(node, ast.Call | ast.QualifiedCall):
        if isinstance(node, ast.QualifiedCall):
            yield node.target
        yield from node.args
        for _, arg in node.named or ():
            yield arg
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
    elif isinstance(node, ast.UnaryTest):
        yield node.expression
    elif isinstance(node, ast.InputCompare):
        yield node.operand
    elif isinstance(node, ast.Interval | ast.IterationRange):
        yield node.start
        yield node.end
    elif isinstance(node, ast.AtLeastOne):
        yield from node.tests
    elif isinstance(node, ast.For):
        for _, source in node.iterators:
            yield source
        yield node.body
    elif isinstance(node, ast.Quantified):
        for _, source in node.iterators:
            yield source
        yield node.condition
    elif isinstance(node, ast.InstanceOf):
        yield node.value
    elif isinstance(node, ast.FunctionDefinition):
        yield node.body


def _walk(node: ast.Node) -> Iterator[ast.Node]:
    yield node
    for child in _children(node):
        yield from _walk(child)


def free_names(node: ast.Node) -> frozenset[str]:
    """Top-level variable names ``node`` may read (a superset inside filters)."""
    return frozenset(_free(node) - {IMPLICIT_INPUT_NAME})


def _free(node: ast.Node) -> set[str]:
    if isinstance(node, ast.Name):
        return {node.name}
    if isinstance(node, ast.Filter):
        # A name in a filter may be a member of the current item; keep it, since fetching a
        # variable too many is harmless and one too few is not.
        return _free(node.target) | (_free(node.condition) - {"item"})
    if isinstance(node, ast.ContextLiteral):
        names: set[str] = set()
        bound: set[str] = set()
        for key, value in node.entries:
            names |= _free(value) - bound
            bound.add(key)
        return names
    if isinstance(node, ast.For | ast.Quantified):
        names = set()
        for _, source in node.iterators:
            names |= _free(source)
        inner = node.body if isinstance(node, ast.For) else node.condition
        bound = {name for name, _ in node.iterators} | {"partial"}
        return names | (_free(inner) - bound)
    if isinstance(node, ast.FunctionDefinition):
        return _free(node.body) - set(node.params)
    names = set()
    for child in _children(node):
        names |= _free(child)
    return names


def needs_conversion(node: ast.Node) -> bool:
    """Whether a result may hold values that must be converted to leave as JSON."""
    for child in _walk(node):
        if isinstance(child, ast.Literal):
            if type(child.value) not in (type(None), bool, int, str):
                return True
        elif not isinstance(
            child,
            ast.Name
            | ast.Path
            | ast.Filter
            | ast.ListLiteral
            | ast.ContextLiteral
            | ast.Compare
            | ast.Logical
            | ast.If
            | ast.Between
            | ast.In
            | ast.InstanceOf
            | ast.UnaryTest
            | ast.InputValue,
        ):
            return True
    return False


def _is_pure(node: ast.Node) -> bool:
    for child in _walk(node):
        if isinstance(child, ast.Call) and child.function in _EFFECTFUL_FUNCTIONS:
            return False
        if isinstance(child, ast.InputValue | ast.FunctionDefinition | ast.QualifiedCall):
            return False
    return True


# -- compilation ---------------------------------------------------------------------------


class _Compiler:
    def __init__(self, root: ast.Node) -> None:
        # Without a function definition no name can be bound to a FEEL function, so calls
        # resolve to built-ins at compile time.
        self.dynamic_calls = any(isinstance(n, ast.FunctionDefinition) for n in _walk(root))
        self._foldable: dict[int, bool] = {}

    def _can_fold(self, node: ast.Node) -> bool:
        """No free names, no effects: computed bottom-up once per node (compiling is linear)."""
        key = id(node)
        known = self._foldable.get(key)
        if known is not None:
            return known
        if isinstance(
            node, ast.Name | ast.InputValue | ast.FunctionDefinition | ast.QualifiedCall
        ) or (
            isinstance(node, ast.Call)
            and (node.function in _EFFECTFUL_FUNCTIONS or self.dynamic_calls)
        ):
            result = False
        elif isinstance(node, ast.For | ast.Quantified | ast.Filter | ast.ContextLiteral):
            result = not _free(node) and all(self._can_fold(c) for c in _children(node))
        else:
            result = all(self._can_fold(child) for child in _children(node))
        self._foldable[key] = result
        return result

    def compile(self, node: ast.Node) -> Evaluator:
        evaluator = getattr(self, "_" + type(node).__name__)(node)
        if not isinstance(node, ast.Literal) and self._can_fold(node):
            try:
                value = evaluator({})
            except Exception:
                return evaluator  # type: ignore[no-any-return]
            # Folding a list or context would hand every evaluation the same mutable object.
            if type(value) in _IMMUTABLE_TYPES:
                return _constant(value)
        return evaluator  # type: ignore[no-any-return]

    def _Literal(self, node: ast.Literal) -> Evaluator:
        return _constant(node.value)

    def _Name(self, node: ast.Name) -> Evaluator:
        name = node.name

        def evaluate(scope: Any) -> Any:
            return scope.get(name)

        return evaluate

    def _InputValue(self, node: ast.InputValue) -> Evaluator:
        def evaluate(scope: Any) -> Any:
            value = scope.get(_INPUT, _MISSING)
            if value is _MISSING:
                raise fail("No input value available. '?' can only be used inside a unary test.")
            return value

        return evaluate

    def _Path(self, node: ast.Path) -> Evaluator:
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

                def evaluate_name_member(scope: Any) -> Any:
                    value = scope.get(root)
                    if type(value) is dict:
                        return value.get(key)
                    return member(value, key)

                return evaluate_name_member

            def evaluate_name_path(scope: Any) -> Any:
                value = scope.get(root)
                for key in path:
                    if type(value) is dict:
                        value = value.get(key)
                    elif value is None:
                        return None
                    else:
                        value = member(value, key)
                return value

            return evaluate_name_path

        base = self.compile(target)

        def evaluate_path(scope: Any) -> Any:
            value = base(scope)
            for key in path:
                if type(value) is dict:
                    value = value.get(key)
                elif value is None:
                    return None
                else:
                    value = member(value, key)
            return value

        return evaluate_path

    def _Filter(self, node: ast.Filter) -> Evaluator:
        target = self.compile(node.target)
        condition_node = node.condition
        condition = self.compile(condition_node)

        if isinstance(condition_node, ast.Literal) and type(condition_node.value) in (
            int,
            Decimal,
        ):
            position = condition_node.value

            def evaluate_index(scope: Any) -> Any:
                items = target(scope)
                if not isinstance(items, list | tuple):
                    return None
                return _index(items, position)

            return evaluate_index

        def keep(items: list[Any] | tuple[Any, ...], scope: Any) -> list[Any]:
            return [item for item in items if condition(_ItemScope(item, scope)) is True]

        def by_item(items: list[Any] | tuple[Any, ...], scope: Any) -> Any:
            # Camunda asks the first item: a number makes the filter an index after all.
            if not items:
                return []
            head = condition(_ItemScope(items[0], scope))
            if head is True or head is False or head is None:
                rest = keep(items[1:], scope)
                return [items[0], *rest] if head is True else rest
            if is_number(head):
                return _index(items, head)
            return keep(items[1:], scope)

        if isinstance(condition_node, ast.Compare | ast.Call | ast.QualifiedCall) and not (
            isinstance(condition_node, ast.Compare) and condition_node.op == "!="
        ):

            def evaluate_filter(scope: Any) -> Any:
                items = target(scope)
                if not isinstance(items, list | tuple):
                    return None
                return by_item(items, scope)

            return evaluate_filter

        def evaluate_index_or_filter(scope: Any) -> Any:
            items = target(scope)
            if not isinstance(items, list | tuple):
                return None
            position = condition(scope)
            if is_number(position):
                return _index(items, position)
            return by_item(items, scope)

        return evaluate_index_or_filter

    def _Call(self, node: ast.Call) -> Evaluator:
        name = node.function
        if name == "@":
            literal = node.args[0]
            assert isinstance(literal, ast.Literal)
            return _constant(parse_at(literal.value))
        args = tuple(self.compile(arg) for arg in node.args)
        named = (
            None
            if node.named is None
            else tuple((key, self.compile(value)) for key, value in node.named)
        )
        static = _static_call(name, args, named)
        if not self.dynamic_calls:
            return static

        def evaluate_dynamic(scope: Any) -> Any:
            function = scope.get(name)
            if type(function) is FeelFunction:
                return _call_function(function, args, named, scope)
            return static(scope)

        return evaluate_dynamic

    def _QualifiedCall(self, node: ast.QualifiedCall) -> Evaluator:
        target = self.compile(node.target)
        args = tuple(self.compile(arg) for arg in node.args)
        named = (
            None
            if node.named is None
            else tuple((key, self.compile(value)) for key, value in node.named)
        )
        name = node.function

        def evaluate(scope: Any) -> Any:
            context = target(scope)
            if not isinstance(context, Mapping):
                raise fail(f"Expected context but found '{_show(context)}'")
            function = context.get(name)
            if type(function) is not FeelFunction:
                raise fail(f"No function found with name '{name}'")
            result = _call_function(function, args, named, scope, strict=True)
            return result

        return evaluate

    def _ListLiteral(self, node: ast.ListLiteral) -> Evaluator:
        items = tuple(self.compile(item) for item in node.items)

        def evaluate(scope: Any) -> Any:
            return [item(scope) for item in items]

        return evaluate

    def _ContextLiteral(self, node: ast.ContextLiteral) -> Evaluator:
        entries = tuple((key, self.compile(value)) for key, value in node.entries)
        keys = {key for key, _ in node.entries}
        # A call may reach a function defined in an earlier entry only when the expression
        # defines functions at all.
        self_referencing = any(_free(value) & keys for _, value in node.entries) or (
            self.dynamic_calls
            and any(isinstance(n, ast.Call) for _, v in node.entries for n in _walk(v))
        )

        if not self_referencing:

            def evaluate(scope: Any) -> Any:
                return {key: value(scope) for key, value in entries}

            return evaluate

        defines_functions = any(
            isinstance(n, ast.FunctionDefinition) for _, v in node.entries for n in _walk(v)
        )
        if defines_functions:
            # A function sees the entries before it, as they were: not itself, not later ones.
            def evaluate_snapshots(scope: Any) -> Any:
                result: dict[str, Any] = {}
                for key, value in entries:
                    result[key] = value(_Scope(dict(result), scope))
                return result

            return evaluate_snapshots

        def evaluate_sequential(scope: Any) -> Any:
            result: dict[str, Any] = {}
            inner = _Scope(result, scope)
            for key, value in entries:
                result[key] = value(inner)
            return result

        return evaluate_sequential

    def _Negate(self, node: ast.Negate) -> Evaluator:
        operand = self.compile(node.operand)

        def evaluate(scope: Any) -> Any:
            return negate(operand(scope))

        return evaluate

    def _Arithmetic(self, node: ast.Arithmetic) -> Evaluator:
        op = _ARITHMETIC[node.op]
        left = self.compile(node.left)
        right = self.compile(node.right)
        if node.op == "+":

            def evaluate_add(scope: Any) -> Any:
                a = left(scope)
                b = right(scope)
                ta = type(a)
                if ta is type(b):
                    if ta is str:
                        return a + b
                    if ta is int:
                        total = a + b
                        if -_LIMIT < total < _LIMIT:
                            return total
                return add(a, b)

            return evaluate_add

        def evaluate(scope: Any) -> Any:
            return op(left(scope), right(scope))

        return evaluate

    def _Compare(self, node: ast.Compare) -> Evaluator:
        left = self.compile(node.left)
        right = self.compile(node.right)
        if node.op == "=":

            def evaluate_equal(scope: Any) -> Any:
                return feel_equal(left(scope), right(scope))

            return evaluate_equal
        if node.op == "!=":

            def evaluate_not_equal(scope: Any) -> Any:
                equal = feel_equal(left(scope), right(scope))
                return None if equal is None else not equal

            return evaluate_not_equal
        op = node.op

        def evaluate_order(scope: Any) -> Any:
            return feel_order(op, left(scope), right(scope))

        return evaluate_order

    def _Between(self, node: ast.Between) -> Evaluator:
        value = self.compile(node.value)
        low = self.compile(node.low)
        high = self.compile(node.high)

        def evaluate(scope: Any) -> Any:
            x = value(scope)
            first = feel_order(">=", x, low(scope))
            if first is False:
                return False
            second = feel_order("<=", x, high(scope))
            if second is False:
                return False
            return True if first is True and second is True else None

        return evaluate

    def _In(self, node: ast.In) -> Evaluator:
        value = self.compile(node.value)
        test = self._test(node.container)
        if any(
            isinstance(n, ast.Name) and n.name == IMPLICIT_INPUT_NAME for n in _walk(node.container)
        ):
            # A unary test written on its own inside the test tests this 'in''s value.
            def evaluate_binding(scope: Any) -> Any:
                x = value(scope)
                return test(x, _Scope({IMPLICIT_INPUT_NAME: x}, scope))

            return evaluate_binding

        def evaluate(scope: Any) -> Any:
            return test(value(scope), scope)

        return evaluate

    def _test(self, node: ast.Node) -> Callable[[Any, Any], Any]:
        """Compile a unary test to ``test(input, scope) -> bool | None``."""
        if isinstance(node, ast.InputCompare):
            operand = self.compile(node.operand)
            op = node.op

            def compare(x: Any, scope: Any) -> Any:
                return feel_order(op, x, operand(scope))

            return compare
        if isinstance(node, ast.Interval):
            start = self.compile(node.start)
            end = self.compile(node.end)
            start_op = ">=" if node.start_closed else ">"
            end_op = "<=" if node.end_closed else "<"

            def in_interval(x: Any, scope: Any) -> Any:
                low = start(scope)
                high = end(scope)
                if not same_kind_comparable(x, low, high):
                    return None
                return feel_order(start_op, x, low) and feel_order(end_op, x, high)

            return in_interval
        if isinstance(node, ast.AtLeastOne):
            tests = tuple(self._test(test) for test in node.tests)

            def any_test(x: Any, scope: Any) -> Any:
                result: Any = False
                for test in tests:
                    outcome = test(x, scope)
                    if outcome is True:
                        return True
                    if result is False and outcome is not False:
                        result = None
                return result

            return any_test
        assert isinstance(node, ast.UnaryTest)
        expression = self.compile(node.expression)
        uses_input = any(isinstance(n, ast.InputValue) for n in _walk(node.expression))
        if node.equality_only:

            def equal(x: Any, scope: Any) -> Any:
                return feel_equal(x, expression(scope))

            return equal

        if uses_input:
            # An expression with '?' is a boolean test of the input; anything else is null.
            def input_test(x: Any, scope: Any) -> Any:
                value = expression(_Scope({_INPUT: x}, scope))
                return value if type(value) is bool else None

            return input_test

        def unary_test(x: Any, scope: Any) -> Any:
            value = expression(scope)
            if value is True:
                return True
            is_list = isinstance(value, list | tuple)
            if is_list and any(scala_equal(item, x) for item in value):
                return True
            equal = feel_equal(x, value)
            if equal is True:
                return True
            if value is False or is_list:
                return False
            if equal is None:
                return None
            return False

        return unary_test

    def _against_input(self, node: ast.Node) -> Evaluator:
        """A unary test standing as an expression: it tests the input value (``?``)."""
        test = self._test(node)

        def evaluate(scope: Any) -> Any:
            return test(scope.get(_INPUT), scope)

        return evaluate

    _InputCompare = _AtLeastOne = _UnaryTest = _against_input

    def _Interval(self, node: ast.Interval) -> Evaluator:
        start = self.compile(node.start)
        end = self.compile(node.end)
        start_closed = node.start_closed
        end_closed = node.end_closed

        def evaluate(scope: Any) -> Any:
            low = start(scope)
            high = end(scope)
            if low is None or high is None or not same_kind_comparable(low, high):
                return None
            return FeelRange(low, start_closed, high, end_closed)

        return evaluate

    def _Logical(self, node: ast.Logical) -> Evaluator:
        left = self.compile(node.left)
        right = self.compile(node.right)
        if node.op == "and":

            def evaluate_and(scope: Any) -> Any:
                a = left(scope)
                if a is False:
                    return False
                b = right(scope)
                if b is False:
                    return False
                return True if a is True and b is True else None

            return evaluate_and

        def evaluate_or(scope: Any) -> Any:
            a = left(scope)
            if a is True:
                return True
            b = right(scope)
            if b is True:
                return True
            return False if a is False and b is False else None

        return evaluate_or

    def _If(self, node: ast.If) -> Evaluator:
        condition = self.compile(node.condition)
        then = self.compile(node.then)
        otherwise = self.compile(node.otherwise)

        def evaluate(scope: Any) -> Any:
            return then(scope) if condition(scope) is True else otherwise(scope)

        return evaluate

    def _iteration_sources(
        self, iterators: tuple[tuple[str, ast.Node], ...]
    ) -> Callable[[Any], list[tuple[str, list[Any]]] | None]:
        sources = tuple((name, self._iteration_source(source)) for name, source in iterators)

        def lists(scope: Any) -> list[tuple[str, list[Any]]] | None:
            result = []
            for name, source in sources:
                items = source(scope)
                if not isinstance(items, list | tuple):
                    return None
                result.append((name, list(items)))
            return result

        return lists

    def _iteration_source(self, node: ast.Node) -> Evaluator:
        if not isinstance(node, ast.IterationRange):
            return self.compile(node)
        start = self.compile(node.start)
        end = self.compile(node.end)

        def numbers(scope: Any) -> Any:
            low = start(scope)
            high = end(scope)
            if type(low) is int and type(high) is int and abs(high - low) <= 10_000_000:
                return list(range(low, high + 1) if low <= high else range(low, high - 1, -1))
            low = num(low)
            high = num(high)
            if low is None or high is None:
                return None
            step = 1 if low <= high else -1
            count = int(abs(high - low)) + 1  # type: ignore[call-overload]
            if count > 10_000_000:
                raise fail(f"the range {low}..{high} is too large to iterate")
            return [from_decimal(EXACT.add(low, step * k)) for k in range(count)]

        return numbers

    def _For(self, node: ast.For) -> Evaluator:
        lists = self._iteration_sources(node.iterators)
        body = self.compile(node.body)
        names = tuple(name for name, _ in node.iterators)
        uses_partial = "partial" in _free(node.body)
        defines_functions = any(isinstance(n, ast.FunctionDefinition) for n in _walk(node.body))
        if len(names) == 1 and not uses_partial and not defines_functions:
            name = names[0]

            def evaluate_single(scope: Any) -> Any:
                sources = lists(scope)
                if sources is None:
                    return None
                local_names: dict[str, Any] = {}
                inner = _Scope(local_names, scope)
                results: list[Any] = []
                for value in sources[0][1]:
                    local_names[name] = value
                    results.append(body(inner))
                return results

            return evaluate_single

        def evaluate(scope: Any) -> Any:
            sources = lists(scope)
            if sources is None:
                return None
            results: list[Any] = []
            for combination in itertools.product(*(items for _, items in sources)):
                local_names = dict(zip(names, combination, strict=True))
                local_names["partial"] = list(results)
                results.append(body(_Scope(local_names, scope)))
            return results

        return evaluate

    def _Quantified(self, node: ast.Quantified) -> Evaluator:
        lists = self._iteration_sources(node.iterators)
        condition = self.compile(node.condition)
        names = tuple(name for name, _ in node.iterators)
        decisive = node.kind == "some"  # some stops at the first true, every at the first false
        defines_functions = any(
            isinstance(n, ast.FunctionDefinition) for n in _walk(node.condition)
        )
        if len(names) == 1 and not defines_functions:
            name = names[0]

            def evaluate_single(scope: Any) -> Any:
                sources = lists(scope)
                if sources is None:
                    return None
                local_names: dict[str, Any] = {}
                inner = _Scope(local_names, scope)
                result: Any = not decisive
                for item in sources[0][1]:
                    local_names[name] = item
                    outcome = condition(inner)
                    if outcome is decisive:
                        return decisive
                    if outcome is not (not decisive):
                        result = None
                return result

            return evaluate_single

        def evaluate(scope: Any) -> Any:
            sources = lists(scope)
            if sources is None:
                return None
            result: Any = not decisive
            for combination in itertools.product(*(items for _, items in sources)):
                outcome = condition(_Scope(dict(zip(names, combination, strict=True)), scope))
                if outcome is decisive:
                    return decisive
                if outcome is not (not decisive):
                    result = None
            return result

        return evaluate

    def _InstanceOf(self, node: ast.InstanceOf) -> Evaluator:
        value = self.compile(node.value)
        wanted = {
            "date time": "date and time",
            "year-month-duration": "years and months duration",
            "day-time-duration": "days and time duration",
        }.get(node.type_name, node.type_name)

        if wanted == "Any":

            def evaluate_any(scope: Any) -> Any:
                return value(scope) is not None

            return evaluate_any

        def evaluate(scope: Any) -> Any:
            return type_name(value(scope)) == wanted

        return evaluate

    def _FunctionDefinition(self, node: ast.FunctionDefinition) -> Evaluator:
        params = node.params
        body = self.compile(node.body)

        def evaluate(scope: Any) -> Any:
            def invoke(args: list[Any]) -> Any:
                return body(_Scope(dict(zip(params, args, strict=True)), scope))

            return FeelFunction(params, invoke)

        return evaluate

    def _IterationRange(self, node: ast.IterationRange) -> Evaluator:
        return self._iteration_source(node)


def compile_node(node: ast.Node) -> Evaluator:
    """Compile ``node`` to a closure evaluating it against a variables mapping."""
    return _Compiler(node).compile(node)


def _constant(value: Any) -> Evaluator:
    def evaluate(scope: Any) -> Any:
        return value

    return evaluate


def _show(value: Any) -> str:
    from ._text import to_text

    return to_text(value)


def _index(items: list[Any] | tuple[Any, ...], position: Any) -> Any:
    size = len(items)
    if type(position) is int:
        i = position - 1 if position > 0 else size + position
        return items[i] if 0 <= i < size else None
    p = num(position)
    if p is None:
        return None
    j = p - 1 if p > 0 else size + p
    if j < 0 or j >= size:
        return None
    return items[int(j)]


def _static_call(
    name: str,
    args: tuple[Evaluator, ...],
    named: tuple[tuple[str, Evaluator], ...] | None,
) -> Evaluator:
    overloads = builtin_overloads(name)
    if named is not None:
        keys = {key for key, _ in named}
        # Camunda 1.19 finds no function by name for overloads whose parameter is misspelt
        # "scala" (floor, round half down), whichever names the call uses.
        overload = next(
            (o for o in overloads if keys <= set(o.params) and "scala" not in o.params), None
        )
        if overload is None:
            return _constant(None)
        by_name = dict(named)
        ordered = tuple(by_name.get(param, _constant(None)) for param in overload.params)
        return _bind(overload, ordered, packed=False)
    count = len(args)
    overload = next(
        (o for o in overloads if len(o.params) == count or (o.varargs and len(o.params) < count)),
        None,
    )
    if overload is None:
        return _constant(None)
    return _bind(overload, args, packed=overload.varargs)


def _bind(overload: Overload, args: tuple[Evaluator, ...], *, packed: bool) -> Evaluator:
    impl = overload.impl
    if packed:
        fixed = len(overload.params) - 1
        head, tail = args[:fixed], args[fixed:]

        def evaluate_varargs(scope: Any) -> Any:
            values = [arg(scope) for arg in head]
            rest = [arg(scope) for arg in tail]
            if fixed == 0 and len(rest) == 1 and isinstance(rest[0], list | tuple):
                values.append(rest[0])
            else:
                values.append(rest)
            return invoke_overload(overload, values)

        return evaluate_varargs
    if len(args) == 1:
        (a,) = args

        def evaluate_1(scope: Any) -> Any:
            value = a(scope)
            try:
                return impl(value)
            except FeelEvaluationError:
                raise
            except Exception as exc:
                raise failure(overload, exc) from exc

        return evaluate_1
    if len(args) == 2:
        a, b = args

        def evaluate_2(scope: Any) -> Any:
            first = a(scope)
            second = b(scope)
            try:
                return impl(first, second)
            except FeelEvaluationError:
                raise
            except Exception as exc:
                raise failure(overload, exc) from exc

        return evaluate_2

    def evaluate_n(scope: Any) -> Any:
        return invoke_overload(overload, [arg(scope) for arg in args])

    return evaluate_n


def _call_function(
    function: FeelFunction,
    args: tuple[Evaluator, ...],
    named: tuple[tuple[str, Evaluator], ...] | None,
    scope: Any,
    *,
    strict: bool = False,
) -> Any:
    params = function.params
    if named is not None:
        keys = {key for key, _ in named}
        if not keys <= set(params):
            if strict:
                raise fail(f"No function found with parameters {sorted(keys)}")
            return None
        values = dict((key, arg(scope)) for key, arg in named)
        return function.invoke([values.get(param) for param in params])
    if len(args) != len(params):
        if strict:
            raise fail(f"No function found with {len(args)} parameters")
        return None
    return function.invoke([arg(scope) for arg in args])
