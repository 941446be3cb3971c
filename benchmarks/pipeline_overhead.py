"""In-process cost per job of the core pipeline, no engine involved.

Bind 10 variables into a 10-field model, resolve two secret placeholders, validate, run a
trivial async connector and evaluate a result expression; compared side by side with
calling the same connector function directly on a pre-built model, so the ratio shows what
the pipeline adds. Prints the median of many runs; last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from pydantic import BaseModel

from bpmn_bridge import Job, JobInfo, JobPipeline, MappingSecretProvider, connector, get_spec


class TenFields(BaseModel):
    order_id: str
    customer: str
    amount: float
    currency: str
    quantity: int
    express: bool
    api_key: str
    endpoint: str
    tags: list[str]
    address: dict[str, str]


@connector(type="bench")
async def handle(order: TenFields) -> dict[str, object]:
    return {"status": 200, "body": {"id": order.order_id, "total": order.amount * order.quantity}}


VARIABLES = {
    "order_id": "A-1",
    "customer": "ann",
    "amount": 12.5,
    "currency": "EUR",
    "quantity": 3,
    "express": True,
    "api_key": "{{secrets.API_KEY}}",
    "endpoint": "https://api.example/{{secrets.TENANT}}/orders",
    "tags": ["a", "b"],
    "address": {"street": "Main 1", "city": "Berlin"},
}
HEADERS = {"resultExpression": "={orderId: body.id, total: body.total, ok: status = 200}"}


async def measure(runs: int) -> dict[str, object]:
    pipeline = JobPipeline(
        get_spec(handle), secrets=MappingSecretProvider({"API_KEY": "k-123", "TENANT": "t1"})
    )
    job = Job(JobInfo(engine="bench", id="1", type="bench", retries=3), VARIABLES, HEADERS)
    model = TenFields.model_validate({**VARIABLES, "api_key": "k", "endpoint": "e"})
    for _ in range(200):  # warm caches (header parse, FEEL compile)
        await pipeline.run(job)
    pipeline_us, direct_us = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        await pipeline.run(job)
        t1 = time.perf_counter()
        await handle(model)
        t2 = time.perf_counter()
        pipeline_us.append((t1 - t0) * 1e6)
        direct_us.append((t2 - t1) * 1e6)
    median = statistics.median(pipeline_us)
    direct = statistics.median(direct_us)
    return {
        "benchmark": "pipeline-overhead",
        "runs": runs,
        "fields": 10,
        "pipeline_median_us": round(median, 2),
        "pipeline_p99_us": round(statistics.quantiles(pipeline_us, n=100)[98], 2),
        "direct_call_median_us": round(direct, 2),
        "overhead_median_us": round(median - direct, 2),
        "target_us": 100,
        "within_target": median < 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20000)
    args = parser.parse_args()
    result = asyncio.run(measure(args.runs))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
