"""bpmn-bridge's worker runtime against the engines' own plain Python clients, side by side.

* Zeebe: ``Runtime`` + ``ZeebeAdapter`` vs a plain pyzeebe ``ZeebeWorker`` on the dev
  engine's Zeebe gateway (the engine in a child process), N pre-created instances each.
* Camunda 7: ``Runtime`` + ``Camunda7Adapter`` vs camunda-external-task-client-python3's
  sync ``ExternalTaskWorker`` and ``AsyncExternalTaskWorker`` on the real engine (the Spring
  Boot harness of the test suite, started on a free loopback port and stopped at the end).

Every worker runs alone in a child process of its own, serving one trivial task that returns
``{"ok": true}``, with the same concurrency; each is run twice (ABBA order) and its better
run counts, so warm-up favours no one. Prints its figures; the last line is one JSON object.
Figures are wall-clock rates on whatever machine runs this: compare within one run only.

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
        combined = {"benchmark": "worker-vs-clients", **results}
        print(json.dumps(combined))
        return combined
    return results[args.only]


if __name__ == "__main__":
    main(sys.argv[1:])
