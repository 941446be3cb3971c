"""Configuration of the Camunda 7 adapter: a frozen dataclass, also read from the environment."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, get_args
from urllib.parse import urlsplit

from bpmn_bridge.adapters._camunda7_variables import MAX_STRING_LENGTH, DocumentType
from bpmn_bridge.core import ConfigurationError

__all__ = ["Camunda7Config"]


def _default_worker_id() -> str:
    return f"bpmn-bridge-{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Camunda7Config:
    """How to reach one Camunda 7 engine's REST API.

    Attributes:
        base_url: The REST root, e.g. ``http://localhost:8080/engine-rest``.
        worker_id: The lock holder's name when a fetch names no worker.
        username: Basic auth user; set together with ``password``.
        password: Basic auth password.
        token: Bearer token (OAuth, an API gateway); excludes basic auth.
        tenant_ids: Tenants to fetch for when a fetch names none; None means all.
        name: The engine's name in logs, metrics and ``JobInfo.engine``.
        connect_timeout: Time to open a connection.
        request_timeout: Time for one answer; a long poll gets this on top of its wait.
        max_connections: Connections in the pool. Each long poll holds one while it waits,
            so allow more than the number of connectors polling at once.
        use_priority: Fetch higher-priority tasks first.
        document_type: How dicts and lists go out: ``"Json"`` (exact text, Spin JSON in
            the engine) or ``"Object"`` (JSON-serialized ``java.util.LinkedHashMap`` /
            ``ArrayList``, readable in JUEL as ``${order.total}``).
        max_string_length: Longer strings go out as a JSON-serialized ``java.lang.String``
            Object: the engine's text column holds 4000 characters (2000 on Oracle).
    """

    base_url: str
    worker_id: str = field(default_factory=_default_worker_id)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    tenant_ids: tuple[str, ...] | None = None
    name: str = "camunda7"
    connect_timeout: timedelta = timedelta(seconds=5)
    request_timeout: timedelta = timedelta(seconds=30)
    max_connections: int = 20
    use_priority: bool = True
    document_type: DocumentType = "Json"
    max_string_length: int = MAX_STRING_LENGTH

    def __post_init__(self) -> None:
        if not _is_http_url(self.base_url):
            raise ConfigurationError(
                f"Camunda 7 base_url must be an http(s) URL such as "
                f"http://localhost:8080/engine-rest, got {self.base_url!r}"
            )
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if not self.worker_id:
            raise ConfigurationError("Camunda 7 worker_id must not be empty")
        if (self.username is None) != (self.password is None):
            raise ConfigurationError("Camunda 7 basic auth needs both username and password")
        if self.token is not None and self.username is not None:
            raise ConfigurationError("Camunda 7 auth is basic or bearer token, not both")
        if self.tenant_ids is not None:
            object.__setattr__(self, "tenant_ids", tuple(self.tenant_ids))
        for label, duration in (
            ("connect_timeout", self.connect_timeout),
            ("request_timeout", self.request_timeout),
        ):
            if duration <= timedelta(0):
                raise ConfigurationError(f"Camunda 7 {label} must be positive, got {duration}")
        if self.max_connections < 1:
            raise ConfigurationError("Camunda 7 max_connections must be at least 1")
        if self.document_type not in get_args(DocumentType):
            raise ConfigurationError(
                f"Camunda 7 document_type must be 'Json' or 'Object', got {self.document_type!r}"
            )
        if self.max_string_length < 1:
            raise ConfigurationError("Camunda 7 max_string_length must be at least 1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Camunda7Config:
        """Read the configuration from environment variables.

        ``CAMUNDA7_URL`` (or ``CAMUNDA_BPM_URL``) is required; optional are
        ``CAMUNDA7_WORKER_ID``, ``CAMUNDA7_USERNAME`` + ``CAMUNDA7_PASSWORD`` or
        ``CAMUNDA7_TOKEN``, ``CAMUNDA7_TENANT_IDS`` (comma-separated), ``CAMUNDA7_NAME``,
        ``CAMUNDA7_CONNECT_TIMEOUT`` / ``CAMUNDA7_REQUEST_TIMEOUT`` (seconds),
        ``CAMUNDA7_MAX_CONNECTIONS``, ``CAMUNDA7_USE_PRIORITY`` (true/false),
        ``CAMUNDA7_DOCUMENT_TYPE`` (Json/Object) and ``CAMUNDA7_MAX_STRING_LENGTH``.

        Args:
            environ: The environment; ``os.environ`` when None.

        Returns:
            The configuration.

        Raises:
            ConfigurationError: A variable is missing or invalid; the message names it.
        """
        env = os.environ if environ is None else environ

        def text(key: str) -> str | None:
            value = env.get(key, "").strip()
            return value or None

        url_key = "CAMUNDA7_URL" if text("CAMUNDA7_URL") else "CAMUNDA_BPM_URL"
        url = text(url_key)
        if url is None:
            raise ConfigurationError(
                "CAMUNDA7_URL (or CAMUNDA_BPM_URL) is not set; "
                "e.g. CAMUNDA7_URL=http://localhost:8080/engine-rest"
            )
        if not _is_http_url(url):
            raise ConfigurationError(
                f"{url_key} must be an http(s) URL such as http://localhost:8080/engine-rest, "
                f"got {url!r}"
            )
        username, password = text("CAMUNDA7_USERNAME"), env.get("CAMUNDA7_PASSWORD")
        if username is not None and not password:
            raise ConfigurationError("CAMUNDA7_PASSWORD is not set but CAMUNDA7_USERNAME is")
        if username is None and password:
            raise ConfigurationError("CAMUNDA7_USERNAME is not set but CAMUNDA7_PASSWORD is")
        token = text("CAMUNDA7_TOKEN")
        if token is not None and username is not None:
            raise ConfigurationError(
                "CAMUNDA7_TOKEN and CAMUNDA7_USERNAME are both set; choose bearer or basic auth"
            )
        tenants = text("CAMUNDA7_TENANT_IDS")
        options: dict[str, Any] = {}
        if (worker := text("CAMUNDA7_WORKER_ID")) is not None:
            options["worker_id"] = worker
        if (name := text("CAMUNDA7_NAME")) is not None:
            options["name"] = name
        for key, option in (
            ("CAMUNDA7_CONNECT_TIMEOUT", "connect_timeout"),
            ("CAMUNDA7_REQUEST_TIMEOUT", "request_timeout"),
        ):
            if (raw := text(key)) is not None:
                options[option] = timedelta(seconds=_number(key, raw, float))
        for key, option in (
            ("CAMUNDA7_MAX_CONNECTIONS", "max_connections"),
            ("CAMUNDA7_MAX_STRING_LENGTH", "max_string_length"),
        ):
            if (raw := text(key)) is not None:
                options[option] = _number(key, raw, int)
        if (raw := text("CAMUNDA7_USE_PRIORITY")) is not None:
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ConfigurationError(
                    f"CAMUNDA7_USE_PRIORITY must be true or false, got {raw!r}"
                )
            options["use_priority"] = raw.lower() in ("true", "1", "yes")
        if (raw := text("CAMUNDA7_DOCUMENT_TYPE")) is not None:
            if raw not in get_args(DocumentType):
                raise ConfigurationError(
                    f"CAMUNDA7_DOCUMENT_TYPE must be Json or Object, got {raw!r}"
                )
            options["document_type"] = raw
        if tenants is not None:
            options["tenant_ids"] = tuple(t.strip() for t in tenants.split(",") if t.strip())
        return cls(
            base_url=url,
            username=username,
            password=password if username is not None else None,
            token=token,
            **options,
        )


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _number(key: str, raw: str, kind: Callable[[str], float]) -> Any:
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{key} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{key} must be positive, got {raw!r}")
    return value
