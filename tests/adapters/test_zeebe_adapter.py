"""ZeebeAdapter against the real gRPC gateway of the embedded dev engine, over loopback."""

from __future__ import annotations

import base64
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import grpc
import pytest
from aiohttp import web
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto import gateway_pb2_grpc

from bpmn_bridge.adapters import FetchRequest, StreamingAdapter, ZeebeAdapter, ZeebeConfig
from bpmn_bridge.core import (
    ConfigurationError,
    EngineRejectedError,
    EngineUnavailableError,
    Job,
    JobInfo,
    JobNotFoundError,
)
from bpmn_bridge.devengine import DevEngine, IncidentType, InstanceState, JobState

PROCESS = Path(__file__).parent / "bpmn" / "zeebe_adapter.bpmn"


@pytest.fixture
async def engine() -> AsyncIterator[DevEngine]:
    async with DevEngine(camunda7_port=None) as running:
        running.deploy(PROCESS)
        yield running


@pytest.fixture
async def adapter(engine: DevEngine) -> AsyncIterator[ZeebeAdapter]:
    async with ZeebeAdapter(ZeebeConfig(address=engine.zeebe_address, tls=False)) as opened:
        yield opened


def work(
    *,
    worker: str = "test-worker",
    lease: timedelta = timedelta(seconds=30),
    long_poll: timedelta = timedelta(seconds=5),
    job_type: str = "adapter-work",
    max_jobs: int = 10,
    variables: list[str] | None = None,
) -> FetchRequest:
    return FetchRequest(
        type=job_type,
        worker=worker,
        max_jobs=max_jobs,
        lease=lease,
        long_poll=long_poll,
        variables=variables,
    )


NO_WAIT = timedelta(0)


async def fetch_one(adapter: ZeebeAdapter, request: FetchRequest | None = None) -> Job:
    jobs = await adapter.fetch(request or work())
    assert len(jobs) == 1, jobs
    return jobs[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_adapter_is_a_streaming_adapter(adapter: ZeebeAdapter) -> None:
    assert isinstance(adapter, StreamingAdapter)
    assert adapter.name == "zeebe"
    await adapter.check()


async def test_fetch_maps_the_job_and_fetches_only_the_named_variables(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    instance = engine.start(
        "zeebe_adapter", variables={"orderId": "A-1", "amount": 12.5, "secret": "not asked"}
    )

    job = await fetch_one(adapter, work(worker="fetcher", variables=["orderId", "amount"]))

    info = job.info
    open_job = engine.jobs(instance)[0]
    assert info.engine == "zeebe"
    assert info.id == str(open_job.key)
    assert info.type == "adapter-work"
    assert info.process_instance_id == str(instance.key)
    assert info.bpmn_process_id == "zeebe_adapter"
    assert info.process_definition_id == str(instance.definition.key)
    assert info.process_definition_version == 1
    assert info.element_id == "work"
    assert info.element_instance_id == str(open_job.element_instance_key)
    assert info.retries == 3
    assert info.worker == "fetcher"
    assert info.tenant_id  # the gateway's default tenant
    assert info.deadline is not None and info.deadline.tzinfo is not None
    assert info.deadline == datetime.fromtimestamp(open_job.deadline / 1000, tz=UTC)
    assert job.variables == {"orderId": "A-1", "amount": 12.5}
    assert job.headers == {"method": "POST", "resultVariable": "response"}


async def test_fetch_returns_nothing_when_no_job_is_ready(adapter: ZeebeAdapter) -> None:
    assert await adapter.fetch(work(long_poll=NO_WAIT)) == []


async def test_fetch_takes_at_most_max_jobs(engine: DevEngine, adapter: ZeebeAdapter) -> None:
    for _ in range(3):
        engine.start("zeebe_adapter")

    first = await adapter.fetch(work(max_jobs=2))
    rest = await adapter.fetch(work(long_poll=NO_WAIT))

    assert len(first) == 2
    assert len(rest) == 1


async def test_complete_sets_variables_and_the_instance_ends_with_them(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    instance = engine.start("zeebe_adapter", variables={"orderId": "A-1"})
    job = await fetch_one(adapter)

    await adapter.complete(
        job.info,
        {
            "response": {"status": 201, "body": {"id": 7}},
            "at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
            "on": date(2024, 5, 1),
            "price": Decimal("19.99"),
            "blob": b"\x00\xffbin",
            "wait": timedelta(minutes=1, seconds=30),
        },
    )

    ended = await engine.wait_for_end(instance)
    assert ended.state is InstanceState.COMPLETED
    assert engine.variables(instance) == {
        "orderId": "A-1",
        "response": {"status": 201, "body": {"id": 7}},
        "at": "2024-05-01T12:30:00+00:00",
        "on": "2024-05-01",
        "price": 19.99,
        "blob": base64.b64encode(b"\x00\xffbin").decode(),
        "wait": "PT1M30S",
    }


async def test_complete_refuses_a_value_json_cannot_hold_and_names_it(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    engine.start("zeebe_adapter")
    job = await fetch_one(adapter)

    with pytest.raises(EngineRejectedError, match="'ratio'"):
        await adapter.complete(job.info, {"fine": 1, "ratio": float("nan")})
    with pytest.raises(EngineRejectedError, match=r"'handle'.*object"):
        await adapter.complete(job.info, {"handle": object()})

    # Nothing was sent: the job is still there to complete properly.
    await adapter.complete(job.info, {"fine": 1})


async def test_completing_twice_raises_job_not_found(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    engine.start("zeebe_adapter")
    job = await fetch_one(adapter)
    await adapter.complete(job.info, {})

    with pytest.raises(JobNotFoundError, match=job.info.id):
        await adapter.complete(job.info, {})


async def test_engine_errors_carry_engine_action_status_and_job(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    engine.start("zeebe_adapter")
    job = await fetch_one(adapter)
    await adapter.complete(job.info, {})

    with pytest.raises(JobNotFoundError) as gone:
        await adapter.complete(job.info, {})
    facts = (gone.value.engine, gone.value.action, gone.value.status, gone.value.job_id)
    assert facts == (adapter.name, "CompleteJob", "NOT_FOUND", job.info.id)
    assert isinstance(gone.value.__cause__, grpc.aio.AioRpcError)

    with pytest.raises(EngineRejectedError) as refused:
        await adapter.fetch(work(job_type=""))
    facts = (refused.value.engine, refused.value.action, refused.value.status, refused.value.job_id)
    assert facts == (adapter.name, "ActivateJobs", "INVALID_ARGUMENT", None)


async def test_a_channel_closed_under_a_call_is_an_outage_naming_the_call(
    engine: DevEngine,
) -> None:
    engine.start("zeebe_adapter")
    adapter = ZeebeAdapter(ZeebeConfig(address=engine.zeebe_address, tls=False))
    async with adapter:
        job = await fetch_one(adapter)
        assert adapter._channel is not None
        await adapter._channel.close()
        with pytest.raises(EngineUnavailableError) as closed:
            await adapter.complete(job.info, {})
    facts = (closed.value.engine, closed.value.action, closed.value.job_id)
    assert facts == (adapter.name, "CompleteJob", job.info.id)
    assert isinstance(closed.value.__cause__, grpc.aio.UsageError)


async def test_fail_with_backoff_holds_the_job_back_until_the_backoff_ends(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    instance = engine.start("zeebe_adapter")
    job = await fetch_one(adapter)

    await adapter.fail(
        job.info,
        message="HTTP 503",
        details="upstream down",
        retries=2,
        backoff=timedelta(seconds=2),
        variables={"lastStatus": 503},
    )

    [open_job] = engine.jobs(instance)
    assert open_job.state is JobState.BACKOFF
    assert open_job.retries == 2
    assert await adapter.fetch(work(long_poll=NO_WAIT)) == []

    again = await fetch_one(adapter, work(long_poll=timedelta(seconds=20)))
    assert again.info.id == job.info.id
    assert again.info.retries == 2
    # Failure variables land on the task's local scope, which the job sees.
    assert again.variables["lastStatus"] == 503


async def test_fail_without_retries_raises_an_incident(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    instance = engine.start("zeebe_adapter")
    job = await fetch_one(adapter)

    await adapter.fail(
        job.info,
        message="Invalid input",
        details="x" * 100_000,
        retries=0,
        backoff=timedelta(0),
        variables={},
    )

    [incident] = engine.incidents(instance)
    assert incident.type is IncidentType.JOB_NO_RETRIES
    assert incident.job_key == int(job.info.id)
    assert incident.message.startswith("Invalid input\n\nxxx")
    # A huge stack trace is cut, and says so.
    assert len(incident.message) <= 6000
    assert incident.message.endswith("more characters cut by bpmn-bridge]")
    assert await adapter.fetch(work(long_poll=NO_WAIT)) == []


async def test_throw_bpmn_error_is_caught_by_the_boundary_event(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    instance = engine.start("zeebe_adapter")
    job = await fetch_one(adapter)

    await adapter.throw_bpmn_error(
        job.info, code="BUSINESS", message="customer blocked", variables={"reason": "blocked"}
    )

    handler = await fetch_one(adapter, work(job_type="adapter-handle"))
    assert handler.info.element_id == "handle"
    assert handler.variables["reason"] == "blocked"
    await adapter.complete(handler.info, {})
    ended = await engine.wait_for_end(instance)
    assert ended.state is InstanceState.COMPLETED
    assert engine.incidents(instance) == []


async def test_extend_lease_keeps_the_job_past_its_original_lease(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    engine.start("zeebe_adapter")
    engine.start("zeebe_adapter")
    kept, lapsed = await adapter.fetch(work(lease=timedelta(seconds=1), max_jobs=2))

    await adapter.extend_lease(kept.info, timedelta(seconds=60))

    # Only the job whose lease was not extended comes back once the 1 s leases run out.
    redelivered = await fetch_one(adapter, work(worker="other", long_poll=timedelta(seconds=20)))
    assert redelivered.info.id == lapsed.info.id
    assert redelivered.info.worker == "other"
    assert await adapter.fetch(work(worker="other", long_poll=NO_WAIT)) == []
    await adapter.complete(kept.info, {})


async def test_extend_lease_of_a_finished_job_raises_job_not_found(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    engine.start("zeebe_adapter")
    job = await fetch_one(adapter)
    await adapter.complete(job.info, {})

    with pytest.raises(JobNotFoundError):
        await adapter.extend_lease(job.info, timedelta(seconds=10))


async def test_return_job_makes_it_activatable_at_once_without_spending_a_retry(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    instance = engine.start("zeebe_adapter")
    job = await fetch_one(adapter, work(worker="leaving"))

    await adapter.return_job(job.info)

    [open_job] = engine.jobs(instance)
    assert open_job.state is JobState.ACTIVATABLE
    assert open_job.error_message == "returned by worker leaving on shutdown"
    again = await fetch_one(adapter, work(worker="staying", long_poll=NO_WAIT))
    assert again.info.id == job.info.id
    assert again.info.retries == job.info.retries == 3


async def test_return_job_refuses_a_job_without_retries(adapter: ZeebeAdapter) -> None:
    with pytest.raises(EngineRejectedError, match="no retries"):
        await adapter.return_job(JobInfo(engine="zeebe", id="1", type="t"))


async def test_an_invalid_request_is_rejected(adapter: ZeebeAdapter) -> None:
    with pytest.raises(EngineRejectedError, match="INVALID_ARGUMENT"):
        await adapter.fetch(work(job_type=""))


async def test_a_dead_address_raises_engine_unavailable_at_once() -> None:
    config = ZeebeConfig(address=f"127.0.0.1:{free_port()}", tls=False)
    # The deadlines are far off, so only a fast failure can finish within the guard.
    async with ZeebeAdapter(config, rpc_timeout=timedelta(minutes=5)) as dead:
        with anyio.fail_after(10):
            with pytest.raises(EngineUnavailableError, match="UNAVAILABLE"):
                await dead.fetch(work(long_poll=timedelta(minutes=5)))
            with pytest.raises(EngineUnavailableError):
                await dead.check()
            with pytest.raises(EngineUnavailableError):
                await dead.complete(JobInfo(engine="zeebe", id="1", type="t"), {"a": 1})


async def test_fetch_works_again_once_the_gateway_is_back(
    engine: DevEngine, adapter: ZeebeAdapter
) -> None:
    await adapter.check()
    await engine.stop_fronts()
    with pytest.raises(EngineUnavailableError):
        await adapter.fetch(work(long_poll=NO_WAIT))

    await engine.start_fronts()
    engine.start("zeebe_adapter")
    # gRPC waits out its own reconnect backoff first; the adapter caps it at 5 s.
    with anyio.fail_after(20):
        while True:
            try:
                jobs = await adapter.fetch(work(long_poll=NO_WAIT))
            except EngineUnavailableError:
                await anyio.sleep(0.2)
            else:
                break
    assert len(jobs) == 1


async def test_using_an_adapter_that_is_not_open_is_an_error() -> None:
    adapter = ZeebeAdapter(ZeebeConfig(address="127.0.0.1:1", tls=False))
    with pytest.raises(RuntimeError, match="not open"):
        await adapter.check()


class StreamWatch:
    """Records when the engine opens a job stream, so a test starts instances only after."""

    def __init__(self, engine: DevEngine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = anyio.Event()
        original = engine.core.open_job_stream

        def open_job_stream(*args: Any, **kwargs: Any) -> Any:
            stream = original(*args, **kwargs)
            self.opened.set()
            return stream

        monkeypatch.setattr(engine.core, "open_job_stream", open_job_stream)


async def test_stream_delivers_a_job_created_after_it_opened(
    engine: DevEngine, adapter: ZeebeAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = StreamWatch(engine, monkeypatch)
    received: list[Job] = []
    got_one = anyio.Event()

    async def accept(job: Job) -> None:
        received.append(job)
        got_one.set()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(adapter.stream, work(worker="streamer", variables=["orderId"]), accept)
            await watch.opened.wait()
            instance = engine.start("zeebe_adapter", variables={"orderId": "S-1", "other": 1})
            await got_one.wait()
            tg.cancel_scope.cancel()

    [job] = received
    assert job.info.process_instance_id == str(instance.key)
    assert job.info.worker == "streamer"
    assert job.variables == {"orderId": "S-1"}
    assert job.headers["method"] == "POST"
    await adapter.complete(job.info, {})
    assert (await engine.wait_for_end(instance)).state is InstanceState.COMPLETED


async def test_stream_waits_for_accept_and_hands_back_a_job_it_could_not_deliver(
    engine: DevEngine, adapter: ZeebeAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = StreamWatch(engine, monkeypatch)
    offered: list[Job] = []
    first_offered = anyio.Event()

    async def accept_never(job: Job) -> None:
        offered.append(job)
        first_offered.set()
        await anyio.sleep_forever()  # the runtime is full

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(adapter.stream, work(lease=timedelta(seconds=1)), accept_never)
            await watch.opened.wait()
            first = engine.start("zeebe_adapter")
            await first_offered.wait()
            second = engine.start("zeebe_adapter")
            # Give the second job every chance to be (wrongly) offered while the first
            # is still waiting for capacity.
            await anyio.sleep(0.3)
            tg.cancel_scope.cancel()

    assert [job.info.process_instance_id for job in offered] == [str(first.key)]
    # Cancelled while waiting for capacity: the job is back at once, no retry spent.
    [first_job] = engine.jobs(first)
    assert first_job.state is JobState.ACTIVATABLE
    assert first_job.retries == 3
    # The second job may have been pushed but never read; its short lease brings it back.
    seen: set[str] = set()
    with anyio.fail_after(20):
        while len(seen) < 2:
            jobs = await adapter.fetch(work(long_poll=timedelta(seconds=5)))
            seen |= {job.info.process_instance_id for job in jobs}
    assert seen == {str(first.key), str(second.key)}


async def test_stream_to_a_dead_address_raises_engine_unavailable() -> None:
    config = ZeebeConfig(address=f"127.0.0.1:{free_port()}", tls=False)

    async def accept(job: Job) -> None:
        raise AssertionError(f"no job expected, got {job}")

    async with ZeebeAdapter(config) as dead:
        with anyio.fail_after(10), pytest.raises(EngineUnavailableError):
            await dead.stream(work(), accept)


async def test_stream_ends_with_engine_unavailable_when_the_gateway_stops(
    engine: DevEngine, adapter: ZeebeAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = StreamWatch(engine, monkeypatch)

    async def accept(job: Job) -> None:
        raise AssertionError(f"no job expected, got {job}")

    async def stop_when_open() -> None:
        await watch.opened.wait()
        await engine.stop_fronts()

    with anyio.fail_after(10), pytest.RaisesGroup(EngineUnavailableError):
        async with anyio.create_task_group() as tg:
            tg.start_soon(stop_when_open)
            await adapter.stream(work(), accept)


# --------------------------------------------------------------------------- configuration


def test_from_env_reads_a_plaintext_gateway() -> None:
    config = ZeebeConfig.from_env(
        {
            "ZEEBE_ADDRESS": "zeebe.local:26500",
            "ZEEBE_INSECURE_CONNECTION": "true",
            "ZEEBE_TENANT_IDS": "red, blue",
        },
        name="c8",
    )
    assert config == ZeebeConfig(
        address="zeebe.local:26500", tls=False, tenant_ids=("red", "blue"), name="c8"
    )


def test_from_env_is_secure_by_default_and_reads_oauth(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    config = ZeebeConfig.from_env(
        {
            "ZEEBE_ADDRESS": "gateway:443",
            "ZEEBE_CA_CERTIFICATE_PATH": str(ca),
            "ZEEBE_CLIENT_ID": "bridge",
            "ZEEBE_CLIENT_SECRET": "s3cret",
            "ZEEBE_AUTHORIZATION_SERVER_URL": "https://keycloak/realms/camunda/token",
            "ZEEBE_TOKEN_AUDIENCE": "zeebe-api",
            "ZEEBE_TOKEN_SCOPE": "jobs",
            "ZEEBE_TENANT_IDS": "",
        }
    )
    assert config.tls is True
    assert config.uses_oauth
    assert (config.audience, config.scope, config.tenant_ids) == ("zeebe-api", "jobs", ())
    assert "s3cret" not in repr(config)


def test_from_env_derives_the_saas_address_from_the_cluster() -> None:
    config = ZeebeConfig.from_env(
        {
            "CAMUNDA_CLUSTER_ID": "abc-123",
            "CAMUNDA_CLUSTER_REGION": "syd-1",
            "ZEEBE_ADDRESS": "abc-123.syd-1.zeebe.camunda.io:443",
            "ZEEBE_CLIENT_ID": "bridge",
            "ZEEBE_CLIENT_SECRET": "s3cret",
        }
    )
    assert config.target == "abc-123.syd-1.zeebe.camunda.io:443"


@pytest.mark.parametrize(
    ("environ", "variable", "problem"),
    [
        ({}, "ZEEBE_ADDRESS", "required"),
        ({"ZEEBE_ADDRESS": "http://localhost:26500"}, "ZEEBE_ADDRESS", "without a scheme"),
        ({"ZEEBE_ADDRESS": "localhost"}, "ZEEBE_ADDRESS", "not host:port"),
        ({"ZEEBE_ADDRESS": "localhost:99999"}, "ZEEBE_ADDRESS", "out of range"),
        (
            {"ZEEBE_ADDRESS": "h:1", "ZEEBE_INSECURE_CONNECTION": "maybe"},
            "ZEEBE_INSECURE_CONNECTION",
            "not a boolean",
        ),
        ({"ZEEBE_ADDRESS": "h:1", "ZEEBE_CLIENT_ID": "id"}, "ZEEBE_CLIENT_SECRET", "required"),
        ({"ZEEBE_ADDRESS": "h:1", "ZEEBE_CLIENT_SECRET": "s"}, "ZEEBE_CLIENT_ID", "required"),
        (
            {"ZEEBE_ADDRESS": "h:1", "ZEEBE_CLIENT_ID": "id", "ZEEBE_CLIENT_SECRET": "s"},
            "ZEEBE_AUTHORIZATION_SERVER_URL",
            "required",
        ),
        (
            {
                "ZEEBE_ADDRESS": "h:1",
                "ZEEBE_CLIENT_ID": "id",
                "ZEEBE_CLIENT_SECRET": "s",
                "ZEEBE_AUTHORIZATION_SERVER_URL": "keycloak/token",
            },
            "ZEEBE_AUTHORIZATION_SERVER_URL",
            "not an http",
        ),
        (
            {
                "ZEEBE_ADDRESS": "h:1",
                "ZEEBE_INSECURE_CONNECTION": "true",
                "ZEEBE_CLIENT_ID": "id",
                "ZEEBE_CLIENT_SECRET": "s",
                "ZEEBE_AUTHORIZATION_SERVER_URL": "https://keycloak/token",
            },
            "ZEEBE_INSECURE_CONNECTION",
            "need TLS",
        ),
        (
            {"ZEEBE_ADDRESS": "h:1", "ZEEBE_CA_CERTIFICATE_PATH": "/nonexistent/ca.pem"},
            "ZEEBE_CA_CERTIFICATE_PATH",
            "not a readable file",
        ),
        ({"CAMUNDA_CLUSTER_ID": "abc"}, "ZEEBE_CLIENT_ID", "SaaS"),
        (
            {"CAMUNDA_CLUSTER_REGION": "bru-2", "ZEEBE_ADDRESS": "h:1"},
            "CAMUNDA_CLUSTER_ID",
            "cluster region",
        ),
        (
            {
                "CAMUNDA_CLUSTER_ID": "abc",
                "ZEEBE_ADDRESS": "other:443",
                "ZEEBE_CLIENT_ID": "id",
                "ZEEBE_CLIENT_SECRET": "s",
            },
            "ZEEBE_ADDRESS",
            "does not match cluster",
        ),
        ({"ZEEBE_ADDRESS": "h:1", "ZEEBE_TENANT_IDS": "red,,blue"}, "ZEEBE_TENANT_IDS", "empty"),
    ],
)
def test_from_env_names_the_variable_to_fix(
    environ: dict[str, str], variable: str, problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem) as caught:
        ZeebeConfig.from_env(environ)
    assert str(caught.value).startswith(f"{variable}: ")


def test_direct_construction_names_the_field() -> None:
    with pytest.raises(ConfigurationError, match=r"^ZeebeConfig\.address: .*host:port"):
        ZeebeConfig(address="localhost")


async def test_a_saas_config_opens_a_channel_without_touching_the_network() -> None:
    config = ZeebeConfig(cluster_id="abc-123", client_id="bridge", client_secret="s3cret")
    async with ZeebeAdapter(config) as adapter:
        assert (
            repr(adapter)
            == "ZeebeAdapter(name='zeebe', target='abc-123.bru-2.zeebe.camunda.io:443')"
        )


# ------------------------------------------------------------------------------- OAuth + TLS


@pytest.fixture(scope="module")
def loopback_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made with the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a loopback TLS certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class TokenServer:
    """An OAuth token endpoint on loopback HTTPS that records the requests it gets."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[dict[str, str], dict[str, str]]] = []

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.requests.append(({k: str(v) for k, v in form.items()}, dict(request.headers)))
        # pyzeebe's token session is never closed; without keep-alive no socket outlives
        # the test.
        close = {"Connection": "close"}
        if self.status != 200:
            return web.json_response({"error": "invalid_client"}, status=self.status, headers=close)
        return web.json_response(
            {"access_token": "tok-123", "token_type": "Bearer", "expires_in": 3600},
            headers=close,
        )


class MetadataRecorder(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []

    async def intercept_service(self, continuation: Any, details: Any) -> Any:
        self.seen.append({k: v for k, v in details.invocation_metadata})
        return await continuation(details)


class TopologyOnly(gateway_pb2_grpc.GatewayServicer):  # type: ignore[misc]
    async def Topology(self, request: pb.TopologyRequest, context: Any) -> pb.TopologyResponse:
        return pb.TopologyResponse(gatewayVersion="test")


@asynccontextmanager
async def oauth_gateway(
    cert: Path, key: Path, token_status: int = 200
) -> AsyncIterator[tuple[str, str, TokenServer, MetadataRecorder]]:
    """A TLS gRPC gateway that records call metadata, and a token endpoint beside it."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    tokens = TokenServer(token_status)
    app = web.Application()
    app.router.add_post("/oauth/token", tokens.token)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await site.start()
    token_port = runner.addresses[0][1]

    recorder = MetadataRecorder()
    server = grpc.aio.server(interceptors=[recorder])
    gateway_pb2_grpc.add_GatewayServicer_to_server(TopologyOnly(), server)
    pem_pair = (await anyio.Path(key).read_bytes(), await anyio.Path(cert).read_bytes())
    credentials = grpc.ssl_server_credentials([pem_pair])
    grpc_port = server.add_secure_port("127.0.0.1:0", credentials)
    await server.start()
    try:
        yield (
            f"localhost:{grpc_port}",
            f"https://localhost:{token_port}/oauth/token",
            tokens,
            recorder,
        )
    finally:
        await server.stop(None)
        await runner.cleanup()


async def test_oauth_token_reaches_the_gateway_over_tls(
    loopback_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = loopback_cert
    # pyzeebe fetches tokens with requests, which trusts the CAs named here.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    async with oauth_gateway(cert, key) as (address, token_url, tokens, recorder):
        config = ZeebeConfig.from_env(
            {
                "ZEEBE_ADDRESS": address,
                "ZEEBE_CA_CERTIFICATE_PATH": str(cert),
                "ZEEBE_CLIENT_ID": "bridge",
                "ZEEBE_CLIENT_SECRET": "s3cret",
                "ZEEBE_AUTHORIZATION_SERVER_URL": token_url,
                "ZEEBE_TOKEN_AUDIENCE": "zeebe-api",
            }
        )
        async with ZeebeAdapter(config) as adapter:
            await adapter.check()
            await adapter.check()

    assert [seen.get("authorization") for seen in recorder.seen] == ["Bearer tok-123"] * 2
    # One token serves both calls; the client authenticated with its credentials.
    [(form, headers)] = tokens.requests
    assert form["grant_type"] == "client_credentials"
    assert form["audience"] == "zeebe-api"
    basic = base64.b64encode(b"bridge:s3cret").decode()
    assert headers.get("Authorization") == f"Basic {basic}" or form.get("client_id") == "bridge"


async def test_a_refused_token_fails_the_call_without_reaching_the_gateway(
    loopback_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = loopback_cert
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    async with oauth_gateway(cert, key, token_status=401) as (address, token_url, _, recorder):
        config = ZeebeConfig(
            address=address,
            ca_certificate_path=str(cert),
            client_id="bridge",
            client_secret="wrong",
            authorization_server_url=token_url,
        )
        async with ZeebeAdapter(config) as adapter:
            with anyio.fail_after(10), pytest.raises(EngineUnavailableError) as caught:
                await adapter.check()

    # The token endpoint's refusal is in the message; the gateway never saw the call.
    assert "invalid_client" in str(caught.value)
    assert recorder.seen == []


def test_the_zeebe_names_are_exported_from_the_adapters_package() -> None:
    import bpmn_bridge.adapters as package
    import bpmn_bridge.adapters.zeebe as module

    assert module.__all__ == ["ZeebeAdapter", "ZeebeConfig"]
    for name in module.__all__:
        assert name in package.__all__
        assert getattr(package, name) is getattr(module, name)
