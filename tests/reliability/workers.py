"""``bpmn-bridge run`` as a child process, and the ledger its connector writes."""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import anyio
import anyio.abc
import httpx

REPO = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Ledger:
    """What the ``work`` connector recorded in worker processes: ``start``/``done`` lines."""

    path: Path

    def events(self) -> list[tuple[str, str, int, float]]:
        if not self.path.exists():
            return []
        rows = []
        for line in self.path.read_text().splitlines():
            event, tag, pid, at = line.split()
            rows.append((event, tag, int(pid), float(at)))
        return rows

    def count(self, event: str, *, pid: int | None = None) -> int:
        return sum(1 for e, _, p, _ in self.events() if e == event and pid in (None, p))

    def tags(self, event: str, *, pid: int | None = None) -> Counter[str]:
        return Counter(t for e, t, p, _ in self.events() if e == event and pid in (None, p))

    def by_tag(self) -> dict[str, list[tuple[str, int, float]]]:
        rows: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
        for event, tag, pid, at in self.events():
            rows[tag].append((event, pid, at))
        return rows


@dataclass
class Worker:
    """One ``bpmn-bridge run`` process; its output goes to a file (a pipe nobody reads
    would fill up and block it)."""

    name: str
    process: anyio.abc.Process
    log_path: Path
    ops_port: int
    _log: IO[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def wait_ready(self, *, timeout: float = 60) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.ops_port}") as http:
            with anyio.fail_after(timeout):
                while True:
                    assert self.process.returncode is None, self.log()[-3000:]
                    try:
                        if (await http.get("/health/ready")).status_code == 200:
                            return
                    except httpx.TransportError:
                        pass
                    await anyio.sleep(0.1)

    def signal(self, number: signal.Signals) -> None:
        self.process.send_signal(number)

    async def wait(self, *, timeout: float = 60) -> int:
        with anyio.fail_after(timeout):
            return int(await self.process.wait())

    async def close(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            with anyio.move_on_after(20):
                await self.process.wait()
        self._log.close()


async def start_worker(
    name: str,
    *,
    engine_env: Mapping[str, str],
    task_type: str,
    ledger: Ledger,
    log_dir: Path,
    extra: Mapping[str, str] | None = None,
) -> Worker:
    """Start ``bpmn-bridge run`` serving ``tests.reliability.connectors:work`` as ``task_type``."""
    port = free_port()
    env: dict[str, Any] = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ZEEBE_", "CAMUNDA"))},
        "PYTHONUNBUFFERED": "1",
        "BPMN_BRIDGE_CONNECTORS": "tests.reliability.connectors:work",
        "BPMN_BRIDGE_ENTRY_POINTS": "false",
        "BPMN_BRIDGE_WORKER_NAME": name,
        "BPMN_BRIDGE_OPS_PORT": str(port),
        "BPMN_BRIDGE_LONG_POLL": "PT1S",
        "BPMN_BRIDGE_LOG_FORMAT": "json",
        "RELIABILITY_TASK_TYPE": task_type,
        "RELIABILITY_LEDGER": str(ledger.path),
        **engine_env,
        **(extra or {}),
    }
    log_path = log_dir / f"{name}.log"
    # a local file opens in no time; the Worker closes it
    log = open(log_path, "wb")  # noqa: SIM115, ASYNC230
    process = await anyio.open_process(
        [sys.executable, "-m", "bpmn_bridge.cli", "run"],
        env=env,
        cwd=REPO,
        stdin=None,
        stdout=log,
        stderr=log,
    )
    return Worker(name=name, process=process, log_path=log_path, ops_port=port, _log=log)
