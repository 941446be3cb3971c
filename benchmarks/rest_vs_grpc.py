"""Camunda 8 over REST against Camunda 8 over gRPC: the same connector, the same engine.

The dev engine runs in a child process serving its Zeebe gRPC gateway and its Camunda 8
REST API (``/v2``) over one state, and pre-creates N instances per run in its own loop. A
worker process then serves them with bpmn-bridge's ``Runtime`` and the realistic connector
of `_bench_connector` (10-field input model, secrets, resultExpression, metrics), once with
``ZeebeAdapter`` (gRPC: long polling plus job streaming, as the runtime runs it by default)
and once with ``Camunda8RestAdapter`` (REST: long polling; the API has no job stream). Each
transport runs twice in ABBA order and its better run counts. Printed: throughput and worker
CPU per job (from ``/proc``) per transport, and the ratios REST over gRPC. The last line is
one JSON object. Figures are rates on whatever machine runs this: compare within one run.

    .venv/bin/python benchmarks/rest_vs_grpc.py [--jobs N] [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import multiprocessing
import sys
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
)
from _bench_zeebe import PROCESS

ORDER = ("grpc", "rest", "rest", "grpc")
"""ABBA: each transport runs twice, mirrored, so warm-up and drift favour neither."""


def _serve_engine(conn: Connection) -> None:
    """Child process: a DevEngine serving gRPC and REST, driven by commands on ``conn``."""
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
                    process_id, timeout = args
                    mapped = 0
                    try:
                        async with asyncio.timeout(timeout):
                            for key in started.pop(process_id):
                                ended = await engine.wait_for_end(key, timeout=None)
                                variables = ended.plain_variables()
                                mapped += all(
                                    variables.get(k) == v for k, v in EXPECTED_RESULT.items()
                                )
                    except TimeoutError:
                        conn.send(None)
                    else:
                        conn.send(mapped)
                else:
                    return

    asyncio.run(serve())


def _run_worker(conn: Connection, transport: str, address: str, job_type: str, cap: int) -> None:
    """Child process: Runtime + the transport's adapter serving ``job_type``."""
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

    engine: EngineAdapter
    if transport == "grpc":
        engine = ZeebeAdapter(ZeebeConfig(address=address, tls=False))
    else:
        engine = Camunda8RestAdapter(Camunda8RestConfig(rest_address=address))
    spec = dataclasses.replace(get_spec(place_order), type=job_type, max_concurrency=cap)
    runtime = Runtime(
        connectors=[spec],
        engines=[engine],
        secrets=secrets(),
        hooks=[Metrics()],
        long_poll=timedelta(seconds=5),
    )

    serve_runtime(conn, runtime)


def _one_run(
    conn: Connection, engine_pid: int, addresses: dict[str, str], transport: str, **sizes: int
) -> dict[str, Any]:
    jobs, concurrency = sizes["jobs"], sizes["concurrency"]
    tag = uuid.uuid4().hex[:8]
    process_id, job_type = f"bench_{tag}", f"bench-{tag}"
    xml = PROCESS.format(pid=process_id, job_type=job_type, result_expression=RESULT_EXPRESSION)
    for command in (("deploy", xml), ("start", process_id, jobs)):
        conn.send(command)
        conn.recv()
    worker = WorkerProcess(_run_worker, transport, addresses[transport], job_type, concurrency)
    worker.start()
    try:
        engine_cpu0, worker_cpu0 = cpu_seconds(engine_pid), cpu_seconds(worker.pid)
        conn.send(("wait", process_id, max(120.0, jobs / 20)))
        began = time.perf_counter()
        worker.go()
        mapped = conn.recv()
        elapsed = time.perf_counter() - began
        engine_cpu1, worker_cpu1 = cpu_seconds(engine_pid), cpu_seconds(worker.pid)
    finally:
        worker.stop()
    if mapped != jobs:
        raise RuntimeError(f"{transport}: {mapped} of {jobs} instances ended with the result")
    worker_cpu = cpu_delta(worker_cpu0, worker_cpu1)
    engine_cpu = cpu_delta(engine_cpu0, engine_cpu1)
    return {
        "transport": transport,
        "seconds": round(elapsed, 3),
        "jobs_s": round(jobs / elapsed, 1),
        "worker_cpu_ms_per_job": per_job_ms(worker_cpu, jobs),
        "engine_cpu_ms_per_job": per_job_ms(engine_cpu, jobs),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000, help="instances per run")
    parser.add_argument("--concurrency", type=int, default=32, help="jobs running at once")
    args = parser.parse_args(argv)
    load_before = machine()
    context = multiprocessing.get_context("spawn")
    conn, child = context.Pipe()
    engine = context.Process(target=_serve_engine, args=(child,), daemon=True)
    engine.start()
    grpc_address, rest_url = conn.recv()
    addresses = {"grpc": grpc_address, "rest": rest_url}
    assert engine.pid is not None
    runs: list[dict[str, Any]] = []
    try:
        for transport in ORDER:
            result = _one_run(
                conn, engine.pid, addresses, transport, jobs=args.jobs, concurrency=args.concurrency
            )
            runs.append(result)
            print(
                f"{transport:4} {args.jobs} jobs in {result['seconds']:6.2f} s = "
                f"{result['jobs_s']:7.1f} jobs/s  worker CPU {result['worker_cpu_ms_per_job']} "
                f"ms/job, engine CPU {result['engine_cpu_ms_per_job']} ms/job",
                flush=True,
            )
    finally:
        conn.send(("stop",))
        engine.join(10)
        if engine.is_alive():
            engine.terminate()
    rate = {t: max(r["jobs_s"] for r in runs if r["transport"] == t) for t in ("grpc", "rest")}
    cpu = {
        t: min(
            (r["worker_cpu_ms_per_job"] for r in runs if r["transport"] == t),
            key=lambda v: float("inf") if v is None else v,
        )
        for t in ("grpc", "rest")
    }
    throughput_ratio = round(rate["rest"] / rate["grpc"], 3)
    cpu_ratio = (
        round(cpu["rest"] / cpu["grpc"], 2) if cpu["rest"] is not None and cpu["grpc"] else None
    )
    print(
        f"best: gRPC {rate['grpc']} jobs/s, REST {rate['rest']} jobs/s; REST/gRPC throughput "
        f"{throughput_ratio}; worker CPU per job gRPC {cpu['grpc']} ms, REST {cpu['rest']} ms; "
        f"REST/gRPC CPU {cpu_ratio}",
        flush=True,
    )
    figures = {
        "benchmark": "rest-vs-grpc",
        "jobs": args.jobs,
        "concurrency": args.concurrency,
        "grpc_jobs_s": rate["grpc"],
        "rest_jobs_s": rate["rest"],
        "throughput_ratio_rest_over_grpc": throughput_ratio,
        "worker_cpu_ms_per_job": cpu,
        "cpu_ratio_rest_over_grpc": cpu_ratio,
        "settings": (
            "Runtime(long_poll=5s, secrets, hooks=[Metrics()]), realistic connector; gRPC "
            "polls and streams, REST polls"
        ),
        "runs": runs,
        "machine_before": load_before,
        "machine_after": machine(),
    }
    print(json.dumps(figures), flush=True)
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
