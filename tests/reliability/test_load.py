"""Promise under load: 10,000 jobs, two ``bpmn-bridge run`` worker processes, one dev
engine (Zeebe gRPC, in this process); every instance completes and every duplicate
delivery is counted from the connector's own ledger."""

from __future__ import annotations

import time
from pathlib import Path

from bpmn_bridge.devengine import DevEngine, DevEngineCore
from tests.reliability.conftest import Figures
from tests.reliability.engines import Engine
from tests.reliability.workers import Ledger, start_worker
from tests.support.targets import DevZeebeTarget, unique

JOBS = 10_000


async def test_ten_thousand_jobs_two_worker_processes(figures: Figures, tmp_path: Path) -> None:
    core = DevEngineCore(history_limit=JOBS * 2)
    async with DevEngine(core=core, camunda7_port=None) as dev:
        engine = Engine("devengine-zeebe", DevZeebeTarget(dev), dev)
        task_type = unique("load")
        process_id = await engine.deploy(task_type)
        ledger = Ledger(tmp_path / "ledger.txt")
        tags = [f"{task_type}-{i}" for i in range(JOBS)]
        started = await engine.start_many(process_id, [{"tag": t} for t in tags])
        assert None not in started
        common = {"engine_env": engine.worker_env(), "task_type": task_type, "ledger": ledger}
        began = time.monotonic()
        workers = [
            await start_worker(unique(f"load{n}"), log_dir=tmp_path, **common) for n in (1, 2)
        ]
        try:
            counts = await engine.wait_settled(process_id, JOBS, timeout=900, completed_only=True)
            seconds = time.monotonic() - began
        finally:
            for worker in workers:
                await worker.close()
        done = ledger.tags("done")
        per_worker = [ledger.count("done", pid=w.pid) for w in workers]
    figures(
        jobs=JOBS,
        workers=len(workers),
        completed=counts.completed,
        lost=JOBS - counts.completed,
        incidents=counts.incidents,
        duplicated=sum(1 for t in tags if done[t] > 1),
        extra_deliveries=sum(done[t] - 1 for t in tags if done[t] > 1),
        per_worker=per_worker,
        seconds=round(seconds, 1),
        jobs_per_second=round(JOBS / seconds, 1),
    )
    assert counts.completed == JOBS and counts.incidents == 0
    assert all(done[t] >= 1 for t in tags)
    assert all(n > 0 for n in per_worker), "one worker did all the work: not a two-worker test"
