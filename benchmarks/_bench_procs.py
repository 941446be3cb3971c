"""Child processes for ``worker_vs_clients.py``: each worker under test runs alone in one.

A worker process builds its worker, says ``ready``, starts working on ``go`` and stops on
``stop``; the parent times from ``go`` to the moment the engine reports every instance done,
so imports and setup stay outside the figure and no worker shares a process or an event
loop with the engine or with another worker. CPU time is read from ``/proc`` so a worker
that cannot be asked (a blocking library loop) is measured the same way as one that can.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far, or None off Linux."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is the state (field 3 of stat(5)); utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def cpu_delta(before: float | None, after: float | None) -> float | None:
    """CPU seconds between two readings of :func:`cpu_seconds`, or None if one is missing."""
    return None if before is None or after is None else round(after - before, 3)


def per_job_ms(cpu_s: float | None, jobs: int) -> float | None:
    """CPU milliseconds per job, or None when the CPU time is unknown."""
    return None if cpu_s is None else round(1000 * cpu_s / jobs, 3)


def machine() -> dict[str, Any]:
    """What else the (possibly shared) machine is doing: CPUs and load average."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"cpus": os.cpu_count(), "load_1_5_15": [round(x, 2) for x in load]}


def child_pids(parent: int, name: str) -> list[int]:
    """Processes whose parent is ``parent`` and whose command name contains ``name``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                head, tail = stat.read().rsplit(")", 1)
        except OSError:
            continue
        if int(tail.split()[1]) == parent and name in head.split("(", 1)[1]:
            found.append(int(entry))
    return found


class WorkerProcess:
    """One worker under test in a spawned child process.

    Args:
        target: Module-level function ``target(conn, *args)`` run in the child; it sends
            ``"ready"``, waits for ``"go"``, works until ``"stop"``, then sends ``"stopped"``.
        args: Its further (picklable) arguments.
    """

    def __init__(self, target: Callable[..., None], *args: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=target, args=(child, *args), daemon=True)

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def start(self, *, timeout: float = 60.0) -> None:
        self.process.start()
        if not self._conn.poll(timeout) or self._conn.recv() != "ready":
            self.kill()
            raise RuntimeError(f"worker process {self.process.name} did not get ready")

    def go(self) -> None:
        self._conn.send("go")

    def stop(self, *, timeout: float = 10.0) -> None:
        """Ask the worker to stop; a worker that does not answer in time is terminated."""
        with contextlib.suppress(OSError):
            self._conn.send("stop")
            self._conn.poll(timeout)
        self.process.join(timeout)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


def wait_for(conn: Connection, word: str) -> None:
    """In a worker process: block until the parent sends ``word``."""
    while conn.recv() != word:
        pass


def serve_runtime(conn: Connection, runtime: Any) -> None:
    """In a worker process: run a bpmn-bridge ``Runtime`` from "go" to "stop", then say so.

    The parent measures the process's CPU between its "go" and "stop", so start-up and
    shutdown stay outside the figures. The garbage collector is set first as
    ``bpmn-bridge run`` sets it (``bpmn_bridge.runtime.tune_worker_gc``).
    """

    from bpmn_bridge.runtime import tune_worker_gc

    async def main() -> None:
        loop = asyncio.get_running_loop()
        tune_worker_gc()  # as `bpmn-bridge run` does before it serves
        conn.send("ready")
        await loop.run_in_executor(None, wait_for, conn, "go")
        async with runtime:
            await loop.run_in_executor(None, wait_for, conn, "stop")

    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main())
    conn.send("stopped")
