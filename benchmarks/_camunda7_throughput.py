"""Camunda 7 part of the dev engine throughput benchmark.

One-external-task instances are started, fetched and completed through the dev engine's
Camunda 7 REST API with a plain httpx client: starters and fetch/complete workers run
concurrently, and the figure is completed tasks per second from the first start to the last
completion, plus start→fetch latency percentiles. Used by ``devengine_throughput.py``; runs
alone too: ``.venv/bin/python benchmarks/_camunda7_throughput.py`` (one JSON line last).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

import httpx

PROCESS_ID = "bench_c7"
TOPIC = "bench-c7"
BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="bench_c7_definitions" targetNamespace="http://bpmn-bridge.dev/bench">
  <bpmn:process id="{PROCESS_ID}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="{TOPIC}" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


async def _starter(client: httpx.AsyncClient, numbers: range, sent_at: dict[int, float]) -> None:
    for n in numbers:
        sent_at[n] = time.perf_counter()
        response = await client.post(
            f"/process-definition/key/{PROCESS_ID}/start",
            json={"variables": {"n": {"value": n, "type": "Integer"}}},
        )
        response.raise_for_status()


async def _worker(
    client: httpx.AsyncClient,
    name: str,
    done: list[int],
    total: int,
    batch: int,
    sent_at: dict[int, float],
    latencies: list[float],
) -> None:
    while len(done) < total:
        response = await client.post(
            "/external-task/fetchAndLock",
            json={
                "workerId": name,
                "maxTasks": batch,
                "asyncResponseTimeout": 200,
                "topics": [{"topicName": TOPIC, "lockDuration": 30_000, "variables": ["n"]}],
            },
        )
        response.raise_for_status()
        fetched_at = time.perf_counter()
        for task in response.json():
            started = sent_at.get(task["variables"]["n"]["value"])
            if started is not None:
                latencies.append(fetched_at - started)
            completed = await client.post(
                f"/external-task/{task['id']}/complete",
                json={"workerId": name, "variables": {"ok": {"value": True}}},
            )
            completed.raise_for_status()
            done.append(1)


async def camunda7_throughput(
    url: str, *, instances: int = 2000, starters: int = 4, workers: int = 4, batch: int = 20
) -> dict[str, Any]:
    """Measure start → fetchAndLock → complete through a Camunda 7 REST API.

    Args:
        url: REST root, ``http://host:port/engine-rest``.
        instances: how many instances (= external tasks) to run.
        starters: concurrent start loops.
        workers: concurrent fetch/complete loops.
        batch: ``maxTasks`` per fetchAndLock.

    Returns:
        ``instances``, ``seconds``, ``tasks_per_second`` and the latency from sending the
        start request to the fetchAndLock response carrying its task (p50/p99/mean ms).
    """
    limits = httpx.Limits(max_connections=starters + workers + 2)
    async with httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) as client:
        deployed = await client.post(
            "/deployment/create",
            data={"deployment-name": "bench", "enable-duplicate-filtering": "true"},
            files={"bench.bpmn": ("bench.bpmn", BPMN.encode(), "application/xml")},
        )
        deployed.raise_for_status()
        done: list[int] = []
        sent_at: dict[int, float] = {}
        latencies: list[float] = []
        began = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for i in range(starters):
                group.create_task(_starter(client, range(i, instances, starters), sent_at))
            for i in range(workers):
                group.create_task(
                    _worker(client, f"bench-{i}", done, instances, batch, sent_at, latencies)
                )
        elapsed = time.perf_counter() - began
    return {
        "instances": instances,
        "seconds": round(elapsed, 3),
        "tasks_per_second": round(instances / elapsed, 1),
        "latency_p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "latency_p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "latency_mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "latency_samples": len(latencies),
    }


async def _main() -> None:
    from bpmn_bridge.devengine._server import DevEngine

    async with DevEngine(zeebe_port=None) as engine:
        result = await camunda7_throughput(engine.camunda7_url)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(_main())
