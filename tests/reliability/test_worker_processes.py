"""Promises about worker processes (``bpmn-bridge run``), checked on the engines themselves.

* A worker killed with SIGKILL mid-job loses nothing: its leases lapse and a second
  worker finishes every instance.
* SIGTERM drains: in-flight jobs finish, the process exits 0, and the engine holds no job
  (no Zeebe job activated, no Camunda 7 external task locked) for the stopped worker.
* Past the grace period, unfinished jobs are handed back: nothing stays locked and another
  worker takes them at once rather than after the lease.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.reliability.conftest import Figures
from tests.reliability.engines import Engine, spec_for, wait_for
from tests.reliability.workers import Ledger, start_worker
from tests.support.targets import unique

LEASE = "PT2S"


async def test_sigkill_mid_job_second_worker_finishes_everything(
    engine: Engine, figures: Figures, tmp_path: Path
) -> None:
    task_type = unique("killed")
    process_id = await engine.deploy(task_type)
    ledger = Ledger(tmp_path / "ledger.txt")
    count = 20
    tags = [f"{task_type}-{i}" for i in range(count)]
    started = await engine.start_many(process_id, [{"tag": t, "seconds": 4} for t in tags])
    assert None not in started
    common = {"engine_env": engine.worker_env(), "task_type": task_type, "ledger": ledger}
    first = await start_worker(
        unique("doomed"), log_dir=tmp_path, extra={"BPMN_BRIDGE_LEASE": LEASE}, **common
    )
    second = None
    try:
        # every job in flight in the first worker, none finished (each takes 4 s)
        assert await wait_for(lambda: ledger.count("start") >= count, timeout=120), first.log()
        in_flight = count - ledger.count("done")
        first.signal(signal.SIGKILL)
        # a job finished by the killed worker may have died with its report unsent
        assert await first.wait(timeout=30) == -signal.SIGKILL
        killed_at = time.time()
        done_by_killed = ledger.count("done", pid=first.pid)
        second = await start_worker(
            unique("heir"), log_dir=tmp_path, extra={"BPMN_BRIDGE_LEASE": LEASE}, **common
        )
        counts = await engine.wait_settled(process_id, count, timeout=180, completed_only=True)
        heir_done = [at for e, _, pid, at in ledger.events() if e == "done" and pid == second.pid]
        recovery = min(heir_done) - killed_at if heir_done else None
    finally:
        await first.close()
        if second is not None:
            await second.close()
    done = ledger.tags("done")
    starts = ledger.tags("start")
    figures(
        engine=engine.name,
        instances=count,
        in_flight_at_kill=in_flight,
        completed=counts.completed,
        lost=count - counts.completed,
        redelivered=sum(1 for t in tags if starts[t] > 1),
        duplicated=sum(1 for t in tags if done[t] > 1),
        done_by_killed=done_by_killed,
        lease=LEASE,
        recovery_seconds=None if recovery is None else round(recovery, 3),
    )
    assert in_flight > 0, "nothing was in flight at the kill: test proves nothing"
    assert counts.completed == count and counts.incidents == 0
    assert all(done[t] >= 1 for t in tags)
    # at-least-once: only a job the killed worker finished can be finished twice
    assert sum(1 for t in tags if done[t] > 1) <= done_by_killed


async def _deploy_and_start(
    engine: Engine, tmp_path: Path, *, count: int, seconds: float
) -> tuple[str, str, list[str], Ledger]:
    task_type = unique("drain")
    process_id = await engine.deploy(task_type)
    ledger = Ledger(tmp_path / "ledger.txt")
    tags = [f"{task_type}-{i}" for i in range(count)]
    started = await engine.start_many(process_id, [{"tag": t, "seconds": seconds} for t in tags])
    assert None not in started
    return task_type, process_id, tags, ledger


async def test_sigterm_drains_in_flight_jobs_and_leaves_nothing_locked(
    engine: Engine, figures: Figures, tmp_path: Path
) -> None:
    count = 8
    task_type, process_id, _, ledger = await _deploy_and_start(
        engine, tmp_path, count=count, seconds=2.0
    )
    worker = await start_worker(
        unique("drained"),
        engine_env=engine.worker_env(),
        task_type=task_type,
        ledger=ledger,
        log_dir=tmp_path,
        extra={"BPMN_BRIDGE_GRACE_PERIOD": "PT60S"},
    )
    try:
        assert await wait_for(lambda: ledger.count("start") >= count, timeout=120), worker.log()
        in_flight = count - ledger.count("done")
        signalled = time.monotonic()
        worker.signal(signal.SIGTERM)
        code = await worker.wait(timeout=120)
        drain_seconds = time.monotonic() - signalled
        left_locked = await engine.locked_by(worker.name)
        counts = await engine.wait_settled(process_id, count, timeout=30, completed_only=True)
    finally:
        await worker.close()
    figures(
        engine=engine.name,
        instances=count,
        in_flight_at_sigterm=in_flight,
        completed=counts.completed,
        lost=count - counts.completed,
        left_locked=len(left_locked),
        exit_code=code,
        drain_seconds=round(drain_seconds, 3),
    )
    assert in_flight > 0, "nothing was in flight at SIGTERM: test proves nothing"
    assert code == 0, worker.log()[-3000:]
    assert left_locked == []
    assert ledger.tags("done") == ledger.tags("start")  # every started job finished
    assert counts.completed == count
    # nothing was cut mid-report: no job may run twice
    assert max(ledger.tags("start").values()) == 1, ledger.tags("start")


async def test_sigterm_past_grace_hands_jobs_back_for_another_worker(
    engine: Engine, figures: Figures, tmp_path: Path
) -> None:
    count = 6
    task_type, process_id, _, ledger = await _deploy_and_start(
        engine, tmp_path, count=count, seconds=30.0
    )
    common = {"engine_env": engine.worker_env(), "task_type": task_type, "ledger": ledger}
    # a long lease: only a hand-back, not a lapse, lets the next worker in quickly
    extra = {"BPMN_BRIDGE_LEASE": "PT5M", "BPMN_BRIDGE_GRACE_PERIOD": "PT1S"}
    # what the engine really holds a job for: the runtime caps the lease at the
    # connector's timeout plus 10 s (work: 60 s + 10 s), whatever BPMN_BRIDGE_LEASE says
    spec = spec_for(task_type)
    assert spec.timeout is not None
    lease_s = min(300.0, spec.timeout.total_seconds() + 10)
    worker = await start_worker(unique("quitter"), log_dir=tmp_path, extra=extra, **common)
    heir = None
    try:
        assert await wait_for(lambda: ledger.count("start") >= count, timeout=120), worker.log()
        worker.signal(signal.SIGTERM)
        code = await worker.wait(timeout=120)
        left_locked = await engine.locked_by(worker.name)
        stopped_at = time.time()
        # the heir's jobs are quick: the second delivery finishes at once
        await _quicken(engine, process_id)
        heir = await start_worker(unique("heir"), log_dir=tmp_path, extra=extra, **common)
        # waiting any longer than half the lease could let a lapse pass for a hand-back
        counts = await engine.wait_settled(
            process_id, count, timeout=lease_s / 2, completed_only=True
        )
        heir_done = [at for e, _, pid, at in ledger.events() if e == "done" and pid == heir.pid]
    finally:
        await worker.close()
        if heir is not None:
            await heir.close()
    taken_over = max(heir_done) - stopped_at if heir_done else None
    done = ledger.tags("done")
    figures(
        engine=engine.name,
        instances=count,
        handed_back=count - ledger.count("done", pid=worker.pid),
        left_locked=len(left_locked),
        completed=counts.completed,
        lost=count - counts.completed,
        duplicated=sum(1 for n in done.values() if n > 1),
        exit_code=code,
        lease_seconds=lease_s,
        taken_over_seconds=None if taken_over is None else round(taken_over, 3),
    )
    assert code == 0, worker.log()[-3000:]
    assert taken_over is not None and taken_over < lease_s / 2, (
        f"the heir finished {taken_over} s after the stop; the lease ({lease_s} s) "
        "could have lapsed instead of a hand-back"
    )
    assert left_locked == []
    assert counts.completed == count and counts.incidents == 0
    # handed back unfinished: each job finishes exactly once, in the heir
    assert set(done.values()) == {1} and len(done) == count, done


async def _quicken(engine: Engine, process_id: str) -> None:
    """Make the remaining work short: the heir finishes it long before any lease."""
    # ``seconds`` is read at each delivery: set it anew on every instance
    if engine.dev is not None:
        for instance in engine.dev.core.list_instances(bpmn_process_id=process_id):
            engine.dev.core.set_variables(instance.key, {"seconds": 0.1})
        return
    import httpx

    async with httpx.AsyncClient(base_url=engine.rest_url, timeout=60) as http:
        rows = (
            await http.get("/process-instance", params={"processDefinitionKey": process_id})
        ).json()
        for row in rows:
            response = await http.put(
                f"/process-instance/{row['id']}/variables/seconds",
                json={"value": 0.1, "type": "Double"},
            )
            assert response.status_code == 204, response.text
