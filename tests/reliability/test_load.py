"""Promise under load: two ``bpmn-bridge run`` worker processes share the jobs of one
engine; every instance completes, and nothing is delivered twice (no fault is injected,
so at-least-once allows no duplicate), counted from the connector's own ledger.

* 10,000 jobs on the dev engine (Zeebe gRPC, in this process);
* a few hundred jobs on the real Camunda 7 (the session's engine): its JVM sets the
  pace, and the point there is the two-worker contention on one REST engine, not volume.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bpmn_bridge.devengine import DevEngine, EmbeddedEngine
from tests.reliability.conftest import Figures
from tests.reliability.engines import Engine
from tests.reliability.workers import Ledger, start_worker
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, unique

JOBS = 10_000
CAMUNDA7_JOBS = 400


async def test_ten_thousand_jobs_two_worker_processes(figures: Figures, tmp_path: Path) -> None:
    core = EmbeddedEngine(history_limit=JOBS * 2)
    async with DevEngine(core=core, camunda7_port=None) as dev:
        engine = Engine("devengine-zeebe", DevZeebeTarget(dev), dev)
        await _two_workers(engine, JOBS, figures, tmp_path)


@pytest.mark.camunda7
async def test_camunda7_jobs_two_worker_processes(
    camunda7_engine: Any, figures: Figures, tmp_path: Path
) -> None:
    engine = Engine("camunda7", Camunda7RestTarget("camunda7", camunda7_engine.url), None)
    await _two_workers(engine, CAMUNDA7_JOBS, figures, tmp_path)


async def _two_workers(engine: Engine, jobs: int, figures: Figures, tmp_path: Path) -> None:
    task_type = unique("load")
    process_id = await engine.deploy(task_type)
    ledger = Ledger(tmp_path / "ledger.txt")
    tags = [f"{task_type}-{i}" for i in range(jobs)]
    started = await engine.start_many(process_id, [{"tag": t} for t in tags])
    assert None not in started
    common = {"engine_env": engine.worker_env(), "task_type": task_type, "ledger": ledger}
    began = time.monotonic()
    workers = [await start_worker(unique(f"load{n}"), log_dir=tmp_path, **common) for n in (1, 2)]
    try:
        counts = await engine.wait_settled(process_id, jobs, timeout=900, completed_only=True)
        seconds = time.monotonic() - began
    finally:
        for worker in workers:
            await worker.close()
    done = ledger.tags("done")
    per_worker = [ledger.count("done", pid=w.pid) for w in workers]
    figures(
        engine=engine.name,
        jobs=jobs,
        workers=len(workers),
        completed=counts.completed,
        lost=jobs - counts.completed,
        incidents=counts.incidents,
        duplicated=sum(1 for t in tags if done[t] > 1),
        extra_deliveries=sum(done[t] - 1 for t in tags if done[t] > 1),
        per_worker=per_worker,
        seconds=round(seconds, 1),
        jobs_per_second=round(jobs / seconds, 1),
    )
    assert counts.completed == jobs and counts.incidents == 0
    assert all(done[t] >= 1 for t in tags)
    assert all(n > 0 for n in per_worker), "one worker did all the work: not a two-worker test"
    # no fault was injected: nothing may be delivered twice
    assert sum(done[t] - 1 for t in tags if done[t] > 1) == 0
