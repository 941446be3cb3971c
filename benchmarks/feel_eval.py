"""Micro-benchmark: evaluating realistic FEEL mappings per job (compiled once, cached).

Measures each expression of a set taken from connector result/error expressions and
gateway conditions, against the same response, interleaved batch by batch so machine noise
hits all alike; prints one line per expression with its cost relative to a plain path, then
everything as one JSON line last. Run: .venv/bin/python benchmarks/feel_eval.py
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
EXPRESSIONS: dict[str, str] = {
    "path": PATH_EXPRESSION,
    "result": RESULT_EXPRESSION,
    "error": ERROR_EXPRESSION,
    "for-string-join": (
        '={skus: string join(for item in response.body.items return item.sku, ","),'
        " ids: for i in 1..3 return response.body.id + string(i)}"
    ),
    "filter-sum": "={total: sum(response.body.items[qty > 1].qty), n: count(response.body.items)}",
    "some-every": (
        "={any: some i in response.body.items satisfies i.qty > 4,"
        " all: every i in response.body.items satisfies i.qty > 0}"
    ),
    "decimal": "={net: decimal(response.body.price * 1.19, 2), share: 1 / 3}",
    "temporal": (
        '={due: date(response.body.created) + duration("P30D"),'
        ' late: date and time(response.body.createdAt) < @"2024-01-01T00:00:00Z"}'
    ),
    "builtins": (
        '={tag: upper case(get or else(response.body.tags[1], "none")),'
        " sorted: sort(response.body.items.qty, function(a, b) a > b),"
        ' merged: context put(response.headers, "x-id", response.body.id)}'
    ),
    "condition": "=response.status >= 200 and response.status < 300 and response.body.id != null",
}

VARIABLES: dict[str, Any] = {
    "response": {
        "status": 200,
        "headers": {"content-type": "application/json"},
        "body": {
            "id": "A-1",
            "message": None,
            "items": [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 3}, {"sku": "z", "qty": 5}],
            "tags": ["new", "paid"],
            "price": 10.5,
            "created": "2024-01-15",
            "createdAt": "2023-12-31T23:00:00Z",
        },
    },
    "unrelated": list(range(100)),
}


def medians_us(
    sources: dict[str, str], *, batches: int = 31, per_batch: int = 500
) -> dict[str, float]:
    """Median µs per evaluation of each source, batches interleaved across the sources."""
    evaluators = {name: compile_expression(source).evaluate for name, source in sources.items()}
    for evaluate in evaluators.values():  # warm up
        for _ in range(per_batch):
            evaluate(VARIABLES)
    samples: dict[str, list[float]] = {name: [] for name in evaluators}
    for _ in range(batches):
        for name, evaluate in evaluators.items():
            start = time.perf_counter_ns()
            for _ in range(per_batch):
                evaluate(VARIABLES)
            samples[name].append((time.perf_counter_ns() - start) / per_batch / 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def compile_us(source: str, *, rounds: int = 200) -> float:
    start = time.perf_counter_ns()
    for _ in range(rounds):
        compile_expression.__wrapped__(source)
    return (time.perf_counter_ns() - start) / rounds / 1000


def main() -> None:
    medians = medians_us(EXPRESSIONS)
    path = medians["path"]
    for name, us in medians.items():
        print(
            json.dumps(
                {"expression": name, "median_us": round(us, 3), "x_path": round(us / path, 1)}
            )
        )
    compile_figures = {
        name: round(compile_us(EXPRESSIONS[name]), 1) for name in ("result", "builtins")
    }
    print(
        json.dumps(
            {
                "benchmark": "feel-eval",
                "median_us": {name: round(us, 3) for name, us in medians.items()},
                "compile_uncached_us": compile_figures,
            }
        )
    )


if __name__ == "__main__":
    main()
