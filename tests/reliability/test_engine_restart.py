"""Promise: an engine going away mid-run loses no job; the worker reconnects by itself.

Instances are in flight when the engine goes away for a few seconds:

* the embedded engine gets a **listener restart**: it stops and restarts its network fronts
  (``DevEngine.stop_fronts`` / ``start_fronts``) and keeps its state in process;
* the real Camunda 7 is **killed** (SIGKILL: no shutdown hooks, no clean database close)
  and started again as a new JVM on the same port with its file-based H2 database, so
  only what it had committed survives.

Every instance must complete; readiness must drop during the outage and come back without
help. At-least-once allows a second delivery only for a job whose report did not land
before its lease ran out: at most the calls not yet reported when the engine went away.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import anyio
import pytest

from bpmn_bridge.runtime import Runtime
from tests.reliability.conftest import Figures
from tests.reliability.connectors import CALLS
from tests.reliability.engines import Engine, spec_for, wait_for
from tests.support.camunda7_engine import Camunda7Process
from tests.support.targets import Camunda7RestTarget, unique

DOWN_FOR = 3.0


async def _outage_mid_run(
    engine: Engine,
    figures: Figures,
    *,
    instances: int,
    seconds: float,
    lease: timedelta,
    outage: Callable[[], Awaitable[str]],
) -> None:
    task_type = unique("restart")
    process_id = await engine.deploy(task_type)
    tags = [f"{task_type}-{i}" for i in range(instances)]
    started = await engine.start_many(process_id, [{"tag": t, "seconds": seconds} for t in tags])
    assert None not in started
    runtime = Runtime(
        connectors=[spec_for(task_type)],
        engines=[engine.target.adapter()],
        long_poll=timedelta(seconds=1),
        lease=lease,
        reconnect_max_wait=timedelta(seconds=1),
    )
    async with runtime:
        assert await wait_for(lambda: runtime.ready, timeout=60)
        assert await wait_for(lambda: sum(CALLS[t] for t in tags) >= 50, timeout=120)
        done_before = (await engine.counts(process_id)).completed
        unreported_at_cut = sum(CALLS[t] for t in tags) - done_before
        saw_not_ready = False

        async def watch_readiness() -> None:
            nonlocal saw_not_ready
            while True:
                saw_not_ready = saw_not_ready or not runtime.ready
                await anyio.sleep(0.02)

        async with anyio.create_task_group() as watcher:
            watcher.start_soon(watch_readiness)
            kind = await outage()
            back_at = time.monotonic()
            ready_again = await wait_for(lambda: runtime.ready, timeout=120, interval=0.02)
            recovery = time.monotonic() - back_at
            watcher.cancel_scope.cancel()
        counts = await engine.wait_settled(process_id, instances, timeout=240, completed_only=True)
    calls = [CALLS[t] for t in tags]
    extra = sum(c - 1 for c in calls if c > 1)
    figures(
        engine=engine.name,
        restart=kind,
        instances=instances,
        completed_before_outage=done_before,
        unreported_at_cut=unreported_at_cut,
        completed=counts.completed,
        lost=instances - counts.completed,
        never_called=calls.count(0),
        duplicated=sum(1 for c in calls if c > 1),
        extra_deliveries=extra,
        down_seconds=DOWN_FOR,
        recovery_seconds=round(recovery, 3),
    )
    assert saw_not_ready, "readiness never dropped while the engine was down"
    assert ready_again, "the worker did not get ready again by itself"
    assert done_before < instances, "the outage came after all work was done: test proves nothing"
    assert counts.completed == instances and counts.incidents == 0
    assert min(calls) >= 1
    assert extra <= unreported_at_cut, (
        f"{extra} extra deliveries; at-least-once allows {unreported_at_cut} "
        "(the calls not yet reported when the engine went away)"
    )


@pytest.mark.parametrize(
    "engine", ["devengine-zeebe", "devengine-camunda8-rest", "devengine-camunda7"], indirect=True
)
async def test_listener_restart_mid_run_loses_nothing(engine: Engine, figures: Figures) -> None:
    dev = engine.dev
    assert dev is not None

    async def listener_restart() -> str:
        await dev.stop_fronts()
        await anyio.sleep(DOWN_FOR)
        await dev.start_fronts()
        return "listener restart (state kept in process)"

    await _outage_mid_run(
        engine,
        figures,
        instances=500,
        seconds=0.2,
        lease=timedelta(seconds=10),
        outage=listener_restart,
    )


@pytest.mark.camunda7
async def test_camunda7_killed_and_restarted_mid_run_loses_nothing(
    figures: Figures, tmp_path: Path
) -> None:
    process = Camunda7Process(tmp_path, database=tmp_path / "h2" / "camunda")
    try:
        await anyio.to_thread.run_sync(process.start)
        engine = Engine("camunda7", Camunda7RestTarget("camunda7", process.url), None)

        async def kill_and_start() -> str:
            process.kill()
            await anyio.sleep(DOWN_FOR)
            await anyio.to_thread.run_sync(process.start)
            return "SIGKILL, new JVM on the same file-based H2"

        # a few hundred jobs keep CI short; the lease outlasts a JVM start, so only the
        # reports cut by the kill itself can come back as second deliveries
        await _outage_mid_run(
            engine,
            figures,
            instances=300,
            seconds=0.1,
            lease=timedelta(seconds=60),
            outage=kill_and_start,
        )
        assert process.starts == 2
    finally:
        process.stop()
