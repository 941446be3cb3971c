"""The dev engine's Camunda 8 REST front (``/v2``), driven by the OFFICIAL Camunda Java client.

bpmn-bridge's own REST adapter shares our reading of the Orchestration Cluster API.
``camunda-client-java`` 8.8 (Apache-2.0, client library only — no cluster), whose default
transport is REST, is an independent peer: a front that only our adapter accepts would fail
here. The gRPC gateway is not started, so nothing the peer did can have gone over gRPC. The
peer program (``tests/camunda_client_peer/``) reports what the client observed as one JSON
line; this test checks that line and the engine's own state.

The peer jar is built by its ``build.sh`` (which CI also runs up front) when missing or when its
sources changed, see ``tests/support/peers.py``. Without ``java`` — or without ``mvn`` when a
build is needed — the test skips locally and fails when ``CI=true``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from bpmn_bridge.devengine import DevEngine, IncidentType, InstanceState
from tests.support.peers import QUICK_JVM_FLAGS, build_peer, require_java, tail

PEER_DIR = Path(__file__).parents[1] / "camunda_client_peer"
PEER = "official Camunda client peer"
ORDER_BPMN = PEER_DIR / "bpmn" / "peer_order.bpmn"

PEER_TIMEOUT_S = 180.0  # the peer bounds its own waits (30 s); this catches a hung JVM


@pytest.fixture(scope="module")
def java_peer() -> list[str]:
    """The command line that starts the peer, up to its arguments."""
    java = require_java(PEER)
    return [
        java,
        *QUICK_JVM_FLAGS,
        "-jar",
        str(build_peer(PEER, PEER_DIR, "camunda-client-peer.jar")),
    ]


async def test_official_camunda_client_drives_the_rest_front(java_peer: list[str]) -> None:
    async with DevEngine(zeebe_port=None, camunda7_port=None) as engine:
        with anyio.fail_after(PEER_TIMEOUT_S):
            result = await anyio.run_process(
                [*java_peer, engine.camunda8_rest_url, str(ORDER_BPMN)], check=False
            )
        stdout = result.stdout.decode(errors="replace")
        stderr = result.stderr.decode(errors="replace")
        lines = stdout.strip().splitlines()
        assert lines, f"peer printed nothing (exit {result.returncode}):\n{tail(stderr)}"
        peer: dict[str, Any] = json.loads(lines[-1])
        assert result.returncode == 0 and "error" not in peer, (
            f"peer failed (exit {result.returncode}): {peer.get('error')}\n{tail(stderr)}"
        )

        # -- what the client observed
        topology = peer["topology"]
        assert (topology["clusterSize"], topology["partitionsCount"]) == (1, 1)
        assert topology["brokers"] == [{"nodeId": 0, "partitions": 1}]
        [process] = peer["deployment"]["processes"]
        assert (process["bpmnProcessId"], process["version"]) == ("peer_order", 1)
        assert process["key"] == engine.core.latest_definition("peer_order").key
        assert peer["unknownJob"] == {"status": 404, "title": "NOT_FOUND"}
        # retries="2" in the model: a failure with backoff, then the last retry, then incident;
        # "complete" twice: its own instance and the one created with result
        assert peer["retriesSeen"] == {"complete": [2, 2], "fail": [2, 1], "throw": [2]}
        with_result = peer["withResult"]
        assert with_result["variables"] == {"mode": "complete", "orderId": "R1", "charged": True}

        # -- what the engine holds afterwards
        keys = peer["instances"]
        done = engine.core.get_instance(keys["complete"])
        assert done.state is InstanceState.COMPLETED
        assert engine.variables(done) == {"mode": "complete", "charged": True}
        thrown = engine.core.get_instance(keys["throw"])
        assert thrown.state is InstanceState.COMPLETED
        assert [a.element_id for a in thrown.activities][-1] == "end_declined"
        assert engine.variables(thrown)["declined"] is True
        failed = keys["fail"]
        assert engine.core.get_instance(failed).state is InstanceState.INCIDENT
        [incident] = engine.incidents()
        assert (incident.instance.key, incident.type) == (failed, IncidentType.JOB_NO_RETRIES)
        assert incident.message == "card reader offline"
        assert engine.core.get_instance(with_result["processInstanceKey"]).state is (
            InstanceState.COMPLETED
        )
