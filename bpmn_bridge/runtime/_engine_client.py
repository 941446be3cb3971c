"""``bpmn-bridge deploy`` and ``bpmn-bridge start``: the everyday loop without scripts.

Both talk to one engine chosen as ``bpmn-bridge run`` chooses it (``--engine``, or
``BPMN_BRIDGE_ENGINES`` naming exactly one) with the same settings (flags, environment,
``--config``): a Zeebe gateway over gRPC or a Camunda 7 REST API, the embedded engine's or a
real one.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import anyio
import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
import httpx
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from bpmn_bridge.adapters import Camunda7Config, ZeebeConfig
from bpmn_bridge.adapters._camunda7_variables import encode_variables
from bpmn_bridge.adapters._zeebe_config import open_channel
from bpmn_bridge.core import (
    ConfigurationError,
    EngineError,
    EngineRejectedError,
    EngineUnavailableError,
)
from bpmn_bridge.runtime._settings import merge_sources, unknown_settings

if TYPE_CHECKING:
    from pyzeebe.proto.gateway_pb2_grpc import GatewayAsyncStub

__all__ = ["add_deploy_arguments", "add_start_arguments", "deploy", "start"]

_CLIENT_ENGINES = ("zeebe", "camunda7")
_C7_ENDED = {"COMPLETED", "EXTERNALLY_TERMINATED", "INTERNALLY_TERMINATED"}


def _add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="TOML file of settings, as for run")
    parser.add_argument(
        "--engine",
        choices=_CLIENT_ENGINES,
        help="zeebe (Camunda 8 over gRPC) or camunda7; default: BPMN_BRIDGE_ENGINES when it "
        "names one engine",
    )
    parser.add_argument("--zeebe-address", help="Zeebe gateway host:port (ZEEBE_ADDRESS)")
    parser.add_argument(
        "--zeebe-insecure", action="store_true", help="plaintext gRPC (local gateways)"
    )
    parser.add_argument("--camunda7-url", help="Camunda 7 REST base URL (CAMUNDA7_URL)")


def add_deploy_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bpmn-bridge deploy``."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="BPMN diagram(s) to deploy")
    _add_engine_arguments(parser)


def add_start_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bpmn-bridge start``."""
    parser.add_argument("process_id", metavar="PROCESS_ID", help="the process's id in the BPMN")
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a start variable; VALUE is read as JSON when it is JSON, else as text (repeatable)",
    )
    parser.add_argument(
        "--wait", action="store_true", help="wait for the instance to end and print its end state"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long --wait waits (default 60)",
    )
    _add_engine_arguments(parser)


def _settings(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    # one line per request would bury the answer these commands print
    logging.getLogger("httpx").setLevel(logging.WARNING)
    overrides: dict[str, str] = {}
    if args.zeebe_address:
        overrides["ZEEBE_ADDRESS"] = args.zeebe_address
    if args.zeebe_insecure:
        overrides["ZEEBE_INSECURE_CONNECTION"] = "true"
    if args.camunda7_url:
        overrides["CAMUNDA7_URL"] = args.camunda7_url
    env = merge_sources(config_file=args.config, environ=os.environ, overrides=overrides)
    for warning in unknown_settings(env):
        logging.getLogger("bpmn_bridge.cli").warning("%s", warning)
    engine = args.engine
    if engine is None:
        named = [e.strip() for e in env.get("BPMN_BRIDGE_ENGINES", "").split(",") if e.strip()]
        if len(named) != 1:
            raise ConfigurationError(
                "say which engine: --engine zeebe or --engine camunda7 (BPMN_BRIDGE_ENGINES "
                f"names {', '.join(named) if named else 'none'})"
            )
        engine = named[0]
    if engine not in _CLIENT_ENGINES:
        raise ConfigurationError(f"--engine must be zeebe or camunda7, got {engine!r}")
    return engine, env


def parse_variables(assignments: Sequence[str]) -> dict[str, Any]:
    """``["amount=12.5", "name=Ada"]`` → ``{"amount": 12.5, "name": "Ada"}``.

    Raises:
        ConfigurationError: An assignment has no ``=`` or no name.
    """
    variables: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        if not equals or not name.strip():
            raise ConfigurationError(f"--var {assignment!r} must look like NAME=VALUE")
        try:
            variables[name.strip()] = json.loads(text)
        except ValueError:
            variables[name.strip()] = text
    return variables


def deploy(args: argparse.Namespace) -> int:
    """``bpmn-bridge deploy FILE...``: exit status 0 when every file was deployed.

    Raises:
        ConfigurationError: A file cannot be read, or a setting is wrong.
        EngineError: The engine refused the deployment or could not be reached.
    """
    engine, env = _settings(args)
    resources = []
    for name in args.files:
        try:
            resources.append((Path(name).name, Path(name).read_bytes()))
        except OSError as exc:
            raise ConfigurationError(f"cannot read {name}: {exc.strerror or exc}") from None
    lines: list[str] = anyio.run(_deploy, engine, env, resources)
    for line in lines:
        print(line)
    return 0


def start(args: argparse.Namespace) -> int:
    """``bpmn-bridge start PROCESS_ID``: 0 when started (with ``--wait``: when it completed).

    Raises:
        ConfigurationError: A variable or setting is malformed.
        EngineError: The engine refused the start or could not be reached.
    """
    engine, env = _settings(args)
    variables = parse_variables(args.var)
    code: int = anyio.run(_start, engine, env, args.process_id, variables, args.wait, args.timeout)
    return code


async def _deploy(
    engine: str, env: Mapping[str, str], resources: list[tuple[str, bytes]]
) -> list[str]:
    if engine == "zeebe":
        config = ZeebeConfig.from_env(env)
        async with _ZeebeStub(config) as stub:
            request = pb.DeployResourceRequest(
                resources=[pb.Resource(name=n, content=c) for n, c in resources]
            )
            answer = await _grpc(config, "deploy", stub.DeployResource(request))
            return [
                f"deployed {d.process.resourceName} to zeebe at {config.target}: process "
                f"{d.process.bpmnProcessId} version {d.process.version}"
                for d in answer.deployments
            ]
    c7 = Camunda7Config.from_env(env)
    lines = []
    async with _camunda7(c7) as client:
        for name, content in resources:
            answer = await _http(
                c7,
                "deploy",
                client.post(
                    "/deployment/create",
                    data={"deployment-name": name, "deploy-changed-only": "false"},
                    files={name: (name, content, "application/octet-stream")},
                ),
            )
            for definition in (answer.get("deployedProcessDefinitions") or {}).values():
                lines.append(
                    f"deployed {name} to camunda7 at {c7.base_url}: process "
                    f"{definition['key']} version {definition['version']}"
                )
    return lines


async def _start(
    engine: str,
    env: Mapping[str, str],
    process_id: str,
    variables: dict[str, Any],
    wait: bool,
    timeout: float,
) -> int:
    if engine == "zeebe":
        config = ZeebeConfig.from_env(env)
        async with _ZeebeStub(config) as stub:
            request = pb.CreateProcessInstanceRequest(
                bpmnProcessId=process_id, version=-1, variables=json.dumps(variables)
            )
            if not wait:
                created = await _grpc(config, "start", stub.CreateProcessInstance(request))
                print(f"started {process_id} on zeebe: instance {created.processInstanceKey}")
                return 0
            try:
                ended = await stub.CreateProcessInstanceWithResult(
                    pb.CreateProcessInstanceWithResultRequest(
                        request=request, requestTimeout=round(timeout * 1000)
                    ),
                    timeout=timeout + 5,
                )
            except grpc.aio.AioRpcError as exc:
                if exc.code() in (grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED):
                    print(
                        f"{process_id} on zeebe did not complete: {exc.details()} (an incident, "
                        "or a job no worker serves?)"
                    )
                    return 1
                raise _engine_error(config.target, "start", exc) from None
            print(
                f"{process_id} on zeebe: instance {ended.processInstanceKey} completed; "
                f"variables {_compact(json.loads(ended.variables or '{}'))}"
            )
            return 0
    c7 = Camunda7Config.from_env(env)
    async with _camunda7(c7) as client:
        created = await _http(
            c7,
            "start",
            client.post(
                f"/process-definition/key/{process_id}/start",
                json={"variables": encode_variables(variables)},
            ),
        )
        key = created["id"]
        if not wait:
            print(f"started {process_id} on camunda7: instance {key}")
            return 0
        return await _wait_camunda7(c7, client, process_id, key, timeout)


async def _wait_camunda7(
    config: Camunda7Config, client: httpx.AsyncClient, process_id: str, key: str, timeout: float
) -> int:
    with anyio.move_on_after(timeout):
        while True:
            incidents = await _http(
                config, "wait", client.get("/incident", params={"processInstanceId": key})
            )
            if incidents:
                first = incidents[0]
                print(
                    f"{process_id} on camunda7: instance {key} has an incident at "
                    f"{first.get('activityId')}: {first.get('incidentMessage')}"
                )
                return 1
            history = await _http(config, "wait", client.get(f"/history/process-instance/{key}"))
            state = history.get("state")
            if state in _C7_ENDED:
                rows = await _http(
                    config,
                    "wait",
                    client.get("/history/variable-instance", params={"processInstanceId": key}),
                )
                ended = {row["name"]: row.get("value") for row in rows}
                print(
                    f"{process_id} on camunda7: instance {key} {state.lower()}; variables "
                    f"{_compact(ended)}"
                )
                return 0 if state == "COMPLETED" else 1
            await anyio.sleep(0.2)
    print(f"{process_id} on camunda7: instance {key} did not end within {timeout:g} s")
    return 1


def _compact(variables: Mapping[str, Any]) -> str:
    return json.dumps(dict(sorted(variables.items())), default=str, separators=(", ", ": "))


class _ZeebeStub:
    """The gateway stub on a channel closed on exit."""

    def __init__(self, config: ZeebeConfig) -> None:
        self._config = config
        self._channel: Any = None

    async def __aenter__(self) -> GatewayAsyncStub:
        self._channel = open_channel(self._config)
        return cast("GatewayAsyncStub", GatewayStub(self._channel))

    async def __aexit__(self, *exc_info: object) -> None:
        await self._channel.close()


def _camunda7(config: Camunda7Config) -> httpx.AsyncClient:
    from bpmn_bridge.adapters.camunda7 import _auth_header

    return httpx.AsyncClient(
        base_url=config.base_url.rstrip("/"),
        headers={"Accept": "application/json", **_auth_header(config)},
        timeout=httpx.Timeout(
            config.request_timeout.total_seconds(), connect=config.connect_timeout.total_seconds()
        ),
    )


async def _grpc(config: ZeebeConfig, action: str, call: Any) -> Any:
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        raise _engine_error(config.target, action, exc) from None


def _engine_error(address: str, action: str, exc: Any) -> EngineError:
    details = (exc.details() or "").splitlines()[0] if exc.details() else exc.code().name
    if exc.code() == grpc.StatusCode.UNAVAILABLE:
        return EngineUnavailableError(
            f"zeebe at {address} cannot be reached ({details}); is the engine running, and "
            "is ZEEBE_INSECURE_CONNECTION right for it (plaintext vs TLS)?",
            engine="zeebe",
            action=action,
        )
    return EngineRejectedError(
        f"zeebe at {address} refused to {action}: {details}",
        engine="zeebe",
        action=action,
        status=exc.code().name,
    )


async def _http(config: Camunda7Config, action: str, call: Any) -> Any:
    try:
        response: httpx.Response = await call
    except httpx.HTTPError as exc:
        raise EngineUnavailableError(
            f"camunda7 at {config.base_url} cannot be reached ({type(exc).__name__}: {exc}); "
            "is the engine running at CAMUNDA7_URL?",
            engine="camunda7",
            action=action,
        ) from None
    if response.status_code >= 400:
        try:
            message = response.json().get("message") or response.text
        except ValueError:
            message = response.text
        raise EngineRejectedError(
            f"camunda7 at {config.base_url} refused to {action} ({response.status_code}): "
            f"{message}",
            engine="camunda7",
            action=action,
            status=response.status_code,
        )
    return response.json()
