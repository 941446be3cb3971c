"""Camunda7Adapter against a real Camunda 7.24 engine and against the dev engine's C7 REST front.

Every test deploys its own copy of ``bpmn/c7_adapter.bpmn`` with a unique process id and topic,
so tests share one engine without fetching each other's tasks. Outcomes are read back through
the engine's own REST API (runtime, history and incident queries).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config, EngineAdapter, FetchRequest
from bpmn_bridge.adapters._camunda7_variables import (
    RawTypedValue,
    decode_variables,
    encode_variables,
    parse_date,
)
from bpmn_bridge.core import (
    ConfigurationError,
    EngineRejectedError,
    EngineUnavailableError,
    Job,
    JobInfo,
    JobNotFoundError,
)
from bpmn_bridge.devengine import DevEngine

TEMPLATE = (Path(__file__).parent / "bpmn" / "c7_adapter.bpmn").read_text()
LEASE = timedelta(minutes=1)
NO_WAIT = timedelta(0)


# --- engines ---------------------------------------------------------------------------------


@pytest.fixture(
    params=[
        pytest.param("camunda7", marks=pytest.mark.camunda7),
        pytest.param("devengine"),
    ]
)
async def engine_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """The engine-rest root of a real Camunda 7 engine, or of the dev engine's C7 front."""
    if request.param == "camunda7":
        yield request.getfixturevalue("camunda7_engine").url
        return
    async with DevEngine(zeebe_port=None) as dev:
        yield dev.camunda7_url


@dataclass
class Process:
    """One deployed copy of the test process."""

    rest: httpx.AsyncClient
    key: str
    topic: str

    async def start(
        self, *, business_key: str | None = None, variables: Mapping[str, Any] | None = None
    ) -> str:
        body: dict[str, Any] = {"variables": dict(variables or {})}
        if business_key is not None:
            body["businessKey"] = business_key
        response = await self.rest.post(f"/process-definition/key/{self.key}/start", json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    async def task(self, task_id: str) -> dict[str, Any]:
        response = await self.rest.get(f"/external-task/{task_id}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def history_variables(self, instance_id: str) -> dict[str, dict[str, Any]]:
        response = await self.rest.get(
            "/history/variable-instance",
            params={"processInstanceId": instance_id, "deserializeValues": "false"},
        )
        assert response.status_code == 200, response.text
        return {item["name"]: item for item in response.json()}


@pytest.fixture
async def rest(engine_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=engine_url, timeout=30) as client:
        yield client


@pytest.fixture
async def process(rest: httpx.AsyncClient) -> Process:
    suffix = uuid.uuid4().hex[:10]
    key, topic = f"c7_adapter_{suffix}", f"c7-adapter-{suffix}"
    xml = TEMPLATE.replace("PROCESS_ID", key).replace("TOPIC", topic)
    response = await rest.post(
        "/deployment/create",
        data={"deployment-name": key},
        files={"data": (f"{key}.bpmn", xml.encode(), "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    return Process(rest, key, topic)


@pytest.fixture
async def adapter(engine_url: str) -> AsyncIterator[Camunda7Adapter]:
    async with Camunda7Adapter(Camunda7Config(engine_url, worker_id="w-default")) as engine:
        yield engine


def request(topic: str, **overrides: Any) -> FetchRequest:
    options: dict[str, Any] = {"worker": "w1", "max_jobs": 10, "lease": LEASE, "long_poll": NO_WAIT}
    options.update(overrides)
    return FetchRequest(topic, **options)


async def fetch_one(adapter: Camunda7Adapter, topic: str, **overrides: Any) -> Job:
    # A short long poll: the engine may still be committing the instance that created it.
    jobs = await adapter.fetch(request(topic, long_poll=timedelta(seconds=5), **overrides))
    assert len(jobs) == 1, jobs
    return jobs[0]


# --- fetch -----------------------------------------------------------------------------------


async def test_adapter_implements_the_engine_adapter_protocol(adapter: Camunda7Adapter) -> None:
    assert isinstance(adapter, EngineAdapter)
    assert adapter.name == "camunda7"
    await adapter.check()


async def test_fetch_takes_several_jobs_with_their_facts_and_headers(
    adapter: Camunda7Adapter, process: Process
) -> None:
    started = {await process.start(business_key=f"order-{i}") for i in range(3)}

    jobs = await adapter.fetch(request(process.topic, max_jobs=5, long_poll=timedelta(seconds=5)))

    assert {job.info.process_instance_id for job in jobs} == started
    assert sorted(job.info.business_key or "" for job in jobs) == ["order-0", "order-1", "order-2"]
    info = jobs[0].info
    assert info.engine == "camunda7"
    assert info.type == process.topic
    assert info.bpmn_process_id == process.key
    assert info.process_definition_id.startswith(f"{process.key}:")
    assert info.element_id == "work"
    assert info.element_instance_id.startswith("work:")
    assert info.retries is None  # no failure yet: the core falls back to its default
    assert info.worker == "w1"
    assert info.deadline is not None and info.deadline.tzinfo is not None
    now = dt.datetime.now(dt.UTC)
    assert now < info.deadline <= now + LEASE + timedelta(seconds=5)
    assert jobs[0].headers == {"connector": "http-json", "retryBackoff": "PT5S"}
    # Locked: a second fetch finds nothing.
    assert await adapter.fetch(request(process.topic, worker="w2")) == []


async def test_fetch_takes_no_more_than_max_jobs(
    adapter: Camunda7Adapter, process: Process
) -> None:
    for _ in range(3):
        await process.start()

    first = await adapter.fetch(request(process.topic, max_jobs=2, long_poll=timedelta(seconds=5)))
    rest = await adapter.fetch(request(process.topic, max_jobs=2))

    assert (len(first), len(rest)) == (2, 1)


async def test_fetch_filters_variables(adapter: Camunda7Adapter, process: Process) -> None:
    await process.start(
        variables={"wanted": {"value": "yes", "type": "String"}, "other": {"value": 1}}
    )

    job = await fetch_one(adapter, process.topic, variables=["wanted", "absent"])

    assert job.variables == {"wanted": "yes"}


async def test_fetch_decodes_every_typed_variable(
    adapter: Camunda7Adapter, process: Process
) -> None:
    json_object = {
        "objectTypeName": "java.util.LinkedHashMap",
        "serializationDataFormat": "application/json",
    }
    await process.start(
        variables={
            "text": {"value": "hello", "type": "String"},
            "small": {"value": 7, "type": "Integer"},
            "long5": {"value": 5, "type": "Long"},
            "big": {"value": 2**40, "type": "Long"},
            "ratio": {"value": 0.5, "type": "Double"},
            "flag": {"value": True, "type": "Boolean"},
            "when": {"value": "2024-01-02T04:04:05.123+0100", "type": "Date"},
            "doc": {"value": '{"a":[1,2.5,null]}', "type": "Json"},
            "blob": {"value": base64.b64encode(b"\x00\xffbin").decode(), "type": "Bytes"},
            "nothing": {"value": None, "type": "Null"},
            "order": {"value": '{"total":12}', "type": "Object", "valueInfo": json_object},
        }
    )

    job = await fetch_one(adapter, process.topic)

    assert job.variables == {
        "text": "hello",
        "small": 7,
        "long5": 5,
        "big": 2**40,
        "ratio": 0.5,
        "flag": True,
        "when": dt.datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=dt.UTC),
        "doc": {"a": [1, 2.5, None]},
        "blob": b"\x00\xffbin",
        "nothing": None,
        "order": {"total": 12},
    }


# --- complete --------------------------------------------------------------------------------

OUT_VARIABLES: dict[str, Any] = {
    "text": "héllo",
    "small": 42,
    "big": 2**40,
    "negative_big": -(2**31) - 1,
    "ratio": 1.0,
    "flag": False,
    "when": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    "when_offset": dt.datetime(2024, 1, 2, 4, 4, 5, 7000, tzinfo=dt.timezone(timedelta(hours=1))),
    "doc": {"items": [1, 2.5, None, {"deep": True}], "name": "x"},
    "rows": [1, "two"],
    "blob": b"\x00\x01\xfe",
    "nothing": None,
    "huge": 2**70,
    "long_text": "é" * 5000,
}
EXPECTED_TYPES = {
    "text": "String",
    "small": "Integer",
    "big": "Long",
    "negative_big": "Long",
    "ratio": "Double",
    "flag": "Boolean",
    "when": "Date",
    "when_offset": "Date",
    "doc": "Json",
    "rows": "Json",
    "blob": "Bytes",
    "nothing": "Null",
    "huge": "Json",
    "long_text": "Object",
}


async def test_complete_sets_typed_variables_that_read_back_unchanged(
    adapter: Camunda7Adapter, process: Process
) -> None:
    instance = await process.start()
    job = await fetch_one(adapter, process.topic)

    await adapter.complete(job.info, OUT_VARIABLES)

    history = await process.history_variables(instance)
    assert {name: history[name]["type"] for name in OUT_VARIABLES} == EXPECTED_TYPES
    assert history["when"]["value"] == "2024-01-02T03:04:05.000+0000"
    assert history["when_offset"]["value"] == "2024-01-02T03:04:05.007+0000"
    assert json.loads(history["doc"]["value"]) == OUT_VARIABLES["doc"]
    assert history["big"]["value"] == 2**40
    # The instance now waits at TOPIC-after: its job carries everything back.
    after = await fetch_one(adapter, f"{process.topic}-after")
    expected = dict(OUT_VARIABLES)
    expected["when_offset"] = dt.datetime(2024, 1, 2, 3, 4, 5, 7000, tzinfo=dt.UTC)
    assert after.variables == expected


async def test_documents_can_go_out_as_json_objects(engine_url: str, process: Process) -> None:
    config = Camunda7Config(engine_url, document_type="Object")
    instance = await process.start()
    async with Camunda7Adapter(config) as adapter:
        job = await fetch_one(adapter, process.topic)
        await adapter.complete(job.info, {"order": {"total": 12.5, "lines": [1]}, "ids": [1, 2]})
        after = await fetch_one(adapter, f"{process.topic}-after")

    history = await process.history_variables(instance)
    assert history["order"]["type"] == "Object"
    assert history["order"]["valueInfo"]["objectTypeName"] == "java.util.LinkedHashMap"
    assert history["ids"]["valueInfo"]["objectTypeName"] == "java.util.ArrayList"
    assert after.variables == {"order": {"total": 12.5, "lines": [1]}, "ids": [1, 2]}


async def test_raw_values_pass_through_and_a_bad_one_is_rejected(
    adapter: Camunda7Adapter, process: Process
) -> None:
    await process.start()
    job = await fetch_one(adapter, process.topic)

    with pytest.raises(EngineRejectedError, match="Cannot convert value 'abc'"):
        await adapter.complete(job.info, {"n": RawTypedValue("Integer", "abc")})

    await adapter.complete(job.info, {"n": RawTypedValue("Integer", "12")})  # engine converts
    after = await fetch_one(adapter, f"{process.topic}-after")
    assert after.variables == {"n": 12}


async def test_complete_twice_or_by_another_worker_is_job_not_found(
    adapter: Camunda7Adapter, process: Process
) -> None:
    await process.start()
    job = await fetch_one(adapter, process.topic)

    with pytest.raises(JobNotFoundError, match="locked by worker"):
        await adapter.complete(_as_worker(job, "intruder"), {})
    await adapter.complete(job.info, {})
    with pytest.raises(JobNotFoundError):
        await adapter.complete(job.info, {})
    with pytest.raises(JobNotFoundError):
        await adapter.extend_lease(job.info, LEASE)
    with pytest.raises(JobNotFoundError):
        await adapter.return_job(job.info)


async def test_engine_errors_carry_engine_action_status_and_job(
    adapter: Camunda7Adapter, process: Process
) -> None:
    await process.start()
    job = await fetch_one(adapter, process.topic)

    with pytest.raises(EngineRejectedError) as refused:
        await adapter.complete(job.info, {"n": RawTypedValue("Integer", "abc")})
    facts = (refused.value.engine, refused.value.action, refused.value.job_id)
    assert facts == (adapter.name, "complete", job.info.id)
    assert refused.value.status == 400

    await adapter.complete(job.info, {})
    with pytest.raises(JobNotFoundError) as gone:
        await adapter.complete(job.info, {})
    facts = (gone.value.engine, gone.value.action, gone.value.job_id)
    assert facts == (adapter.name, "complete", job.info.id)
    assert gone.value.status == 404


def _as_worker(job: Job, worker: str) -> JobInfo:
    return replace(job.info, worker=worker)


# --- fail ------------------------------------------------------------------------------------


async def test_fail_with_retries_and_no_backoff_offers_the_job_again(
    adapter: Camunda7Adapter, process: Process
) -> None:
    await process.start()
    job = await fetch_one(adapter, process.topic)

    await adapter.fail(
        job.info,
        message="boom",
        details="Traceback: boom",
        retries=2,
        backoff=NO_WAIT,
        variables={"attempted": 1},
    )

    again = await fetch_one(adapter, process.topic)
    assert again.info.id == job.info.id
    assert again.info.retries == 2
    assert again.variables["attempted"] == 1


async def test_fail_with_backoff_holds_the_job_back(
    adapter: Camunda7Adapter, process: Process
) -> None:
    await process.start()
    job = await fetch_one(adapter, process.topic)

    await adapter.fail(
        job.info, message="later", details="", retries=1, backoff=timedelta(hours=1), variables={}
    )

    assert await adapter.fetch(request(process.topic)) == []
    task = await process.task(job.info.id)
    assert (task["retries"], task["errorMessage"]) == (1, "later")


async def test_fail_to_zero_retries_raises_an_incident_with_full_details(
    adapter: Camunda7Adapter, process: Process
) -> None:
    instance = await process.start()
    job = await fetch_one(adapter, process.topic)
    message = "é" * 1000
    details = "line\n" * 5000

    await adapter.fail(
        job.info, message=message, details=details, retries=0, backoff=NO_WAIT, variables={}
    )

    incidents = (await process.rest.get("/incident", params={"processInstanceId": instance})).json()
    assert [i["incidentType"] for i in incidents] == ["failedExternalTask"]
    task = await process.task(job.info.id)
    assert task["retries"] == 0
    assert task["errorMessage"] == message[:666]
    stored = await process.rest.get(f"/external-task/{job.info.id}/errorDetails")
    assert stored.text == details


# --- BPMN error ------------------------------------------------------------------------------


async def test_bpmn_error_is_caught_by_the_boundary_event_with_variables(
    adapter: Camunda7Adapter, process: Process
) -> None:
    await process.start()
    job = await fetch_one(adapter, process.topic)

    await adapter.throw_bpmn_error(
        job.info, code="BUSINESS_ERR", message="no stock", variables={"reason": {"sku": "A1"}}
    )

    handler = await fetch_one(adapter, f"{process.topic}-handle")
    assert handler.info.process_instance_id == job.info.process_instance_id
    assert handler.variables["caughtCode"] == "BUSINESS_ERR"
    assert handler.variables["caughtMessage"] == "no stock"
    assert handler.variables["reason"] == {"sku": "A1"}


# --- lease -----------------------------------------------------------------------------------


async def test_extend_lease_moves_the_lock_expiry(
    adapter: Camunda7Adapter, process: Process
) -> None:
    await process.start()
    job = await fetch_one(adapter, process.topic, lease=timedelta(seconds=30))
    assert job.info.deadline is not None

    await adapter.extend_lease(job.info, timedelta(hours=2))

    task = await process.task(job.info.id)
    expiry = dt.datetime.strptime(task["lockExpirationTime"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert expiry > job.info.deadline + timedelta(hours=1)


async def test_return_job_makes_it_fetchable_at_once_without_spending_a_retry(
    adapter: Camunda7Adapter, process: Process
) -> None:
    await process.start()
    job = await fetch_one(adapter, process.topic, lease=timedelta(hours=1))

    await adapter.return_job(job.info)

    again = await fetch_one(adapter, process.topic, worker="w2")
    assert again.info.id == job.info.id
    assert again.info.worker == "w2"
    assert again.info.retries is None


# --- unreachable engines and auth (no engine needed) -----------------------------------------


def _dead_url() -> str:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/engine-rest"


async def test_unreachable_engine_is_engine_unavailable() -> None:
    config = Camunda7Config(_dead_url(), connect_timeout=timedelta(seconds=2))
    async with Camunda7Adapter(config) as adapter:
        with pytest.raises(EngineUnavailableError, match="could not reach"):
            await adapter.check()
        with pytest.raises(EngineUnavailableError):
            await adapter.fetch(request("topic"))
        with pytest.raises(EngineUnavailableError) as unreachable:
            await adapter.complete(JobInfo(engine="camunda7", id="t1", type="topic"), {})
    facts = (unreachable.value.engine, unreachable.value.action, unreachable.value.status)
    assert facts == (adapter.name, "complete", None)
    assert unreachable.value.job_id == "t1"


class RecordingServer:
    """A tiny loopback HTTP server that records requests and answers as told."""

    def __init__(self) -> None:
        self.requests: list[web.Request] = []
        self.bodies: list[bytes] = []
        self.answer: Any = {"version": "7.24.0"}
        self.status = 200
        self.url = ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        self.bodies.append(await request.read())
        if isinstance(self.answer, str):  # not JSON: a proxy's error page
            return web.Response(status=self.status, text=self.answer, content_type="text/html")
        # a Response object can be sent only once
        return web.json_response(self.answer, status=self.status)

    async def __aenter__(self) -> RecordingServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/engine-rest"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._runner.cleanup()


async def test_basic_auth_header_is_sent() -> None:
    async with RecordingServer() as server:
        config = Camunda7Config(server.url, username="demo", password="s3cret")
        async with Camunda7Adapter(config) as adapter:
            await adapter.check()

    expected = "Basic " + base64.b64encode(b"demo:s3cret").decode()
    assert [r.headers.get("Authorization") for r in server.requests] == [expected]
    assert server.requests[0].path == "/engine-rest/version"
    assert "s3cret" not in repr(config)


async def test_bearer_token_header_is_sent_on_every_call() -> None:
    async with RecordingServer() as server:
        server.answer = []
        config = Camunda7Config(server.url, token="tok-123")
        async with Camunda7Adapter(config) as adapter:
            await adapter.check()
            await adapter.fetch(request("t"))

    assert [r.headers.get("Authorization") for r in server.requests] == ["Bearer tok-123"] * 2


async def test_fetch_request_body_and_long_poll_cap() -> None:
    async with RecordingServer() as server:
        server.answer = []
        config = Camunda7Config(server.url, tenant_ids=("t1",), use_priority=False)
        async with Camunda7Adapter(config) as adapter:
            await adapter.fetch(
                FetchRequest("topic", "w9", 7, timedelta(seconds=90), long_poll=timedelta(hours=1))
            )
            await adapter.fetch(FetchRequest("topic", "w9", 1, LEASE, variables=["a"]))

    assert [r.path for r in server.requests] == ["/engine-rest/external-task/fetchAndLock"] * 2
    assert server.requests[0].headers["Content-Type"] == "application/json"
    bodies = [json.loads(body) for body in server.bodies]
    assert bodies[0] == {
        "workerId": "w9",
        "maxTasks": 7,
        "usePriority": False,
        "asyncResponseTimeout": 1_800_000,
        "topics": [
            {
                "topicName": "topic",
                "lockDuration": 90_000,
                "includeExtensionProperties": True,
                "tenantIdIn": ["t1"],
            }
        ],
    }
    assert bodies[1]["topics"][0]["variables"] == ["a"]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (
            404,
            {"type": "RestException", "message": "External task with id x does not exist"},
            JobNotFoundError,
        ),
        (
            400,
            {"type": "RestException", "message": "It is locked by worker 'w2'."},
            JobNotFoundError,
        ),
        (
            400,
            {"type": "InvalidRequestException", "message": "Cannot convert"},
            EngineRejectedError,
        ),
        (
            500,
            {"type": "ProcessEngineException", "message": "Unknown property", "code": 0},
            EngineRejectedError,
        ),
        (
            500,
            {"type": "OptimisticLockingException", "message": "ENGINE-03005", "code": 1},
            EngineUnavailableError,
        ),
        (
            500,
            {"type": "ProcessEngineException", "message": "Cannot find external task x"},
            JobNotFoundError,
        ),
        (401, None, EngineRejectedError),
        (502, None, EngineUnavailableError),
        (404, None, EngineUnavailableError),
    ],
)
async def test_answers_become_core_errors(status: int, body: Any, error: type[Exception]) -> None:
    async with RecordingServer() as server:
        server.status = status
        server.answer = "<html>proxy</html>" if body is None else body
        async with Camunda7Adapter(Camunda7Config(server.url)) as adapter:
            job = Job(info=_info(), variables={})
            with pytest.raises(error, match=f"HTTP {status}"):
                await adapter.complete(job.info, {})

    assert [r.path for r in server.requests] == ["/engine-rest/external-task/task-1/complete"]


def _info() -> JobInfo:
    return JobInfo(engine="camunda7", id="task-1", type="t", worker="w1")


# --- configuration ---------------------------------------------------------------------------


def test_config_from_env_reads_every_variable() -> None:
    config = Camunda7Config.from_env(
        {
            "CAMUNDA_BPM_URL": "https://c7.example/engine-rest/",
            "CAMUNDA7_WORKER_ID": "w-env",
            "CAMUNDA7_USERNAME": "demo",
            "CAMUNDA7_PASSWORD": "pw",
            "CAMUNDA7_TENANT_IDS": "a, b",
            "CAMUNDA7_REQUEST_TIMEOUT": "12.5",
            "CAMUNDA7_MAX_CONNECTIONS": "4",
            "CAMUNDA7_USE_PRIORITY": "false",
            "CAMUNDA7_DOCUMENT_TYPE": "Object",
        }
    )
    assert config.base_url == "https://c7.example/engine-rest"
    assert (config.worker_id, config.username, config.password) == ("w-env", "demo", "pw")
    assert config.tenant_ids == ("a", "b")
    assert config.request_timeout == timedelta(seconds=12.5)
    assert (config.max_connections, config.use_priority) == (4, False)
    assert config.document_type == "Object"
    assert Camunda7Config.from_env({"CAMUNDA7_URL": "http://x/engine-rest"}).worker_id


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "CAMUNDA7_URL"),
        ({"CAMUNDA7_URL": "localhost:8080"}, "CAMUNDA7_URL"),
        ({"CAMUNDA_BPM_URL": "ftp://x"}, "CAMUNDA_BPM_URL"),
        ({"CAMUNDA7_URL": "http://x", "CAMUNDA7_USERNAME": "u"}, "CAMUNDA7_PASSWORD"),
        ({"CAMUNDA7_URL": "http://x", "CAMUNDA7_PASSWORD": "p"}, "CAMUNDA7_USERNAME"),
        (
            {
                "CAMUNDA7_URL": "http://x",
                "CAMUNDA7_USERNAME": "u",
                "CAMUNDA7_PASSWORD": "p",
                "CAMUNDA7_TOKEN": "t",
            },
            "CAMUNDA7_TOKEN",
        ),
        ({"CAMUNDA7_URL": "http://x", "CAMUNDA7_MAX_CONNECTIONS": "many"}, "CAMUNDA7_MAX_CONN"),
        ({"CAMUNDA7_URL": "http://x", "CAMUNDA7_CONNECT_TIMEOUT": "-1"}, "CAMUNDA7_CONNECT"),
        ({"CAMUNDA7_URL": "http://x", "CAMUNDA7_DOCUMENT_TYPE": "Xml"}, "CAMUNDA7_DOCUMENT"),
    ],
)
def test_config_from_env_names_the_bad_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        Camunda7Config.from_env(environ)


def test_config_refuses_half_basic_auth() -> None:
    with pytest.raises(ConfigurationError, match="username and password"):
        Camunda7Config("http://x/engine-rest", username="u")


# --- variable codec edge cases (no engine) ---------------------------------------------------


def test_codec_refuses_what_camunda_cannot_hold() -> None:
    with pytest.raises(TypeError, match="'s' is a set"):
        encode_variables({"s": {1}})
    with pytest.raises(TypeError, match="'d'"):
        encode_variables({"d": {"when": dt.date(2024, 1, 1)}})
    with pytest.raises(ValueError, match="nan"):
        encode_variables({"x": float("nan")})


def test_codec_keeps_unknown_and_java_serialized_values_raw() -> None:
    payload = {
        "javaObject": {
            "type": "Object",
            "value": "rO0ABXNy",
            "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"},
        },
        "xml": {"type": "Xml", "value": "<a/>", "valueInfo": {}},
        "badJson": {"type": "Json", "value": "{nope", "valueInfo": {}},
        "nullString": {"type": "String", "value": None, "valueInfo": {}},
    }
    decoded = decode_variables(payload)
    assert decoded["nullString"] is None
    assert isinstance(decoded["javaObject"], RawTypedValue)
    encoded = encode_variables({k: v for k, v in decoded.items() if k != "nullString"})
    assert encoded == {k: v for k, v in payload.items() if k != "nullString"}


def test_codec_naive_datetime_is_utc_and_strings_switch_at_the_limit() -> None:
    encoded = encode_variables(
        {"naive": dt.datetime(2024, 5, 6, 7, 8, 9, 999999), "edge": "x" * 4000, "over": "x" * 4001}
    )
    assert encoded["naive"] == {"type": "Date", "value": "2024-05-06T07:08:09.999+0000"}
    assert encoded["edge"]["type"] == "String"
    assert encoded["over"]["valueInfo"]["objectTypeName"] == "java.lang.String"


async def test_http_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    async with RecordingServer() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.removesuffix("/engine-rest"))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("http_proxy", raising=False)
        async with Camunda7Adapter(Camunda7Config("http://c7.invalid/engine-rest")) as adapter:
            await adapter.check()

    assert [(r.host, r.path) for r in proxy.requests] == [("c7.invalid", "/engine-rest/version")]


async def test_no_proxy_spares_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    async with RecordingServer() as server:
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.delenv("http_proxy", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with Camunda7Adapter(Camunda7Config(server.url)) as adapter:
            await adapter.check()

    assert [r.path for r in server.requests] == ["/engine-rest/version"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the engine's own shape (the fast path)
        ("2024-01-02T03:04:05.000+0100", dt.datetime(2024, 1, 2, 2, 4, 5, tzinfo=dt.UTC)),
        ("2024-01-02T03:04:05.123-0530", dt.datetime(2024, 1, 2, 8, 34, 5, 123000, dt.UTC)),
        # other shapes strptime takes
        ("2024-01-02T03:04:05.1+01:00", dt.datetime(2024, 1, 2, 2, 4, 5, 100000, dt.UTC)),
        ("2024-01-02T03:04:05.000Z", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
    ],
)
def test_engine_dates_parse_to_utc(text: str, expected: dt.datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed.tzinfo == dt.UTC


@pytest.mark.parametrize(
    "text", ["2024-02-30T03:04:05.000+0000", "2024-01-02", "2024-01-02T03:04:05+01:00", "x"]
)
def test_text_that_is_no_engine_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)
