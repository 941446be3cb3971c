"""Tokenizer for the supported FEEL subset."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ._errors import FeelSyntaxError

__all__ = ["Token", "tokenize"]

TokenKind = Literal["number", "string", "name", "op", "eof"]

# Longest operators first so "<=" wins over "<" and ".." over ".".
_OPERATORS = (
    "**",
    "..",
    "!=",
    "<=",
    ">=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    "+",
    "-",
    "*",
    "/",
    "=",
    "<",
    ">",
    "@",
    "?",
)
_NAME = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_WHITESPACE = re.compile(r"\s+")
_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "'": "'",
    "/": "/",
    "b": "\b",
    "f": "\f",
}


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical token; ``pos`` is a 0-based offset into the text handed to the lexer."""

    kind: TokenKind
    value: str
    pos: int


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
            value, i_end = _read_string(text, i, fail)
            tokens.append(Token("string", value, i))
            i = i_end
            continue
        if ch == "'":
            raise fail("single-quoted strings are not FEEL; use double quotes", i)
        if ch == "`":
            raise fail("backtick-quoted names are not supported", i)
        m = _NUMBER.match(text, i)
        if m is not None:
            # "1..3" is a range: do not read "1." as a number followed by ".3".
            tokens.append(Token("number", m.group(), i))
            i = m.end()
            continue
        m = _NAME.match(text, i)
        if m is not None:
            tokens.append(Token("name", m.group(), i))
            i = m.end()
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                tokens.append(Token("op", op, i))
                i += len(op)
                break
        else:
            raise fail(f"unexpected character {ch!r}", i)
    tokens.append(Token("eof", "", n))
    return tokens


def _read_string(
    text: str, start: int, fail: Callable[[str, int], FeelSyntaxError]
) -> tuple[str, int]:
    parts: list[str] = []
    i = start + 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return "".join(parts), i + 1
        if ch == "\\":
            if i + 1 >= n:
                break
            esc = text[i + 1]
            if esc == "u":
                digits = text[i + 2 : i + 6]
                if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise fail("invalid \\u escape in string", i)
                code = int(digits, 16)
                i += 6
                # Join UTF-16 surrogate pairs, as JSON-style escapes encode astral characters.
                if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", i):
                    low_digits = text[i + 2 : i + 6]
                    if len(low_digits) == 4 and all(
                        c in "0123456789abcdefABCDEF" for c in low_digits
                    ):
                        low = int(low_digits, 16)
                        if 0xDC00 <= low <= 0xDFFF:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                parts.append(chr(code))
                continue
            if esc not in _ESCAPES:
                raise fail(f"invalid escape \\{esc} in string", i)
            parts.append(_ESCAPES[esc])
            i += 2
            continue
        parts.append(ch)
        i += 1
    raise fail("unterminated string", start)
