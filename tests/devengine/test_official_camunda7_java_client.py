"""The Camunda 7 API, driven by Camunda's OFFICIAL Java external-task client.

``org.camunda.bpm:camunda-external-task-client`` 7.24 (Apache-2.0, Maven Central) is the
client most Camunda 7 workers run. The peer (``tests/camunda7_java_client_peer/``) subscribes
with a variables filter, a business key filter and local variables, reads typed variables,
completes with typed and local variables, fails with retries, a retry timeout and error details
(read back on the next delivery), throws BPMN errors with variables, extends a lock, unlocks and
sets variables, long polling with its backoff between polls. It prints what the client saw as
one JSON line; each engine is then asked how every instance ended. The scenario runs on the
real Camunda 7 (the reference) and on the embedded engine with the same expectations.

The peer jar is built by its ``build.sh`` (which CI also runs up front) when missing or when its
sources changed, see ``tests/support/peers.py``. Without ``java`` (or ``mvn`` when a build is
needed) the test skips locally and fails when ``CI=true``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from bpmn_bridge.devengine import DevEngine
from tests.support.diagrams import service_task_process
from tests.support.peers import QUICK_JVM_FLAGS, build_peer, require_java
from tests.support.targets import unique

PEER_DIR = Path(__file__).parents[1] / "camunda7_java_client_peer"
PEER = "official Camunda 7 Java client peer"
# the peer bounds its own wait (60 s); this only catches a hung JVM
PEER_TIMEOUT_S = 150.0
MODES = ["typed", "fail", "incident", "bpmnerror", "lock"]
# deliveries the peer waits for: fail and lock take two each, the filtered topic one
DELIVERIES = len(MODES) + 2 + 1


@pytest.fixture(scope="module")
def java_peer() -> list[str]:
    """The command line that starts the peer, up to its arguments; builds the jar if needed."""
    java = require_java(PEER)
    jar = build_peer(PEER, PEER_DIR, "camunda7-java-client-peer.jar")
    return [java, *QUICK_JVM_FLAGS, "-jar", str(jar)]


@pytest.fixture(params=[pytest.param("real", marks=pytest.mark.camunda7), "embedded"])
async def rest_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    if request.param == "real":
        yield request.getfixturevalue("camunda7_engine").url
        return
    async with DevEngine(zeebe_port=None) as dev:
        yield dev.camunda7_url


TYPED_INPUT: dict[str, dict[str, Any]] = {
    "s": {"value": "hello", "type": "String"},
    "i": {"value": 21, "type": "Integer"},
    "l": {"value": 9007199254740993, "type": "Long"},
    "d": {"value": 1.5, "type": "Double"},
    "b": {"value": False, "type": "Boolean"},
    "dt": {"value": "2023-11-14T22:13:20.123+0000", "type": "Date"},
    "json": {"value": '{"x":1}', "type": "Json"},
    "obj": {
        "value": '{"k":"v"}',
        "type": "Object",
        "valueInfo": {
            "objectTypeName": "java.util.LinkedHashMap",
            "serializationDataFormat": "application/json",
        },
    },
    "nothing": {"value": None, "type": "Null"},
    "hidden": {"value": "not fetched", "type": "String"},
}


async def _deploy(http: httpx.AsyncClient, topic: str) -> str:
    process_id = topic.replace("-", "_")
    xml = service_task_process(process_id, topic, flavour="camunda7", retries=3)
    deployed = await http.post(
        "/deployment/create",
        data={"deployment-name": topic},
        files={"p.bpmn": ("p.bpmn", xml, "application/octet-stream")},
    )
    assert deployed.status_code == 200, deployed.text
    return process_id


async def _start(
    http: httpx.AsyncClient, process_id: str, business_key: str, variables: dict[str, Any]
) -> str:
    started = await http.post(
        f"/process-definition/key/{process_id}/start",
        json={"businessKey": business_key, "variables": variables},
    )
    assert started.status_code == 200, started.text
    return str(started.json()["id"])


async def _outcome(http: httpx.AsyncClient, instance: str) -> tuple[str, dict[str, Any]]:
    history = (await http.get(f"/history/process-instance/{instance}")).json()
    variables = (
        await http.get("/history/variable-instance", params={"processInstanceId": instance})
    ).json()
    # Root-scope variables only: the task's local variables live in its own scope (the error
    # boundary makes the task a scope in Camunda 7), which the dev engine's history does not
    # keep once the task ends (docs/devengine.md); that they stay out of the root is checked.
    return history["state"], {
        v["name"]: (v["type"], v["value"]) for v in variables if v["activityInstanceId"] == instance
    }


async def test_official_java_client_serves_topics(java_peer: list[str], rest_url: str) -> None:
    topic, filtered = unique("java-peer"), unique("java-peer-bk")
    async with httpx.AsyncClient(base_url=rest_url, timeout=30) as http:
        process_id = await _deploy(http, topic)
        filtered_id = await _deploy(http, filtered)
        instances = {}
        for mode in MODES:
            variables = {"mode": {"value": mode, "type": "String"}}
            if mode == "typed":
                variables.update(TYPED_INPUT)
            instances[mode] = await _start(http, process_id, f"bk-{mode}", variables)
        for key in ("bk-wanted", "bk-other"):
            instances[key] = await _start(
                http, filtered_id, key, {"who": {"value": key, "type": "String"}}
            )

        with anyio.fail_after(PEER_TIMEOUT_S):
            peer = await anyio.run_process(
                [*java_peer, rest_url, topic, filtered, str(DELIVERIES)], check=False
            )
        output = peer.stdout.decode(errors="replace")
        assert peer.returncode == 0, output + peer.stderr.decode(errors="replace")[-3000:]
        seen: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
        ended = {key: await _outcome(http, instance) for key, instance in instances.items()}
        incidents = (
            await http.get("/incident", params={"processDefinitionKeyIn": process_id})
        ).json()
        incident_task = (
            await http.get("/external-task", params={"processInstanceId": instances["incident"]})
        ).json()
        other_task = (
            await http.get("/external-task", params={"processInstanceId": instances["bk-other"]})
        ).json()
        missing = await http.post(
            "/process-instance/no-such-instance/variables",
            json={"modifications": {"x": {"value": 1, "type": "Integer"}}},
        )

    assert seen["errors"] == []
    by_delivery = {(row["mode"], row["delivery"]): row for row in seen["settled"]}
    assert sorted(by_delivery) == sorted(
        [(mode, 1) for mode in MODES] + [("fail", 2), ("lock", 2), ("filtered", 1)]
    )
    assert all(row["workerId"] == "official-java-client" for row in seen["settled"])
    assert all(row["hasLockExpiration"] for row in seen["settled"])
    # the variables filter: every typed value as the client typed it, "hidden" not fetched
    assert by_delivery[("typed", 1)]["variables"] == {
        "mode": ["string", "typed"],
        "s": ["string", "hello"],
        "i": ["integer", "21"],
        "l": ["long", "9007199254740993"],
        "d": ["double", "1.5"],
        "b": ["boolean", "false"],
        "dt": ["date", "1700000000123"],
        "json": ["json", '{"x":1}'],
        "obj": ["object", "java.util.LinkedHashMap application/json {k=v}"],
        "nothing": ["null", "null"],
    }
    # the failure's message, details and retries come back on the next delivery
    first, second = by_delivery[("fail", 1)], by_delivery[("fail", 2)]
    assert (first["retries"], first["errorMessage"], first["errorDetails"]) == (None, None, None)
    assert (second["retries"], second["errorMessage"], second["errorDetails"]) == (
        1,
        "first try fails",
        "details of the first failure",
    )
    assert by_delivery[("lock", 2)]["retries"] is None
    # business key filter plus local variables: a sequential task shares the instance's
    # execution, so only what is local to it (nothing here) is fetched
    assert by_delivery[("filtered", 1)]["businessKey"] == "bk-wanted"
    assert by_delivery[("filtered", 1)]["variables"] == {}

    assert ended["typed"][0] == "COMPLETED"
    typed_out = ended["typed"][1]
    assert typed_out.pop("json")[0] == typed_out.pop("out_json")[0] == "Json"
    assert typed_out == {
        **{name: (v["type"], v["value"]) for name, v in TYPED_INPUT.items() if name != "json"},
        "mode": ("String", "typed"),
        "obj": ("Object", {"k": "v"}),
        "out_s": ("String", "text"),
        "out_i": ("Integer", 42),
        "out_l": ("Long", 9007199254740993),
        "out_d": ("Double", 2.5),
        "out_b": ("Boolean", True),
        "out_dt": ("Date", "2023-11-14T22:13:20.123+0000"),
        "out_obj": ("Object", {"k": "v", "n": 3}),
        "out_null": ("Null", None),
    }
    assert ended["fail"] == (
        "COMPLETED",
        {"mode": ("String", "fail"), "recovered": ("Boolean", True)},
    )
    assert ended["bpmnerror"] == (
        "COMPLETED",
        {
            "mode": ("String", "bpmnerror"),
            "reason": ("String", "declined"),
            "score": ("Long", 7),
        },
    )
    assert ended["lock"] == (
        "COMPLETED",
        {"mode": ("String", "lock"), "set_s": ("String", "set"), "set_i": ("Integer", 5)},
    )
    assert ended["bk-wanted"] == (
        "COMPLETED",
        {"who": ("String", "bk-wanted"), "seenBy": ("String", "java")},
    )
    # retries 0: an incident carrying the failure's message; the task stays, unlocked
    assert ended["incident"] == ("ACTIVE", {"mode": ("String", "incident")})
    assert [(i["incidentType"], i["incidentMessage"]) for i in incidents] == [
        ("failedExternalTask", "gave up")
    ]
    assert [(t["retries"], t["errorMessage"], t["workerId"]) for t in incident_task] == [
        (0, "gave up", "official-java-client")
    ]
    # the filtered-out instance was never fetched
    assert ended["bk-other"] == ("ACTIVE", {"who": ("String", "bk-other")})
    assert [(t["workerId"], t["lockExpirationTime"]) for t in other_task] == [(None, None)]
    # setVariables on an instance that is gone: the engine's own error shape
    assert missing.status_code == 500
    assert missing.json() == {
        "type": "RestException",
        "message": "Cannot modify variables for process instance no-such-instance: "
        "execution no-such-instance doesn't exist: execution is null",
        "code": 0,
    }
