"""Recursive-descent parser: tokens to :mod:`._ast` nodes, rejecting unsupported FEEL.

Precedence, loosest first: ``if`` / ``or`` / ``and`` / comparison (``= != < <= > >=``,
``between``, ``in``) / ``+ -`` / ``* /`` / unary ``-`` / postfix (``.name``, ``[...]``,
calls) / primary.
"""

from __future__ import annotations

from typing import NoReturn

from . import _ast as ast
from ._builtins import MULTI_WORD_FUNCTIONS, SUPPORTED_FUNCTIONS, UNSUPPORTED_FUNCTIONS
from ._errors import FeelSyntaxError
from ._lexer import Token, tokenize

__all__ = ["parse"]

_COMPARISON_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
# Words that cannot start an operand; "item" and function names such as "not" can.
_RESERVED = frozenset(
    {"and", "or", "then", "else", "between", "in", "return", "satisfies", "of", "instance"}
)
_UNSUPPORTED_LEADING_WORDS = {
    "for": "'for' expressions (for ... in ... return ...) are not supported",
    "some": "quantified expressions ('some ... satisfies') are not supported",
    "every": "quantified expressions ('every ... satisfies') are not supported",
    "function": "function definitions are not supported",
}


def parse(source: str) -> ast.Node:
    """Parse ``source`` (optionally starting with Camunda's ``=``) into a syntax tree.

    Raises:
        FeelSyntaxError: On a syntax error or an unsupported construct.
    """
    offset = 0
    text = source
    stripped = text.lstrip()
    if stripped.startswith("="):
        offset = len(text) - len(stripped) + 1
        text = stripped[1:]
    return _Parser(tokenize(text, source=source, offset=offset), source, offset).parse()


class _Parser:
    def __init__(self, tokens: list[Token], source: str, offset: int) -> None:
        self._tokens = tokens
        self._i = 0
        self._source = source
        self._offset = offset

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

    def _at_op(self, op: str) -> bool:
        tok = self._peek()
        return tok.kind == "op" and tok.value == op

    def _at_word(self, word: str) -> bool:
        tok = self._peek()
        return tok.kind == "name" and tok.value == word

    def _expect_op(self, op: str, what: str) -> Token:
        if not self._at_op(op):
            self._fail(f"expected {op!r} {what}, found {_describe(self._peek())}")
        return self._next()

    def _expect_word(self, word: str, what: str) -> Token:
        if not self._at_word(word):
            self._fail(f"expected {word!r} {what}, found {_describe(self._peek())}")
        return self._next()

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
        if tok.kind == "name" and tok.value == "instance":
            self._fail("'instance of' type checks are not supported", tok)
        if tok.kind == "op" and tok.value == "..":
            self._fail("ranges ('..') are not supported", tok)
        if tok.kind == "op" and tok.value == "**":
            self._fail("exponentiation ('**') is not supported", tok)
        self._fail(f"unexpected {_describe(tok)}", tok)

    def _expression(self) -> ast.Node:
        return self._disjunction()

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
        left = self._additive()
        tok = self._peek()
        if tok.kind == "op" and tok.value in _COMPARISON_OPS:
            self._next()
            node: ast.Node = ast.Compare(self._col(tok), tok.value, left, self._additive())
        elif tok.kind == "name" and tok.value == "between":
            self._next()
            low = self._additive()
            self._expect_word("and", "in 'between ... and ...'")
            node = ast.Between(self._col(tok), left, low, self._additive())
        elif tok.kind == "name" and tok.value == "in":
            self._next()
            nxt = self._peek()
            if nxt.kind == "op" and nxt.value in _COMPARISON_OPS | {"?"}:
                self._fail("unary tests after 'in' (e.g. 'x in < 5') are not supported", nxt)
            if nxt.kind == "op" and nxt.value in {"(", "]"}:
                # "(1..5)" / "]1..5]" style intervals, or "(a, b)" unary-test lists.
                self._fail(
                    "intervals and unary-test lists after 'in' are not supported; "
                    "use a list: x in [a, b]",
                    nxt,
                )
            node = ast.In(self._col(tok), left, self._additive())
        else:
            return left
        after = self._peek()
        if (after.kind == "op" and after.value in _COMPARISON_OPS) or (
            after.kind == "name" and after.value in {"between", "in"}
        ):
            self._fail(
                "chained comparisons are not supported; combine them with 'and' or use 'between'",
                after,
            )
        return node

    def _additive(self) -> ast.Node:
        left = self._multiplicative()
        while True:
            tok = self._peek()
            if tok.kind == "op" and tok.value in ("+", "-"):
                self._next()
                left = ast.Arithmetic(self._col(tok), tok.value, left, self._multiplicative())
            else:
                return left

    def _multiplicative(self) -> ast.Node:
        left = self._unary()
        while True:
            tok = self._peek()
            if tok.kind == "op" and tok.value in ("*", "/"):
                self._next()
                left = ast.Arithmetic(self._col(tok), tok.value, left, self._unary())
            elif tok.kind == "op" and tok.value == "**":
                self._fail("exponentiation ('**') is not supported", tok)
            else:
                return left

    def _unary(self) -> ast.Node:
        if self._at_op("-"):
            tok = self._next()
            operand = self._unary()
            if isinstance(operand, ast.Literal) and type(operand.value) in (int, float):
                return ast.Literal(self._col(tok), -operand.value)
            return ast.Negate(self._col(tok), operand)
        return self._postfix()

    def _postfix(self) -> ast.Node:
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
                node = ast.Path(self._col(member), node, member.value)
            elif tok.value == "[":
                self._next()
                condition = self._expression()
                if self._at_op(".."):
                    self._fail("ranges ('..') are not supported")
                self._expect_op("]", "to close the filter")
                node = ast.Filter(self._col(tok), node, condition)
            elif tok.value == "(":
                self._fail("only built-in functions can be called, by name", tok)
            else:
                return node

    def _primary(self) -> ast.Node:
        tok = self._peek()
        col = self._col(tok)
        if tok.kind == "number":
            self._next()
            text = tok.value
            if "." in text:
                value = float(text)
                return ast.Literal(col, int(value) if value.is_integer() else value)
            return ast.Literal(col, int(text))
        if tok.kind == "string":
            self._next()
            return ast.Literal(col, tok.value)
        if tok.kind == "op":
            return self._primary_op(tok)
        if tok.kind == "eof":
            self._fail("unexpected end of expression", tok)
        word = tok.value
        if word == "true" or word == "false":
            self._next()
            return ast.Literal(col, word == "true")
        if word == "null":
            self._next()
            return ast.Literal(col, None)
        if word == "if":
            return self._if()
        if word in _UNSUPPORTED_LEADING_WORDS:
            self._fail(_UNSUPPORTED_LEADING_WORDS[word], tok)
        call = self._maybe_call()
        if call is not None:
            return call
        if word in _RESERVED:
            self._fail(f"unexpected keyword {word!r}", tok)
        self._next()
        return ast.Name(col, word)

    def _primary_op(self, tok: Token) -> ast.Node:
        col = self._col(tok)
        if tok.value == "(":
            self._next()
            node = self._expression()
            if self._at_op(",") or self._at_op(".."):
                self._fail("intervals and unary-test lists are not supported")
            self._expect_op(")", "to close the parenthesis")
            return node
        if tok.value == "[":
            self._next()
            items: list[ast.Node] = []
            while not self._at_op("]"):
                items.append(self._expression())
                if self._at_op(".."):
                    self._fail("ranges ('..') are not supported")
                if not self._at_op(","):
                    break
                self._next()
            self._expect_op("]", "to close the list")
            return ast.ListLiteral(col, tuple(items))
        if tok.value == "{":
            return self._context()
        if tok.value == "@":
            self._fail('temporal literals (@"...") are not supported', tok)
        if tok.value == "?":
            self._fail("the unary-test input '?' is not supported", tok)
        if tok.value == "..":
            self._fail("ranges ('..') are not supported", tok)
        self._fail(f"unexpected {_describe(tok)}", tok)

    def _context(self) -> ast.Node:
        start = self._next()
        entries: list[tuple[str, ast.Node]] = []
        seen: set[str] = set()
        while not self._at_op("}"):
            key_tok = self._next()
            if key_tok.kind not in ("name", "string"):
                self._fail(f"expected a context key, found {_describe(key_tok)}", key_tok)
            # FEEL allows spaces inside unquoted keys; only single-word keys are supported.
            if self._peek().kind == "name":
                self._fail("context keys with spaces must be quoted", self._peek())
            self._expect_op(":", "after the context key")
            if key_tok.value in seen:
                self._fail(f"duplicate context key {key_tok.value!r}", key_tok)
            seen.add(key_tok.value)
            entries.append((key_tok.value, self._expression()))
            if not self._at_op(","):
                break
            self._next()
        self._expect_op("}", "to close the context")
        return ast.ContextLiteral(self._col(start), tuple(entries))

    def _if(self) -> ast.Node:
        tok = self._next()
        condition = self._expression()
        self._expect_word("then", "after the 'if' condition")
        then = self._expression()
        self._expect_word("else", "in 'if ... then ... else ...'")
        return ast.If(self._col(tok), condition, then, self._expression())

    def _maybe_call(self) -> ast.Node | None:
        """Parse ``name(...)`` where the name may span several words ("starts with")."""
        words: list[str] = []
        for ahead in range(4):
            tok = self._peek(ahead)
            if tok.kind != "name":
                break
            words.append(tok.value)
        name = None
        width = 0
        for count in range(len(words), 0, -1):
            candidate = " ".join(words[:count])
            nxt = self._peek(count)
            if (
                nxt.kind == "op"
                and nxt.value == "("
                and (count == 1 or candidate in MULTI_WORD_FUNCTIONS)
            ):
                name, width = candidate, count
                break
        if name is None:
            return None
        first = self._peek()
        if name in UNSUPPORTED_FUNCTIONS:
            self._fail(f"built-in function {name!r} is not supported", first)
        if name not in SUPPORTED_FUNCTIONS:
            self._fail(f"unknown function {name!r}", first)
        for _ in range(width):
            self._next()
        self._next()  # "("
        args: list[ast.Node] = []
        while not self._at_op(")"):
            if (
                self._peek().kind == "name"
                and self._peek(1).kind == "op"
                and self._peek(1).value == ":"
            ):
                self._fail("named arguments are not supported")
            args.append(self._expression())
            if not self._at_op(","):
                break
            self._next()
        self._expect_op(")", f"to close the arguments of {name!r}")
        low, high = SUPPORTED_FUNCTIONS[name].arity
        if not low <= len(args) <= high:
            expected = str(low) if low == high else f"{low} to {high}"
            self._fail(f"function {name!r} takes {expected} argument(s), got {len(args)}", first)
        return ast.Call(self._col(first), name, tuple(args))


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
