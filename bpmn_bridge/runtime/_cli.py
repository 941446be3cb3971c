"""``bpmn-bridge run``: serve connectors on Camunda 8, Camunda 7, or both at once."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
import urllib.parse
from collections.abc import Mapping
from typing import Any

import anyio

from bpmn_bridge.adapters import (
    Camunda7Adapter,
    Camunda7Config,
    Camunda8RestAdapter,
    Camunda8RestConfig,
    EngineAdapter,
    ZeebeAdapter,
    ZeebeConfig,
)
from bpmn_bridge.core import (
    ChainSecretProvider,
    ConfigurationError,
    ConnectorSpec,
    DirectorySecretProvider,
    EnvSecretProvider,
    SecretProvider,
    get_spec,
)
from bpmn_bridge.runtime._discovery import (
    ENTRY_POINT_GROUP,
    discover_connectors,
    load_external_task,
)
from bpmn_bridge.runtime._heap import tune_worker_gc
from bpmn_bridge.runtime._logging import configure_logging
from bpmn_bridge.runtime._metrics import Metrics
from bpmn_bridge.runtime._ops import OpsServer
from bpmn_bridge.runtime._runtime import Runtime
from bpmn_bridge.runtime._settings import (
    ENGINES,
    WorkerSettings,
    merge_sources,
    unknown_settings,
)

__all__ = ["add_arguments", "build_runtime", "run"]

log = logging.getLogger("bpmn_bridge.runtime")

# flag → the setting (environment variable name) it overrides
_FLAG_SETTINGS = {
    "worker_name": "BPMN_BRIDGE_WORKER_NAME",
    "zeebe_address": "ZEEBE_ADDRESS",
    "camunda7_url": "CAMUNDA7_URL",
    "camunda_rest_address": "CAMUNDA_REST_ADDRESS",
    "ops_port": "BPMN_BRIDGE_OPS_PORT",
    "log_format": "BPMN_BRIDGE_LOG_FORMAT",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bpmn-bridge run``."""
    parser.add_argument("--config", metavar="FILE", help="TOML file of settings")
    parser.add_argument(
        "--engine",
        action="append",
        choices=ENGINES,
        help="engine to serve: zeebe (Camunda 8 over gRPC), camunda8-rest (Camunda 8 over "
        "its REST API), camunda7; repeatable",
    )
    parser.add_argument(
        "--connector",
        action="append",
        metavar="MODULE:ATTR",
        help="connector(s) or a pyzeebe router/worker to serve",
    )
    parser.add_argument(
        "--external-task",
        action="append",
        metavar="TOPIC=MODULE:ATTR",
        help="an external-task client handler to serve on TOPIC (repeatable)",
    )
    parser.add_argument("--builtin", action="store_true", help="serve the built-in connectors")
    parser.add_argument("--zeebe-address", help="Zeebe gateway host:port (ZEEBE_ADDRESS)")
    parser.add_argument(
        "--zeebe-insecure", action="store_true", help="plaintext gRPC (local gateways)"
    )
    parser.add_argument(
        "--camunda-rest-address",
        help="Camunda 8 REST API root, e.g. http://localhost:8080 (CAMUNDA_REST_ADDRESS)",
    )
    parser.add_argument("--camunda7-url", help="Camunda 7 REST base URL (CAMUNDA7_URL)")
    parser.add_argument("--worker-name", help="worker name recorded by the engines")
    parser.add_argument("--ops-port", help="health/metrics port (0: a free one), or off")
    parser.add_argument("--log-format", choices=("text", "json"))


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    overrides = {
        setting: str(getattr(args, flag))
        for flag, setting in _FLAG_SETTINGS.items()
        if getattr(args, flag, None) is not None
    }
    if args.engine:
        overrides["BPMN_BRIDGE_ENGINES"] = ",".join(args.engine)
    if args.connector:
        overrides["BPMN_BRIDGE_CONNECTORS"] = ",".join(args.connector)
    if getattr(args, "external_task", None):
        overrides["BPMN_BRIDGE_EXTERNAL_TASKS"] = ",".join(args.external_task)
    if args.builtin:
        overrides["BPMN_BRIDGE_BUILTIN"] = "true"
    if args.zeebe_insecure:
        overrides["ZEEBE_INSECURE_CONNECTION"] = "true"
    return overrides


def build_runtime(
    env: Mapping[str, str], *, hooks: tuple[Any, ...] = ()
) -> tuple[WorkerSettings, Runtime]:
    """Build a runtime from merged settings (see :mod:`bpmn_bridge.runtime._settings`).

    Raises:
        ConfigurationError: A setting is missing or invalid, or no connector was found.
    """
    settings = WorkerSettings.from_env(env)
    specs = discover_connectors(
        settings.connectors,
        entry_point_group=ENTRY_POINT_GROUP if settings.entry_points else None,
    )
    specs.extend(load_external_task(assignment) for assignment in settings.external_tasks)
    if settings.builtin_connectors:
        from bpmn_bridge.connectors import BUILTIN_CONNECTORS

        specs.extend(get_spec(c) for c in BUILTIN_CONNECTORS if get_spec(c) not in specs)
    if not specs:
        raise ConfigurationError(
            "No connectors to serve: name them with --connector MODULE:ATTR "
            "(BPMN_BRIDGE_CONNECTORS), --external-task TOPIC=MODULE:ATTR, --builtin, or "
            "install a package with entry points in "
            f"'{ENTRY_POINT_GROUP}'"
        )
    engines: list[EngineAdapter] = []
    if "zeebe" in settings.engines:
        engines.append(ZeebeAdapter(ZeebeConfig.from_env(env)))
    if "camunda8-rest" in settings.engines:
        engines.append(Camunda8RestAdapter(Camunda8RestConfig.from_env(env)))
    if "camunda7" in settings.engines:
        engines.append(Camunda7Adapter(Camunda7Config.from_env(env)))
    runtime = Runtime(
        connectors=list[ConnectorSpec](specs),
        engines=engines,
        secrets=_secrets(settings, env),
        worker_name=settings.worker_name,
        lease=settings.lease,
        long_poll=settings.long_poll,
        grace_period=settings.grace_period,
        hooks=hooks,
        bare_secret_names=settings.bare_secret_names,
    )
    # The engines' own credentials are secrets too: never in a log line or /health/ready.
    runtime.masker.add(*_engine_credentials(env))
    # The built-in HTTP connectors' egress policy; validated even when they are not served,
    # so a mistyped setting is an error rather than a policy silently not in force.
    from bpmn_bridge.connectors import HttpPolicy, set_http_policy

    set_http_policy(HttpPolicy.from_env(env))
    return settings, runtime


def _engine_credentials(env: Mapping[str, str]) -> list[str]:
    values = [
        env.get(name, "")
        for name in (
            "ZEEBE_CLIENT_SECRET",
            "CAMUNDA_CLIENT_SECRET",
            "CAMUNDA_BASIC_AUTH_PASSWORD",
            "CAMUNDA7_PASSWORD",
            "CAMUNDA7_TOKEN",
        )
    ]
    url = env.get("CAMUNDA7_URL", "")
    with contextlib.suppress(ValueError):
        parts = urllib.parse.urlsplit(url)
        values += [parts.password or "", urllib.parse.unquote(parts.password or "")]
    return [value for value in values if len(value) >= 3]


def _secrets(settings: WorkerSettings, env: Mapping[str, str]) -> SecretProvider:
    providers: list[SecretProvider] = [EnvSecretProvider(settings.secrets_env_prefix, env)]
    if settings.secrets_dir:
        providers.append(DirectorySecretProvider(settings.secrets_dir))
    return ChainSecretProvider(*providers)


def run(args: argparse.Namespace) -> int:
    """``bpmn-bridge run``: serve until SIGTERM/SIGINT, drain, hand back what is left."""
    env = merge_sources(config_file=args.config, environ=os.environ, overrides=_overrides(args))
    metrics = Metrics()
    settings, runtime = build_runtime(env, hooks=(metrics,))
    if settings.ops_port is not None:
        try:
            socket.getaddrinfo(settings.ops_host, settings.ops_port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise ConfigurationError(
                f"BPMN_BRIDGE_OPS_HOST: cannot listen on {settings.ops_host!r}: "
                f"{exc.strerror or exc}"
            ) from None
    # The worker process's root logger is ours. ``bpmn-bridge`` installs a plain handler for
    # sub-commands that configure no logging; left in place it printed every line a second
    # time, unmasked: secrets in third-party log lines, and text among the JSON lines.
    for handler in logging.getLogger().handlers[:]:
        logging.getLogger().removeHandler(handler)
    configure_logging(runtime.masker, level=settings.log_level, format=settings.log_format)
    for warning in unknown_settings(env):
        log.warning("%s", warning)
    tune_worker_gc()  # the process is the worker's: see the function
    try:
        anyio.run(_serve, settings, runtime, metrics)
    except BaseExceptionGroup as group:
        # e.g. the ops port is taken: one line naming the setting, not a traceback
        _, problems = group.split(lambda exc: not isinstance(exc, ConfigurationError))
        if problems is not None and len(problems.exceptions) == len(group.exceptions):
            raise problems.exceptions[0] from None
        raise
    return 0


async def _serve(settings: WorkerSettings, runtime: Runtime, metrics: Metrics) -> None:
    async with anyio.create_task_group() as group:
        group.start_soon(_stop_on_signal, runtime, group.cancel_scope)
        if settings.ops_port is not None:
            ops = OpsServer(runtime, metrics, host=settings.ops_host, port=settings.ops_port)
            try:
                await ops.__aenter__()
            except OSError as exc:
                raise ConfigurationError(
                    f"BPMN_BRIDGE_OPS_PORT: cannot listen on {settings.ops_host}:"
                    f"{settings.ops_port}: {exc.strerror or exc}"
                ) from None
            log.info("Health and metrics on %s (/health/ready, /metrics)", ops.url)
        else:
            ops = None
        try:
            log.info(
                "Worker %s serving %s on %s",
                runtime.worker_name,
                ", ".join(s.type for s in runtime.connector_specs),
                ", ".join(settings.engines),
            )
            await runtime.run()
        finally:
            with anyio.CancelScope(shield=True):
                if ops is not None:
                    await ops.__aexit__(None, None, None)
                if "bpmn_bridge.connectors" in sys.modules:
                    from bpmn_bridge.connectors import aclose_http_clients

                    await aclose_http_clients()
            group.cancel_scope.cancel()


async def _stop_on_signal(runtime: Runtime, scope: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for received in signals:
            if runtime.stopping:
                log.warning("Second %s: stopping now", signal.Signals(received).name)
                scope.cancel()
                return
            log.info("%s: draining (again to stop now)", signal.Signals(received).name)
            runtime.request_stop()
