"""Camunda 7 part of the dev engine throughput benchmark.

One-external-task instances are started, fetched and completed through the dev engine's
Camunda 7 REST API with a plain httpx client: starters and fetch/complete workers run
concurrently, and the figure is completed tasks per second from the first start to the last
completion. Used by ``devengine_throughput.py``; runs alone too:
``.venv/bin/python benchmarks/_camunda7_throughput.py`` (one JSON line last).
"""

from __future__ import annotations

import asyncio
import json
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


async def _starter(client: httpx.AsyncClient, count: int) -> None:
    for i in range(count):
        response = await client.post(
            f"/process-definition/key/{PROCESS_ID}/start",
            json={"variables": {"n": {"value": i, "type": "Integer"}}},
        )
        response.raise_for_status()


async def _worker(
    client: httpx.AsyncClient, name: str, done: list[int], total: int, batch: int
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
        for task in response.json():
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
        ``{"c7_instances": ..., "c7_seconds": ..., "c7_tasks_per_s": ...}``.
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
        per_starter = [instances // starters + (i < instances % starters) for i in range(starters)]
        began = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            for count in per_starter:
                group.create_task(_starter(client, count))
            for i in range(workers):
                group.create_task(_worker(client, f"bench-{i}", done, instances, batch))
        elapsed = time.perf_counter() - began
    return {
        "c7_instances": instances,
        "c7_seconds": round(elapsed, 3),
        "c7_tasks_per_s": round(instances / elapsed, 1),
    }


async def _main() -> None:
    from bpmn_bridge.devengine._server import DevEngine

    async with DevEngine(zeebe_port=None) as engine:
        result = await camunda7_throughput(engine.camunda7_url)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(_main())
