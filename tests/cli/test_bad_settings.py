"""Every bad setting of ``bpmn-bridge run`` is one line naming it and exit code 2.

Also: ``BPMN_BRIDGE_OPS_PORT=0`` is a free port (``off`` turns the endpoint off), an empty
secrets prefix is refused, and the engines' own credentials never show in
``/health/ready`` or a log line.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import anyio
import httpx
import pytest

from bpmn_bridge.cli import main
from bpmn_bridge.runtime import Metrics, OpsServer
from bpmn_bridge.runtime._cli import build_runtime
from bpmn_bridge.runtime._settings import WorkerSettings

BASE = {
    "BPMN_BRIDGE_ENGINES": "camunda7",
    "CAMUNDA7_URL": "http://127.0.0.1:1/engine-rest",
    "BPMN_BRIDGE_CONNECTORS": "tests.scenarios.connectors:charge",
    "BPMN_BRIDGE_ENTRY_POINTS": "false",
}


def _run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    *args: str,
) -> tuple[int, str]:
    for name in [*BASE, "BPMN_BRIDGE_LOG_LEVEL", "BPMN_BRIDGE_OPS_HOST"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in {**BASE, **env}.items():
        monkeypatch.setenv(name, value)
    code = main(["run", *args])
    return code, capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BPMN_BRIDGE_LOG_LEVEL": "LOUD"}, "BPMN_BRIDGE_LOG_LEVEL"),
        ({"BPMN_BRIDGE_OPS_HOST": "no-such-host.invalid"}, "BPMN_BRIDGE_OPS_HOST"),
        ({"BPMN_BRIDGE_SECRETS_ENV_PREFIX": ""}, "BPMN_BRIDGE_SECRETS_ENV_PREFIX"),
        ({"BPMN_BRIDGE_HTTP_BLOCKED_PORTS": "http"}, "BPMN_BRIDGE_HTTP_BLOCKED_PORTS"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    named: str,
) -> None:
    code, err = _run(monkeypatch, capsys, env)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in err


@pytest.mark.parametrize("content", [None, b"\xff\xfe not utf-8 = 1\n"])
def test_a_bad_config_file_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: bytes | None,
) -> None:
    path = tmp_path / "worker.toml"
    if content is None:
        path.mkdir()  # a directory where the file should be
    else:
        path.write_bytes(content)
    code, err = _run(monkeypatch, capsys, {}, "--config", str(path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and str(path) in err and "Traceback" not in err


def test_ops_port_0_is_a_free_port_and_off_turns_it_off() -> None:
    assert WorkerSettings.from_env({**BASE, "BPMN_BRIDGE_OPS_PORT": "0"}).ops_port == 0
    assert WorkerSettings.from_env({**BASE, "BPMN_BRIDGE_OPS_PORT": "off"}).ops_port is None


async def test_engine_credentials_stay_out_of_health_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = "c7-pa55word-in-url"
    env = {**BASE, "CAMUNDA7_URL": f"http://worker:{password}@127.0.0.1:{free_port()}/engine-rest"}
    caplog.set_level(logging.INFO)
    _, runtime = build_runtime(env)
    metrics = Metrics()
    async with runtime, OpsServer(runtime, metrics) as ops, httpx.AsyncClient() as http:
        body = ""
        with anyio.fail_after(20):
            while "error" not in body.lower() or '"last_error": ""' in body:
                body = (await http.get(f"{ops.url}/health/ready")).text
                await anyio.sleep(0.2)
    assert password not in body
    assert password not in caplog.text
