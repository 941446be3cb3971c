"""In-process CPU per job of the worker runtime, no engine and no network involved.

A minimal engine adapter hands out ready-made jobs and counts completions at no cost of
its own, so what is measured is the runtime's own work per job (fetch loop, slots, the
job's task, cancel scopes, lease bookkeeping, hooks, reporting) plus the core pipeline,
with the realistic connector of `_bench_connector` (10-field model, secrets,
resultExpression) and metrics on. Side by side, the same jobs through a bare asyncio
loop that only calls the connector function: the difference is what the runtime adds.
Prints the best of several rounds; last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import json
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import anyio
from _bench_connector import (
    EXPECTED_RESULT,
    RESULT_EXPRESSION,
    VARIABLES,
    TenFields,
    place_order,
    secrets,
)

from bpmn_bridge import Job, JobInfo, get_spec
from bpmn_bridge.adapters import FetchRequest
from bpmn_bridge.runtime import Metrics, Runtime


class _Jobs:
    """An engine adapter with nothing behind it: jobs from a queue, outcomes counted."""

    def __init__(self, jobs: int, job_type: str) -> None:
        self.name = "bench"
        headers = {"resultExpression": RESULT_EXPRESSION}
        self._queue = collections.deque(
            Job(
                JobInfo(engine="bench", id=str(n), type=job_type, retries=3, worker="w"),
                dict(VARIABLES),
                headers,
            )
            for n in range(jobs)
        )
        self.completed = 0
        self.wrong = 0
        self.done = anyio.Event()
        self._total = jobs

    async def __aenter__(self) -> _Jobs:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    async def check(self) -> None:
        return None

    async def fetch(self, request: FetchRequest) -> list[Job]:
        if not self._queue:
            await anyio.sleep(request.long_poll.total_seconds())
            return []
        await anyio.lowlevel.checkpoint()
        count = min(request.max_jobs, len(self._queue))
        return [self._queue.popleft() for _ in range(count)]

    async def complete(self, job: JobInfo, variables: Mapping[str, Any]) -> None:
        await anyio.lowlevel.checkpoint()
        self.wrong += dict(variables) != EXPECTED_RESULT
        self.completed += 1
        if self.completed == self._total:
            self.done.set()

    async def fail(self, job: JobInfo, **kwargs: Any) -> None:
        raise AssertionError(f"job {job.id} failed: {kwargs}")

    async def throw_bpmn_error(self, job: JobInfo, **kwargs: Any) -> None:
        raise AssertionError(f"job {job.id} threw: {kwargs}")

    async def extend_lease(self, job: JobInfo, duration: timedelta) -> None:
        return None

    async def return_job(self, job: JobInfo) -> None:
        raise AssertionError(f"job {job.id} returned")


async def _through_runtime(jobs: int, concurrency: int) -> float:
    spec = dataclasses.replace(get_spec(place_order), max_concurrency=concurrency)
    engine = _Jobs(jobs, spec.type)
    runtime = Runtime(
        connectors=[spec],
        engines=[engine],
        secrets=secrets(),
        hooks=[Metrics()],
        long_poll=timedelta(seconds=1),
    )
    began = time.process_time()
    async with runtime:
        await engine.done.wait()
        spent = time.process_time() - began
    if engine.wrong:
        raise RuntimeError(f"{engine.wrong} jobs completed with the wrong variables")
    return spent


async def _bare(jobs: int) -> float:
    model = TenFields.model_validate({**VARIABLES, "api_key": "k", "endpoint": "e"})
    began = time.process_time()
    for _ in range(jobs):
        await place_order(model)
    return time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    runtime_s = min(
        asyncio.run(_through_runtime(args.jobs, args.concurrency)) for _ in range(args.rounds)
    )
    bare_s = min(asyncio.run(_bare(args.jobs)) for _ in range(args.rounds))
    per_job = 1e6 * runtime_s / args.jobs
    bare = 1e6 * bare_s / args.jobs
    print(f"runtime + pipeline: {per_job:.1f} us CPU per job; bare call {bare:.2f} us")
    print(
        json.dumps(
            {
                "benchmark": "runtime-overhead",
                "jobs": args.jobs,
                "concurrency": args.concurrency,
                "features": "10-field model, 2 secrets, resultExpression, metrics",
                "runtime_cpu_us_per_job": round(per_job, 1),
                "bare_call_cpu_us_per_job": round(bare, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
