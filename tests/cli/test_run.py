"""``bpmn-bridge run`` as a real process: configuration, serving both engines, SIGTERM drain."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import anyio
import httpx
import pytest

from bpmn_bridge.core import ConfigurationError
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime._cli import build_runtime
from bpmn_bridge.runtime._settings import WorkerSettings, merge_sources
from tests.support.diagrams import service_task_process
from tests.support.targets import Camunda7RestTarget, Camunda8RestTarget, DevZeebeTarget


def test_flags_override_environment_override_file(tmp_path: Path) -> None:
    config = tmp_path / "worker.toml"
    config.write_text(
        'BPMN_BRIDGE_ENGINES = ["zeebe"]\nZEEBE_ADDRESS = "file:1"\nBPMN_BRIDGE_OPS_PORT = 9700\n'
    )
    merged = merge_sources(
        config_file=config,
        environ={"ZEEBE_ADDRESS": "env:2"},
        overrides={"BPMN_BRIDGE_OPS_PORT": "off"},
    )
    assert merged["ZEEBE_ADDRESS"] == "env:2"
    settings = WorkerSettings.from_env(merged)
    assert settings.engines == ("zeebe",) and settings.ops_port is None


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "BPMN_BRIDGE_ENGINES is not set"),
        ({"BPMN_BRIDGE_ENGINES": "zeebe,camunda8"}, "unknown engine 'camunda8'"),
        ({"BPMN_BRIDGE_ENGINES": "zeebe", "BPMN_BRIDGE_LEASE": "soon"}, "BPMN_BRIDGE_LEASE"),
        ({"BPMN_BRIDGE_ENGINES": "zeebe", "BPMN_BRIDGE_OPS_PORT": "x"}, "BPMN_BRIDGE_OPS_PORT"),
        ({"BPMN_BRIDGE_ENGINES": "zeebe", "BPMN_BRIDGE_BUILTIN": "maybe"}, "BPMN_BRIDGE_BUILTIN"),
    ],
)
def test_settings_errors_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        WorkerSettings.from_env(env)


def test_engine_configuration_errors_name_the_variable() -> None:
    base = {
        "BPMN_BRIDGE_ENGINES": "zeebe,camunda7",
        "BPMN_BRIDGE_CONNECTORS": "tests.scenarios.connectors:charge",
        "BPMN_BRIDGE_ENTRY_POINTS": "false",
        "ZEEBE_ADDRESS": "localhost:26500",
    }
    with pytest.raises(ConfigurationError, match="CAMUNDA7_URL"):
        build_runtime(base)
    with pytest.raises(ConfigurationError, match="ZEEBE_ADDRESS"):
        build_runtime({**base, "ZEEBE_ADDRESS": "http://x:1", "CAMUNDA7_URL": "http://h/e"})
    with pytest.raises(ConfigurationError, match="No connectors to serve"):
        build_runtime({**base, "BPMN_BRIDGE_CONNECTORS": "", "CAMUNDA7_URL": "http://h/e"})


def test_bad_config_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("BPMN_BRIDGE_ENGINES = [1, 2]\n")
    with pytest.raises(ConfigurationError, match=r"bad\.toml: BPMN_BRIDGE_ENGINES"):
        merge_sources(config_file=bad, environ={}, overrides={})
    with pytest.raises(ConfigurationError, match="does not exist"):
        merge_sources(config_file=tmp_path / "none.toml", environ={}, overrides={})


def test_cli_reports_configuration_errors_with_exit_2() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bpmn_bridge.cli",
            "run",
            "--engine",
            "camunda7",
            "--connector",
            "tests.scenarios.connectors:charge",
        ],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("CAMUNDA", "ZEEBE"))},
    )
    assert result.returncode == 2
    assert "CAMUNDA7_URL" in result.stderr


async def test_run_serves_both_engines_and_drains_on_sigterm(tmp_path: Path) -> None:
    async with DevEngine() as dev:
        zeebe = DevZeebeTarget(dev)
        camunda7 = Camunda7RestTarget("devengine-camunda7", dev.camunda7_url)
        for target in (zeebe, camunda7):
            await target.deploy(service_task_process("run_cli", "slow", flavour=target.flavour))
        config = tmp_path / "worker.toml"
        config.write_text(
            f'BPMN_BRIDGE_ENGINES = ["zeebe", "camunda7"]\n'
            f'ZEEBE_ADDRESS = "{dev.zeebe_address}"\n'
            f"ZEEBE_INSECURE_CONNECTION = true\n"
            f'CAMUNDA7_URL = "{dev.camunda7_url}"\n'
            'BPMN_BRIDGE_CONNECTORS = ["tests.scenarios.connectors:slow"]\n'
            "BPMN_BRIDGE_ENTRY_POINTS = false\n"
            "BPMN_BRIDGE_OPS_PORT = 0\n"
            'BPMN_BRIDGE_LONG_POLL = "PT1S"\n'
            'BPMN_BRIDGE_LOG_FORMAT = "json"\n'
        )
        process = await anyio.open_process(
            [sys.executable, "-m", "bpmn_bridge.cli", "run", "--config", str(config)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=Path(__file__).parents[2],
        )
        try:
            z = await zeebe.start("run_cli", {"orderId": "z", "seconds": 2})
            k = await camunda7.start("run_cli", {"orderId": "k", "seconds": 2})
            with anyio.fail_after(20):
                while len(dev.jobs()) < 2 or any(j.worker is None for j in dev.jobs()):
                    await anyio.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            with anyio.fail_after(30):
                code = await process.wait()
            assert code == 0
            assert (await zeebe.wait_end(z, timeout=1))["slept"] == 2
            assert (await camunda7.wait_end(k, timeout=1))["slept"] == 2
            assert dev.jobs() == []  # nothing left activated or locked by the stopped worker
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            stderr = await process.stderr.receive() if process.stderr else b""
            del stderr


async def test_ops_endpoint_of_a_running_worker() -> None:
    async with DevEngine(camunda7_port=None) as dev:
        port = _free_port()
        process = await anyio.open_process(
            [
                sys.executable,
                "-m",
                "bpmn_bridge.cli",
                "run",
                "--engine",
                "zeebe",
                "--zeebe-address",
                dev.zeebe_address,
                "--zeebe-insecure",
                "--connector",
                "tests.scenarios.connectors:charge",
                "--ops-port",
                str(port),
            ],
            env={**os.environ, "BPMN_BRIDGE_ENTRY_POINTS": "false"},
            cwd=Path(__file__).parents[2],
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                with anyio.fail_after(20):
                    while True:
                        try:
                            ready = await http.get("/health/ready")
                            if ready.status_code == 200:
                                break
                        except httpx.TransportError:
                            pass
                        await anyio.sleep(0.1)
                metrics = (await http.get("/metrics")).text
            assert 'bpmn_bridge_engine_connected{engine="zeebe"} 1.0' in metrics
        finally:
            process.send_signal(signal.SIGTERM)
            with anyio.fail_after(20):
                assert await process.wait() == 0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_run_engine_camunda8_rest_from_flags_drains_on_sigterm() -> None:
    async with DevEngine(camunda7_port=None) as dev:
        rest = Camunda8RestTarget(dev)
        await rest.deploy(service_task_process("run_cli_rest", "slow", flavour=rest.flavour))
        process = await anyio.open_process(
            [
                sys.executable,
                "-m",
                "bpmn_bridge.cli",
                "run",
                "--engine",
                "camunda8-rest",
                "--camunda-rest-address",
                dev.camunda8_rest_url,
                "--connector",
                "tests.scenarios.connectors:slow",
                "--ops-port",
                "0",
            ],
            env={
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                "BPMN_BRIDGE_ENTRY_POINTS": "false",
                "BPMN_BRIDGE_LONG_POLL": "PT1S",
            },
            cwd=Path(__file__).parents[2],
        )
        try:
            instance = await rest.start("run_cli_rest", {"orderId": "r", "seconds": 2})
            with anyio.fail_after(20):
                while not dev.jobs() or any(j.worker is None for j in dev.jobs()):
                    await anyio.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            with anyio.fail_after(30):
                code = await process.wait()
            assert code == 0
            variables = await rest.wait_end(instance, timeout=1)
            assert variables["slept"] == 2 and variables["calls"] == 1
            assert dev.jobs() == []
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
