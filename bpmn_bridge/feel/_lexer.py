"""Tokenizer for FEEL expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ._errors import FeelSyntaxError

__all__ = ["Token", "tokenize", "translate_escapes"]

TokenKind = Literal["number", "string", "name", "op", "eof"]

# Longest operators first so "<=" wins over "<" and ".." over ".".
_OPERATOR = re.compile(r"\*\*|\.\.|!=|<=|>=|[()\[\]{},:.+\-*/=<>@?]")
# Java identifier characters, as Camunda's parser uses Character.isJavaIdentifierStart/Part.
_NAME = re.compile(r"(?:[^\W\d]|[$])[\w$]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_WHITESPACE = re.compile(r"\s+")
# Camunda replaces these escapes only; any other backslash sequence stays as written.
_ESCAPE = re.compile(r"(?<!\\)\\([nrtbf'\"])")
_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'", '"': '"'}


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical token; ``pos`` is a 0-based offset into the text handed to the lexer.

    ``end`` is the offset just past the token; ``quoted`` marks a backtick-quoted name.
    """

    kind: TokenKind
    value: str
    pos: int
    end: int = 0
    quoted: bool = False


def translate_escapes(raw: str) -> str:
    """Camunda's string escapes: ``\\n \\r \\t \\b \\f \\' \\"`` and ``\\\\``; others stay."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(lambda m: _ESCAPED[m.group(1)], raw).replace("\\\\", "\\")


def tokenize(text: str, *, source: str, offset: int) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``eof`` token.

    ``source``/``offset`` only serve error messages: ``offset`` is how many characters of
    ``source`` precede ``text`` (the stripped leading ``=``).
    """
    tokens: list[Token] = []
    i, n = 0, len(text)

    def fail(reason: str, at: int) -> FeelSyntaxError:
        return FeelSyntaxError(reason, source=source, column=offset + at + 1)

    while i < n:
        ch = text[i]
        if ch.isspace():
            m = _WHITESPACE.match(text, i)
            assert m is not None
            i = m.end()
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise fail("unterminated comment", i)
            i = end + 2
            continue
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise fail("unterminated string", i)
            tokens.append(Token("string", translate_escapes(text[i + 1 : j]), i, j + 1))
            i = j + 1
            continue
        if ch == "`":
            end = text.find("`", i + 1)
            if end <= i + 1:
                raise fail("unterminated or empty backtick-quoted name", i)
            tokens.append(Token("name", text[i + 1 : end], i, end + 1, quoted=True))
            i = end + 1
            continue
        m = _NUMBER.match(text, i)
        if m is not None:
            tokens.append(Token("number", m.group(), i, m.end()))
            i = m.end()
            continue
        m = _NAME.match(text, i)
        if m is not None:
            tokens.append(Token("name", m.group(), i, m.end()))
            i = m.end()
            continue
        m = _OPERATOR.match(text, i)
        if m is None:
            raise fail(f"unexpected character {ch!r}", i)
        tokens.append(Token("op", m.group(), i, m.end()))
        i = m.end()
    tokens.append(Token("eof", "", n, n))
    return tokens
