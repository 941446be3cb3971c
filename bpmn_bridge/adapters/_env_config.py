"""What the Camunda 8 configurations (gRPC and REST) share when read from the environment.

A field check raises `InvalidField` naming the field; ``from_env`` builds the configuration
with `construct`, which re-raises it naming the environment variable instead, so a user who
set ``ZEEBE_CLIENT_SECRET`` reads about that variable, not about ``client_secret``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from bpmn_bridge.core import ConfigurationError

_Config = TypeVar("_Config")


class InvalidField(ConfigurationError):
    """One field of a configuration is invalid; subclasses name the configuration."""

    config_name: ClassVar[str] = "config"

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{self.config_name}.{field_name}: {problem}")
        self.field_name = field_name
        self.problem = problem


def env_reader(environ: Mapping[str, str], names: Mapping[str, str]) -> Callable[[str], str | None]:
    """A reader of one field's variable: stripped, and None when unset or empty."""

    def get(field_name: str) -> str | None:
        value = environ.get(names[field_name], "").strip()
        return value or None

    return get


def parse_tenant_ids(variable: str, text: str | None) -> tuple[str, ...]:
    """The comma-separated tenant ids of ``variable``; an empty one is refused by name."""
    ids = tuple(t.strip() for t in text.split(",")) if text else ()
    if any(not t for t in ids):
        raise ConfigurationError(f"{variable}: {text!r} has an empty tenant id")
    return ids


def construct(
    cls: Callable[..., _Config], kwargs: Mapping[str, Any], names: Mapping[str, str]
) -> _Config:
    """``cls(**kwargs)``, with a field's `InvalidField` re-raised naming its variable."""
    try:
        return cls(**kwargs)
    except InvalidField as exc:
        variable = names.get(exc.field_name, exc.field_name)
        raise ConfigurationError(f"{variable}: {exc.problem}") from None
