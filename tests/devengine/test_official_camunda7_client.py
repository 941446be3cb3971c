"""The embedded engine's Camunda 7 API, driven by Camunda's OFFICIAL JavaScript client.

Our Camunda 7 adapter and the Python client in the benchmarks share our reading of the REST
API. ``camunda-external-task-client-js`` (Apache-2.0, npm, pinned in
``tests/camunda7_client_peer/package-lock.json``) is an independent peer: it only parses a
body as JSON when ``Content-Type`` is exactly ``application/json``, for one, which a server
that only Python clients talk to would never notice. The same scenario runs on the real
Camunda 7 (the reference) and on the embedded engine; the peer program
(``tests/camunda7_client_peer/worker.mjs``) prints what the client saw as one JSON line, and
each engine is then asked how every instance ended.

``npm ci`` installs the peer when it is missing (``build.sh`` does it up front, for CI).
Without ``node``/``npm`` the test skips locally and fails when ``CI=true``.
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
from tests.support.peers import install_npm_peer
from tests.support.targets import unique

PEER_DIR = Path(__file__).parents[1] / "camunda7_client_peer"
# the peer bounds its own wait (60 s); this only catches a hung node process
PEER_TIMEOUT_S = 120.0
MODES = ["complete", "fail", "unlock", "reject"]
# more typed values for the "complete" instance; the worker's variables filter leaves "hidden"
TYPED_INPUT = {
    "flag": {"value": True, "type": "Boolean"},
    "ratio": {"value": 1.5, "type": "Double"},
    "when": {"value": "2023-11-14T22:13:20.123+0000", "type": "Date"},
    "doc": {"value": '{"x":1}', "type": "Json"},
    "nothing": {"value": None, "type": "Null"},
    "hidden": {"value": "not fetched", "type": "String"},
}


@pytest.fixture(scope="session")
def node_peer() -> str:
    """The ``node`` binary, with the pinned client installed in ``camunda7_client_peer/``."""
    return install_npm_peer(
        "official Camunda 7 JS client", PEER_DIR, package="camunda-external-task-client-js"
    )


@pytest.fixture(params=[pytest.param("real", marks=pytest.mark.camunda7), "embedded"])
async def rest_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    if request.param == "real":
        yield request.getfixturevalue("camunda7_engine").url
        return
    async with DevEngine(zeebe_port=None) as dev:
        yield dev.camunda7_url


async def test_official_js_client_serves_a_topic(node_peer: str, rest_url: str) -> None:
    topic = unique("js-peer")
    process_id = topic.replace("-", "_")
    xml = service_task_process(process_id, topic, flavour="camunda7", retries=3)
    async with httpx.AsyncClient(base_url=rest_url, timeout=30) as http:
        deployed = await http.post(
            "/deployment/create",
            data={"deployment-name": topic},
            files={"p.bpmn": ("p.bpmn", xml, "application/octet-stream")},
        )
        assert deployed.status_code == 200, deployed.text
        instances: dict[str, str] = {}
        for mode in MODES:
            started = await http.post(
                f"/process-definition/key/{process_id}/start",
                json={
                    "businessKey": f"bk-{mode}",
                    "variables": {
                        "mode": {"value": mode, "type": "String"},
                        "amount": {"value": 21, "type": "Integer"},
                        **(TYPED_INPUT if mode == "complete" else {}),
                    },
                },
            )
            assert started.status_code == 200, started.text
            instances[mode] = started.json()["id"]

        with anyio.fail_after(PEER_TIMEOUT_S):
            peer = await anyio.run_process(
                [node_peer, str(PEER_DIR / "worker.mjs"), rest_url, topic, str(len(MODES))],
                cwd=PEER_DIR,
                check=False,
            )
        output = peer.stdout.decode(errors="replace")
        assert peer.returncode == 0, output + peer.stderr.decode(errors="replace")[-3000:]
        seen: dict[str, Any] = json.loads(output.strip().splitlines()[-1])

        ended, types = {}, {}
        for mode, instance in instances.items():
            history = (await http.get(f"/history/process-instance/{instance}")).json()
            variables = (
                await http.get("/history/variable-instance", params={"processInstanceId": instance})
            ).json()
            # root-scope variables: the dev engine's history keeps no finished task's locals
            ended[mode] = (
                history["state"],
                {v["name"]: v["value"] for v in variables if v["activityInstanceId"] == instance},
            )
            types[mode] = {
                v["name"]: v["type"] for v in variables if v["activityInstanceId"] == instance
            }
        incidents = (
            await http.get("/incident", params={"processDefinitionKeyIn": process_id})
        ).json()

    assert seen["errors"] == []
    by_mode = {row["mode"]: row for row in seen["settled"]}
    assert sorted(by_mode) == sorted(MODES)
    # what the client read from each task: typed variables, business key, topic, retries
    assert {row["amountType"] for row in by_mode.values()} == {"number"}
    assert all(row["businessKey"] == f"bk-{mode}" for mode, row in by_mode.items())
    assert all(row["topicName"] == topic for row in by_mode.values())
    # the failure and the unlock each cost one delivery; the failure left 1 retry behind
    assert {mode: row["delivery"] for mode, row in by_mode.items()} == {
        "complete": 1,
        "fail": 2,
        "unlock": 2,
        "reject": 1,
    }
    assert by_mode["fail"]["retries"] == 1
    assert by_mode["complete"]["retries"] is None
    done = {"mode": None, "amount": 21, "doubled": 42, "by": "js"}
    # typed values as the client read them, through its variables filter
    assert by_mode["complete"]["typed"] == {
        "mode": ["string", "complete"],
        "amount": ["integer", 21],
        "flag": ["boolean", True],
        "ratio": ["double", 1.5],
        "when": ["date", 1700000000123],
        "doc": ["json", {"x": 1}],
        "nothing": ["null", None],
    }
    assert by_mode["fail"]["typed"] == {"mode": ["string", "fail"], "amount": ["integer", 21]}
    for mode in ("fail", "unlock"):
        assert ended[mode] == ("COMPLETED", {**done, "mode": mode})
    state, complete_vars = ended["complete"]
    assert state == "COMPLETED"
    assert types["complete"].pop("doc") == types["complete"].pop("outJson") == "Json"
    del complete_vars["doc"], complete_vars["outJson"]
    assert complete_vars == {
        **done,
        "mode": "complete",
        "flag": True,
        "ratio": 1.5,
        "when": "2023-11-14T22:13:20.123+0000",
        "nothing": None,
        "hidden": "not fetched",
        "outLong": 1234567890123,
        "outDouble": 2.5,
        "outDate": "2023-11-14T22:13:20.123+0000",
        "outNull": None,
    }
    assert {name: types["complete"][name] for name in complete_vars if name.startswith("out")} == {
        "outLong": "Long",
        "outDouble": "Double",
        "outDate": "Date",
        "outNull": "Null",
    }
    assert ended["reject"] == ("COMPLETED", {"mode": "reject", "amount": 21, "reason": "declined"})
    assert incidents == []
