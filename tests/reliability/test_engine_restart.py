"""Promise: an engine going away mid-run loses no job; the worker reconnects by itself.

500 instances are in flight when the engine's network front goes down for a few seconds
(the dev engine stops and restarts its fronts, keeping its state; a real Camunda 7 keeps
its state in memory, so its network is cut through a proxy instead). Every instance must
complete; duplicate deliveries (allowed: at-least-once) are counted; readiness must drop
during the outage and come back without help.
"""

from __future__ import annotations

import time
from datetime import timedelta

import anyio

from bpmn_bridge.runtime import Runtime
from tests.reliability.conftest import Figures
from tests.reliability.connectors import CALLS
from tests.reliability.engines import Engine, spec_for, wait_for
from tests.support.targets import unique
from tests.support.tcp_proxy import TcpProxy

INSTANCES = 500
DOWN_FOR = 3.0


async def test_engine_restart_mid_run_loses_nothing(engine: Engine, figures: Figures) -> None:
    task_type = unique("restart")
    process_id = await engine.deploy(task_type)
    tags = [f"{task_type}-{i}" for i in range(INSTANCES)]
    started = await engine.start_many(process_id, [{"tag": t, "seconds": 0.2} for t in tags])
    assert None not in started
    async with TcpProxy(*engine.target.upstream()) as proxy:
        # a real Camunda 7 cannot restart without losing its in-memory state: cut its network
        adapter = engine.target.adapter(address=None if engine.dev else proxy.address)
        runtime = Runtime(
            connectors=[spec_for(task_type)],
            engines=[adapter],
            long_poll=timedelta(seconds=1),
            lease=timedelta(seconds=10),
            reconnect_max_wait=timedelta(seconds=1),
        )
        async with runtime:
            assert await wait_for(lambda: runtime.ready, timeout=60)
            assert await wait_for(lambda: sum(CALLS[t] for t in tags) >= 50, timeout=120)
            done_before = (await engine.counts(process_id)).completed
            saw_not_ready = False

            async def watch_readiness() -> None:
                nonlocal saw_not_ready
                while True:
                    saw_not_ready = saw_not_ready or not runtime.ready
                    await anyio.sleep(0.02)

            async with anyio.create_task_group() as watcher:
                watcher.start_soon(watch_readiness)
                if engine.dev is not None:
                    await engine.dev.stop_fronts()
                    await anyio.sleep(DOWN_FOR)
                    await engine.dev.start_fronts()
                else:
                    await proxy.stop()
                    await anyio.sleep(DOWN_FOR)
                    await proxy.start()
                back_at = time.monotonic()
                ready_again = await wait_for(lambda: runtime.ready, timeout=120, interval=0.02)
                recovery = time.monotonic() - back_at
                watcher.cancel_scope.cancel()
            counts = await engine.wait_settled(
                process_id, INSTANCES, timeout=240, completed_only=True
            )
    calls = [CALLS[t] for t in tags]
    figures(
        engine=engine.name,
        instances=INSTANCES,
        completed_before_outage=done_before,
        completed=counts.completed,
        lost=INSTANCES - counts.completed,
        never_called=calls.count(0),
        duplicated=sum(1 for c in calls if c > 1),
        extra_deliveries=sum(c - 1 for c in calls if c > 1),
        down_seconds=DOWN_FOR,
        recovery_seconds=round(recovery, 3),
    )
    assert saw_not_ready, "readiness never dropped while the engine was down"
    assert ready_again, "the worker did not get ready again by itself"
    assert done_before < INSTANCES, "the outage came after all work was done: test proves nothing"
    assert counts.completed == INSTANCES and counts.incidents == 0
    assert min(calls) >= 1
