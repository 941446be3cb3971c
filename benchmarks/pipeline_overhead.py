"""In-process cost per job of the core pipeline, no engine involved.

The realistic connector of the worker benchmarks (`_bench_connector`): bind 10 variables
into a 10-field model, resolve two secret placeholders, validate, run a trivial async
connector, evaluate a result expression, and count and time the job in Prometheus metrics
(the runtime's ``Metrics`` hooks); compared side by side with calling the same connector
function directly on a pre-built model, so the ratio shows what the pipeline adds. A second
pipeline runs a result expression that also iterates (``for``) and joins text
(``string join``), interleaved with the first. Prints the medians of many runs; last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from _bench_connector import RESULT_EXPRESSION, VARIABLES, TenFields, place_order, secrets

from bpmn_bridge import Completed, Job, JobInfo, JobPipeline, get_spec
from bpmn_bridge.runtime import JobFinished, Metrics

HEADERS = {"resultExpression": RESULT_EXPRESSION}
ITERATING_EXPRESSION = (
    RESULT_EXPRESSION[:-1]
    + ', refs: string join(for i in 1..3 return body.id + "-" + string(i), ",")}'
)
"""The same mapping plus a ``for`` and ``string join`` over the connector's answer."""


async def measure(runs: int) -> dict[str, object]:
    spec = get_spec(place_order)
    pipeline = JobPipeline(spec, secrets=secrets())
    metrics = Metrics()
    info = JobInfo(engine="bench", id="1", type=spec.type, retries=3)
    job = Job(info, VARIABLES, HEADERS)
    iterating = JobPipeline(spec, secrets=secrets())
    iterating_job = Job(info, VARIABLES, {"resultExpression": ITERATING_EXPRESSION})
    model = TenFields.model_validate({**VARIABLES, "api_key": "k", "endpoint": "e"})

    async def one() -> None:
        metrics.job_activated(info, spec.type)
        began = time.monotonic()
        outcome = await pipeline.run(job)
        metrics.job_finished(JobFinished(info, spec.type, outcome, time.monotonic() - began, True))

    async def one_iterating() -> None:
        metrics.job_activated(info, spec.type)
        began = time.monotonic()
        outcome = await iterating.run(iterating_job)
        metrics.job_finished(JobFinished(info, spec.type, outcome, time.monotonic() - began, True))

    for _ in range(200):  # warm caches (header parse, FEEL compile)
        await one()
        await one_iterating()
    outcome = await pipeline.run(job)
    assert isinstance(outcome, Completed), outcome
    iterated = await iterating.run(iterating_job)
    assert isinstance(iterated, Completed), iterated
    assert iterated.variables["refs"] == "A-1-1,A-1-2,A-1-3", iterated
    pipeline_us, direct_us, iterating_us = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        await one()
        t1 = time.perf_counter()
        await place_order(model)
        t2 = time.perf_counter()
        await one_iterating()
        t3 = time.perf_counter()
        pipeline_us.append((t1 - t0) * 1e6)
        direct_us.append((t2 - t1) * 1e6)
        iterating_us.append((t3 - t2) * 1e6)
    median = statistics.median(pipeline_us)
    direct = statistics.median(direct_us)
    iterating_median = statistics.median(iterating_us)
    return {
        "benchmark": "pipeline-overhead",
        "runs": runs,
        "fields": 10,
        "features": "10-field model, 2 secrets, resultExpression, metrics",
        "result": outcome.variables,
        "pipeline_median_us": round(median, 2),
        "pipeline_p99_us": round(statistics.quantiles(pipeline_us, n=100)[98], 2),
        "direct_call_median_us": round(direct, 2),
        "overhead_median_us": round(median - direct, 2),
        "iterating_expression": ITERATING_EXPRESSION,
        "iterating_pipeline_median_us": round(iterating_median, 2),
        "target_us": 100,
        "within_target": median < 100 and iterating_median < 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20000)
    args = parser.parse_args()
    result = asyncio.run(measure(args.runs))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
