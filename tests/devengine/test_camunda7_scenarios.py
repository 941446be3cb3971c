"""Camunda 7 REST scenarios, run against the real engine and the dev engine's C7 front.

Every scenario talks plain HTTP (httpx) to ``/engine-rest`` and asserts what a client can
observe: statuses, error bodies, task payloads, instance state, incidents, history. The real
Camunda 7.24 engine (``camunda7_engine`` fixture, marker ``camunda7``) is the reference: where
the two targets disagree, the dev engine is wrong.

The real engine is shared by the whole session, so each test deploys its diagrams under
unique process ids and topics (a random suffix) and never sees another test's tasks.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bpmn_bridge.devengine._server import DevEngine

BPMN_DIR = Path(__file__).parent / "bpmn" / "c7"

# Ids each fixture diagram uses; a test-unique suffix is appended to all of them.
DIAGRAM_IDS = {
    "external_task": ("c7_external", "c7-work"),
    "boundary_error": ("c7_boundary", "c7-risky", "c7-handle"),
    "uncaught_error": ("c7_uncaught", "c7-uncaught"),
    "gateway": ("c7_gateway", "c7-big", "c7-small"),
}
PATIENCE_S = 15.0


class C7:
    """A Camunda 7 REST target plus the unique names of one test."""

    def __init__(self, client: httpx.AsyncClient, target: str) -> None:
        self.client = client
        self.target = target
        self.suffix = uuid.uuid4().hex[:10]

    def name(self, base: str) -> str:
        return f"{base}-{self.suffix}"

    async def deploy(self, diagram: str) -> httpx.Response:
        xml = (BPMN_DIR / f"{diagram}.bpmn").read_text()
        for ident in DIAGRAM_IDS[diagram]:
            xml = xml.replace(f'"{ident}"', f'"{self.name(ident)}"')
        response = await self.client.post(
            "/deployment/create",
            data={"deployment-name": self.name(diagram)},
            files={f"{diagram}.bpmn": (f"{diagram}.bpmn", xml.encode(), "application/xml")},
        )
        assert response.status_code == 200, response.text
        return response

    async def start(self, process: str, **body: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/process-definition/key/{self.name(process)}/start", json=body
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def fetch(
        self,
        topic: str,
        *,
        worker: str = "worker-1",
        max_tasks: int = 10,
        lock_ms: int = 10_000,
        timeout_ms: int | None = None,
        **topic_options: Any,
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {
            "workerId": worker,
            "maxTasks": max_tasks,
            "topics": [{"topicName": self.name(topic), "lockDuration": lock_ms, **topic_options}],
        }
        if timeout_ms is not None:
            body["asyncResponseTimeout"] = timeout_ms
        response = await self.client.post("/external-task/fetchAndLock", json=body)
        assert response.status_code == 200, response.text
        tasks: list[dict[str, Any]] = response.json()
        return tasks

    async def fetch_eventually(self, topic: str, **options: Any) -> list[dict[str, Any]]:
        """Fetch until something comes back (lock expiry / retry backoff), or fail."""
        deadline = asyncio.get_running_loop().time() + PATIENCE_S
        while asyncio.get_running_loop().time() < deadline:
            tasks = await self.fetch(topic, timeout_ms=1000, **options)
            if tasks:
                return tasks
            await asyncio.sleep(0.1)
        pytest.fail(f"no task on topic {topic} within {PATIENCE_S}s")

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(path, json=body)

    async def get(self, path: str, **params: str) -> httpx.Response:
        return await self.client.get(path, params=params)


@pytest.fixture(params=[pytest.param("real", marks=pytest.mark.camunda7), "dev"])
async def c7(request: pytest.FixtureRequest) -> AsyncIterator[C7]:
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "real":
            url = request.getfixturevalue("camunda7_engine").url
        else:
            # Through DevEngine, so the suite also covers how the front is wired in.
            engine = await stack.enter_async_context(DevEngine(zeebe_port=None))
            url = engine.camunda7_url
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30.0))
        yield C7(client, request.param)


def _error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["type"], body["message"]


ALL_TYPES: dict[str, dict[str, Any]] = {
    "s": {"value": "héllo", "type": "String"},
    "i": {"value": 42, "type": "Integer"},
    "l": {"value": 9007199254740993, "type": "Long"},
    "d": {"value": 2.5, "type": "Double"},
    "d3": {"value": 3, "type": "Double"},
    "b": {"value": True, "type": "Boolean"},
    "j": {"value": '{"a": [1, 2], "b": null}', "type": "Json"},
    "dt": {"value": "2024-03-01T10:15:30.123+0100", "type": "Date"},
    "by": {"value": base64.b64encode(b"\x00\x01hi").decode(), "type": "Bytes"},
    "n": {"value": None, "type": "Null"},
    "o": {
        "value": '{"name":"x","qty":2}',
        "type": "Object",
        "valueInfo": {
            "objectTypeName": "java.util.LinkedHashMap",
            "serializationDataFormat": "application/json",
        },
    },
    "untyped_text": {"value": "plain"},
    "untyped_small": {"value": 5},
    "untyped_big": {"value": 9007199254740993},
    "untyped_fraction": {"value": 5.5},
}
# What Camunda 7 gives back for each of ALL_TYPES (runtime APIs, serialized form).
EXPECTED_TYPES: dict[str, tuple[str, Any]] = {
    "s": ("String", "héllo"),
    "i": ("Integer", 42),
    "l": ("Long", 9007199254740993),
    "d": ("Double", 2.5),
    "d3": ("Double", 3.0),
    "b": ("Boolean", True),
    "j": ("Json", '{"a": [1, 2], "b": null}'),
    "dt": ("Date", "2024-03-01T09:15:30.123+0000"),
    "by": ("Bytes", base64.b64encode(b"\x00\x01hi").decode()),
    "n": ("Null", None),
    "o": ("Object", '{"name":"x","qty":2}'),
    "untyped_text": ("String", "plain"),
    "untyped_small": ("Integer", 5),
    "untyped_big": ("Long", 9007199254740993),
    "untyped_fraction": ("Double", 5.5),
}


async def test_version(c7: C7) -> None:
    response = await c7.get("/version")
    assert response.status_code == 200
    assert response.json() == {"version": "7.24.0"}


async def test_deploy_lists_the_definition(c7: C7) -> None:
    deployed = (await c7.deploy("external_task")).json()
    definitions = list(deployed["deployedProcessDefinitions"].values())
    assert [(d["key"], d["version"]) for d in definitions] == [(c7.name("c7_external"), 1)]
    listed = (await c7.get("/process-definition", key=c7.name("c7_external"))).json()
    assert [d["id"] for d in listed] == [definitions[0]["id"]]


async def test_start_fetch_complete_with_io_mapping_and_properties(c7: C7) -> None:
    await c7.deploy("external_task")
    started = await c7.start(
        "c7_external",
        businessKey="order-1",
        variables={"orderId": {"value": "o-1", "type": "String"}},
    )
    assert started["businessKey"] == "order-1"
    assert started["ended"] is False

    [task] = await c7.fetch("c7-work", includeExtensionProperties=True)
    assert task["processInstanceId"] == started["id"]
    assert task["businessKey"] == "order-1"
    assert task["workerId"] == "worker-1"
    assert task["topicName"] == c7.name("c7-work")
    assert task["activityId"] == "work"
    assert task["retries"] is None
    assert task["extensionProperties"] == {"connector": "http-json", "timeoutSeconds": "30"}
    assert task["variables"] == {
        "orderId": {"type": "String", "value": "o-1", "valueInfo": {}},
        "orderRef": {"type": "String", "value": "o-1", "valueInfo": {}},
        "region": {"type": "String", "value": "emea", "valueInfo": {}},
    }

    done = await c7.post(
        f"/external-task/{task['id']}/complete",
        {"workerId": "worker-1", "variables": {"outcome": {"value": "shipped"}}},
    )
    assert done.status_code == 204

    history = (await c7.get(f"/history/process-instance/{started['id']}")).json()
    assert history["state"] == "COMPLETED"
    assert history["businessKey"] == "order-1"
    gone = await c7.get(f"/process-instance/{started['id']}")
    assert _error(gone) == (
        404,
        "InvalidRequestException",
        f"Process instance with id {started['id']} does not exist",
    )
    variables = (await c7.get("/history/variable-instance", processInstanceId=started["id"])).json()
    root = {v["name"]: v["value"] for v in variables if v["activityInstanceId"] == started["id"]}
    assert root["outcome"] == "shipped"
    assert root["outcomeCopy"] == "shipped"


async def test_fetch_filters(c7: C7) -> None:
    await c7.deploy("external_task")
    for i in range(3):
        await c7.start(
            "c7_external",
            businessKey=f"bk-{i}",
            variables={"orderId": {"value": f"o-{i}"}, "secret": {"value": "s"}},
        )
    assert await c7.fetch("c7-work", processDefinitionKey="no-such-process") == []
    [only] = await c7.fetch("c7-work", businessKey="bk-1", variables=["orderId"])
    assert only["businessKey"] == "bk-1"
    assert only["variables"] == {"orderId": {"type": "String", "value": "o-1", "valueInfo": {}}}
    one = await c7.fetch(
        "c7-work", max_tasks=1, processDefinitionKey=c7.name("c7_external"), variables=[]
    )
    assert len(one) == 1
    assert one[0]["variables"] == {}
    assert one[0]["extensionProperties"] == {}
    rest = await c7.fetch("c7-work")
    assert len(rest) == 1
    assert await c7.fetch("c7-work") == []


async def test_long_polling_returns_a_task_created_while_waiting(c7: C7) -> None:
    await c7.deploy("gateway")
    assert await c7.fetch("c7-big", timeout_ms=300) == []
    waiting = asyncio.create_task(c7.fetch("c7-big", timeout_ms=10_000))
    await asyncio.sleep(0.5)
    assert not waiting.done()
    started = await c7.start("c7_gateway", variables={"amount": {"value": 500}})
    [task] = await waiting
    assert task["processInstanceId"] == started["id"]


async def test_failure_with_retry_timeout_then_refetch(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    await c7.start("c7_uncaught")
    [task] = await c7.fetch("c7-uncaught")
    failed = await c7.post(
        f"/external-task/{task['id']}/failure",
        {
            "workerId": "worker-1",
            "retries": 2,
            "retryTimeout": 1000,
            "errorMessage": "boom",
            "errorDetails": "Traceback: boom",
        },
    )
    assert failed.status_code == 204
    shown = (await c7.get(f"/external-task/{task['id']}")).json()
    assert (shown["retries"], shown["errorMessage"]) == (2, "boom")
    details = await c7.get(f"/external-task/{task['id']}/errorDetails")
    assert (details.status_code, details.text) == (200, "Traceback: boom")
    assert await c7.fetch("c7-uncaught") == []

    [again] = await c7.fetch_eventually("c7-uncaught", worker="worker-2")
    assert again["id"] == task["id"]
    assert (again["retries"], again["errorMessage"]) == (2, "boom")
    assert again["errorDetails"] == "Traceback: boom"
    assert again["workerId"] == "worker-2"


async def test_retries_exhausted_opens_incident(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    started = await c7.start("c7_uncaught")
    [task] = await c7.fetch("c7-uncaught")
    failed = await c7.post(
        f"/external-task/{task['id']}/failure",
        {"workerId": "worker-1", "retries": 0, "errorMessage": "gave up"},
    )
    assert failed.status_code == 204

    [incident] = (await c7.get("/incident", processInstanceId=started["id"])).json()
    assert incident["incidentType"] == "failedExternalTask"
    assert incident["configuration"] == task["id"]
    assert incident["incidentMessage"] == "gave up"
    assert incident["activityId"] == "work"
    instance = await c7.get(f"/process-instance/{started['id']}")
    assert instance.status_code == 200
    assert instance.json()["ended"] is False
    history = (await c7.get(f"/history/process-instance/{started['id']}")).json()
    assert history["state"] == "ACTIVE"
    [listed] = (await c7.get("/external-task", processInstanceId=started["id"])).json()
    assert listed["retries"] == 0
    assert await c7.fetch("c7-uncaught") == []


async def test_bpmn_error_caught_by_boundary_event(c7: C7) -> None:
    await c7.deploy("boundary_error")
    started = await c7.start("c7_boundary", variables={"orderId": {"value": "o-9"}})
    [task] = await c7.fetch("c7-risky")
    thrown = await c7.post(
        f"/external-task/{task['id']}/bpmnError",
        {
            "workerId": "worker-1",
            "errorCode": "BUSINESS_ERR",
            "errorMessage": "out of stock",
            "variables": {"reason": {"value": "stock", "type": "String"}},
        },
    )
    assert thrown.status_code == 204
    [handler] = await c7.fetch("c7-handle")
    assert handler["processInstanceId"] == started["id"]
    values = {name: v["value"] for name, v in handler["variables"].items()}
    assert values == {
        "orderId": "o-9",
        "reason": "stock",
        "caughtCode": "BUSINESS_ERR",
        "caughtMessage": "out of stock",
    }
    assert await c7.fetch("c7-risky") == []


async def test_activity_history_names_the_end_event_reached(c7: C7) -> None:
    await c7.deploy("boundary_error")
    started = await c7.start("c7_boundary")
    [task] = await c7.fetch("c7-risky")
    error = {"workerId": "worker-1", "errorCode": "BUSINESS_ERR"}
    assert (await c7.post(f"/external-task/{task['id']}/bpmnError", error)).status_code == 204
    [handler] = await c7.fetch("c7-handle")
    done = await c7.post(f"/external-task/{handler['id']}/complete", {"workerId": "worker-1"})
    assert done.status_code == 204
    rows = (await c7.get("/history/activity-instance", processInstanceId=started["id"])).json()
    passed = sorted((r["activityId"], r["activityType"], r["canceled"]) for r in rows)
    assert passed == [
        ("error_end", "noneEndEvent", False),
        ("handle", "serviceTask", False),
        ("on_business_error", "boundaryError", False),
        ("start", "startEvent", False),
        ("work", "serviceTask", True),  # left through the boundary event, not its flow
    ]
    assert all(r["endTime"] is not None for r in rows)
    [end] = (
        await c7.get(
            "/history/activity-instance",
            processInstanceId=started["id"],
            activityType="noneEndEvent",
        )
    ).json()
    assert (end["activityId"], end["completeScope"]) == ("error_end", True)


@pytest.mark.parametrize(
    ("diagram", "process", "topic", "code"),
    [
        ("uncaught_error", "c7_uncaught", "c7-uncaught", "NOBODY_CATCHES"),
        ("boundary_error", "c7_boundary", "c7-risky", "OTHER_CODE"),
    ],
)
async def test_uncaught_bpmn_error_ends_the_instance(
    c7: C7, diagram: str, process: str, topic: str, code: str
) -> None:
    # Camunda 7 (unlike Zeebe) raises no incident: the task's path ends, nothing follows it.
    await c7.deploy(diagram)
    started = await c7.start(process)
    [task] = await c7.fetch(topic)
    thrown = await c7.post(
        f"/external-task/{task['id']}/bpmnError",
        {"workerId": "worker-1", "errorCode": code, "variables": {"v": {"value": 1}}},
    )
    assert thrown.status_code == 204
    history = (await c7.get(f"/history/process-instance/{started['id']}")).json()
    assert history["state"] == "COMPLETED"
    assert (await c7.get("/incident", processInstanceId=started["id"])).json() == []
    assert (await c7.get(f"/process-instance/{started['id']}")).status_code == 404
    variables = (await c7.get("/history/variable-instance", processInstanceId=started["id"])).json()
    assert [(v["name"], v["value"]) for v in variables] == [("v", 1)]
    assert await c7.fetch("c7-handle") == []


async def test_lock_expiry_redelivers_to_another_worker(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    started = await c7.start("c7_uncaught")
    [first] = await c7.fetch("c7-uncaught", lock_ms=300)
    [second] = await c7.fetch_eventually("c7-uncaught", worker="worker-2")
    assert second["id"] == first["id"]
    assert second["workerId"] == "worker-2"

    late = await c7.post(f"/external-task/{first['id']}/complete", {"workerId": "worker-1"})
    assert _error(late) == (
        400,
        "RestException",
        f"External Task {first['id']} cannot be completed by worker 'worker-1'. "
        "It is locked by worker 'worker-2'.",
    )
    done = await c7.post(f"/external-task/{first['id']}/complete", {"workerId": "worker-2"})
    assert done.status_code == 204
    history = (await c7.get(f"/history/process-instance/{started['id']}")).json()
    assert history["state"] == "COMPLETED"


async def test_owner_may_complete_after_its_lock_expired(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    started = await c7.start("c7_uncaught")
    [task] = await c7.fetch("c7-uncaught", lock_ms=200)
    await asyncio.sleep(0.5)
    expired = await c7.post(
        f"/external-task/{task['id']}/extendLock", {"workerId": "worker-1", "newDuration": 1000}
    )
    status, kind, message = _error(expired)
    assert (status, kind) == (400, "RestException")
    assert message.startswith(
        "Cannot extend a lock that expired: lockExpirationTime is not greater than or equal to "
    )
    done = await c7.post(f"/external-task/{task['id']}/complete", {"workerId": "worker-1"})
    assert done.status_code == 204
    history = (await c7.get(f"/history/process-instance/{started['id']}")).json()
    assert history["state"] == "COMPLETED"


async def test_extend_lock(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    await c7.start("c7_uncaught")
    [task] = await c7.fetch("c7-uncaught", lock_ms=5000)
    before = (await c7.get(f"/external-task/{task['id']}")).json()["lockExpirationTime"]
    extended = await c7.post(
        f"/external-task/{task['id']}/extendLock",
        {"workerId": "worker-1", "newDuration": 60_000},
    )
    assert extended.status_code == 204
    after = (await c7.get(f"/external-task/{task['id']}")).json()["lockExpirationTime"]
    assert after > before  # same format and offset on both targets: text order is time order

    stolen = await c7.post(
        f"/external-task/{task['id']}/extendLock",
        {"workerId": "worker-2", "newDuration": 60_000},
    )
    assert _error(stolen) == (
        400,
        "RestException",
        f"The lock of the External Task {task['id']} cannot be extended by worker "
        "'worker-2''. It is locked by worker 'worker-1'.",
    )


async def test_unlock_releases_the_task(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    await c7.start("c7_uncaught")
    [task] = await c7.fetch("c7-uncaught")
    unlocked = await c7.post(f"/external-task/{task['id']}/unlock")
    assert unlocked.status_code == 204
    shown = (await c7.get(f"/external-task/{task['id']}")).json()
    assert (shown["workerId"], shown["lockExpirationTime"]) == (None, None)
    late = await c7.post(f"/external-task/{task['id']}/complete", {"workerId": "worker-1"})
    assert _error(late) == (
        400,
        "RestException",
        f"External Task {task['id']} cannot be completed by worker 'worker-1'. "
        "It is locked by worker 'null'.",
    )
    [again] = await c7.fetch("c7-uncaught", worker="worker-3")
    assert (again["id"], again["workerId"]) == (task["id"], "worker-3")


async def test_commands_from_a_worker_without_the_lock(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    await c7.start("c7_uncaught")
    [task] = await c7.fetch("c7-uncaught")
    tid = task["id"]
    cases = {
        "complete": ({}, f"External Task {tid} cannot be completed"),
        "failure": ({"retries": 1}, f"Failure of External Task {tid} cannot be reported"),
        "bpmnError": ({"errorCode": "X"}, f"Bpmn error of External Task {tid} cannot be reported"),
    }
    for command, (extra, prefix) in cases.items():
        response = await c7.post(
            f"/external-task/{tid}/{command}", {"workerId": "intruder", **extra}
        )
        assert _error(response) == (
            400,
            "RestException",
            f"{prefix} by worker 'intruder'. It is locked by worker 'worker-1'.",
        ), command
    assert (await c7.get(f"/external-task/{tid}")).json()["workerId"] == "worker-1"


async def test_unknown_task_id(c7: C7) -> None:
    missing = "no-such-task"
    expected = (404, "RestException", f"External task with id {missing} does not exist")
    for command, body in [
        ("complete", {"workerId": "w"}),
        ("failure", {"workerId": "w", "retries": 0}),
        ("bpmnError", {"workerId": "w", "errorCode": "X"}),
        ("extendLock", {"workerId": "w", "newDuration": 100}),
        ("unlock", None),
    ]:
        response = await c7.post(f"/external-task/{missing}/{command}", body)
        assert _error(response) == expected, command
        assert response.json()["code"] == 0
    fetched = await c7.get(f"/external-task/{missing}")
    assert _error(fetched) == expected
    details = await c7.get(f"/external-task/{missing}/errorDetails")
    assert _error(details) == (
        500,
        "NullValueException",
        f"No external task found with id {missing}: externalTask is null",
    )


async def test_typed_variables_round_trip(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    started = await c7.start("c7_uncaught", variables=ALL_TYPES)
    [task] = await c7.fetch("c7-uncaught")
    fetched = {name: (v["type"], v["value"]) for name, v in task["variables"].items()}
    assert fetched == EXPECTED_TYPES
    assert task["variables"]["o"]["valueInfo"] == ALL_TYPES["o"]["valueInfo"]

    outputs = {f"{name}_out": value for name, value in ALL_TYPES.items()}
    done = await c7.post(
        f"/external-task/{task['id']}/complete", {"workerId": "worker-1", "variables": outputs}
    )
    assert done.status_code == 204

    serialized = (
        await c7.get(
            "/history/variable-instance",
            processInstanceId=started["id"],
            deserializeValues="false",
        )
    ).json()
    history = {v["name"]: (v["type"], v["value"]) for v in serialized}
    expected = {**EXPECTED_TYPES, **{f"{n}_out": tv for n, tv in EXPECTED_TYPES.items()}}
    # History never shows Bytes content.
    expected["by"] = expected["by_out"] = ("Bytes", None)
    assert history == expected

    deserialized = (
        await c7.get("/history/variable-instance", processInstanceId=started["id"])
    ).json()
    objects = {v["name"]: v["value"] for v in deserialized if v["type"] == "Object"}
    assert objects == {"o": {"name": "x", "qty": 2}, "o_out": {"name": "x", "qty": 2}}


@pytest.mark.parametrize(
    ("amount", "topic"),
    [
        ({"value": 150, "type": "Integer"}, "c7-big"),
        ({"value": 50, "type": "Long"}, "c7-small"),
        ({"value": 100, "type": "Double"}, "c7-small"),
        ({"value": 100.5}, "c7-big"),
    ],
)
async def test_exclusive_gateway_juel_condition(c7: C7, amount: dict[str, Any], topic: str) -> None:
    await c7.deploy("gateway")
    started = await c7.start("c7_gateway", variables={"amount": amount})
    [task] = await c7.fetch(topic)
    assert task["processInstanceId"] == started["id"]
    other = "c7-small" if topic == "c7-big" else "c7-big"
    assert await c7.fetch(other) == []


async def test_start_errors(c7: C7) -> None:
    unknown = await c7.post("/process-definition/key/no-such-process/start", {})
    assert _error(unknown) == (
        404,
        "RestException",
        "No matching process definition with key: no-such-process and no tenant-id",
    )
    await c7.deploy("uncaught_error")
    for variable, message in [
        (
            {"value": "abc", "type": "Integer"},
            "Cannot convert value 'abc' of type 'Integer' to java type java.lang.Integer",
        ),
        ({"value": "x", "type": "Foo"}, "Unsupported value type 'Foo'"),
    ]:
        bad = await c7.post(
            f"/process-definition/key/{c7.name('c7_uncaught')}/start",
            {"variables": {"v": variable}},
        )
        status, kind, text = _error(bad)
        assert (status, kind) == (400, "InvalidRequestException")
        assert text.startswith("Cannot instantiate process definition ")
        assert text.endswith(message)


async def test_fetch_and_lock_validation(c7: C7) -> None:
    no_lock = await c7.post(
        "/external-task/fetchAndLock",
        {"workerId": "w", "maxTasks": 1, "topics": [{"topicName": "t"}]},
    )
    assert _error(no_lock) == (500, "ProcessEngineException", "lockTime is not greater than 0")
    no_worker = await c7.post(
        "/external-task/fetchAndLock",
        {"maxTasks": 1, "topics": [{"topicName": "t", "lockDuration": 100}]},
    )
    assert _error(no_worker) == (500, "NullValueException", "workerId is null")
    too_long = await c7.post(
        "/external-task/fetchAndLock",
        {"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 3_600_000, "topics": []},
    )
    assert _error(too_long) == (
        400,
        "InvalidRequestException",
        "The asynchronous response timeout cannot be set to a value greater than 1800000 "
        "milliseconds",
    )


async def test_failure_with_negative_retries_is_rejected(c7: C7) -> None:
    await c7.deploy("uncaught_error")
    await c7.start("c7_uncaught")
    [task] = await c7.fetch("c7-uncaught")
    negative = await c7.post(
        f"/external-task/{task['id']}/failure", {"workerId": "worker-1", "retries": -1}
    )
    assert _error(negative) == (
        500,
        "ProcessEngineException",
        "retries is not greater than or equal to 0",
    )
