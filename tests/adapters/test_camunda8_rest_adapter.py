"""The Camunda 8 REST adapter against the embedded engine's /v2 front, and against a scripted
HTTP server on loopback for the answers the embedded engine never gives (back pressure,
OAuth, a proxy's page)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web

from bpmn_bridge.adapters import Camunda8RestAdapter, Camunda8RestConfig, FetchRequest
from bpmn_bridge.core import (
    ConfigurationError,
    EngineRejectedError,
    EngineUnavailableError,
    JobInfo,
    JobNotFoundError,
)
from bpmn_bridge.devengine import DevEngine
from tests.support.diagrams import service_task_process
from tests.support.targets import unique


@pytest.fixture
async def dev() -> AsyncIterator[DevEngine]:
    async with DevEngine(camunda7_port=None) as engine:
        yield engine


def fetch(task_type: str, **overrides: Any) -> FetchRequest:
    options: dict[str, Any] = {
        "type": task_type,
        "worker": "w1",
        "max_jobs": 5,
        "lease": timedelta(seconds=30),
        "long_poll": timedelta(seconds=1),
    }
    options.update(overrides)
    return FetchRequest(**options)


async def started(dev: DevEngine, variables: dict[str, Any], *, retries: int = 3) -> str:
    task_type = unique("rest")
    process = unique("p").replace("-", "_")
    dev.deploy(
        service_task_process(
            process, task_type, flavour="camunda8", headers={"h": "v"}, retries=retries
        )
    )
    dev.start(process, variables=variables)
    return task_type


async def test_fetch_and_complete_round_trip(dev: DevEngine) -> None:
    task_type = await started(dev, {"orderId": "A", "n": 1})
    config = Camunda8RestConfig(rest_address=dev.camunda8_rest_url, name="c8")
    async with Camunda8RestAdapter(config) as engine:
        await engine.check()
        jobs = await engine.fetch(fetch(task_type, variables=["orderId"]))
        assert len(jobs) == 1
        job = jobs[0]
        assert job.variables == {"orderId": "A"}
        assert job.headers["h"] == "v"
        assert job.info.engine == "c8" and job.info.retries == 3 and job.info.worker == "w1"
        assert job.info.deadline is not None
        await engine.complete(job.info, {"done": True})
        with pytest.raises(JobNotFoundError) as gone:
            await engine.complete(job.info, {})
    assert gone.value.status == 404 and gone.value.job_id == job.info.id
    instance = int(job.info.process_instance_id)
    await dev.wait_for_end(instance)
    assert dev.variables(instance)["done"] is True


async def test_fail_with_backoff_holds_the_job_back(dev: DevEngine) -> None:
    task_type = await started(dev, {}, retries=2)
    config = Camunda8RestConfig(rest_address=dev.camunda8_rest_url)
    async with Camunda8RestAdapter(config) as engine:
        [job] = await engine.fetch(fetch(task_type))
        await engine.fail(
            job.info,
            message="boom",
            details="trace",
            retries=1,
            backoff=timedelta(seconds=5),
            variables={},
        )
        # the backoff holds the job back from an immediate activation
        assert await engine.fetch(fetch(task_type, long_poll=timedelta(0))) == []
    [record] = [j for j in dev.jobs() if str(j.key) == job.info.id]
    assert record.retries == 1 and record.error_message == "boom\n\ntrace"


async def test_throw_error_and_refusals_translated(dev: DevEngine) -> None:
    task_type = await started(dev, {})
    config = Camunda8RestConfig(rest_address=dev.camunda8_rest_url)
    async with Camunda8RestAdapter(config) as engine:
        with pytest.raises(EngineRejectedError) as blank:
            await engine.fetch(fetch(" "))
        assert blank.value.status == 400
        [job] = await engine.fetch(fetch(task_type))
        await engine.extend_lease(job.info, timedelta(seconds=60))
        await engine.throw_bpmn_error(job.info, code="NOPE", message="no", variables={"x": 1})
        # the uncaught error left the job behind an incident: a conflict, not a gone job
        with pytest.raises(EngineRejectedError) as conflict:
            await engine.extend_lease(job.info, timedelta(seconds=60))
        assert conflict.value.status == 409
        with pytest.raises(EngineRejectedError, match="variable 'bad'"):
            await engine.complete(job.info, {"bad": object()})
    [incident] = dev.incidents()
    assert incident.type.value == "UNHANDLED_ERROR_EVENT"
    assert incident.message.startswith("Expected to throw an error event with the code 'NOPE'")


async def test_unreachable_is_unavailable() -> None:
    config = Camunda8RestConfig(
        rest_address="http://127.0.0.1:9", connect_timeout=timedelta(seconds=2)
    )
    async with Camunda8RestAdapter(config) as engine:
        with pytest.raises(EngineUnavailableError) as down:
            await engine.check()
    assert down.value.status is None


class Scripted:
    """An HTTP server on loopback answering what its ``handler`` says, recording requests."""

    def __init__(self, handler: Callable[[web.Request], Any]) -> None:
        self.handler = handler
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.url = ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append((request.method, request.path, dict(request.headers), body))
        result = self.handler(request)
        return await result if hasattr(result, "__await__") else result

    async def __aenter__(self) -> Scripted:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()


def problem(status: int, title: str, detail: str) -> web.Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return web.Response(
        status=status, body=json.dumps(body), content_type="application/problem+json"
    )


JOB = JobInfo(engine="c8", id="2251799813685249", type="t", retries=3, worker="w1")


@pytest.mark.parametrize(
    ("status", "title", "expected"),
    [
        (404, "NOT_FOUND", JobNotFoundError),
        (409, "INVALID_STATE", EngineRejectedError),
        (400, "INVALID_ARGUMENT", EngineRejectedError),
        (403, "FORBIDDEN", EngineRejectedError),
        (503, "RESOURCE_EXHAUSTED", EngineUnavailableError),
        (500, "RESOURCE_EXHAUSTED", EngineUnavailableError),
        (502, "Bad Gateway", EngineUnavailableError),
    ],
)
async def test_problem_details_translated(
    status: int, title: str, expected: type[Exception]
) -> None:
    async with Scripted(lambda _: problem(status, title, "what Camunda said")) as server:
        config = Camunda8RestConfig(rest_address=server.url, name="c8")
        async with Camunda8RestAdapter(config) as engine:
            with pytest.raises(expected) as caught:
                await engine.complete(JOB, {"a": 1})
    assert type(caught.value) is expected
    assert f"HTTP {status}: {title}: what Camunda said" in str(caught.value)
    if title == "RESOURCE_EXHAUSTED":
        assert "back pressure" in str(caught.value)
    method, path, _, body = server.seen[0]
    assert (method, path) == ("POST", f"/v2/jobs/{JOB.id}/completion")
    assert json.loads(body) == {"variables": {"a": 1}}


async def test_a_page_that_is_not_camunda_is_unavailable_not_a_verdict() -> None:
    async with Scripted(lambda _: web.Response(status=404, text="<html>nope</html>")) as server:
        engine = Camunda8RestAdapter(Camunda8RestConfig(rest_address=server.url))
        async with engine:
            with pytest.raises(EngineUnavailableError, match="REST API's root"):
                await engine.complete(JOB, {})


async def test_request_bodies_use_camundas_field_names() -> None:
    async with Scripted(lambda _: web.Response(status=204)) as server:
        config = Camunda8RestConfig(rest_address=server.url, tenant_ids=("t1",))
        async with Camunda8RestAdapter(config) as engine:
            await engine.fail(
                JOB,
                message="m",
                details="d",
                retries=2,
                backoff=timedelta(seconds=1.5),
                variables={"v": 1},
            )
            await engine.throw_bpmn_error(JOB, code="E1", message="msg", variables={})
            await engine.extend_lease(JOB, timedelta(seconds=90))
            await engine.return_job(JOB)
    bodies = [(method, path, json.loads(body)) for method, path, _, body in server.seen]
    key = JOB.id
    assert bodies == [
        (
            "POST",
            f"/v2/jobs/{key}/failure",
            {"retries": 2, "errorMessage": "m\n\nd", "retryBackOff": 1500, "variables": {"v": 1}},
        ),
        (
            "POST",
            f"/v2/jobs/{key}/error",
            {"errorCode": "E1", "errorMessage": "msg", "variables": {}},
        ),
        ("PATCH", f"/v2/jobs/{key}", {"changeset": {"timeout": 90000}}),
        (
            "POST",
            f"/v2/jobs/{key}/failure",
            {"retries": 3, "errorMessage": "returned by worker w1 on shutdown", "retryBackOff": 0},
        ),
    ]


async def test_activation_body_and_tenants() -> None:
    async with Scripted(lambda _: web.json_response({"jobs": []})) as server:
        config = Camunda8RestConfig(rest_address=server.url, tenant_ids=("t1", "t2"))
        async with Camunda8RestAdapter(config) as engine:
            assert await engine.fetch(fetch("t", variables=["a"])) == []
    body = json.loads(server.seen[0][3])
    assert body == {
        "type": "t",
        "worker": "w1",
        "timeout": 30000,
        "maxJobsToActivate": 5,
        "requestTimeout": 1000,
        "fetchVariable": ["a"],
        "tenantIds": ["t1", "t2"],
    }


async def test_basic_auth_header() -> None:
    async with Scripted(lambda _: web.json_response({"brokers": []})) as server:
        config = Camunda8RestConfig(rest_address=server.url, username="demo", password="pw")
        async with Camunda8RestAdapter(config) as engine:
            await engine.check()
    expected = "Basic " + base64.b64encode(b"demo:pw").decode()
    assert server.seen[0][2]["Authorization"] == expected


async def test_oauth_token_fetched_once_and_renewed_after_401() -> None:
    tokens = iter(["tok-1", "tok-2"])
    api_calls: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        if request.path == "/oauth/token":
            form = await request.post()
            assert form["grant_type"] == "client_credentials"
            assert (form["client_id"], form["client_secret"]) == ("id", "secret")
            assert form["audience"] == "orchestration-api"
            return web.json_response({"access_token": next(tokens), "expires_in": 3600})
        auth = request.headers.get("Authorization", "")
        api_calls.append(auth)
        if auth == "Bearer tok-1" and len(api_calls) == 3:
            return problem(401, "UNAUTHORIZED", "token revoked")
        return web.json_response({"brokers": []})

    async with Scripted(handle) as server:
        config = Camunda8RestConfig(
            rest_address=server.url,
            client_id="id",
            client_secret="secret",
            oauth_url=server.url + "/oauth/token",
            audience="orchestration-api",
        )
        async with Camunda8RestAdapter(config) as engine:
            for _ in range(3):
                await engine.check()
    assert api_calls == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    assert [path for _, path, _, _ in server.seen].count("/oauth/token") == 2


async def test_refused_client_credentials_are_a_rejection() -> None:
    async with Scripted(lambda _: web.json_response({"error": "invalid_client"}, status=401)) as s:
        config = Camunda8RestConfig(
            rest_address=s.url, client_id="id", client_secret="bad", oauth_url=s.url + "/token"
        )
        async with Camunda8RestAdapter(config) as engine:
            with pytest.raises(EngineRejectedError, match="refused the client credentials"):
                await engine.check()


def test_config_from_camundas_environment_names() -> None:
    saas = Camunda8RestConfig.from_env(
        {
            "CAMUNDA_CLUSTER_ID": "abc",
            "CAMUNDA_CLUSTER_REGION": "syd-1",
            "CAMUNDA_CLIENT_ID": "id",
            "CAMUNDA_CLIENT_SECRET": "s3cret",
        }
    )
    assert saas.base_url == "https://syd-1.zeebe.camunda.io/abc/v2"
    assert saas.token_url == "https://login.cloud.camunda.io/oauth/token"
    assert saas.token_audience == "zeebe.camunda.io"
    assert "s3cret" not in repr(saas)
    managed = Camunda8RestConfig.from_env(
        {
            "CAMUNDA_REST_ADDRESS": "https://camunda.example:8080/",
            "CAMUNDA_CLIENT_ID": "id",
            "CAMUNDA_CLIENT_SECRET": "s",
            "CAMUNDA_OAUTH_URL": "https://idp.example/token",
            "CAMUNDA_TOKEN_AUDIENCE": "orchestration-api",
            "CAMUNDA_TENANT_IDS": "a, b",
        }
    )
    assert managed.base_url == "https://camunda.example:8080/v2"
    assert managed.token_audience == "orchestration-api" and managed.tenant_ids == ("a", "b")
    basic = Camunda8RestConfig.from_env(
        {
            "CAMUNDA_REST_ADDRESS": "http://localhost:8080",
            "CAMUNDA_AUTH_STRATEGY": "basic",
            "CAMUNDA_BASIC_AUTH_USERNAME": "demo",
            "CAMUNDA_BASIC_AUTH_PASSWORD": "demo",
            "CAMUNDA_CLIENT_ID": "ignored under BASIC",
        }
    )
    assert basic.username == "demo" and not basic.uses_oauth


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "CAMUNDA_REST_ADDRESS"),
        ({"CAMUNDA_REST_ADDRESS": "localhost:8080"}, "CAMUNDA_REST_ADDRESS"),
        (
            {"CAMUNDA_REST_ADDRESS": "http://h:1", "CAMUNDA_CLIENT_ID": "id"},
            "CAMUNDA_CLIENT_SECRET",
        ),
        (
            {
                "CAMUNDA_REST_ADDRESS": "http://h:1",
                "CAMUNDA_CLIENT_ID": "i",
                "CAMUNDA_CLIENT_SECRET": "s",
            },
            "CAMUNDA_OAUTH_URL",
        ),
        (
            {"CAMUNDA_REST_ADDRESS": "http://h:1", "CAMUNDA_AUTH_STRATEGY": "KERBEROS"},
            "CAMUNDA_AUTH_STRATEGY",
        ),
        (
            {"CAMUNDA_REST_ADDRESS": "http://h:1", "CAMUNDA_TENANT_IDS": "a,,b"},
            "CAMUNDA_TENANT_IDS",
        ),
    ],
)
def test_config_errors_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^{names}: "):
        Camunda8RestConfig.from_env(env)


async def test_retries_beyond_int32_are_refused_before_sending_and_by_the_front(
    dev: DevEngine,
) -> None:
    task_type = await started(dev, {})
    config = Camunda8RestConfig(rest_address=dev.camunda8_rest_url)
    async with Camunda8RestAdapter(config) as engine:
        [job] = await engine.fetch(fetch(task_type))
        with pytest.raises(EngineRejectedError, match="do not fit Camunda's fields"):
            await engine.fail(
                job.info,
                message="m",
                details="",
                retries=2**40,
                backoff=timedelta(0),
                variables={},
            )
    async with httpx.AsyncClient(base_url=dev.camunda8_rest_url + "/v2") as http:
        answer = await http.post(f"/jobs/{job.info.id}/failure", json={"retries": 2**40})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "retries 1099511627776 is out of range" in answer.json()["detail"]
    [record] = dev.jobs()
    assert record.retries == 3  # neither attempt reached the job
