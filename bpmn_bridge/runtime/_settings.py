"""Worker settings from flags, the environment and a config file, validated in one place.

Every setting has one name, an environment variable's: Camunda's own where one exists
(``ZEEBE_ADDRESS``, ``ZEEBE_CLIENT_ID``, ...), ``CAMUNDA7_*`` for Camunda 7 and
``BPMN_BRIDGE_*`` for the worker. A config file is a TOML table of the same names; the
environment overrides the file and command-line flags override both. Errors name the
variable (and the file) so an operator knows what to fix.
"""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from bpmn_bridge.core import ConfigurationError, parse_duration

__all__ = ["ENGINES", "KNOWN_SETTINGS", "WorkerSettings", "merge_sources", "unknown_settings"]

ENGINES = ("zeebe", "camunda8-rest", "camunda7")
# Every setting with one of the prefixes below (docs/configuration.md lists each; a test keeps
# the two the same). A name with such a prefix that is not here is most likely misspelt.
KNOWN_SETTINGS = frozenset(
    {
        "BPMN_BRIDGE_BUILTIN",
        "BPMN_BRIDGE_CONNECTORS",
        "BPMN_BRIDGE_ENGINES",
        "BPMN_BRIDGE_ENTRY_POINTS",
        "BPMN_BRIDGE_EXTERNAL_TASKS",
        "BPMN_BRIDGE_GRACE_PERIOD",
        "BPMN_BRIDGE_HTTP_ALLOW_CA_BUNDLE_PATH",
        "BPMN_BRIDGE_HTTP_ALLOW_INSECURE_TLS",
        "BPMN_BRIDGE_HTTP_ALLOW_LINK_LOCAL",
        "BPMN_BRIDGE_HTTP_BLOCKED_HOSTS",
        "BPMN_BRIDGE_HTTP_BLOCKED_PORTS",
        "BPMN_BRIDGE_HTTP_BLOCKED_URLS",
        "BPMN_BRIDGE_HTTP_MAX_RESPONSE_BYTES",
        "BPMN_BRIDGE_LEASE",
        "BPMN_BRIDGE_LOG_FORMAT",
        "BPMN_BRIDGE_LOG_LEVEL",
        "BPMN_BRIDGE_LONG_POLL",
        "BPMN_BRIDGE_OPS_HOST",
        "BPMN_BRIDGE_OPS_PORT",
        "BPMN_BRIDGE_SECRETS_BARE_NAMES",
        "BPMN_BRIDGE_SECRETS_DIR",
        "BPMN_BRIDGE_SECRETS_ENV_PREFIX",
        "BPMN_BRIDGE_WORKER_NAME",
        "CAMUNDA7_CONNECT_TIMEOUT",
        "CAMUNDA7_DOCUMENT_TYPE",
        "CAMUNDA7_MAX_CONNECTIONS",
        "CAMUNDA7_MAX_STRING_LENGTH",
        "CAMUNDA7_NAME",
        "CAMUNDA7_PASSWORD",
        "CAMUNDA7_REQUEST_TIMEOUT",
        "CAMUNDA7_TENANT_IDS",
        "CAMUNDA7_TOKEN",
        "CAMUNDA7_URL",
        "CAMUNDA7_USERNAME",
        "CAMUNDA7_USE_PRIORITY",
        "CAMUNDA7_WORKER_ID",
        "ZEEBE_ADDRESS",
        "ZEEBE_AUTHORIZATION_SERVER_URL",
        "ZEEBE_CA_CERTIFICATE_PATH",
        "ZEEBE_CLIENT_ID",
        "ZEEBE_CLIENT_SECRET",
        "ZEEBE_INSECURE_CONNECTION",
        "ZEEBE_TENANT_IDS",
        "ZEEBE_TOKEN_AUDIENCE",
        "ZEEBE_TOKEN_SCOPE",
    }
)
_PREFIXES = ("ZEEBE_", "CAMUNDA7_", "BPMN_BRIDGE_")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_OFF = {"off", "false", "no", "none"}  # the ops endpoint; "0" is a free port, not off


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """What ``bpmn-bridge run`` needs beyond each engine's own configuration.

    Attributes:
        engines: ``zeebe`` (Camunda 8 over gRPC), ``camunda8-rest`` (Camunda 8 over its REST
            API), ``camunda7``, or several (``BPMN_BRIDGE_ENGINES``).
        connectors: ``module:attribute`` references (``BPMN_BRIDGE_CONNECTORS``): connectors
            or pyzeebe apps.
        external_tasks: ``TOPIC=module:attribute`` handlers written for
            camunda-external-task-client-python3 (``BPMN_BRIDGE_EXTERNAL_TASKS``).
        builtin_connectors: Serve the built-in connectors too (``BPMN_BRIDGE_BUILTIN``).
        entry_points: Load connectors from installed entry points (``BPMN_BRIDGE_ENTRY_POINTS``).
        worker_name: Lease holder name (``BPMN_BRIDGE_WORKER_NAME``).
        lease / long_poll / grace_period: ISO-8601 durations (``BPMN_BRIDGE_LEASE``...).
        ops_host / ops_port: Health and metrics endpoint; port ``0`` picks a free port,
            ``off`` disables the endpoint.
        log_format / log_level: ``text`` or ``json``; a logging level name.
        secrets_env_prefix: Secrets come from variables with this prefix
            (``BPMN_BRIDGE_SECRETS_ENV_PREFIX``, default ``SECRET_``; a prefix keeps a
            diagram from naming the worker's own credentials as a secret).
        secrets_dir: A directory of secret files (``BPMN_BRIDGE_SECRETS_DIR``).
        bare_secret_names: Resolve a whole value ``secrets.NAME`` too
            (``BPMN_BRIDGE_SECRETS_BARE_NAMES``, default false).
    """

    engines: tuple[str, ...]
    connectors: tuple[str, ...] = ()
    external_tasks: tuple[str, ...] = ()
    builtin_connectors: bool = False
    entry_points: bool = True
    worker_name: str | None = None
    lease: timedelta = timedelta(seconds=60)
    long_poll: timedelta = timedelta(seconds=20)
    grace_period: timedelta = timedelta(seconds=30)
    ops_host: str = "127.0.0.1"
    ops_port: int | None = 9600
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    secrets_env_prefix: str = "SECRET_"
    secrets_dir: str | None = None
    bare_secret_names: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkerSettings:
        """Read and validate the worker settings.

        Raises:
            ConfigurationError: A setting is missing or invalid; names the variable.
        """
        engines = _names(env, "BPMN_BRIDGE_ENGINES")
        if not engines:
            raise ConfigurationError(
                "BPMN_BRIDGE_ENGINES is not set: choose zeebe (Camunda 8 over gRPC), "
                "camunda8-rest (Camunda 8 over REST), camunda7, or several "
                "(flag --engine, repeatable)"
            )
        for engine in engines:
            if engine not in ENGINES:
                raise ConfigurationError(
                    f"BPMN_BRIDGE_ENGINES: unknown engine {engine!r}; use zeebe, "
                    "camunda8-rest or camunda7"
                )
        ops = _text(env, "BPMN_BRIDGE_OPS_PORT")
        log_level = (_text(env, "BPMN_BRIDGE_LOG_LEVEL") or "INFO").upper()
        if log_level not in logging.getLevelNamesMapping():
            raise ConfigurationError(
                f"BPMN_BRIDGE_LOG_LEVEL must be a logging level such as DEBUG, INFO, WARNING "
                f"or ERROR, got {log_level!r}"
            )
        prefix = env.get("BPMN_BRIDGE_SECRETS_ENV_PREFIX", "SECRET_")
        if not prefix.strip():
            raise ConfigurationError(
                "BPMN_BRIDGE_SECRETS_ENV_PREFIX must not be empty: every environment variable, "
                "the engine credentials included, would be a secret a diagram can name"
            )
        log_format = _text(env, "BPMN_BRIDGE_LOG_FORMAT") or "text"
        if log_format not in ("text", "json"):
            raise ConfigurationError(
                f"BPMN_BRIDGE_LOG_FORMAT must be text or json, got {log_format!r}"
            )
        return cls(
            engines=tuple(dict.fromkeys(engines)),
            connectors=tuple(_names(env, "BPMN_BRIDGE_CONNECTORS")),
            external_tasks=tuple(_names(env, "BPMN_BRIDGE_EXTERNAL_TASKS")),
            builtin_connectors=_flag(env, "BPMN_BRIDGE_BUILTIN", False),
            entry_points=_flag(env, "BPMN_BRIDGE_ENTRY_POINTS", True),
            worker_name=_text(env, "BPMN_BRIDGE_WORKER_NAME"),
            lease=_duration(env, "BPMN_BRIDGE_LEASE", timedelta(seconds=60)),
            long_poll=_duration(env, "BPMN_BRIDGE_LONG_POLL", timedelta(seconds=20)),
            grace_period=_duration(env, "BPMN_BRIDGE_GRACE_PERIOD", timedelta(seconds=30)),
            ops_host=_text(env, "BPMN_BRIDGE_OPS_HOST") or "127.0.0.1",
            ops_port=None if ops is not None and ops.lower() in _OFF else _port(ops),
            log_format="json" if log_format == "json" else "text",
            log_level=log_level,
            secrets_env_prefix=prefix,
            secrets_dir=_text(env, "BPMN_BRIDGE_SECRETS_DIR"),
            bare_secret_names=_flag(env, "BPMN_BRIDGE_SECRETS_BARE_NAMES", False),
        )


def merge_sources(
    *,
    config_file: str | os.PathLike[str] | None,
    environ: Mapping[str, str],
    overrides: Mapping[str, str],
) -> dict[str, str]:
    """One mapping of setting names: the file, then the environment, then flags.

    Raises:
        ConfigurationError: The file is missing, not TOML, or has a value that is not a
            string, number, boolean or list of strings; names the file and key.
    """
    merged: dict[str, str] = {}
    if config_file is not None:
        merged.update(_read_file(Path(config_file)))
    merged.update(environ)
    merged.update(overrides)
    return merged


def _read_file(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"Config file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigurationError(f"Config file {path} is a directory, not a TOML file") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"Config file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigurationError(
            f"Config file {path} cannot be read: {exc.strerror or type(exc).__name__}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"Config file {path} is not valid TOML: {exc}") from None
    values: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, bool):
            values[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            values[key] = str(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            values[key] = ",".join(value)
        else:
            raise ConfigurationError(
                f"Config file {path}: {key} must be a string, number, boolean or list of "
                f"strings, got {type(value).__name__}"
            )
    return values


def _text(env: Mapping[str, str], key: str) -> str | None:
    value = env.get(key, "").strip()
    return value or None


def _names(env: Mapping[str, str], key: str) -> Sequence[str]:
    value = _text(env, key)
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


def _flag(env: Mapping[str, str], key: str, default: bool) -> bool:
    value = _text(env, key)
    if value is None:
        return default
    if value.lower() not in _TRUE | _FALSE:
        raise ConfigurationError(f"{key} must be true or false, got {value!r}")
    return value.lower() in _TRUE


def _duration(env: Mapping[str, str], key: str, default: timedelta) -> timedelta:
    value = _text(env, key)
    if value is None:
        return default
    try:
        duration = parse_duration(value)
    except ValueError as exc:
        raise ConfigurationError(f"{key}: {exc}") from None
    if duration <= timedelta(0):
        raise ConfigurationError(f"{key} must be positive, got {value!r}")
    return duration


def _port(value: str | None) -> int:
    if value is None:
        return 9600
    try:
        port = int(value)
    except ValueError:
        raise ConfigurationError(
            f"BPMN_BRIDGE_OPS_PORT must be a port number (0: a free one) or off, got {value!r}"
        ) from None
    if not 0 <= port < 65536:
        raise ConfigurationError(f"BPMN_BRIDGE_OPS_PORT out of range: {port}")
    return port


def unknown_settings(env: Mapping[str, str]) -> list[str]:
    """One warning per unknown ``ZEEBE_*``, ``CAMUNDA7_*`` or ``BPMN_BRIDGE_*`` name in ``env``.

    Such a name is ignored; it is most likely a misspelt setting, so each warning names the
    closest known one.

    Args:
        env: The merged settings (file, environment, flags).

    Returns:
        The warnings, by name, e.g. ``"ZEEBE_INSECURE is not a setting; did you mean
        ZEEBE_INSECURE_CONNECTION?"``.
    """
    warnings = []
    for name in sorted(env):
        if not name.startswith(_PREFIXES) or name in KNOWN_SETTINGS:
            continue
        prefix = next(p for p in _PREFIXES if name.startswith(p))
        rest = name.removeprefix(prefix)
        known = {k.removeprefix(prefix): k for k in KNOWN_SETTINGS if k.startswith(prefix)}
        # a part of a known name (ZEEBE_INSECURE), or a known name inside it (..._BASE_URL)
        close = sorted(k for k in known if len(rest) >= 3 and (rest in k or k in rest))
        if not close:
            close = difflib.get_close_matches(rest, list(known), n=1, cutoff=0.6)
        close = [known[k] for k in close[:1]]
        hint = f"did you mean {close[0]}?" if close else "see docs/configuration.md"
        warnings.append(f"{name} is not a setting of bpmn-bridge and is ignored; {hint}")
    return warnings
