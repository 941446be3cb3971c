"""Micro-benchmark: evaluating typical connector result/error expressions per job.

Prints one line per expression, then the headline figure (the result expression) as one
JSON line last. Run: .venv/bin/python benchmarks/feel_eval.py
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from bpmn_bridge.feel import compile_expression

RESULT_EXPRESSION = (
    "={orderId: response.body.id, ok: response.status = 200, "
    "firstQty: response.body.items[1].qty, big: response.body.items[qty > 2], "
    "tag: upper case(response.body.tags[1])}"
)
ERROR_EXPRESSION = (
    '=if response.status >= 500 then jobError("server error " + string(response.status), '
    '{}, 3, "PT30S") else if response.status = 404 then bpmnError("NOT_FOUND", '
    "response.body.message) else null"
)
PATH_EXPRESSION = "=response.body.id"

VARIABLES: dict[str, Any] = {
    "response": {
        "status": 200,
        "headers": {"content-type": "application/json"},
        "body": {
            "id": "A-1",
            "message": None,
            "items": [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 3}, {"sku": "z", "qty": 5}],
            "tags": ["new", "paid"],
        },
    },
    "unrelated": list(range(100)),
}


def median_us(source: str, *, batches: int = 51, per_batch: int = 2000) -> float:
    expression = compile_expression(source)
    evaluate = expression.evaluate
    for _ in range(per_batch):  # warm up
        evaluate(VARIABLES)
    samples = []
    for _ in range(batches):
        start = time.perf_counter_ns()
        for _ in range(per_batch):
            evaluate(VARIABLES)
        samples.append((time.perf_counter_ns() - start) / per_batch / 1000)
    return statistics.median(samples)


def compile_us(source: str, *, rounds: int = 200) -> float:
    start = time.perf_counter_ns()
    for _ in range(rounds):
        compile_expression.__wrapped__(source)
    return (time.perf_counter_ns() - start) / rounds / 1000


def main() -> None:
    for name, source in (("error", ERROR_EXPRESSION), ("path", PATH_EXPRESSION)):
        print(json.dumps({"expression": name, "median_us": round(median_us(source), 3)}))
    print(json.dumps({"compile_uncached_us": round(compile_us(RESULT_EXPRESSION), 1)}))
    print(
        json.dumps(
            {
                "benchmark": "feel-eval",
                "expression": RESULT_EXPRESSION,
                "median_us": round(median_us(RESULT_EXPRESSION), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
