"""Zeebe half of ``worker_vs_clients.py``: bpmn-bridge's runtime vs a plain pyzeebe worker.

The dev engine runs in a child process and pre-creates the instances in its own loop (no
network), with the variables of the realistic connector (`_bench_connector`), then waits for
them all to end and says so; each worker runs in a child process of its own (see
`_bench_procs`). Ours runs the realistic connector with every feature on (input model,
secrets, resultExpression, metrics), once over gRPC (``ZeebeAdapter``) and once over
Camunda 8's REST API (``Camunda8RestAdapter``, which the same engine serves, as Camunda 8.6+
does); pyzeebe serves the same job type with a trivial async function returning what our
result expression makes of the connector's answer (``EXPECTED_RESULT``, so every instance
ends alike), once polling only and once with ``stream_enabled`` (pyzeebe 4.7). Each side's
better configuration counts, and ours over gRPC is reported on its own too. A fifth worker,
bare grpc.aio calls through the same generated stub with no framework at all, measures the
gRPC transport's floor: what any Python worker on grpc.aio pays per job before doing
anything of its own. Every worker gets the same cap on running jobs and jobs per fetch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import multiprocessing
import statistics
import time
import uuid
from datetime import timedelta
from multiprocessing.connection import Connection
from typing import Any

from _bench_connector import EXPECTED_RESULT, RESULT_EXPRESSION, VARIABLES
from _bench_procs import (
    WorkerProcess,
    cpu_delta,
    cpu_seconds,
    machine,
    per_job_ms,
    serve_runtime,
    wait_for,
)

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs_{pid}">
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{job_type}"/>
        <zeebe:taskHeaders>
          <zeebe:header key="resultExpression" value="{result_expression}"/>
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

# pyzeebe sleeps this long when all its job slots are busy (its default is 5 s, which
# would make it look far worse than it is on a fast job): poll again at once instead.
PYZEEBE_POLL_RETRY_DELAY = 0


# -- the engine ----------------------------------------------------------------------


def _serve_engine(conn: Connection) -> None:
    """Child process: a DevEngine serving Zeebe gRPC and the Camunda 8 REST API over one
    state, driven by commands on ``conn``."""
    from bpmn_bridge.devengine import DevEngine

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        async with DevEngine(camunda7_port=None) as engine:
            conn.send((engine.zeebe_address, engine.camunda8_rest_url))
            started: dict[str, list[int]] = {}
            while True:
                command, *args = await loop.run_in_executor(None, conn.recv)
                if command == "deploy":
                    engine.deploy(args[0].encode())
                    conn.send(None)
                elif command == "start":
                    process_id, count = args
                    started[process_id] = [
                        engine.start(process_id, variables=VARIABLES).key for _ in range(count)
                    ]
                    conn.send(None)
                elif command == "wait":
                    process_id, timeout, expected = args
                    mapped = 0
                    try:
                        async with asyncio.timeout(timeout):
                            for key in started.pop(process_id):
                                ended = await engine.wait_for_end(key, timeout=None)
                                variables = ended.plain_variables()
                                mapped += all(variables.get(k) == v for k, v in expected.items())
                    except TimeoutError:
                        conn.send(None)
                    else:
                        conn.send(mapped)
                else:
                    return

    asyncio.run(serve())


class _EngineProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_serve_engine, args=(child,), daemon=True)
        self.process.start()
        self.address: str
        self.rest_url: str
        self.address, self.rest_url = self._conn.recv()

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def call(self, *command: Any) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def close(self) -> None:
        self._conn.send(("stop",))
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)


# -- the workers under test ----------------------------------------------------------


def _run_ours(
    conn: Connection, address: str, job_type: str, concurrency: int, *, rest: bool = False
) -> None:
    """Child process: bpmn-bridge Runtime + ZeebeAdapter (gRPC), or Camunda8RestAdapter
    with ``rest``, serving ``job_type`` with the realistic connector, metrics on."""
    from _bench_connector import place_order, secrets

    from bpmn_bridge import get_spec
    from bpmn_bridge.adapters import (
        Camunda8RestAdapter,
        Camunda8RestConfig,
        EngineAdapter,
        ZeebeAdapter,
        ZeebeConfig,
    )
    from bpmn_bridge.runtime import Metrics, Runtime

    spec = dataclasses.replace(get_spec(place_order), type=job_type, max_concurrency=concurrency)
    engine: EngineAdapter = (
        Camunda8RestAdapter(Camunda8RestConfig(rest_address=address))
        if rest
        else ZeebeAdapter(ZeebeConfig(address=address, tls=False))
    )
    runtime = Runtime(
        connectors=[spec],
        engines=[engine],
        secrets=secrets(),
        hooks=[Metrics()],
        long_poll=timedelta(seconds=5),
    )

    serve_runtime(conn, runtime)


def _run_ours_rest(conn: Connection, address: str, job_type: str, concurrency: int) -> None:
    """Child process: `_run_ours` over Camunda 8's REST API."""
    _run_ours(conn, address, job_type, concurrency, rest=True)


def _run_pyzeebe(
    conn: Connection, address: str, job_type: str, concurrency: int, *, stream: bool = False
) -> None:
    """Child process: a plain pyzeebe ZeebeWorker serving ``job_type``."""
    from pyzeebe import ZeebeWorker, create_insecure_channel

    async def trivial() -> dict[str, object]:
        return dict(EXPECTED_RESULT)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        channel = create_insecure_channel(grpc_address=address)
        worker = ZeebeWorker(
            channel,
            name="pyzeebe-bench",
            request_timeout=5000,
            poll_retry_delay=PYZEEBE_POLL_RETRY_DELAY,
            stream_enabled=stream,
        )
        worker.task(
            task_type=job_type, max_jobs_to_activate=concurrency, max_running_jobs=concurrency
        )(trivial)
        conn.send("ready")
        await loop.run_in_executor(None, wait_for, conn, "go")
        working = asyncio.create_task(worker.work())
        await loop.run_in_executor(None, wait_for, conn, "stop")
        await worker.stop()
        # The poller may sit in a long poll; its jobs are all done, so don't wait it out.
        working.cancel()
        await asyncio.gather(working, return_exceptions=True)
        await channel.close()

    # pyzeebe warns on every poll while its slots are full; that is the setting, not news.
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main())
    conn.send("stopped")


def _run_pyzeebe_stream(conn: Connection, address: str, job_type: str, concurrency: int) -> None:
    """Child process: a plain pyzeebe ZeebeWorker with ``stream_enabled`` (and polling)."""
    _run_pyzeebe(conn, address, job_type, concurrency, stream=True)


def _run_bare_grpc(conn: Connection, address: str, job_type: str, concurrency: int) -> None:
    """Child process: the least any grpc.aio worker can do, the transport's floor.

    No framework at all: one loop activates up to the free slots per ``ActivateJobs`` (long
    polling), and each job is an asyncio task making one ``CompleteJob`` call with
    ``EXPECTED_RESULT`` (encoded once) through the same generated stub pyzeebe uses. Any
    Python worker on grpc.aio pays at least this per job; the gap between a worker and this
    floor is what its own machinery costs.
    """
    import grpc  # type: ignore[import-untyped]
    from pyzeebe.proto import gateway_pb2 as pb
    from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

    async def main() -> None:
        loop = asyncio.get_running_loop()
        channel = grpc.aio.insecure_channel(address)
        stub = GatewayStub(channel)
        free = concurrency
        slot_freed = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()
        result = json.dumps(EXPECTED_RESULT)

        async def complete(key: int) -> None:
            nonlocal free
            try:
                await stub.CompleteJob(
                    pb.CompleteJobRequest(jobKey=key, variables=result), timeout=30
                )
            finally:
                free += 1
                slot_freed.set()

        async def work() -> None:
            nonlocal free
            while True:
                while free == 0:
                    slot_freed.clear()
                    await slot_freed.wait()
                asked, free = free, 0
                request = pb.ActivateJobsRequest(
                    type=job_type,
                    worker="bare-grpc",
                    timeout=60_000,
                    maxJobsToActivate=asked,
                    requestTimeout=5_000,
                )
                got = 0
                async for response in stub.ActivateJobs(request, timeout=35):
                    for job in response.jobs:
                        got += 1
                        task = loop.create_task(complete(job.key))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                free += asked - got

        conn.send("ready")
        await loop.run_in_executor(None, wait_for, conn, "go")
        working = loop.create_task(work())
        await loop.run_in_executor(None, wait_for, conn, "stop")
        working.cancel()
        await asyncio.gather(working, *tasks, return_exceptions=True)
        await channel.close()

    asyncio.run(main())
    conn.send("stopped")


WORKERS = {
    "ours": _run_ours,
    "ours-rest": _run_ours_rest,
    "pyzeebe": _run_pyzeebe,
    "pyzeebe-stream": _run_pyzeebe_stream,
    "bare-grpc": _run_bare_grpc,
}


# -- measuring -----------------------------------------------------------------------


def _one_run(engine: _EngineProcess, kind: str, *, jobs: int, concurrency: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    process_id, job_type = f"bench_{tag}", f"bench-{tag}"
    engine.call(
        "deploy",
        PROCESS.format(pid=process_id, job_type=job_type, result_expression=RESULT_EXPRESSION),
    )
    engine.call("start", process_id, jobs)
    address = engine.rest_url if kind == "ours-rest" else engine.address
    worker = WorkerProcess(WORKERS[kind], address, job_type, concurrency)
    worker.start()
    expected = EXPECTED_RESULT
    try:
        engine_cpu0, worker_cpu0 = cpu_seconds(engine.pid), cpu_seconds(worker.pid)
        engine._conn.send(("wait", process_id, max(120.0, jobs / 20), expected))
        began = time.perf_counter()
        worker.go()
        mapped = engine._conn.recv()
        elapsed = time.perf_counter() - began
        engine_cpu1, worker_cpu1 = cpu_seconds(engine.pid), cpu_seconds(worker.pid)
    finally:
        worker.stop()
    if mapped is None:
        raise RuntimeError(f"{kind}: not all {jobs} instances ended in time")
    if mapped != jobs:
        raise RuntimeError(f"{kind}: {jobs - mapped} of {jobs} instances lack {expected}")
    worker_cpu = cpu_delta(worker_cpu0, worker_cpu1)
    engine_cpu = cpu_delta(engine_cpu0, engine_cpu1)
    return {
        "worker": kind,
        "seconds": round(elapsed, 3),
        "jobs_s": round(jobs / elapsed, 1),
        "worker_cpu_s": worker_cpu,
        "engine_cpu_s": engine_cpu,
        "worker_cpu_ms_per_job": per_job_ms(worker_cpu, jobs),
        "engine_cpu_ms_per_job": per_job_ms(engine_cpu, jobs),
    }


ORDER = (
    "ours",
    "ours-rest",
    "pyzeebe",
    "pyzeebe-stream",
    "bare-grpc",
    "bare-grpc",
    "pyzeebe-stream",
    "pyzeebe",
    "ours-rest",
    "ours",
)
"""ABBA: each configuration runs twice, mirrored, so warm-up and drift favour none."""


def run(*, jobs: int, concurrency: int, say: Any = print) -> dict[str, Any]:
    """Every worker configuration twice, in the order of `ORDER`; per configuration its
    best run counts (the highest rate, the lowest worker CPU per job). The ratios set the
    better of pyzeebe's two configurations (polling, streaming) against the better of ours
    (gRPC, Camunda 8's REST API), and each of ours against pyzeebe's better one.

    Returns:
        The benchmark's JSON object.
    """
    load_before = machine()
    engine = _EngineProcess()
    runs: list[dict[str, Any]] = []
    try:
        for kind in ORDER:
            result = _one_run(engine, kind, jobs=jobs, concurrency=concurrency)
            runs.append(result)
            say(
                f"zeebe  {kind:14} {jobs} jobs in {result['seconds']:6.2f} s = "
                f"{result['jobs_s']:7.1f} jobs/s  worker CPU "
                f"{result['worker_cpu_ms_per_job']} ms/job, engine CPU "
                f"{result['engine_cpu_ms_per_job']} ms/job"
            )
    finally:
        engine.close()
    best = {kind: max(r["jobs_s"] for r in runs if r["worker"] == kind) for kind in WORKERS}
    cpu = {kind: _least(runs, kind, "worker_cpu_ms_per_job") for kind in WORKERS}
    engine_cpu = {kind: _least(runs, kind, "engine_cpu_ms_per_job") for kind in WORKERS}
    plain_rate = max(best["pyzeebe"], best["pyzeebe-stream"])
    plain_cpu = _least_of(cpu, "pyzeebe", "pyzeebe-stream")
    ours_rate = max(best["ours"], best["ours-rest"])
    ours_cpu = _least_of(cpu, "ours", "ours-rest")
    ratio = round(ours_rate / plain_rate, 3)
    cpu_ratio = round(ours_cpu / plain_cpu, 2) if ours_cpu is not None and plain_cpu else None
    by_transport = {
        transport: round(cpu[kind] / plain_cpu, 2) if cpu[kind] is not None and plain_cpu else None
        for transport, kind in (("grpc", "ours"), ("rest", "ours-rest"))
    }
    floor = cpu["bare-grpc"]
    over_floor = {
        kind: round(cpu[kind] / floor, 2)
        for kind in ("ours", "ours-rest", "pyzeebe", "pyzeebe-stream")
        if floor and cpu[kind] is not None
    }
    engine_busy = statistics.fmean(
        r["engine_cpu_s"] / r["seconds"] for r in runs if r["engine_cpu_s"] is not None
    )
    say(
        f"zeebe  best: ours {best['ours']} (gRPC) / {best['ours-rest']} (REST) jobs/s, "
        f"pyzeebe {best['pyzeebe']} (polling) / {best['pyzeebe-stream']} (streaming) jobs/s; "
        f"throughput ours/pyzeebe, better against better, {ratio}; "
        f"dev engine busy {engine_busy:.0%} of one core while the workers ran"
    )
    say(
        f"zeebe  worker CPU per job: ours {cpu['ours']} ms (gRPC) / {cpu['ours-rest']} ms "
        f"(REST), pyzeebe {cpu['pyzeebe']} ms (polling) / {cpu['pyzeebe-stream']} ms "
        f"(streaming); ours/pyzeebe's better: over gRPC {by_transport['grpc']}, over REST "
        f"{by_transport['rest']}, better against better {cpu_ratio} (goal <= 0.9)"
    )
    say(
        f"zeebe  the gRPC transport's floor (bare grpc.aio calls, no framework): {floor} "
        f"ms/job; worker CPU over it: ours {over_floor.get('ours')} (gRPC) / "
        f"{over_floor.get('ours-rest')} (REST), pyzeebe {over_floor.get('pyzeebe')} / "
        f"{over_floor.get('pyzeebe-stream')}"
    )
    return {
        "benchmark": "zeebe-vs-pyzeebe",
        "jobs": jobs,
        "ours_jobs_s": ours_rate,
        "ours_grpc_jobs_s": best["ours"],
        "ours_rest_jobs_s": best["ours-rest"],
        "pyzeebe_jobs_s": best["pyzeebe"],
        "pyzeebe_stream_jobs_s": best["pyzeebe-stream"],
        "ratio": ratio,
        "worker_cpu_ms_per_job": cpu,
        "engine_cpu_ms_per_job": engine_cpu,
        "cpu_ratio": cpu_ratio,
        "cpu_ratio_by_transport": by_transport,
        "cpu_over_bare_grpc": over_floor,
        "goals": {"cpu_ratio_max": 0.9, "met": cpu_ratio is not None and cpu_ratio <= 0.9},
        "concurrency": concurrency,
        "settings": {
            "ours": (
                "Runtime(long_poll=5s, streaming=True, secrets, hooks=[Metrics()]), "
                f"ZeebeAdapter (gRPC), realistic connector, max_concurrency={concurrency}"
            ),
            "ours-rest": "the same with Camunda8RestAdapter (Camunda 8 REST API, polling)",
            "pyzeebe": (
                f"ZeebeWorker(request_timeout=5000, poll_retry_delay="
                f"{PYZEEBE_POLL_RETRY_DELAY}), max_jobs_to_activate={concurrency}, "
                f"max_running_jobs={concurrency}"
            ),
            "pyzeebe-stream": "the same with stream_enabled=True",
            "bare-grpc": (
                "the generated stub alone: ActivateJobs for the free slots, a task per job "
                f"making one CompleteJob call, {concurrency} at a time"
            ),
        },
        "engine": "bpmn-bridge dev engine, child process",
        "engine_busy_fraction": round(engine_busy, 2),
        "runs": runs,
        "machine_before": load_before,
        "machine_after": machine(),
    }


def _least_of(cpu: dict[str, float | None], *kinds: str) -> float | None:
    values = [value for kind in kinds if (value := cpu[kind]) is not None]
    return min(values) if values else None


def _least(runs: list[dict[str, Any]], kind: str, key: str) -> float | None:
    values = [r[key] for r in runs if r["worker"] == kind and r[key] is not None]
    return min(values) if values else None
