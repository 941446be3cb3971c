"""Camunda 7 half of ``worker_vs_clients.py``: bpmn-bridge's runtime vs the workers of
camunda-external-task-client-python3, on the real engine (the Spring Boot harness of
``tests/support/camunda7_engine.py``, built and started the way the test suite does it).

Each run deploys a one-external-task process under a fresh topic, starts the instances
with the variables of the realistic connector (`_bench_connector`), then lets one worker
(in a child process of its own, see `_bench_procs`) serve the topic until
``GET /external-task/count`` for the topic says none is left. Ours runs the realistic
connector with every feature on (input model, secrets, resultExpression, metrics); the
library's workers complete with the variables our result expression makes of the
connector's answer (``EXPECTED_RESULT``), so the engine does the same work for every
worker, and, as our adapter is set here, without ``usePriority`` as they fetch. The engine's
JVM runs as in production (full JIT, its own choice of garbage collector), warmed by
uncounted rounds of the sync worker and ours until the engine's CPU per task settles; every
run's deployment is deleted with its instances and history afterwards, so each run meets an
engine holding the same data.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
from _bench_connector import EXPECTED_RESULT, RESULT_EXPRESSION, camunda7_variables
from _bench_procs import (
    WorkerProcess,
    child_pids,
    cpu_delta,
    cpu_seconds,
    machine,
    per_job_ms,
    serve_runtime,
    wait_for,
)

REPO = Path(__file__).resolve().parents[1]

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_{pid}"
    targetNamespace="http://bpmn-bridge.dev/bench">
  <bpmn:process id="{pid}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="{topic}">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="resultExpression" value="{result_expression}"/>
        </camunda:properties>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

ASYNC_NOTE = (
    "the library's async worker fetches one task per call (maxTasks fixed at 1) and opens a "
    "new httpx.AsyncClient (TLS context, connection) for every fetch and every complete"
)
LOCK_MS = 30_000
LONG_POLL_MS = 5_000


def library_config(concurrency: int) -> dict[str, dict[str, Any]]:
    """The library's settings, as its README documents them, scaled to ``concurrency``.

    The sync worker runs the tasks of one fetch one after another, so ``maxTasks`` is its
    batch; the async worker always fetches one task per call (``maxTasks`` is fixed at 1
    in 4.5.0) and runs up to ``maxConcurrentTasks`` at once.
    """
    common = {
        "lockDuration": LOCK_MS,
        "asyncResponseTimeout": LONG_POLL_MS,
        "retries": 3,
        "retryTimeout": 5000,
        "sleepSeconds": 1,
    }
    return {
        "sync": {**common, "maxTasks": concurrency},
        "async": {**common, "maxConcurrentTasks": concurrency},
    }


# -- the workers under test ----------------------------------------------------------


def _run_ours(conn: Connection, url: str, topic: str, concurrency: int) -> None:
    """Child process: bpmn-bridge Runtime + Camunda7Adapter serving ``topic`` with the
    realistic connector, metrics on."""
    from _bench_connector import place_order, secrets

    from bpmn_bridge import get_spec
    from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config
    from bpmn_bridge.runtime import Metrics, Runtime

    spec = dataclasses.replace(get_spec(place_order), type=topic, max_concurrency=concurrency)
    runtime = Runtime(
        connectors=[spec],
        # the library's workers send no usePriority (the engine then ignores priorities)
        engines=[Camunda7Adapter(Camunda7Config(base_url=url, use_priority=False))],
        secrets=secrets(),
        hooks=[Metrics()],
        lease=timedelta(milliseconds=LOCK_MS),
        long_poll=timedelta(milliseconds=LONG_POLL_MS),
    )

    serve_runtime(conn, runtime)


def _run_sync(conn: Connection, url: str, topic: str, concurrency: int) -> None:
    """Child process: the library's ExternalTaskWorker (blocking, loops forever)."""
    from camunda.external_task.external_task import ExternalTask, TaskResult
    from camunda.external_task.external_task_worker import ExternalTaskWorker

    def trivial(task: ExternalTask) -> TaskResult:
        return task.complete(dict(EXPECTED_RESULT))

    worker = ExternalTaskWorker(
        "sync-bench", base_url=url, config=library_config(concurrency)["sync"]
    )
    conn.send("ready")
    wait_for(conn, "go")
    # subscribe() never returns: it runs in a daemon thread that dies with the process.
    threading.Thread(target=worker.subscribe, args=(topic, trivial), daemon=True).start()
    wait_for(conn, "stop")
    conn.send("stopped")


def _run_async(conn: Connection, url: str, topic: str, concurrency: int) -> None:
    """Child process: the library's AsyncExternalTaskWorker."""
    from camunda.external_task.async_external_task_worker import AsyncExternalTaskWorker
    from camunda.external_task.external_task import ExternalTask, TaskResult

    async def trivial(task: ExternalTask) -> TaskResult:
        return task.complete(dict(EXPECTED_RESULT))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        config = library_config(concurrency)["async"]
        worker = AsyncExternalTaskWorker("async-bench", base_url=url, config=config)
        conn.send("ready")
        await loop.run_in_executor(None, wait_for, conn, "go")
        working = asyncio.create_task(worker.subscribe({topic: trivial}))
        await loop.run_in_executor(None, wait_for, conn, "stop")
        await worker.stop()
        await asyncio.gather(working, return_exceptions=True)

    asyncio.run(main())
    conn.send("stopped")


WORKERS = {"ours": _run_ours, "sync": _run_sync, "async": _run_async}


# -- the engine and measuring --------------------------------------------------------


async def _prepare(url: str, *, tasks: int) -> tuple[str, str, str]:
    tag = uuid.uuid4().hex[:8]
    process_id, topic = f"bench_{tag}", f"bench-{tag}"
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        deployed = await http.post(
            "/deployment/create",
            data={"deployment-name": process_id},
            files={
                "bench.bpmn": (
                    "bench.bpmn",
                    PROCESS.format(
                        pid=process_id, topic=topic, result_expression=RESULT_EXPRESSION
                    ),
                )
            },
        )
        deployed.raise_for_status()
        numbers = iter(range(tasks))
        start = {"variables": camunda7_variables()}

        async def starter() -> None:
            for _ in numbers:
                response = await http.post(
                    f"/process-definition/key/{process_id}/start", json=start
                )
                response.raise_for_status()

        await asyncio.gather(*(starter() for _ in range(8)))
    return process_id, topic, deployed.json()["id"]


@contextlib.contextmanager
def _deployed(url: str, *, tasks: int) -> Iterator[tuple[str, str]]:
    """A fresh deployment with ``tasks`` instances started (its process id and topic),
    deleted on exit with its instances and their history: every run then meets an engine
    holding the same data, and the in-memory database does not grow the JVM's heap (and
    its garbage collection's share of the engine's CPU) run after run."""
    process_id, topic, deployment_id = asyncio.run(_prepare(url, tasks=tasks))
    try:
        yield process_id, topic
    finally:
        with httpx.Client(base_url=url, timeout=60) as http:
            response = http.delete(f"/deployment/{deployment_id}", params={"cascade": "true"})
            response.raise_for_status()


def _open_tasks(http: httpx.Client, topic: str) -> int:
    response = http.get("/external-task/count", params={"topicName": topic})
    response.raise_for_status()
    count: int = response.json()["count"]
    return count


def _results_set(http: httpx.Client, process_id: str) -> int:
    """Instances of ``process_id`` whose history holds the result expression's ``orderId``."""
    response = http.get(
        "/history/variable-instance/count",
        params={"variableName": "orderId", "processDefinitionKey": process_id},
    )
    response.raise_for_status()
    count: int = response.json()["count"]
    return count


ASYNC_BUDGET_S = 120.0
"""The async worker (about a hundredth of the others' rate) is measured over at most this
long and its rate taken from the tasks it finished: a whole run would take the benchmark
longer than all other runs together."""


def _one_run(
    url: str, engine_pid: int | None, kind: str, *, tasks: int, concurrency: int
) -> dict[str, Any]:
    with _deployed(url, tasks=tasks) as (process_id, topic):
        worker = WorkerProcess(WORKERS[kind], url, topic, concurrency)
        worker.start()
        partial = kind == "async"
        deadline = time.monotonic() + (ASYNC_BUDGET_S if partial else max(300.0, tasks / 5))
        try:
            with httpx.Client(base_url=url, timeout=30) as http:
                if _open_tasks(http, topic) != tasks:
                    raise RuntimeError(f"expected {tasks} open tasks on {topic}")
                engine_cpu0 = cpu_seconds(engine_pid) if engine_pid else None
                worker_cpu0 = cpu_seconds(worker.pid)
                began = time.perf_counter()
                worker.go()
                # Polling costs the engine one count query per 50 ms, the same for every worker.
                while (left := _open_tasks(http, topic)) > 0 and time.monotonic() < deadline:
                    time.sleep(0.05)
                elapsed = time.perf_counter() - began
                engine_cpu1 = cpu_seconds(engine_pid) if engine_pid else None
                worker_cpu1 = cpu_seconds(worker.pid)
                if (
                    kind == "ours"
                    and not left
                    and (done := _results_set(http, process_id)) != tasks
                ):
                    raise RuntimeError(f"ours: {done} of {tasks} instances got the mapped result")
        finally:
            worker.stop()
    if left and not partial:
        raise RuntimeError(f"{kind}: {left} of {tasks} tasks still open at the deadline")
    done = tasks - left
    if done == 0:
        raise RuntimeError(f"{kind}: no task done in {elapsed:.0f} s")
    worker_cpu = cpu_delta(worker_cpu0, worker_cpu1)
    engine_cpu = cpu_delta(engine_cpu0, engine_cpu1)
    return {
        "worker": kind,
        "tasks_done": done,
        "seconds": round(elapsed, 3),
        "tasks_s": round(done / elapsed, 1),
        "worker_cpu_s": worker_cpu,
        "engine_cpu_s": engine_cpu,
        "worker_cpu_ms_per_task": per_job_ms(worker_cpu, done),
        "engine_cpu_ms_per_task": per_job_ms(engine_cpu, done),
    }


WARMUP_ROUNDS = (3, 8)
"""At least and at most this many uncounted rounds (the sync worker, then ours) warm the
engine."""

SETTLED = 0.05
"""Past the fewest rounds, warm-up ends once a round of ours costs the engine less than
this share less CPU per task than the round before: the JIT has compiled what the
workers' requests exercise."""


def _warm_up(
    url: str, engine_pid: int | None, *, tasks: int, concurrency: int
) -> list[dict[str, Any]]:
    """Uncounted rounds of the sync worker and ours until the engine's CPU per task settles
    (C2 keeps compiling for thousands of tasks; measured before, the first runs would
    charge whichever worker runs first for the JIT's work)."""
    runs: list[dict[str, Any]] = []
    before: float | None = None
    fewest, most = WARMUP_ROUNDS
    for round_ in range(1, most + 1):
        for kind in ("sync", "ours"):
            runs.append(_one_run(url, engine_pid, kind, tasks=tasks, concurrency=concurrency))
        now = runs[-1]["engine_cpu_ms_per_task"]
        settled = now is None or (before is not None and now > before * (1 - SETTLED))
        if round_ >= fewest and settled:
            break
        before = now
    return runs


def run(*, tasks: int, concurrency: int, say: Any = print) -> dict[str, Any]:
    """Start the real engine at full JIT; warm it (`_warm_up`);
    run ours and the sync worker twice each and the async worker once between them (ours,
    sync, async, sync, ours); stop the engine. Per worker its best run counts: the highest
    rate and the lowest worker CPU per task. The async worker gets one run, cut after
    `ASYNC_BUDGET_S`: at its rate a second run would double the benchmark's time.

    Returns:
        The benchmark's JSON object, or one with ``"skipped"`` when no engine can run here
        (locally only).

    Raises:
        RuntimeError: under ``CI=true``, the real engine could not run: in CI a
            comparison that cannot run is a failure, not a skip.
    """
    sys.path.insert(0, str(REPO))
    from tests.support.camunda7_engine import run_engine

    load_before = machine()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-camunda7-") as logs:
        try:
            engine_cm = run_engine(Path(logs), full_jit=True)
            engine = engine_cm.__enter__()
        except BaseException as exc:  # pytest's skip/fail are BaseExceptions
            if os.environ.get("CI", "").lower() == "true":
                raise RuntimeError(f"camunda7: no real engine under CI=true: {exc}") from exc
            say(f"camunda7: no real engine here: {exc}")
            return {"benchmark": "camunda7-vs-external-task-client", "skipped": str(exc)}
        try:
            say(f"camunda7: real engine up in {engine.startup_seconds:.1f} s at {engine.url}")
            jvms = child_pids(os.getpid(), "java")
            engine_pid = jvms[0] if len(jvms) == 1 else None
            warmup = _warm_up(engine.url, engine_pid, tasks=tasks, concurrency=concurrency)
            say(
                "camunda7 warm-up (not counted): "
                + ", ".join(f"{r['worker']} {r['tasks_s']} tasks/s" for r in warmup)
            )
            for kind in ("ours", "sync", "async", "sync", "ours"):
                result = _one_run(
                    engine.url, engine_pid, kind, tasks=tasks, concurrency=concurrency
                )
                runs.append(result)
                say(
                    f"camunda7 {kind:6} {result['tasks_done']} tasks in "
                    f"{result['seconds']:6.2f} s = "
                    f"{result['tasks_s']:7.1f} tasks/s  worker CPU "
                    f"{result['worker_cpu_ms_per_task']} ms/task, engine CPU "
                    f"{result['engine_cpu_ms_per_task']} ms/task"
                )
        finally:
            engine_cm.__exit__(None, None, None)
    best = {kind: max(r["tasks_s"] for r in runs if r["worker"] == kind) for kind in WORKERS}
    cpu = {kind: _least(runs, kind, "worker_cpu_ms_per_task") for kind in WORKERS}
    engine_cpu = {kind: _least(runs, kind, "engine_cpu_ms_per_task") for kind in WORKERS}
    ratio_sync = round(best["ours"] / best["sync"], 2)
    ratio_async = round(best["ours"] / best["async"], 2)
    cpu_ratio_sync = _ratio(cpu["ours"], cpu["sync"])
    cpu_ratio_async = _ratio(cpu["ours"], cpu["async"])
    busy = {
        kind: round(
            statistics.fmean(
                r["engine_cpu_s"] / r["seconds"]
                for r in runs
                if r["worker"] == kind and r["engine_cpu_s"] is not None
            ),
            2,
        )
        if engine_pid
        else None
        for kind in WORKERS
    }
    cpus = load_before["cpus"] or 1
    say(
        f"camunda7 best: ours {best['ours']}, sync {best['sync']}, async {best['async']} "
        f"tasks/s; throughput ours/sync {ratio_sync}x (goal >= 2.0), ours/async {ratio_async}x"
    )
    say(
        f"camunda7 worker CPU per task: ours {cpu['ours']} ms, sync {cpu['sync']} ms, "
        f"async {cpu['async']} ms; ours/sync {cpu_ratio_sync} (goal <= 0.6), "
        f"ours/async {cpu_ratio_async}"
    )
    # The engine's CPU per task hardly depends on the worker; at its cheapest (warm) run,
    # all cores for the engine alone would cap every worker at this rate on this machine.
    engine_ms = [r["engine_cpu_ms_per_task"] for r in runs if r["engine_cpu_s"] is not None]
    ceiling = round(cpus * 1000 / min(engine_ms), 1) if engine_ms and min(engine_ms) else None
    if ceiling is not None:
        say(
            f"camunda7 engine CPU per task >= {min(engine_ms):.2f} ms: with all {cpus} "
            f"cores it could serve at most ~{ceiling} tasks/s = "
            f"{ceiling / best['sync']:.1f}x the sync worker, whatever the worker"
        )
    if busy["ours"] is not None:
        say(
            f"camunda7 engine CPU while ours ran: {busy['ours']} cores of {cpus}"
            + (
                " - the engine (JVM) is the bottleneck for ours"
                if busy["ours"] >= 0.8 * cpus - 0.3
                else ""
            )
        )
    config = library_config(concurrency)
    say(f"camunda7 library settings: sync {config['sync']}; async {config['async']}")
    say(f"camunda7 note: {ASYNC_NOTE}")
    return {
        "benchmark": "camunda7-vs-external-task-client",
        "tasks": tasks,
        "ours_tasks_s": best["ours"],
        "sync_tasks_s": best["sync"],
        "async_tasks_s": best["async"],
        "ratio_sync": ratio_sync,
        "ratio_async": ratio_async,
        "worker_cpu_ms_per_task": cpu,
        "engine_cpu_ms_per_task": engine_cpu,
        "cpu_ratio_sync": cpu_ratio_sync,
        "cpu_ratio_async": cpu_ratio_async,
        "goals": {
            "cpu_ratio_sync_max": 0.6,
            "ratio_sync_min": 2.0,
            "met": cpu_ratio_sync is not None and cpu_ratio_sync <= 0.6 and ratio_sync >= 2.0,
        },
        "concurrency": concurrency,
        "settings": {
            "ours": (
                f"Runtime(lease={LOCK_MS}ms, long_poll={LONG_POLL_MS}ms, secrets, "
                f"hooks=[Metrics()]), realistic connector, max_concurrency={concurrency}"
            ),
            **config,
        },
        "engine": (
            "real Camunda 7 (tests/camunda7_harness), JVM child process, full JIT, "
            "the JVM's own garbage collector"
        ),
        "engine_cpu_cores": busy,
        "engine_bound_ceiling_tasks_s": ceiling,
        "notes": [ASYNC_NOTE],
        "warmup": warmup,
        "runs": runs,
        "machine_before": load_before,
        "machine_after": machine(),
    }


def _least(runs: list[dict[str, Any]], kind: str, key: str) -> float | None:
    values = [r[key] for r in runs if r["worker"] == kind and r[key] is not None]
    return min(values) if values else None


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 2) if ours is not None and theirs else None
