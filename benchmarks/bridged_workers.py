"""Existing workers under bpmn-bridge's runtime against the libraries they were written for.

* Zeebe: one pyzeebe app (a router with one trivial task) served by ``Runtime`` (bridge 1,
  ``bpmn_bridge.interop``) vs the same app in pyzeebe's own ``ZeebeWorker``, on the dev
  engine's Zeebe gateway (the engine in a child process). Targets: throughput ratio
  >= 0.95, worker CPU per job ratio <= 1.1. The same task written as a ``@connector`` under
  the same runtime shows what the bridge itself adds.
* Camunda 7: one external-task handler written for camunda-external-task-client-python3
  served by ``Runtime`` (bridge 2) vs the library's own sync ``ExternalTaskWorker``, on the
  real Camunda 7 (the test suite's Spring Boot harness). Target: throughput ratio >= 1.3.

Every worker runs alone in a child process with the same concurrency, in ABBA order (the
best run of each counts, and its least CPU per job), with the harness of
``worker_vs_clients.py``. Figures are wall-clock rates on whatever machine runs this: compare
within one run only. The last line is one JSON object.

    .venv/bin/python benchmarks/bridged_workers.py [--only zeebe|camunda7] [--jobs N] [--tasks N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import _bench_camunda7
import _bench_zeebe
import httpx
from _bench_procs import WorkerProcess, cpu_delta, cpu_seconds, machine, serve_runtime, wait_for

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs_{pid}">
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="{job_type}"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

# -- the pyzeebe app, the same in both workers ----------------------------------------


def pyzeebe_app(job_type: str, concurrency: int) -> Any:
    """The app as its team wrote it: a router with one task returning ``{"ok": True}``."""
    from pyzeebe import ZeebeTaskRouter

    router = ZeebeTaskRouter()

    @router.task(task_type=job_type, max_jobs_to_activate=concurrency, max_running_jobs=concurrency)
    async def trivial() -> dict[str, object]:
        return {"ok": True}

    return router


def _run_bridged_app(conn: Connection, address: str, job_type: str, concurrency: int) -> None:
    """Child process: the pyzeebe app served by bpmn-bridge's Runtime."""
    from bpmn_bridge.adapters import ZeebeAdapter, ZeebeConfig
    from bpmn_bridge.runtime import Runtime

    runtime = Runtime(
        connectors=[pyzeebe_app(job_type, concurrency)],
        engines=[ZeebeAdapter(ZeebeConfig(address=address, tls=False))],
        long_poll=timedelta(seconds=5),
    )

    serve_runtime(conn, runtime)


def _run_connector(conn: Connection, address: str, job_type: str, concurrency: int) -> None:
    """Child process: the same task written as a ``@connector``, for the bridge's own cost."""
    import dataclasses

    from _bench_connector import SECRETS

    from bpmn_bridge import MappingSecretProvider, connector, get_spec
    from bpmn_bridge.adapters import ZeebeAdapter, ZeebeConfig
    from bpmn_bridge.runtime import Runtime

    @connector
    async def trivial() -> dict[str, object]:
        return {"ok": True}

    spec = dataclasses.replace(get_spec(trivial), type=job_type, max_concurrency=concurrency)
    runtime = Runtime(
        connectors=[spec],
        engines=[ZeebeAdapter(ZeebeConfig(address=address, tls=False))],
        # the engine starts instances with variables naming secrets (_bench_connector);
        # a connector resolves them, a pyzeebe task does not
        secrets=MappingSecretProvider(SECRETS),
        long_poll=timedelta(seconds=5),
    )

    serve_runtime(conn, runtime)


def _run_pyzeebe_app(conn: Connection, address: str, job_type: str, concurrency: int) -> None:
    """Child process: the pyzeebe app in pyzeebe's own ZeebeWorker."""
    from pyzeebe import ZeebeWorker, create_insecure_channel

    async def main() -> None:
        loop = asyncio.get_running_loop()
        channel = create_insecure_channel(grpc_address=address)
        worker = ZeebeWorker(
            channel,
            name="pyzeebe-bench",
            request_timeout=5000,
            poll_retry_delay=_bench_zeebe.PYZEEBE_POLL_RETRY_DELAY,
        )
        worker.include_router(pyzeebe_app(job_type, concurrency))
        conn.send("ready")
        await loop.run_in_executor(None, wait_for, conn, "go")
        working = asyncio.create_task(worker.work())
        await loop.run_in_executor(None, wait_for, conn, "stop")
        await worker.stop()
        working.cancel()  # its poller may sit in a long poll; every job is done
        await asyncio.gather(working, return_exceptions=True)
        await channel.close()

    logging.basicConfig(level=logging.ERROR)  # pyzeebe warns on each poll while slots are full
    asyncio.run(main())
    conn.send("stopped")


def _zeebe_run(
    engine: Any, kind: str, target: Callable[..., None], *, jobs: int, concurrency: int
) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    process_id, job_type = f"bench_{tag}", f"bench-{tag}"
    engine.call("deploy", PROCESS.format(pid=process_id, job_type=job_type))
    engine.call("start", process_id, jobs)
    worker = WorkerProcess(target, engine.address, job_type, concurrency)
    worker.start()
    try:
        worker_cpu0 = cpu_seconds(worker.pid)
        engine._conn.send(("wait", process_id, max(120.0, jobs / 20), {"ok": True}))
        began = time.perf_counter()
        worker.go()
        completed = engine._conn.recv()  # instances that ended with the app's result
        elapsed = time.perf_counter() - began
        worker_cpu1 = cpu_seconds(worker.pid)
    finally:
        worker.stop()
    if completed != jobs:
        raise RuntimeError(f"{kind}: {completed} of {jobs} instances ended with ok=true in time")
    cpu = cpu_delta(worker_cpu0, worker_cpu1)
    return {
        "worker": kind,
        "seconds": round(elapsed, 3),
        "jobs_s": round(jobs / elapsed, 1),
        "worker_cpu_s": cpu,
        "worker_cpu_ms_per_job": round(1000 * cpu / jobs, 3) if cpu is not None else None,
    }


def run_zeebe(*, jobs: int, concurrency: int, say: Callable[[str], None]) -> dict[str, Any]:
    workers = {
        "bridged": _run_bridged_app,
        "pyzeebe": _run_pyzeebe_app,
        "connector": _run_connector,
    }
    load_before = machine()
    engine = _bench_zeebe._EngineProcess()
    runs = []
    try:
        # two ABCCBA rounds: a Zeebe run lasts seconds, so one busy moment can sink it
        for kind in ("bridged", "pyzeebe", "connector", "connector", "pyzeebe", "bridged") * 2:
            result = _zeebe_run(engine, kind, workers[kind], jobs=jobs, concurrency=concurrency)
            runs.append(result)
            say(
                f"zeebe    {kind:8} {jobs} jobs in {result['seconds']:6.2f} s = "
                f"{result['jobs_s']:7.1f} jobs/s, worker CPU "
                f"{result['worker_cpu_ms_per_job']} ms/job"
            )
    finally:
        engine.close()
    best = {kind: max(r["jobs_s"] for r in runs if r["worker"] == kind) for kind in workers}
    cpu = {
        kind: min(
            r["worker_cpu_ms_per_job"]
            for r in runs
            if r["worker"] == kind and r["worker_cpu_ms_per_job"] is not None
        )
        if all(r["worker_cpu_ms_per_job"] is not None for r in runs)
        else None
        for kind in workers
    }
    ratio = round(best["bridged"] / best["pyzeebe"], 3)
    cpu_ratio = (
        round(cpu["bridged"] / cpu["pyzeebe"], 3)
        if cpu["bridged"] is not None and cpu["pyzeebe"]
        else None
    )
    bridge_cost = (
        round(cpu["bridged"] / cpu["connector"], 3)
        if cpu["bridged"] is not None and cpu["connector"]
        else None
    )
    say(
        f"zeebe    bridged/pyzeebe: throughput {ratio} (target >= 0.95), worker CPU per job "
        f"{cpu_ratio} (target <= 1.1)"
    )
    say(
        f"zeebe    bridged/@connector under the same runtime: throughput "
        f"{round(best['bridged'] / best['connector'], 3)}, worker CPU per job {bridge_cost} "
        "(what the bridge itself costs)"
    )
    return {
        "benchmark": "bridged-pyzeebe-app-vs-pyzeebe",
        "jobs": jobs,
        "concurrency": concurrency,
        "bridged_jobs_s": best["bridged"],
        "pyzeebe_jobs_s": best["pyzeebe"],
        "throughput_ratio": ratio,
        "bridged_cpu_ms_per_job": cpu["bridged"],
        "pyzeebe_cpu_ms_per_job": cpu["pyzeebe"],
        "cpu_per_job_ratio": cpu_ratio,
        "connector_jobs_s": best["connector"],
        "connector_cpu_ms_per_job": cpu["connector"],
        "bridged_vs_connector_cpu_ratio": bridge_cost,
        "targets": {"throughput_ratio": ">= 0.95", "cpu_per_job_ratio": "<= 1.1"},
        "runs": runs,
        "machine_before": load_before,
        "machine_after": machine(),
    }


# -- Camunda 7: an external-task handler ----------------------------------------------


def _run_bridged_handler(conn: Connection, url: str, topic: str, concurrency: int) -> None:
    """Child process: a handler written for the external-task client, under Runtime."""
    from camunda.external_task.external_task import ExternalTask, TaskResult

    from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config
    from bpmn_bridge.interop import from_external_task_handler
    from bpmn_bridge.runtime import Runtime

    def trivial(task: ExternalTask) -> TaskResult:
        return task.complete({"ok": True})

    lock = timedelta(milliseconds=_bench_camunda7.LOCK_MS)
    runtime = Runtime(
        connectors=[
            from_external_task_handler(
                topic, trivial, lock_duration=lock, max_concurrency=concurrency
            )
        ],
        engines=[Camunda7Adapter(Camunda7Config(base_url=url))],
        lease=lock,
        long_poll=timedelta(milliseconds=_bench_camunda7.LONG_POLL_MS),
    )

    serve_runtime(conn, runtime)


def _camunda7_run(
    url: str, kind: str, target: Callable[..., None], *, tasks: int, concurrency: int
) -> dict[str, Any]:
    with _bench_camunda7._deployed(url, tasks=tasks) as (_, topic):
        worker = WorkerProcess(target, url, topic, concurrency)
        worker.start()
        deadline = time.monotonic() + max(300.0, tasks / 5)
        try:
            with httpx.Client(base_url=url, timeout=30) as http:
                worker_cpu0 = cpu_seconds(worker.pid)
                began = time.perf_counter()
                worker.go()
                while (left := _bench_camunda7._open_tasks(http, topic)) > 0:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                elapsed = time.perf_counter() - began
                worker_cpu1 = cpu_seconds(worker.pid)
        finally:
            worker.stop()
    if left:
        raise RuntimeError(f"{kind}: {left} of {tasks} tasks still open at the deadline")
    cpu = cpu_delta(worker_cpu0, worker_cpu1)
    return {
        "worker": kind,
        "seconds": round(elapsed, 3),
        "tasks_s": round(tasks / elapsed, 1),
        "worker_cpu_s": cpu,
    }


def run_camunda7(*, tasks: int, concurrency: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Raises RuntimeError under ``CI=true`` when the real engine cannot run."""
    workers = {"bridged": _run_bridged_handler, "sync": _bench_camunda7._run_sync}
    sys.path.insert(0, str(_bench_camunda7.REPO))
    from tests.support.camunda7_engine import run_engine

    name = "bridged-external-task-handler-vs-library-sync-worker"
    load_before = machine()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-bridged-") as logs:
        try:
            engine_cm = run_engine(Path(logs))
            engine = engine_cm.__enter__()
        except BaseException as exc:  # pytest's skip/fail are BaseExceptions
            if os.environ.get("CI", "").lower() == "true":
                raise RuntimeError(f"camunda7: no real engine under CI=true: {exc}") from exc
            say(f"camunda7: no real engine here: {exc}")
            return {"benchmark": name, "skipped": str(exc)}
        try:
            say(f"camunda7 real engine up in {engine.startup_seconds:.1f} s")
            for kind in ("bridged", "sync", "sync", "bridged"):
                result = _camunda7_run(
                    engine.url, kind, workers[kind], tasks=tasks, concurrency=concurrency
                )
                runs.append(result)
                say(
                    f"camunda7 {kind:8} {tasks} tasks in {result['seconds']:6.2f} s = "
                    f"{result['tasks_s']:7.1f} tasks/s, worker CPU {result['worker_cpu_s']} s"
                )
        finally:
            engine_cm.__exit__(None, None, None)
    best = {kind: max(r["tasks_s"] for r in runs if r["worker"] == kind) for kind in workers}
    ratio = round(best["bridged"] / best["sync"], 2)
    say(f"camunda7 bridged/library sync worker: throughput {ratio} (target >= 1.3)")
    return {
        "benchmark": name,
        "tasks": tasks,
        "concurrency": concurrency,
        "bridged_tasks_s": best["bridged"],
        "sync_tasks_s": best["sync"],
        "throughput_ratio": ratio,
        "targets": {"throughput_ratio": ">= 1.3"},
        "settings": {
            "bridged": f"Runtime, from_external_task_handler(max_concurrency={concurrency})",
            "sync": _bench_camunda7.library_config(concurrency)["sync"],
        },
        "runs": runs,
        "machine_before": load_before,
        "machine_after": machine(),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", choices=("zeebe", "camunda7"), help="run one half")
    parser.add_argument("--jobs", type=int, default=3000, help="Zeebe instances per run")
    parser.add_argument("--tasks", type=int, default=1000, help="Camunda 7 instances per run")
    parser.add_argument("--concurrency", type=int, default=32, help="jobs running at once")
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(line, flush=True)

    results: dict[str, Any] = {}
    if args.only in (None, "zeebe"):
        results["zeebe"] = run_zeebe(jobs=args.jobs, concurrency=args.concurrency, say=say)
    if args.only in (None, "camunda7"):
        results["camunda7"] = run_camunda7(tasks=args.tasks, concurrency=args.concurrency, say=say)
    combined = {"benchmark": "bridged-workers", **results}
    print(json.dumps(combined))
    return combined


if __name__ == "__main__":
    main(sys.argv[1:])
