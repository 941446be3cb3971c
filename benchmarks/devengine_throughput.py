"""End-to-end throughput of the development engine through the Zeebe protocol.

N one-service-task instances are created with a plain pyzeebe client and their jobs
activated and completed by a plain pyzeebe worker (no bpmn-bridge worker code), all over
loopback gRPC to a `DevEngine` in a child process (``--in-process`` to share the loop).
Prints jobs/s and the p50/p99 latency from
instance creation (just before CreateProcessInstance is sent) to job activation (the
worker's task function starts); the last line is one JSON object.

    python benchmarks/devengine_throughput.py --instances 3000
"""

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel

from bpmn_bridge.devengine import DevEngine

PROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench">
  <bpmn:process id="bench_one_task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="bench-work"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def zeebe_figures(zeebe_address: str, *, instances: int, concurrency: int) -> dict[str, Any]:
    """Create, activate and complete ``instances`` jobs through the Zeebe gateway.

    Each creator uses CreateProcessInstanceWithResult, so completion is observed through
    the protocol; the creation timestamp travels as a process variable to the worker.
    """
    channel = create_insecure_channel(grpc_address=zeebe_address)
    client = ZeebeClient(channel)
    worker = ZeebeWorker(channel, name="bench")
    latencies: list[float] = []

    # The annotation must stay a real class (no __future__ annotations in this file):
    # pyzeebe injects the Job by looking at it.
    async def work(job: Job) -> dict[str, Any]:
        latencies.append(time.perf_counter() - job.variables["t0"])
        return {"ok": True}

    worker.task(task_type="bench-work", max_jobs_to_activate=64, max_running_jobs=256)(work)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.bpmn"
        path.write_bytes(PROCESS)
        await client.deploy_resource(path)
    worker_task = asyncio.create_task(worker.work())
    remaining = instances

    async def creator() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await client.run_process_with_result(
                "bench_one_task", variables={"t0": time.perf_counter()}, timeout=60_000
            )

    begin = time.perf_counter()
    await asyncio.gather(*(creator() for _ in range(concurrency)))
    elapsed = time.perf_counter() - begin
    await worker.stop()
    await worker_task
    await channel.close()
    return {
        "instances": instances,
        "seconds": round(elapsed, 3),
        "jobs_per_second": round(instances / elapsed, 1),
        "latency_p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "latency_p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "latency_mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "latency_samples": len(latencies),
    }


@dataclass(frozen=True)
class EngineAddresses:
    """Where the engine under test listens (it may run in another process)."""

    zeebe_address: str
    camunda7_url: str


def _serve_engine(conn: Connection) -> None:
    """Child process: run a DevEngine until the parent says stop."""

    async def serve() -> None:
        async with DevEngine(camunda7_port=0) as engine:
            try:
                url = engine.camunda7_url
            except RuntimeError:
                url = ""
            conn.send((engine.zeebe_address, url))
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    asyncio.run(serve())


@asynccontextmanager
async def engine_under_test(*, in_process: bool) -> AsyncIterator[EngineAddresses]:
    """Run the engine in a child process (default: uses the second core, like a real
    engine would) or in this event loop."""
    if in_process:
        async with DevEngine(camunda7_port=0) as engine:
            try:
                url = engine.camunda7_url
            except RuntimeError:
                url = ""
            yield EngineAddresses(engine.zeebe_address, url)
        return
    parent, child = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve_engine, args=(child,), daemon=True
    )
    process.start()
    try:
        loop = asyncio.get_running_loop()
        zeebe_address, url = await loop.run_in_executor(None, parent.recv)
        yield EngineAddresses(zeebe_address, url)
    finally:
        parent.send("stop")
        await asyncio.get_running_loop().run_in_executor(None, process.join, 10)


async def camunda7_figures(engine: EngineAddresses, *, instances: int) -> dict[str, Any] | None:
    """Start, fetchAndLock (long polling) and complete ``instances`` external tasks through
    ``engine.camunda7_url`` with a plain httpx client; see `_camunda7_throughput`."""
    from _camunda7_throughput import camunda7_throughput  # sibling script in benchmarks/

    return await camunda7_throughput(engine.camunda7_url, instances=instances)


async def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", "-n", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64, help="concurrent creators")
    parser.add_argument(
        "--in-process", action="store_true", help="run the engine in the benchmark's event loop"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    async with engine_under_test(in_process=args.in_process) as engine:
        result: dict[str, Any] = {
            "benchmark": "devengine_throughput",
            "engine": "in-process" if args.in_process else "child process",
            "zeebe": await zeebe_figures(
                engine.zeebe_address, instances=args.instances, concurrency=args.concurrency
            ),
        }
        c7 = (
            await camunda7_figures(engine, instances=args.instances)
            if engine.camunda7_url
            else None
        )
        if c7 is not None:
            result["camunda7"] = c7
        elif os.environ.get("CI", "").lower() == "true":
            raise RuntimeError("the Camunda 7 front did not start: no Camunda 7 figures in CI")
    zeebe = result["zeebe"]
    print(
        f"zeebe: {zeebe['instances']} jobs in {zeebe['seconds']} s = "
        f"{zeebe['jobs_per_second']} jobs/s, creation→activation p50 "
        f"{zeebe['latency_p50_ms']} ms, p99 {zeebe['latency_p99_ms']} ms",
        file=sys.stderr,
    )
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    asyncio.run(main())
