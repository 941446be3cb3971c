"""Camunda 8 over REST against Camunda 8 over gRPC: the same connector, the same engine.

The dev engine of `_bench_zeebe` runs in a child process serving its Zeebe gRPC gateway and
its Camunda 8 REST API (``/v2``) over one state, and pre-creates N instances per run in its
own loop. A worker process then serves them with bpmn-bridge's ``Runtime`` and the
realistic connector of `_bench_connector` (10-field input model, secrets, resultExpression,
metrics), once with ``ZeebeAdapter`` (gRPC: long polling plus job streaming, as the runtime
runs it by default) and once with ``Camunda8RestAdapter`` (REST: long polling; the API has
no job stream): `_bench_zeebe`'s workers "ours" and "ours-rest". Each transport runs twice
in ABBA order and its better run counts. Printed: throughput and worker CPU per job (from
``/proc``) per transport, and the ratios REST over gRPC. The last line is one JSON object.
Figures are rates on whatever machine runs this: compare within one run.

    .venv/bin/python benchmarks/rest_vs_grpc.py [--jobs N] [--concurrency N]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from _bench_procs import machine
from _bench_zeebe import _EngineProcess, _least, _one_run

WORKERS = {"grpc": "ours", "rest": "ours-rest"}
"""Each transport's worker in `_bench_zeebe`."""

ORDER = ("grpc", "rest", "rest", "grpc")
"""ABBA: each transport runs twice, mirrored, so warm-up and drift favour neither."""


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000, help="instances per run")
    parser.add_argument("--concurrency", type=int, default=32, help="jobs running at once")
    args = parser.parse_args(argv)
    load_before = machine()
    engine = _EngineProcess()
    runs: list[dict[str, Any]] = []
    try:
        for transport in ORDER:
            result = _one_run(
                engine, WORKERS[transport], jobs=args.jobs, concurrency=args.concurrency
            )
            result["transport"] = transport
            runs.append(result)
            print(
                f"{transport:4} {args.jobs} jobs in {result['seconds']:6.2f} s = "
                f"{result['jobs_s']:7.1f} jobs/s  worker CPU {result['worker_cpu_ms_per_job']} "
                f"ms/job, engine CPU {result['engine_cpu_ms_per_job']} ms/job",
                flush=True,
            )
    finally:
        engine.close()
    rate = {t: max(r["jobs_s"] for r in runs if r["transport"] == t) for t in WORKERS}
    cpu = {t: _least(runs, kind, "worker_cpu_ms_per_job") for t, kind in WORKERS.items()}
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
            "Runtime(long_poll=5s, secrets, hooks=[Metrics()]), realistic connector, worker "
            "process GC as bpmn-bridge run sets it; gRPC polls and streams, REST polls"
        ),
        "runs": runs,
        "machine_before": load_before,
        "machine_after": machine(),
    }
    print(json.dumps(figures), flush=True)
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
