"""bpmn-bridge's worker runtime against the engines' own plain Python clients, side by side.

* Zeebe: ``Runtime`` + ``ZeebeAdapter`` (gRPC) and ``Runtime`` + ``Camunda8RestAdapter``
  (Camunda 8's REST API) vs a plain pyzeebe ``ZeebeWorker``, polling and streaming
  (``stream_enabled``), and bare grpc.aio calls with no framework (the gRPC transport's
  floor), on the dev engine (in a child process; one state behind its gRPC gateway and its
  REST API), N pre-created instances each. Each side's better configuration counts; ours
  over gRPC alone is in the figures too.
* Camunda 7: ``Runtime`` + ``Camunda7Adapter`` vs camunda-external-task-client-python3's
  sync ``ExternalTaskWorker`` and ``AsyncExternalTaskWorker`` on the real engine (the Spring
  Boot harness of the test suite at full JIT, started on a free loopback port and stopped
  at the end).

Our worker runs the realistic connector of `_bench_connector` with every per-job feature on
(10-field input model, secrets, resultExpression, metrics); the plain clients answer every
job, which carries the same variables, with the variables ours ends with. Every worker runs
alone in a child process of its own with the same concurrency; each is run twice (ABBA
order) and its better run counts, so warm-up favours no one. Per engine and worker it
prints throughput, worker CPU per job and engine CPU per job (read from ``/proc``), then
the two ratios, ours over the plain client's: throughput and worker CPU per job. The last
line is one JSON object. Figures are rates on whatever machine runs this: compare within
one run only.

Under ``CI=true`` a comparison that cannot run (no Java for the real Camunda 7) is an
error, not a skip.

    .venv/bin/python benchmarks/worker_vs_clients.py [--only zeebe|camunda7] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import _bench_camunda7
import _bench_zeebe


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", choices=("zeebe", "camunda7"), help="run one benchmark")
    parser.add_argument(
        "--jobs",
        type=int,
        help="instances per run (default: 3000 on Zeebe, 1000 on Camunda 7)",
    )
    parser.add_argument("--concurrency", type=int, default=32, help="jobs running at once")
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(line, flush=True)

    results: dict[str, Any] = {}
    if args.only in (None, "zeebe"):
        results["zeebe"] = _bench_zeebe.run(
            jobs=args.jobs or 3000, concurrency=args.concurrency, say=say
        )
        print(json.dumps(results["zeebe"]), flush=True)
    if args.only in (None, "camunda7"):
        results["camunda7"] = _bench_camunda7.run(
            tasks=args.jobs or 1000, concurrency=args.concurrency, say=say
        )
        print(json.dumps(results["camunda7"]), flush=True)
    if args.only is None:
        combined = {"benchmark": "worker-vs-clients", "summary": summary(results), **results}
        for line in _summary_lines(combined["summary"]):
            say(line)
        print(json.dumps(combined))
        return combined
    return results[args.only]


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """The two ratios per engine against the goals, ours over the plain client's."""
    out: dict[str, Any] = {}
    zeebe = results.get("zeebe")
    if zeebe and "skipped" not in zeebe:
        out["zeebe"] = {
            "throughput_ratio": zeebe["ratio"],
            "cpu_ratio": zeebe["cpu_ratio"],
            "cpu_ratio_by_transport": zeebe["cpu_ratio_by_transport"],
            "against": (
                "pyzeebe's better configuration (polling or streaming), by ours' better "
                "(gRPC or REST)"
            ),
            "goals_met": zeebe["goals"]["met"],
        }
    camunda7 = results.get("camunda7")
    if camunda7 and "skipped" not in camunda7:
        out["camunda7"] = {
            "throughput_ratio": camunda7["ratio_sync"],
            "cpu_ratio": camunda7["cpu_ratio_sync"],
            "against": "the sync ExternalTaskWorker",
            "goals_met": camunda7["goals"]["met"],
        }
    return out


def _summary_lines(figures: dict[str, Any]) -> list[str]:
    return [
        f"summary {engine}: ours / {row['against']}: throughput {row['throughput_ratio']}, "
        f"worker CPU per job {row['cpu_ratio']}; goals met: {row['goals_met']}"
        for engine, row in figures.items()
    ]


if __name__ == "__main__":
    main(sys.argv[1:])
