"""The runtime against the in-memory engine: concurrency, leases, reconnects, shutdown."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import anyio
import pytest
from pydantic import BaseModel

from bpmn_bridge import ConfigurationError, ConnectorContext, connector
from bpmn_bridge.runtime import Metrics, Runtime
from bpmn_bridge.testing import InMemoryAdapter


class Numbers(BaseModel):
    a: int
    b: int


@connector(type="add", max_concurrency=4)
async def add(n: Numbers) -> dict[str, int]:
    return {"sum": n.a + n.b}


async def test_serves_jobs_on_two_engines_with_one_connector() -> None:
    zeebe, camunda7 = InMemoryAdapter("zeebe"), InMemoryAdapter("camunda7")
    for i in range(10):
        zeebe.add_job("add", {"a": i, "b": 1})
        camunda7.add_job("add", {"a": i, "b": 2})
    async with Runtime(connectors=[add], engines=[zeebe, camunda7], long_poll=timedelta(seconds=1)):
        await zeebe.wait_until_done()
        await camunda7.wait_until_done()
    sums_z = sorted(o.arguments["variables"]["sum"] for o in zeebe.outcomes)
    sums_c = sorted(o.arguments["variables"]["sum"] for o in camunda7.outcomes)
    assert sums_z == [i + 1 for i in range(10)]
    assert sums_c == [i + 2 for i in range(10)]


async def test_never_runs_or_fetches_more_than_max_concurrency() -> None:
    engine = InMemoryAdapter()
    running = 0
    peak = 0
    gate = anyio.Event()

    @connector(type="slow", max_concurrency=3)
    async def slow(context: ConnectorContext) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1

    for _ in range(10):
        engine.add_job("slow")
    async with Runtime(connectors=[slow], engines=[engine], long_poll=timedelta(seconds=1)):
        with anyio.fail_after(5):
            while running < 3:
                await anyio.sleep(0.01)
        await anyio.sleep(0.2)  # would-be over-fetching has had time to happen
        assert running == 3
        assert sum(engine.deliveries(j) for j in engine.pending()) == 3
        gate.set()
        await engine.wait_until_done()
    assert peak == 3
    assert max(engine.max_jobs_asked) <= 3


async def test_sync_connector_does_not_block_the_loop() -> None:
    engine = InMemoryAdapter()
    release = threading.Event()

    @connector(type="blocking", max_concurrency=2)
    def blocking() -> None:
        release.wait(5)

    engine.add_job("blocking")
    engine.add_job("blocking")
    async with Runtime(connectors=[blocking], engines=[engine], long_poll=timedelta(seconds=1)):
        ticks = 0
        with anyio.fail_after(5):
            while sum(engine.deliveries(j) for j in engine.pending()) < 2:
                await anyio.sleep(0.01)
        for _ in range(5):  # the loop keeps turning while both threads block
            await anyio.sleep(0.01)
            ticks += 1
        assert ticks == 5
        release.set()
        await engine.wait_until_done()
    assert engine.kinds() == ["complete", "complete"]


async def test_long_job_has_its_lease_extended_and_is_not_redelivered() -> None:
    engine = InMemoryAdapter()

    @connector(type="long", timeout=timedelta(seconds=10))
    async def long() -> None:
        await anyio.sleep(1.0)

    job = engine.add_job("long")
    runtime = Runtime(
        connectors=[long],
        engines=[engine],
        lease=timedelta(seconds=0.3),
        long_poll=timedelta(seconds=0.2),
    )
    async with runtime:
        await engine.wait_until_done()
    assert engine.deliveries(job) == -1  # done and gone
    assert engine.kinds() == ["complete"]
    assert len(engine.extensions) >= 2
    assert all(d == timedelta(seconds=0.3) for _, d in engine.extensions)


async def test_reconnects_after_an_outage_and_completes_everything() -> None:
    engine = InMemoryAdapter()
    metrics = Metrics()
    engine.online = False
    for i in range(5):
        engine.add_job("add", {"a": i, "b": 0})
    runtime = Runtime(
        connectors=[add],
        engines=[engine],
        long_poll=timedelta(seconds=0.2),
        hooks=[metrics],
        reconnect_max_wait=timedelta(seconds=0.2),
    )
    async with runtime:
        await anyio.sleep(0.5)
        assert not runtime.ready
        assert "offline" in str(runtime.engine_status()["memory"]["last_error"])
        engine.online = True
        await engine.wait_until_done()
        with anyio.fail_after(5):
            while not runtime.ready:
                await anyio.sleep(0.05)
    assert engine.kinds() == ["complete"] * 5
    text = metrics.exposition().decode()
    assert 'bpmn_bridge_jobs_completed_total{connector="add",engine="memory"} 5.0' in text


async def test_graceful_stop_drains_in_flight_jobs() -> None:
    engine = InMemoryAdapter()
    started = anyio.Event()

    @connector(type="drain")
    async def drain() -> dict[str, bool]:
        started.set()
        await anyio.sleep(0.3)
        return {"finished": True}

    engine.add_job("drain")
    runtime = Runtime(connectors=[drain], engines=[engine], long_poll=timedelta(seconds=5))
    async with runtime:
        await started.wait()
        runtime.request_stop()
    assert engine.kinds() == ["complete"]
    assert engine.pending() == []


async def test_jobs_past_the_grace_period_are_handed_back() -> None:
    engine = InMemoryAdapter()
    started = anyio.Event()
    metrics = Metrics()

    @connector(type="stuck")
    async def stuck(context: ConnectorContext) -> None:
        started.set()
        await anyio.sleep(60)

    job = engine.add_job("stuck", retries=3)
    runtime = Runtime(
        connectors=[stuck],
        engines=[engine],
        grace_period=timedelta(seconds=0.2),
        hooks=[metrics],
        long_poll=timedelta(seconds=5),
    )
    async with runtime:
        await started.wait()
    assert engine.kinds() == ["returned"]
    assert engine.pending() == [job]  # back with the engine, retries untouched
    assert 'bpmn_bridge_jobs_returned_total{connector="stuck",engine="memory"} 1.0' in (
        metrics.exposition().decode()
    )


async def test_failures_and_bpmn_errors_are_reported() -> None:
    engine = InMemoryAdapter()

    class In(BaseModel):
        mode: str

    @connector(type="modes")
    async def modes(data: In) -> None:
        from bpmn_bridge import BpmnError

        if data.mode == "bpmn":
            raise BpmnError("E1", "business")
        raise RuntimeError("boom")

    engine.add_job("modes", {"mode": "bpmn"})
    engine.add_job("modes", {"mode": "crash"}, retries=1)
    engine.add_job("modes", {"wrong": 1})
    async with Runtime(connectors=[modes], engines=[engine], long_poll=timedelta(seconds=1)):
        await engine.wait_until_done()
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for outcome in engine.outcomes:
        by_kind.setdefault(outcome.kind, []).append(dict(outcome.arguments))
    assert by_kind["bpmn_error"][0]["code"] == "E1"
    messages = sorted(f["message"] for f in by_kind["fail"])
    assert messages[0].startswith("Invalid input for connector 'modes'")
    assert messages[1] == "RuntimeError: boom"
    assert all(f["retries"] == 0 for f in by_kind["fail"])


def test_configuration_errors_are_clear() -> None:
    with pytest.raises(ConfigurationError, match="at least one engine"):
        Runtime(connectors=[add], engines=[])
    with pytest.raises(ConfigurationError, match="Two engines named 'x'"):
        Runtime(connectors=[add], engines=[InMemoryAdapter("x"), InMemoryAdapter("x")])


async def test_reporting_gives_up_after_its_limit_and_the_lease_redelivers_the_job(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = InMemoryAdapter()
    finish = anyio.Event()

    @connector(type="late")
    async def late() -> dict[str, bool]:
        await finish.wait()
        return {"done": True}

    job = engine.add_job("late")
    runtime = Runtime(
        connectors=[late],
        engines=[engine],
        long_poll=timedelta(seconds=0.2),
        reconnect_max_wait=timedelta(seconds=0.05),
    )
    runtime._report_limit = 0.3  # the bound is the lease (at least 30 s) in real use
    with anyio.fail_after(10):
        async with runtime:
            while runtime.in_flight == 0:
                await anyio.sleep(0.01)
            engine.online = False  # the engine goes away while the job runs
            finish.set()
            while runtime.in_flight:
                await anyio.sleep(0.05)
    assert engine.kinds() == []  # nothing reported, nothing lost: the job stays leased
    assert f"Gave up reporting job {job} to memory" in caplog.text
