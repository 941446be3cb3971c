"""Recursive-descent parser: tokens to :mod:`._ast` nodes, following Camunda's FEEL grammar.

Precedence, loosest first: ``if`` / ``for`` / ``some`` / ``every`` / ``or`` / ``and`` /
comparison (``= != < <= > >=``, ``between``, ``in``, ``instance of``; not chained) /
``+ -`` / ``* /`` / ``**`` / unary ``-`` / postfix (``.name``, ``[...]``) / primary.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

from . import _ast as ast
from ._errors import FeelSyntaxError
from ._lexer import Token, tokenize

__all__ = ["IMPLICIT_INPUT_NAME", "parse"]

_COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_UNARY_COMPARISON_OPS = frozenset({"<", "<=", ">", ">="})
# Camunda's reserved words: never a variable name on their own.
_RESERVED = frozenset(
    {"null", "true", "false", "function", "in", "return", "then", "else", "satisfies", "and", "or"}
)
# Built-in names that contain a reserved word, callable nonetheless.
_NAMES_WITH_RESERVED_WORDS = frozenset(
    {"and", "or", "date and time", "years and months duration", "get or else"}
)
_SPECIAL_TYPE_NAMES = (
    "years and months duration",
    "days and time duration",
    "date and time",
    "function",
)
_INTERVAL_OPENERS = frozenset({"[", "(", "]"})
_INTERVAL_CLOSERS = {")": False, "[": False, "]": True}
# A unary test written on its own ("< 5", "[1..3]") tests Camunda's implicit input value:
# the value left of the enclosing 'in', else nothing (null). Not a name anyone can write.
IMPLICIT_INPUT_NAME = "?input"
_IMPLICIT_INPUT = ast.Name(0, IMPLICIT_INPUT_NAME)


def parse(source: str) -> ast.Node:
    """Parse ``source`` (optionally starting with Camunda's ``=``) into a syntax tree.

    Raises:
        FeelSyntaxError: On a syntax error, naming the construct and the column.
    """
    offset = 0
    text = source
    stripped = text.lstrip()
    if stripped.startswith("="):
        offset = len(text) - len(stripped) + 1
        text = stripped[1:]
    return _Parser(tokenize(text, source=source, offset=offset), text, source, offset).parse()


class _Parser:
    def __init__(self, tokens: list[Token], text: str, source: str, offset: int) -> None:
        self._tokens = tokens
        self._text = text
        self._i = 0
        self._source = source
        self._offset = offset
        self._failed_test_lists: set[int] = set()

    # -- helpers -----------------------------------------------------------------------

    def _col(self, tok: Token) -> int:
        return self._offset + tok.pos + 1

    def _fail(self, reason: str, tok: Token | None = None) -> NoReturn:
        tok = tok or self._peek()
        raise FeelSyntaxError(reason, source=self._source, column=self._col(tok))

    def _peek(self, ahead: int = 0) -> Token:
        return self._tokens[min(self._i + ahead, len(self._tokens) - 1)]

    def _next(self) -> Token:
        tok = self._tokens[self._i]
        if tok.kind != "eof":
            self._i += 1
        return tok

    def _at_op(self, op: str, ahead: int = 0) -> bool:
        tok = self._peek(ahead)
        return tok.kind == "op" and tok.value == op

    def _at_word(self, word: str, ahead: int = 0) -> bool:
        tok = self._peek(ahead)
        return tok.kind == "name" and not tok.quoted and tok.value == word

    def _expect_op(self, op: str, what: str) -> Token:
        if not self._at_op(op):
            self._fail(f"expected {op!r} {what}, found {_describe(self._peek())}")
        return self._next()

    def _expect_word(self, word: str, what: str) -> Token:
        if not self._at_word(word):
            self._fail(f"expected {word!r} {what}, found {_describe(self._peek())}")
        return self._next()

    def _range_ahead(self, *, skip_opener: bool) -> bool:
        """Whether a ``..`` follows at this nesting level (so an interval or a range starts).

        A linear scan instead of trial parsing keeps nested brackets from costing
        exponential time.
        """
        depth = 0
        k = 1 if skip_opener else 0
        while True:
            tok = self._peek(k)
            if tok.kind == "eof":
                return False
            if tok.kind == "op":
                if tok.value == ".." and depth == 0:
                    return True
                if tok.value in ("(", "[", "{"):
                    depth += 1
                elif tok.value in (")", "]", "}"):
                    depth -= 1
                    if depth < 0:
                        return False
                elif tok.value == "," and depth == 0:
                    return False
            elif depth == 0 and not tok.quoted and tok.value in ("return", "satisfies"):
                return False
            k += 1

    def _has_closing_bracket(self) -> bool:
        """Whether the ``[`` here has a matching ``]`` (else it closes an interval: ``]1..3[``)."""
        depth = 0
        k = 0
        while True:
            tok = self._peek(k)
            if tok.kind == "eof":
                return False
            if tok.kind == "op":
                if tok.value in ("(", "[", "{"):
                    depth += 1
                elif tok.value in (")", "]", "}"):
                    depth -= 1
                    if depth == 0:
                        return tok.value == "]"
            k += 1

    def _adjacent(self, left: Token, right: Token) -> bool:
        """Only spaces between two tokens (how Camunda joins words of one name)."""
        gap = self._text[left.end : right.pos]
        return bool(gap) and gap.strip(" ") == ""

    # -- grammar -----------------------------------------------------------------------

    def parse(self) -> ast.Node:
        if self._peek().kind == "eof":
            self._fail("empty expression")
        node = self._expression()
        tok = self._peek()
        if tok.kind != "eof":
            self._unexpected(tok)
        return node

    def _unexpected(self, tok: Token) -> NoReturn:
        if tok.kind == "op" and tok.value in _COMPARISON_OPS:
            self._fail(
                "chained comparisons are not FEEL; combine them with 'and' or use 'between'", tok
            )
        if tok.kind == "op" and tok.value == "..":
            self._fail("a range ('..') must be written as an interval such as [1..3]", tok)
        if tok.kind == "op" and tok.value == "(":
            self._fail("only a function name can be called: name(...) or a.b.name(...)", tok)
        self._fail(f"unexpected {_describe(tok)}", tok)

    def _expression(self) -> ast.Node:
        tok = self._peek()
        if tok.kind == "name" and not tok.quoted:
            if tok.value == "if":
                return self._if()
            # "for"/"some"/"every" are not reserved: only a following word or literal (not an
            # operator) makes them start an iteration.
            starts = self._peek(1).kind not in ("op", "eof")
            if tok.value == "for" and starts:
                return self._for()
            if tok.value in ("some", "every") and starts:
                return self._quantified()
        return self._disjunction()

    def _if(self) -> ast.Node:
        tok = self._next()
        condition = self._expression()
        self._expect_word("then", "after the 'if' condition")
        then = self._expression()
        self._expect_word("else", "in 'if ... then ... else ...'")
        return ast.If(self._col(tok), condition, then, self._expression())

    def _iterators(self, construct: str) -> tuple[tuple[str, ast.Node], ...]:
        iterators: list[tuple[str, ast.Node]] = []
        while True:
            name_tok = self._next()
            if name_tok.kind != "name" or (not name_tok.quoted and name_tok.value in _RESERVED):
                self._fail(f"expected a variable name in {construct}", name_tok)
            self._expect_word("in", f"after the variable of {construct}")
            if self._range_ahead(skip_opener=False):
                first = self._math()
                dots = self._expect_op("..", f"in the range of {construct}")
                node: ast.Node = ast.IterationRange(self._col(dots), first, self._math())
            else:
                node = self._value()
            iterators.append((name_tok.value, node))
            if not self._at_op(","):
                return tuple(iterators)
            self._next()

    def _for(self) -> ast.Node:
        tok = self._next()
        iterators = self._iterators("'for ... in ... return'")
        self._expect_word("return", "in 'for ... in ... return'")
        return ast.For(self._col(tok), iterators, self._expression())

    def _quantified(self) -> ast.Node:
        tok = self._next()
        construct = f"'{tok.value} ... in ... satisfies'"
        iterators = self._iterators(construct)
        self._expect_word("satisfies", f"in {construct}")
        return ast.Quantified(self._col(tok), tok.value, iterators, self._expression())

    def _disjunction(self) -> ast.Node:
        left = self._conjunction()
        while self._at_word("or"):
            tok = self._next()
            left = ast.Logical(self._col(tok), "or", left, self._conjunction())
        return left

    def _conjunction(self) -> ast.Node:
        left = self._comparison()
        while self._at_word("and"):
            tok = self._next()
            left = ast.Logical(self._col(tok), "and", left, self._comparison())
        return left

    def _comparison(self) -> ast.Node:
        tok = self._peek()
        if tok.kind == "op":
            # A unary test on its own ("< 5", "[1..3]") tests the input value '?'.
            if tok.value in _UNARY_COMPARISON_OPS:
                test = self._input_compare()
                return ast.In(self._col(tok), _IMPLICIT_INPUT, test)
            if tok.value in _INTERVAL_OPENERS and self._range_ahead(skip_opener=True):
                interval = self._interval()
                return ast.In(self._col(tok), _IMPLICIT_INPUT, interval)
        left = self._math()
        tok = self._peek()
        if tok.kind == "op" and tok.value in _COMPARISON_OPS:
            self._next()
            return ast.Compare(self._col(tok), tok.value, left, self._math())
        if tok.kind != "name" or tok.quoted:
            return left
        if tok.value == "between":
            self._next()
            low = self._math()
            self._expect_word("and", "in 'between ... and ...'")
            return ast.Between(self._col(tok), left, low, self._math())
        if tok.value == "instance" and self._at_word("of", 1):
            self._next()
            self._next()
            return ast.InstanceOf(self._col(tok), left, self._type_name())
        if tok.value == "in":
            self._next()
            return ast.In(self._col(tok), left, self._in_tests())
        return left

    def _type_name(self) -> str:
        for special in _SPECIAL_TYPE_NAMES:
            words = special.split(" ")
            if all(self._at_word(word, k) for k, word in enumerate(words)):
                for _ in words:
                    self._next()
                return special
        tok = self._next()
        if tok.kind != "name" or (not tok.quoted and tok.value in _RESERVED):
            self._fail(f"expected a type name after 'instance of', found {_describe(tok)}", tok)
        parts = [tok.value]
        while self._at_op(".") and self._peek(1).kind == "name":
            self._next()
            parts.append(self._next().value)
        return ".".join(parts)

    # -- unary tests -------------------------------------------------------------------

    def _in_tests(self) -> ast.Node:
        start = self._i
        if (
            self._at_op("(")
            and start not in self._failed_test_lists
            and not self._range_ahead(skip_opener=True)
        ):
            try:
                return self._test_list()
            except FeelSyntaxError:
                # Camunda's grammar falls back to one test: "x in ((1..5] and y)". Parsing
                # from a position gives the same answer each time: remember the failure so
                # nested fallbacks stay linear.
                self._failed_test_lists.add(start)
                self._i = start
        return self._positive_unary_test()

    def _test_list(self) -> ast.Node:
        start = self._next()
        tests = [self._positive_unary_test()]
        while self._at_op(","):
            self._next()
            tests.append(self._positive_unary_test())
        self._expect_op(")", "to close the list of unary tests")
        if len(tests) == 1:
            return tests[0]
        return ast.AtLeastOne(self._col(start), tuple(tests))

    def _positive_unary_test(self) -> ast.Node:
        tok = self._peek()
        if (
            tok.kind == "name"
            and not tok.quoted
            and tok.value in ("true", "false")
            and self._peek(1).kind == "eof"
        ):
            self._next()
            literal = ast.Literal(self._col(tok), tok.value == "true")
            return ast.UnaryTest(self._col(tok), literal, equality_only=True)
        if tok.kind == "op":
            if tok.value in _UNARY_COMPARISON_OPS:
                return self._input_compare()
            if tok.value in _INTERVAL_OPENERS and self._range_ahead(skip_opener=True):
                return self._interval()
        return ast.UnaryTest(self._col(tok), self._expression())

    def _input_compare(self) -> ast.Node:
        tok = self._next()
        return ast.InputCompare(self._col(tok), tok.value, self._math())

    def _interval(self) -> ast.Node:
        opener = self._next()
        if opener.kind != "op" or opener.value not in _INTERVAL_OPENERS:
            self._fail("expected an interval", opener)
        start = self._math()
        self._expect_op("..", "in the interval")
        end = self._math()
        closer = self._next()
        if closer.kind != "op" or closer.value not in _INTERVAL_CLOSERS:
            self._fail(
                f"expected ']', ')' or '[' to close the interval, found {_describe(closer)}", closer
            )
        return ast.Interval(
            self._col(opener), start, end, opener.value == "[", _INTERVAL_CLOSERS[closer.value]
        )

    # -- arithmetic --------------------------------------------------------------------

    def _math(self) -> ast.Node:
        left = self._multiplicative()
        while True:
            tok = self._peek()
            if tok.kind == "op" and tok.value in ("+", "-"):
                self._next()
                left = ast.Arithmetic(self._col(tok), tok.value, left, self._multiplicative())
            else:
                return left

    def _multiplicative(self) -> ast.Node:
        left = self._power()
        while True:
            tok = self._peek()
            if tok.kind == "op" and tok.value in ("*", "/"):
                self._next()
                left = ast.Arithmetic(self._col(tok), tok.value, left, self._power())
            else:
                return left

    def _power(self) -> ast.Node:
        left = self._unary()
        while self._at_op("**"):
            tok = self._next()
            left = ast.Arithmetic(self._col(tok), "**", left, self._unary())
        return left

    def _unary(self) -> ast.Node:
        if self._at_op("-"):
            tok = self._next()
            operand = self._unary()
            if isinstance(operand, ast.Literal) and type(operand.value) in (int, Decimal):
                return ast.Literal(self._col(tok), _negated(operand.value))
            return ast.Negate(self._col(tok), operand)
        return self._value()

    # -- values ------------------------------------------------------------------------

    def _value(self) -> ast.Node:
        node = self._primary()
        while True:
            tok = self._peek()
            if tok.kind != "op":
                return node
            if tok.value == ".":
                self._next()
                member = self._next()
                if member.kind != "name":
                    self._fail(f"expected a name after '.', found {_describe(member)}", member)
                name = member.value
                if (
                    name == "time"
                    and not member.quoted
                    and self._at_word("offset")
                    and self._adjacent(member, self._peek())
                ):
                    self._next()
                    name = "time offset"
                node = ast.Path(self._col(member), node, name)
            elif tok.value == "[" and self._has_closing_bracket():
                self._next()
                condition = self._expression()
                self._expect_op("]", "to close the filter")
                node = ast.Filter(self._col(tok), node, condition)
            else:
                return node

    def _primary(self) -> ast.Node:
        tok = self._peek()
        col = self._col(tok)
        if tok.kind == "number":
            self._next()
            if "." in tok.value:
                return ast.Literal(col, Decimal(tok.value))
            return ast.Literal(col, int(tok.value))
        if tok.kind == "string":
            self._next()
            return ast.Literal(col, tok.value)
        if tok.kind == "op":
            nxt = self._peek(1)
            if tok.value == "-" and nxt.kind == "number" and nxt.pos == tok.end:
                # A number literal may carry its sign ("for x in -2 ..." reads a value).
                self._next()
                self._next()
                number = Decimal(nxt.value) if "." in nxt.value else int(nxt.value)
                return ast.Literal(col, _negated(number))
            return self._primary_op(tok)
        if tok.kind == "eof":
            self._fail("unexpected end of expression", tok)
        word = tok.value
        if not tok.quoted:
            if word in ("true", "false"):
                self._next()
                return ast.Literal(col, word == "true")
            if word == "null":
                self._next()
                return ast.Literal(col, None)
            if word == "function" and self._at_op("(", 1):
                return self._function_definition()
        call = self._maybe_call()
        if call is not None:
            return call
        if not tok.quoted:
            if word in ("if", "for", "some", "every") and self._peek(1).kind != "op":
                self._fail(
                    f"'{word}' starts an expression that cannot be an operand here; "
                    "wrap it in parentheses",
                    tok,
                )
            if word in _RESERVED:
                self._fail(f"unexpected keyword {word!r}", tok)
        self._next()
        return ast.Name(col, word)

    def _primary_op(self, tok: Token) -> ast.Node:
        col = self._col(tok)
        if tok.value == "(":
            self._next()
            node = self._expression()
            if self._at_op(".."):
                self._fail("a range ('..') must be written as an interval such as [1..3]")
            self._expect_op(")", "to close the parenthesis")
            return node
        if tok.value == "[":
            self._next()
            items: list[ast.Node] = []
            while not self._at_op("]"):
                items.append(self._expression())
                if self._at_op(".."):
                    self._fail(
                        "an interval such as [1..3] can only be a function argument or follow 'in'"
                    )
                if not self._at_op(","):
                    break
                self._next()
            self._expect_op("]", "to close the list")
            return ast.ListLiteral(col, tuple(items))
        if tok.value == "{":
            return self._context()
        if tok.value == "@":
            self._next()
            text = self._next()
            if text.kind != "string":
                self._fail("expected a string after '@' (temporal literal @\"...\")", text)
            return ast.Call(col, "@", (ast.Literal(self._col(text), text.value),))
        if tok.value == "?":
            self._next()
            return ast.InputValue(col)
        self._fail(f"unexpected {_describe(tok)}", tok)

    def _context(self) -> ast.Node:
        start = self._next()
        entries: list[tuple[str, ast.Node]] = []
        while not self._at_op("}"):
            entries.append((self._context_key(), self._expression()))
            if not self._at_op(","):
                break
            self._next()
        self._expect_op("}", "to close the context")
        return ast.ContextLiteral(self._col(start), tuple(entries))

    def _context_key(self) -> str:
        first = self._peek()
        if first.kind == "string" and self._at_op(":", 1):
            self._next()
            self._next()
            return first.value
        if first.kind == "name" and first.quoted and self._at_op(":", 1):
            self._next()
            self._next()
            return first.value
        # Camunda takes any text up to ':' without quotes, brackets, braces or commas.
        while True:
            tok = self._next()
            if tok.kind == "op" and tok.value == ":" and tok is not first:
                key = self._text[first.pos : tok.pos].strip()
                return key
            if tok.kind in ("string", "eof") or (
                tok.kind == "op" and tok.value in ("{", "}", "[", "]", ",", ":")
            ):
                self._fail(f"expected a context key followed by ':', found {_describe(tok)}", tok)

    def _function_definition(self) -> ast.Node:
        tok = self._next()
        self._next()  # "("
        params: list[str] = []
        while not self._at_op(")"):
            params.append(self._parameter_name("function parameter"))
            if not self._at_op(","):
                break
            self._next()
        self._expect_op(")", "to close the function parameters")
        if self._at_word("external"):
            self._fail("external (Java) functions are not supported")
        return ast.FunctionDefinition(self._col(tok), tuple(params), self._expression())

    def _parameter_name(self, what: str) -> str:
        tok = self._next()
        if tok.kind != "name":
            self._fail(f"expected a {what} name, found {_describe(tok)}", tok)
        words = [tok.value]
        last = tok
        while self._peek().kind == "name" and self._adjacent(last, self._peek()):
            last = self._next()
            words.append(last.value)
        return " ".join(words)

    def _maybe_call(self) -> ast.Node | None:
        """``name(...)``, ``multi word name(...)`` or ``a.b.name(...)``; else None."""
        first = self._peek()
        # Words separated by spaces only, directly followed by "(".
        words = [first]
        k = 1
        while self._peek(k).kind == "name" and self._adjacent(self._peek(k - 1), self._peek(k)):
            words.append(self._peek(k))
            k += 1
        for count in range(len(words), 0, -1):
            if not self._at_op("(", count):
                continue
            name = " ".join(tok.value for tok in words[:count])
            reserved = any(not t.quoted and t.value in _RESERVED for t in words[:count])
            if reserved and name not in _NAMES_WITH_RESERVED_WORDS:
                continue
            for _ in range(count):
                self._next()
            args, named = self._arguments(name)
            return ast.Call(self._col(first), name, args, named)
        # a.b.f(...): a function stored in a context.
        k = 0
        path: list[Token] = []
        while self._peek(k).kind == "name" and (k == 0 or self._at_op(".", k - 1)):
            path.append(self._peek(k))
            if not self._at_op(".", k + 1):
                break
            k += 2
        if len(path) >= 2 and self._at_op("(", k + 1):
            target: ast.Node = ast.Name(self._col(path[0]), path[0].value)
            for tok in path[1:-1]:
                target = ast.Path(self._col(tok), target, tok.value)
            for _ in range(k + 1):
                self._next()
            args, named = self._arguments(path[-1].value)
            return ast.QualifiedCall(self._col(first), target, path[-1].value, args, named)
        return None

    def _arguments(
        self, name: str
    ) -> tuple[tuple[ast.Node, ...], tuple[tuple[str, ast.Node], ...] | None]:
        self._expect_op("(", "to start the arguments")
        args: list[ast.Node] = []
        named: list[tuple[str, ast.Node]] = []
        if self._peek().kind == "name" and self._named_argument_ahead():
            while True:
                key = self._parameter_name("parameter")
                self._expect_op(":", "after the parameter name")
                named.append((key, self._argument()))
                if not self._at_op(","):
                    break
                self._next()
        else:
            while not self._at_op(")"):
                args.append(self._argument())
                if not self._at_op(","):
                    break
                self._next()
        self._expect_op(")", f"to close the arguments of {name!r}")
        return tuple(args), (tuple(named) if named else None)

    def _named_argument_ahead(self) -> bool:
        k = 0
        while self._peek(k).kind == "name" and (
            k == 0 or self._adjacent(self._peek(k - 1), self._peek(k))
        ):
            k += 1
        return self._at_op(":", k)

    def _argument(self) -> ast.Node:
        tok = self._peek()
        if (
            tok.kind == "op"
            and tok.value in _INTERVAL_OPENERS
            and self._range_ahead(skip_opener=True)
        ):
            return self._interval()
        return self._expression()


def _negated(value: int | Decimal) -> int | Decimal:
    """``-value`` exactly (Decimal's ``-`` rounds to 28 digits); BigDecimal has no -0.0."""
    if type(value) is int:
        return -value
    assert isinstance(value, Decimal)
    return value.copy_negate() if value else value.copy_abs()


def _describe(tok: Token) -> str:
    if tok.kind == "eof":
        return "end of expression"
    if tok.kind == "string":
        return "string"
    if tok.kind == "number":
        return f"number {tok.value}"
    if tok.kind == "name":
        return f"name {tok.value!r}"
    return f"{tok.value!r}"
