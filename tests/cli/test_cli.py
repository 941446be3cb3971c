"""The ``bpmn-bridge`` command line, run as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "bpmn_bridge.cli", *args]


def test_help_lists_every_command() -> None:
    result = subprocess.run(_cli("--help"), capture_output=True, text=True, check=True)
    for command in ("run", "dev-engine", "demo", "templates", "migrate"):
        assert command in result.stdout


def test_dev_engine_serves_both_protocols_and_stops_on_sigint() -> None:
    process = subprocess.Popen(
        _cli(
            "dev-engine", "--zeebe-port", "0", "--camunda7-port", "0", "--camunda8-rest-port", "0"
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        url = next(line.split()[-1] for line in lines if line.startswith("Camunda 7 REST"))
        zeebe = next(line.split()[-1] for line in lines if line.startswith("Zeebe gateway"))
        assert zeebe.startswith("127.0.0.1:")
        version = httpx.get(f"{url}/version", timeout=5).json()
        assert version["version"].startswith("7.")
        rest = next(line.split()[-1] for line in lines if line.startswith("Camunda 8 REST"))
        topology = httpx.get(f"{rest}/topology", timeout=5).json()
        assert topology["brokers"][0]["partitions"][0]["role"] == "leader"
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=15)
        assert process.returncode == 0
        assert "Development engine stopped." in out
    finally:
        if process.poll() is None:
            process.kill()
            time.sleep(0.1)
