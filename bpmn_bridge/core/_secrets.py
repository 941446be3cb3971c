"""Secrets: providers, placeholder replacement and masking.

A connector's input names secrets as ``{{secrets.NAME}}`` anywhere inside a string. The core
replaces them in every string of the job's fetched variables before validation, and remembers
each value it handed out so that it is masked in every log line, message and outcome the
project emits. Camunda's older form, ``secrets.NAME`` as a whole value, is resolved only when
the worker opts in (``bare_names=True``): a user typing ``secrets.DB_PASSWORD`` into a form
must not receive the password. Values nested deeper than :data:`MAX_NESTING` levels are an
input error, not a recursion deep enough to hurt the worker.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote, quote_plus

from bpmn_bridge.core._errors import InputError, SecretNotFoundError

__all__ = [
    "MAX_NESTING",
    "ChainSecretProvider",
    "DirectorySecretProvider",
    "EnvSecretProvider",
    "MappingSecretProvider",
    "SecretMasker",
    "SecretProvider",
    "resolve_secrets",
]

_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.\-]*"
_PLACEHOLDER = re.compile(r"\{\{\s*secrets\.(" + _NAME + r")\s*\}\}")
_WHOLE_VALUE = re.compile(r"^secrets\.(" + _NAME + r")$")
MASK = "****"
MAX_NESTING = 64
"""How deep job variables may nest (objects and lists); deeper input is an incident."""


@runtime_checkable
class SecretProvider(Protocol):
    """Where secret values come from."""

    def get(self, name: str) -> str | None:
        """Return the secret's value, or None when this provider does not know it."""
        ...


class MappingSecretProvider:
    """Secrets from an in-memory mapping (tests, embedding).

    Args:
        secrets: Secret names to values.
    """

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self._secrets = dict(secrets)

    def get(self, name: str) -> str | None:
        return self._secrets.get(name)


class EnvSecretProvider:
    """Secrets from environment variables, ``PREFIX`` + name.

    Args:
        prefix: Prepended to the secret's name to form the variable name, e.g. ``SECRET_``.
        environ: The environment to read; the process environment by default, read at
            lookup time so a rotated value is picked up.
    """

    def __init__(self, prefix: str = "", environ: Mapping[str, str] | None = None) -> None:
        self._prefix = prefix
        self._environ = environ

    def get(self, name: str) -> str | None:
        environ = os.environ if self._environ is None else self._environ
        return environ.get(self._prefix + name)

    def where(self, name: str) -> str:
        """Where the secret ``name`` is looked for, said as the fix for a missing one."""
        return f"set the environment variable {self._prefix}{name}"


class DirectorySecretProvider:
    """Secrets as files in a directory, one file per secret (Kubernetes / Docker layout).

    A single trailing newline is dropped, as files written by editors end with one. A file
    that cannot be read as UTF-8 text (a keystore, a file the worker may not read) raises
    :class:`ValueError` naming the secret, never the file's content; the job that asked fails
    and is retried, the worker serves on.

    Args:
        directory: The directory, e.g. ``/run/secrets``.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self._directory = Path(directory)

    def where(self, name: str) -> str:
        """Where the secret ``name`` is looked for, said as the fix for a missing one."""
        return f"put it in the file {self._directory / name}"

    def get(self, name: str) -> str | None:
        if "/" in name or "\\" in name or name.startswith("."):
            return None  # a name never reaches outside the directory
        path = self._directory / name
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except UnicodeDecodeError:
            raise ValueError(f"secret file '{name}' is not UTF-8 text") from None
        except OSError as exc:
            raise ValueError(
                f"secret file '{name}' cannot be read: {exc.strerror or type(exc).__name__}"
            ) from None
        return text[:-1] if text.endswith("\n") else text


class ChainSecretProvider:
    """Asks each provider in turn; the first that knows the secret wins.

    Args:
        providers: The providers, in order of precedence.
    """

    def __init__(self, *providers: SecretProvider) -> None:
        self._providers = providers

    def where(self, name: str) -> str:
        """Where the secret ``name`` is looked for, said as the fix for a missing one."""
        return " or ".join(filter(None, (_where(p, name) for p in self._providers)))

    def get(self, name: str) -> str | None:
        for provider in self._providers:
            value = provider.get(name)
            if value is not None:
                return value
        return None


class SecretMasker:
    """Replaces every known secret value in a text with ``****``.

    Thread-safe: sync connectors log from worker threads.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(*values)

    def add(self, *values: str) -> None:
        """Remember secret values to mask from now on (empty strings are ignored).

        Each value's percent-encoded forms are masked too: a secret in a URL's query shows
        in log lines encoded (``+``, ``/``, ``=`` and ``@`` become ``%2B``...).
        """
        fresh = {v for v in values if v and v not in self._values}
        fresh |= {e for v in fresh for e in (quote(v, safe=""), quote_plus(v)) if e != v}
        fresh -= self._values
        if fresh:
            with self._lock:
                self._values |= fresh
                # Longest first, so a secret that contains another is masked whole.
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def mask(self, text: str) -> str:
        """Return ``text`` with every known secret value replaced."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)

    def mask_value(self, value: Any) -> Any:
        """Return a JSON-like value with every string in it masked, at any depth.

        Used on what goes to the engine (error and result variables), so a secret a
        connector echoes never becomes a process variable. Dicts and lists are copied only
        when something in them changed.

        Args:
            value: A JSON-like value.

        Returns:
            The value with secrets replaced by ``****``.

        Raises:
            ValueError: The value nests deeper than four times :data:`MAX_NESTING`.
        """
        pattern = self._pattern
        if pattern is None:
            return value
        # The compiled pattern's own sub, not self.mask: a Python call less per string.
        return _mask_tree(value, functools.partial(pattern.sub, MASK), 0)

    def __contains__(self, value: object) -> bool:
        return value in self._values


def _mask_tree(value: Any, mask: Callable[[str], str], depth: int) -> Any:
    if isinstance(value, str):
        return mask(value)
    if depth > MAX_NESTING * 4:
        # deeper than anything we accept: refuse rather than let an unchecked value through
        raise ValueError(f"a value nested deeper than {MAX_NESTING * 4} levels cannot be checked")
    # Strings and scalars one level down are taken here rather than in a call each (most
    # values of most results); a scalar past the depth limit still takes the call, which
    # refuses it.
    shallow = depth < MAX_NESTING * 4
    if isinstance(value, dict):
        return {
            mask(str(k)) if isinstance(k, str) else k: mask(v)
            if type(v) is str
            else v
            if shallow and type(v) in _SCALARS
            else _mask_tree(v, mask, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [
            mask(v)
            if type(v) is str
            else v
            if shallow and type(v) in _SCALARS
            else _mask_tree(v, mask, depth + 1)
            for v in value
        ]
    return value


def resolve_secrets(
    value: Any,
    provider: SecretProvider,
    *,
    used: set[str] | None = None,
    bare_names: bool = False,
) -> Any:
    """Replace secret placeholders in every string of ``value``, up to :data:`MAX_NESTING`.

    Dicts, lists and tuples are copied; other values are returned as they are.

    Args:
        value: A JSON-like value (the job's variables).
        provider: Where secret values come from.
        used: If given, every secret value handed out is added to it (for masking).
        bare_names: Also resolve a whole value ``secrets.NAME`` (Camunda's older form);
            off by default, as any user-typed text would otherwise name a secret.

    Returns:
        The value with placeholders replaced.

    Raises:
        SecretNotFoundError: A placeholder names a secret the provider does not know; the
            error names the secret and where it stood, never a value.
        InputError: The value nests objects or lists deeper than :data:`MAX_NESTING`.
        Exception: Whatever the provider raises (an unreadable secret file...).
    """
    return _resolve(value, provider, used, "", 0, bare_names)


def _resolve(
    value: Any,
    provider: SecretProvider,
    used: set[str] | None,
    where: str,
    depth: int,
    bare: bool,
) -> Any:
    if isinstance(value, str):
        if "secrets." not in value:  # the fast path for nearly every string
            return value
        return _resolve_string(value, provider, used, where, bare)
    if isinstance(value, dict):
        if depth >= MAX_NESTING:
            raise _too_deep(where)
        # Leaves that hold no placeholder are taken as they are, without a call or a path
        # string each: that is nearly every value of nearly every job.
        return {
            k: (
                v
                if "secrets." not in v
                else _resolve_string(v, provider, used, f"{where}.{k}" if where else str(k), bare)
            )
            if type(v) is str
            else v
            if type(v) in _SCALARS
            else _resolve(v, provider, used, f"{where}.{k}" if where else str(k), depth + 1, bare)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        if depth >= MAX_NESTING:
            raise _too_deep(where)
        return [
            (
                v
                if "secrets." not in v
                else _resolve_string(v, provider, used, f"{where}[{i}]", bare)
            )
            if type(v) is str
            else v
            if type(v) in _SCALARS
            else _resolve(v, provider, used, f"{where}[{i}]", depth + 1, bare)
            for i, v in enumerate(value)
        ]
    return value


_SCALARS = frozenset({int, float, bool, type(None)})
"""Types `_resolve` returns as they are (checked exactly: a subclass takes the long way)."""


def _where(provider: SecretProvider, name: str) -> str:
    where = getattr(provider, "where", None)
    return str(where(name)) if callable(where) else ""


def _too_deep(where: str) -> InputError:
    shown = where if len(where) <= 80 else where[:77] + "..."
    return InputError(
        f"Job variables nest deeper than {MAX_NESTING} levels (at '{shown}'); "
        "flatten the data or pass it as a string"
    )


def _lookup(name: str, provider: SecretProvider, used: set[str] | None, where: str) -> str:
    secret = provider.get(name)
    if secret is None:
        raise SecretNotFoundError(name, where, _where(provider, name))
    if used is not None:
        used.add(secret)
    return secret


def _resolve_string(
    text: str, provider: SecretProvider, used: set[str] | None, where: str, bare: bool
) -> str:
    whole = _WHOLE_VALUE.match(text) if bare else None
    if whole is not None:
        return _lookup(whole.group(1), provider, used, where)
    # split, not sub with a callback: odd items are the names, in order of appearance
    parts = _PLACEHOLDER.split(text)
    for i in range(1, len(parts), 2):
        parts[i] = _lookup(parts[i], provider, used, where)
    return "".join(parts)
