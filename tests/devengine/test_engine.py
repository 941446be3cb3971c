"""EmbeddedEngine semantics, without any network front."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bpmn_bridge.devengine import (
    EmbeddedEngine,
    IncidentType,
    InstanceState,
    InvalidArgumentError,
    InvalidStateError,
    JobFilter,
    JobLockedByOtherWorkerError,
    JobRecordNotFoundError,
    JobState,
    ProcessDefinitionNotFoundError,
    TypedValue,
)

BPMN_DIR = Path(__file__).parent / "bpmn"


def engine_with(*names: str) -> EmbeddedEngine:
    engine = EmbeddedEngine()
    engine.deploy({f"{n}.bpmn": (BPMN_DIR / f"{n}.bpmn").read_bytes() for n in names})
    return engine


async def activate(engine: EmbeddedEngine, job_type: str, *, worker: str = "w", lock: float = 30):
    return await engine.activate_jobs(
        [JobFilter(job_type, lock)], worker=worker, max_jobs=10, request_timeout=0
    )


async def test_deploy_versions_and_deduplication() -> None:
    engine = EmbeddedEngine()
    data = (BPMN_DIR / "one_task.bpmn").read_bytes()
    first = engine.deploy({"a.bpmn": data}).processes[0]
    same = engine.deploy({"a.bpmn": data}).processes[0]
    second = engine.deploy({"a.bpmn": data + b"\n"}).processes[0]
    assert (first.version, same.key, second.version) == (1, first.key, 2)
    assert first.id == f"one_task:1:{first.key}"
    assert engine.latest_definition("one_task").key == second.key
    assert engine.get_definition(first.id) is first
    with pytest.raises(ProcessDefinitionNotFoundError):
        engine.latest_definition("one_task", version=3)


async def test_complete_with_variables_ends_instance() -> None:
    engine = engine_with("one_task")
    instance = engine.start_instance("one_task", variables={"a": 1}, business_key="bk")
    (job,) = await activate(engine, "work")
    assert (job.plain_variables(), job.retries, dict(job.custom_headers)) == (
        {"a": 1},
        3,
        {"kind": "demo"},
    )
    engine.complete_job(job.key, variables={"b": 2})
    assert instance.state is InstanceState.COMPLETED
    assert instance.plain_variables() == {"a": 1, "b": 2}
    with pytest.raises(JobRecordNotFoundError):
        engine.complete_job(job.key)


async def test_io_mappings_use_feel_and_keep_job_variables_local() -> None:
    engine = engine_with("io_mapping")
    instance = engine.start_instance("io_mapping", variables={"order": {"amount": 4}})
    (job,) = await activate(engine, "calc")
    assert job.plain_variables()["doubled"] == 8
    engine.complete_job(job.key, variables={"result": 41})
    assert instance.plain_variables() == {"order": {"amount": 4}, "summary": {"total": 42}}


async def test_lease_expiry_makes_the_job_activatable_again() -> None:
    engine = engine_with("one_task")
    engine.start_instance("one_task")
    (first,) = await activate(engine, "work", worker="old", lock=0.05)
    assert await activate(engine, "work") == []
    await asyncio.sleep(0.1)
    (again,) = await activate(engine, "work", worker="new")
    assert again.key == first.key
    # Camunda 7 semantics (worker given): the old owner is rejected now.
    with pytest.raises(JobLockedByOtherWorkerError):
        engine.complete_job(first.key, worker="old")
    engine.complete_job(first.key, worker="new")


async def test_fail_with_backoff_then_retries_exhausted_then_resolve() -> None:
    engine = engine_with("one_task")
    instance = engine.start_instance("one_task")
    (job,) = await activate(engine, "work")
    engine.fail_job(job.key, retries=1, error_message="boom", retry_backoff=0.1)
    assert engine.get_job(job.key).state is JobState.BACKOFF
    assert await activate(engine, "work") == []
    await asyncio.sleep(0.15)
    (job,) = await activate(engine, "work")
    assert (job.retries, job.error_message) == (1, "boom")
    engine.fail_job(job.key, retries=0, error_message="still broken")
    (incident,) = engine.list_incidents(instance_key=instance.key)
    assert (incident.type, incident.message, incident.job_key) == (
        IncidentType.JOB_NO_RETRIES,
        "still broken",
        job.key,
    )
    assert instance.state is InstanceState.INCIDENT
    with pytest.raises(InvalidStateError):
        engine.resolve_incident(incident.key)
    engine.update_retries(job.key, 2)
    engine.resolve_incident(incident.key)
    assert instance.state is InstanceState.ACTIVE
    (job,) = await activate(engine, "work")
    engine.complete_job(job.key)
    assert instance.state is InstanceState.COMPLETED


async def test_fail_requires_activation() -> None:
    engine = engine_with("one_task")
    instance = engine.start_instance("one_task")
    (job,) = engine.list_jobs(instance_key=instance.key)
    with pytest.raises(InvalidStateError):
        engine.fail_job(job.key, retries=1)


async def test_error_boundary_by_code_and_catch_all() -> None:
    engine = engine_with("error_boundary")
    coded = engine.start_instance("error_boundary")
    other = engine.start_instance("error_boundary")
    first, second = await activate(engine, "lookup")
    engine.throw_error(first.key, error_code="NOT_FOUND", variables={"why": "gone"})
    assert coded.plain_variables() == {"why": "gone"}
    (handler,) = await activate(engine, "handle_not_found")
    assert handler.process_instance_key == coded.key
    engine.throw_error(second.key, error_code="SOMETHING_ELSE")
    assert other.state is InstanceState.COMPLETED


async def test_uncaught_error_raises_incident() -> None:
    engine = engine_with("one_task")
    instance = engine.start_instance("one_task")
    (job,) = await activate(engine, "work")
    engine.throw_error(job.key, error_code="NOPE", error_message="bad")
    (incident,) = engine.list_incidents()
    assert incident.type is IncidentType.UNHANDLED_ERROR_EVENT
    assert "NOPE" in incident.message
    assert engine.get_job(job.key).state is JobState.ERROR_THROWN
    assert instance.state is InstanceState.INCIDENT


async def test_exclusive_gateway_both_ways() -> None:
    engine = engine_with("gateway")
    big = engine.start_instance("gateway", variables={"amount": 500})
    small = engine.start_instance("gateway", variables={"amount": 5})
    assert [j.element_id for j in engine.list_jobs(instance_key=big.key)] == ["big"]
    assert [j.element_id for j in engine.list_jobs(instance_key=small.key)] == ["small"]


async def test_parallel_fork_and_join() -> None:
    engine = engine_with("parallel")
    instance = engine.start_instance("parallel")
    assert sorted(j.type for j in engine.list_jobs()) == ["branch_a", "branch_b"]
    (a,) = await activate(engine, "branch_a")
    engine.complete_job(a.key, variables={"a": 1})
    assert await activate(engine, "after_join") == []
    (b,) = await activate(engine, "branch_b")
    engine.complete_job(b.key, variables={"b": 2})
    (after,) = await activate(engine, "after_join")
    assert after.plain_variables() == {"a": 1, "b": 2}
    engine.complete_job(after.key)
    assert instance.state is InstanceState.COMPLETED


async def test_long_poll_returns_when_a_job_arrives() -> None:
    engine = engine_with("one_task")
    poll = asyncio.create_task(
        engine.activate_jobs([JobFilter("work", 30)], worker="w", max_jobs=5, request_timeout=5)
    )
    await asyncio.sleep(0.01)
    instance = engine.start_instance("one_task")
    (job,) = await asyncio.wait_for(poll, 1)
    assert job.process_instance_key == instance.key


async def test_long_poll_times_out_empty() -> None:
    engine = engine_with("one_task")
    jobs = await engine.activate_jobs(
        [JobFilter("work", 30)], worker="w", max_jobs=5, request_timeout=0.05
    )
    assert jobs == []


async def test_burst_is_spread_over_idle_pollers() -> None:
    engine = engine_with("one_task")
    polls = [
        asyncio.create_task(
            engine.activate_jobs(
                [JobFilter("work", 30)], worker=f"w{i}", max_jobs=5, request_timeout=5
            )
        )
        for i in range(3)
    ]
    await asyncio.sleep(0.01)
    for _ in range(3):
        engine.start_instance("one_task")
    results = await asyncio.gather(*polls)
    assert [len(r) for r in results] == [1, 1, 1]


async def test_cancelled_poll_hands_jobs_back() -> None:
    engine = engine_with("one_task")
    poll = asyncio.create_task(
        engine.activate_jobs([JobFilter("work", 30)], worker="w", max_jobs=5, request_timeout=5)
    )
    await asyncio.sleep(0.01)
    engine.start_instance("one_task")
    poll.cancel()
    with pytest.raises(asyncio.CancelledError):
        await poll
    assert len(await activate(engine, "work")) == 1


async def test_multi_topic_filters_with_business_key() -> None:
    engine = engine_with("one_task", "gateway")
    engine.start_instance("one_task", business_key="mine")
    engine.start_instance("one_task", business_key="theirs")
    engine.start_instance("gateway", variables={"amount": 1})
    jobs = await engine.activate_jobs(
        [JobFilter("work", 10, business_key="mine"), JobFilter("small", 10, variables=())],
        worker="w",
        max_jobs=10,
    )
    assert sorted((j.type, j.business_key) for j in jobs) == [("small", None), ("work", "mine")]
    assert next(j for j in jobs if j.type == "small").variables == {}


async def test_update_timeout_and_extend_lock_owner_only() -> None:
    engine = engine_with("one_task")
    engine.start_instance("one_task")
    (job,) = await activate(engine, "work", worker="owner", lock=0.05)
    engine.update_timeout(job.key, 30)
    await asyncio.sleep(0.1)
    assert engine.get_job(job.key).state is JobState.ACTIVATED
    with pytest.raises(JobLockedByOtherWorkerError):
        engine.update_timeout(job.key, 30, worker="intruder")
    engine.unlock_job(job.key)
    with pytest.raises(InvalidStateError):
        engine.update_timeout(job.key, 30)


async def test_lock_job_holds_a_job_for_one_worker_until_its_lock_or_backoff_ends() -> None:
    engine = engine_with("one_task")
    engine.start_instance("one_task")
    (job,) = engine.list_jobs(type="work")
    engine.lock_job(job.key, 30, worker="owner")
    assert (job.state, job.worker) == (JobState.ACTIVATED, "owner")
    assert await activate(engine, "work") == []  # a locked job is out of the pool
    engine.lock_job(job.key, 0.05, worker="owner")  # the owner may lock again
    with pytest.raises(JobLockedByOtherWorkerError):
        engine.lock_job(job.key, 30, worker="intruder")
    with pytest.raises(InvalidArgumentError):
        engine.lock_job(job.key, 0, worker="owner")
    await asyncio.sleep(0.1)
    engine.lock_job(job.key, 30, worker="next")  # the owner's lock expired
    assert job.worker == "next"
    engine.fail_job(job.key, retries=1, retry_backoff=30, worker="next")
    with pytest.raises(JobLockedByOtherWorkerError):
        engine.lock_job(job.key, 30, worker="owner")  # still backing off for "next"
    engine.lock_job(job.key, 30, worker="next")
    assert (job.state, job.retry_at) == (JobState.ACTIVATED, None)
    with pytest.raises(JobRecordNotFoundError):
        engine.lock_job(2**62, 30, worker="owner")


async def test_typed_values_round_trip_and_plain_view() -> None:
    engine = engine_with("one_task")
    typed = {
        "d": TypedValue("2024-01-02T03:04:05.000+0000", "Date", {}),
        "j": TypedValue('{"x": [1, 2]}', "Json", {}),
        "o": TypedValue(
            '{"a": 1}',
            "Object",
            {"objectTypeName": "java.util.HashMap", "serializationDataFormat": "application/json"},
        ),
        "n": TypedValue(None, "Null", {}),
        "l": TypedValue(5, "Long", {}),
    }
    instance = engine.start_instance("one_task", variables=typed)
    assert engine.get_variables(instance.key) == typed
    (job,) = await activate(engine, "work")
    assert job.plain_variables() == {
        "d": "2024-01-02T03:04:05.000+0000",
        "j": {"x": [1, 2]},
        "o": {"a": 1},
        "n": None,
        "l": 5,
    }


async def test_set_variables_and_cancel() -> None:
    engine = engine_with("one_task")
    instance = engine.start_instance("one_task")
    engine.set_variables(instance.key, {"x": 1})
    (job,) = engine.list_jobs(instance_key=instance.key)
    engine.set_variables(job.element_instance_key, {"y": 2}, local=True)
    assert engine.get_variables(job.element_instance_key) == {"y": TypedValue(2)}
    engine.cancel_instance(instance.key)
    assert instance.state is InstanceState.CANCELED
    assert engine.list_jobs() == []
    assert (await engine.wait_for_end(instance.key, timeout=1)).ended


async def test_activation_validates_arguments() -> None:
    engine = EmbeddedEngine()
    with pytest.raises(InvalidArgumentError):
        await engine.activate_jobs([JobFilter("", 10)], worker="w", max_jobs=1)
    with pytest.raises(InvalidArgumentError):
        await engine.activate_jobs([JobFilter("t", 0)], worker="w", max_jobs=1)
    with pytest.raises(InvalidArgumentError):
        await engine.activate_jobs([JobFilter("t", 1)], worker="", max_jobs=1)


async def test_failing_after_the_lock_expired_takes_the_task_out_of_the_pool() -> None:
    # Camunda 7 lets the last owner fail a task whose lock expired while nobody took it.
    engine = engine_with("one_task")
    engine.start_instance("one_task")
    engine.start_instance("one_task")
    backing_off, no_retries = await activate(engine, "work", lock=0.01)
    await asyncio.sleep(0.05)
    assert engine.get_job(no_retries.key).state is JobState.ACTIVATABLE

    engine.fail_job(backing_off.key, retries=1, retry_backoff=30, worker="w")
    engine.fail_job(no_retries.key, retries=0, error_message="boom", worker="w")

    assert await activate(engine, "work", worker="other") == []
    assert [i.job_key for i in engine.list_incidents()] == [no_retries.key]
    states = [engine.get_job(j.key).state for j in (backing_off, no_retries)]
    assert states == [JobState.BACKOFF, JobState.FAILED]
