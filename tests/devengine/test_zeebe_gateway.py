"""The Zeebe gateway front, driven by the real pyzeebe client and worker over loopback gRPC.

No ``from __future__ import annotations`` here: pyzeebe finds the ``job: Job`` parameter
of a task function by its runtime annotation."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import grpc
import pytest
from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.errors import BusinessError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from bpmn_bridge.devengine import DevEngine, IncidentType, InstanceState

BPMN_DIR = Path(__file__).parent / "bpmn"


@pytest.fixture
async def engine() -> AsyncIterator[DevEngine]:
    async with DevEngine(camunda7_port=None) as running:
        yield running


@pytest.fixture
async def channel(engine: DevEngine) -> AsyncIterator[grpc.aio.Channel]:
    chan = create_insecure_channel(grpc_address=engine.zeebe_address)
    yield chan
    await chan.close()


@pytest.fixture
def client(channel: grpc.aio.Channel) -> ZeebeClient:
    return ZeebeClient(channel)


@pytest.fixture
def stub(channel: grpc.aio.Channel) -> GatewayStub:
    return GatewayStub(channel)


@asynccontextmanager
async def running(worker: ZeebeWorker) -> AsyncIterator[ZeebeWorker]:
    task = asyncio.create_task(worker.work())
    try:
        yield worker
    finally:
        await worker.stop()
        await asyncio.wait_for(task, 5)


async def eventually(check: Callable[[], bool], *, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.01)


async def deploy(client: ZeebeClient, *names: str) -> None:
    await client.deploy_resource(*(BPMN_DIR / f"{n}.bpmn" for n in names))


async def activate(
    stub: GatewayStub,
    job_type: str,
    *,
    worker: str = "raw",
    timeout: int = 30_000,
    wait: int = 2000,
) -> list[pb.ActivatedJob]:
    jobs: list[pb.ActivatedJob] = []
    async for response in stub.ActivateJobs(
        pb.ActivateJobsRequest(
            type=job_type,
            worker=worker,
            timeout=timeout,
            maxJobsToActivate=10,
            requestTimeout=wait,
        )
    ):
        jobs.extend(response.jobs)
    return jobs


async def test_deploy_start_activate_complete_with_variables(
    engine: DevEngine, client: ZeebeClient, channel: grpc.aio.Channel
) -> None:
    response = await client.deploy_resource(BPMN_DIR / "one_task.bpmn")
    assert response.deployments[0].bpmn_process_id == "one_task"
    seen: list[tuple[dict[str, Any], dict[str, str]]] = []
    worker = ZeebeWorker(channel, name="py")

    @worker.task(task_type="work")
    async def work(job: Job) -> dict[str, Any]:
        seen.append((dict(job.variables), dict(job.custom_headers)))
        return {"greeting": f"hello {job.variables['name']}"}

    async with running(worker):
        started = await client.run_process("one_task", variables={"name": "ann"})
        instance = await engine.wait_for_end(started.process_instance_key)
    assert instance.state is InstanceState.COMPLETED
    assert seen == [({"name": "ann"}, {"kind": "demo"})]
    assert engine.variables(instance) == {"name": "ann", "greeting": "hello ann"}


async def test_fail_with_retries_and_backoff(
    engine: DevEngine, client: ZeebeClient, stub: GatewayStub
) -> None:
    await deploy(client, "one_task")
    await client.run_process("one_task")
    (job,) = await activate(stub, "work")
    assert job.retries == 3
    await stub.FailJob(
        pb.FailJobRequest(jobKey=job.key, retries=2, errorMessage="flaky", retryBackOff=200)
    )
    assert await activate(stub, "work", wait=-1) == []
    (again,) = await activate(stub, "work", wait=5000)
    assert (again.key, again.retries) == (job.key, 2)
    assert engine.core.get_job(job.key).error_message == "flaky"


async def test_retries_exhausted_raises_incident_and_resolve_retries(
    engine: DevEngine, client: ZeebeClient, channel: grpc.aio.Channel, stub: GatewayStub
) -> None:
    await deploy(client, "one_task")
    attempts = 0
    worker = ZeebeWorker(channel)

    @worker.task(task_type="work")
    async def work() -> None:
        nonlocal attempts
        attempts += 1
        raise RuntimeError("database down")

    async with running(worker):
        started = await client.run_process("one_task")
        await eventually(lambda: bool(engine.incidents(started.process_instance_key)))
    (incident,) = engine.incidents(started.process_instance_key)
    assert attempts == 3
    assert incident.type is IncidentType.JOB_NO_RETRIES
    assert "database down" in incident.message
    assert incident.job_key is not None
    await stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=incident.job_key, retries=1))
    await stub.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident.key))
    (job,) = await activate(stub, "work")
    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    assert engine.core.get_instance(started.process_instance_key).state is InstanceState.COMPLETED


async def test_bpmn_error_caught_by_boundary_event(
    engine: DevEngine, client: ZeebeClient, channel: grpc.aio.Channel
) -> None:
    await deploy(client, "error_boundary")
    worker = ZeebeWorker(channel)
    handled: list[int] = []

    @worker.task(task_type="lookup")
    async def lookup() -> None:
        raise BusinessError("NOT_FOUND")

    @worker.task(task_type="handle_not_found")
    async def handle(job: Job) -> None:
        handled.append(job.process_instance_key)

    async with running(worker):
        started = await client.run_process("error_boundary")
        instance = await engine.wait_for_end(started.process_instance_key)
    assert instance.state is InstanceState.COMPLETED
    assert handled == [started.process_instance_key]


async def test_uncaught_bpmn_error_raises_incident(
    engine: DevEngine, client: ZeebeClient, stub: GatewayStub
) -> None:
    await deploy(client, "one_task")
    started = await client.run_process("one_task")
    (job,) = await activate(stub, "work")
    await stub.ThrowError(
        pb.ThrowErrorRequest(jobKey=job.key, errorCode="NOPE", errorMessage="no such thing")
    )
    (incident,) = engine.incidents(started.process_instance_key)
    assert incident.type is IncidentType.UNHANDLED_ERROR_EVENT
    assert "NOPE" in incident.message
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    assert info.value.code() is grpc.StatusCode.FAILED_PRECONDITION


async def test_lease_expiry_redelivers_the_job(client: ZeebeClient, stub: GatewayStub) -> None:
    await deploy(client, "one_task")
    await client.run_process("one_task")
    (first,) = await activate(stub, "work", worker="slow", timeout=100)
    (second,) = await activate(stub, "work", worker="fast", wait=5000)
    assert (second.key, second.worker) == (first.key, "fast")
    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=second.key))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=first.key))
    assert info.value.code() is grpc.StatusCode.NOT_FOUND


async def test_update_job_timeout_keeps_the_lock(client: ZeebeClient, stub: GatewayStub) -> None:
    await deploy(client, "one_task")
    await client.run_process("one_task")
    (job,) = await activate(stub, "work", timeout=100)
    await stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=60_000))
    await asyncio.sleep(0.3)
    assert await activate(stub, "work", wait=-1) == []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=123, timeout=1000))
    assert info.value.code() is grpc.StatusCode.NOT_FOUND


async def test_exclusive_gateway_both_ways(
    engine: DevEngine, client: ZeebeClient, stub: GatewayStub
) -> None:
    await deploy(client, "gateway")
    big = await client.run_process("gateway", variables={"amount": 101})
    small = await client.run_process("gateway", variables={"amount": 100})
    (big_job,) = await activate(stub, "big")
    (small_job,) = await activate(stub, "small")
    assert big_job.processInstanceKey == big.process_instance_key
    assert small_job.processInstanceKey == small.process_instance_key
    assert json.loads(small_job.variables) == {"amount": 100}


async def test_parallel_fork_and_join_with_a_worker(
    engine: DevEngine, client: ZeebeClient, channel: grpc.aio.Channel
) -> None:
    await deploy(client, "parallel")
    worker = ZeebeWorker(channel)
    seen_after: list[dict[str, Any]] = []

    @worker.task(task_type="branch_a")
    async def branch_a() -> dict[str, Any]:
        return {"a": 1}

    @worker.task(task_type="branch_b")
    async def branch_b() -> dict[str, Any]:
        return {"b": 2}

    @worker.task(task_type="after_join")
    async def after(job: Job) -> None:
        seen_after.append(dict(job.variables))

    async with running(worker):
        started = await client.run_process("parallel")
        instance = await engine.wait_for_end(started.process_instance_key)
    assert instance.state is InstanceState.COMPLETED
    assert seen_after == [{"a": 1, "b": 2}]


async def test_create_process_instance_with_result(
    client: ZeebeClient, channel: grpc.aio.Channel
) -> None:
    await deploy(client, "io_mapping")
    worker = ZeebeWorker(channel)

    @worker.task(task_type="calc")
    async def calc(doubled: int) -> dict[str, Any]:
        return {"result": doubled}

    async with running(worker):
        result = await client.run_process_with_result(
            "io_mapping", variables={"order": {"amount": 5}}, timeout=10_000
        )
    assert result.variables == {"order": {"amount": 5}, "summary": {"total": 11}}


async def test_completing_twice_is_not_found(client: ZeebeClient, stub: GatewayStub) -> None:
    await deploy(client, "one_task")
    await client.run_process("one_task")
    (job,) = await activate(stub, "work")
    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"x": 1}'))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    assert info.value.code() is grpc.StatusCode.NOT_FOUND


async def test_stream_activated_jobs_pushes_new_jobs(
    engine: DevEngine, client: ZeebeClient, stub: GatewayStub
) -> None:
    await deploy(client, "one_task")
    call = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type="work", worker="streamer", timeout=30_000)
    )
    await eventually(lambda: bool(engine.core._streams.get("work")))
    started = await client.run_process("one_task", variables={"n": 1})
    job = await asyncio.wait_for(call.read(), 5)
    assert (job.processInstanceKey, job.worker, json.loads(job.variables)) == (
        started.process_instance_key,
        "streamer",
        {"n": 1},
    )
    call.cancel()
    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    assert engine.core.get_instance(started.process_instance_key).ended


async def test_streaming_worker_processes_jobs(
    engine: DevEngine, client: ZeebeClient, channel: grpc.aio.Channel
) -> None:
    await deploy(client, "one_task")
    worker = ZeebeWorker(channel, stream_enabled=True)

    @worker.task(task_type="work")
    async def work() -> dict[str, Any]:
        return {"done": True}

    async with running(worker):
        await eventually(lambda: bool(engine.core._streams.get("work")))
        started = await client.run_process("one_task")
        instance = await engine.wait_for_end(started.process_instance_key)
    assert engine.variables(instance) == {"done": True}


async def test_error_codes_and_unimplemented(client: ZeebeClient, stub: GatewayStub) -> None:
    topology = await client.topology()
    assert topology.partitions_count == 1
    bad = pb.Resource(name="bad.bpmn", content=b"<bpmn:definitions")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.DeployResource(pb.DeployResourceRequest(resources=[bad]))
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="nope"))
    assert info.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.PublishMessage(pb.PublishMessageRequest(name="m"))
    assert info.value.code() is grpc.StatusCode.UNIMPLEMENTED
    assert "development engine" in (info.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await activate(stub, "")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def test_restart_fronts_keeps_state_and_port(engine: DevEngine) -> None:
    address = engine.zeebe_address
    engine.deploy(BPMN_DIR / "one_task.bpmn")
    instance = engine.start("one_task")
    await engine.restart_fronts()
    assert engine.zeebe_address == address
    channel = create_insecure_channel(grpc_address=address)
    try:
        (job,) = await activate(GatewayStub(channel), "work")
        assert job.processInstanceKey == instance.key
    finally:
        await channel.close()
