"""The dev engine's Zeebe gateway, driven by the OFFICIAL Camunda 8 Java client.

pyzeebe is generated from the same ``gateway.proto`` our gateway serves, so it shares our
reading of the protocol. ``zeebe-client-java`` 8.5 (Apache-2.0, client library only — no
broker) is an independent peer: a gateway that only pyzeebe accepts would fail here. The peer
program (``tests/zeebe_client_peer/``) reports what the client observed as one JSON line; this
test checks that line and the engine's own state.

The peer jar is built by its ``build.sh`` (which CI also runs up front) when missing or when its
sources changed, see ``tests/support/peers.py``. Without ``java`` — or without ``mvn`` when a
build is needed — the test skips locally and fails when ``CI=true``, like the real Camunda 7
engine fixture (``tests/support/camunda7_engine.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from bpmn_bridge.devengine import DevEngine, IncidentType, InstanceState
from tests.support.peers import QUICK_JVM_FLAGS, build_peer, require_java, tail

PEER_DIR = Path(__file__).parents[1] / "zeebe_client_peer"
PEER = "official Zeebe client peer"
ORDER_BPMN = PEER_DIR / "bpmn" / "peer_order.bpmn"
STREAM_BPMN = PEER_DIR / "bpmn" / "peer_stream.bpmn"

# The peer bounds each of its own waits (30 s); this only catches a hung JVM.
PEER_TIMEOUT_S = 180.0


@pytest.fixture(scope="module")
def java_peer() -> list[str]:
    """The command line that starts the peer, up to its arguments."""
    java = require_java(PEER)
    return [
        java,
        *QUICK_JVM_FLAGS,
        "-jar",
        str(build_peer(PEER, PEER_DIR, "zeebe-client-peer.jar")),
    ]


async def _run_peer(java_peer: list[str], engine: DevEngine) -> dict[str, Any]:
    # run_process awaits the JVM without blocking the event loop that serves the gateway.
    with anyio.fail_after(PEER_TIMEOUT_S):
        result = await anyio.run_process(
            [*java_peer, engine.zeebe_address, str(ORDER_BPMN), str(STREAM_BPMN)],
            check=False,
        )
    stdout = result.stdout.decode(errors="replace")
    stderr = result.stderr.decode(errors="replace")
    lines = stdout.strip().splitlines()
    assert lines, f"peer printed nothing (exit {result.returncode}); stderr:\n{tail(stderr)}"
    summary: dict[str, Any] = json.loads(lines[-1])
    assert result.returncode == 0 and "error" not in summary, (
        f"peer failed (exit {result.returncode}): {summary.get('error')}\n{tail(stderr)}"
    )
    return summary


async def test_official_java_client_drives_the_gateway(java_peer: list[str]) -> None:
    async with DevEngine(camunda7_port=None) as engine:
        peer = await _run_peer(java_peer, engine)

        # -- what the client observed
        assert peer["clientVersion"].startswith("8.5.")
        topology = peer["topology"]
        assert topology["gatewayVersion"].startswith("8.5.")
        assert (topology["clusterSize"], topology["partitionsCount"]) == (1, 1)
        [broker] = topology["brokers"]
        assert broker["address"] == engine.zeebe_address
        assert broker["partitions"] == [
            {"partitionId": 1, "leader": True, "role": "LEADER", "health": "HEALTHY"}
        ]

        deployment = peer["deployment"]
        assert deployment["tenantId"] == "<default>"
        assert [(p["bpmnProcessId"], p["version"]) for p in deployment["processes"]] == [
            ("peer_order", 1),
            ("peer_stream", 1),
        ]
        assert all(p["processDefinitionKey"] > 0 for p in deployment["processes"])

        assert peer["errors"] == {
            "createUnknownProcess": "NOT_FOUND",
            "deployNotBpmn": "INVALID_ARGUMENT",
            "completeUnknownJob": "NOT_FOUND",
        }

        assert peer["workerOpen"] and peer["workerEventsDone"]
        jobs = peer["jobs"]
        assert sorted(jobs) == ["A-1", "A-2", "A-3", "A-4", "A-5"]
        for job in jobs.values():
            assert "handlerError" not in job, job
            assert job["worker"] == "peer-worker"
            assert job["customHeaders"] == {"currency": "EUR"}
            assert (job["bpmnProcessId"], job["elementId"]) == ("peer_order", "charge")
            assert job["tenantId"] == "<default>"
            assert job["deadlineInFuture"]
        # retries="2" in the model: one failure with a backoff, then the last retry.
        assert jobs["A-3"]["retriesSeen"] == [2, 1]
        assert jobs["A-1"]["retriesSeen"] == [2]
        # The job stays hidden for the backoff the client asked for (a lower bound, not speed).
        assert peer["backoffGapMillis"] >= peer["backoffMillis"]
        twice = jobs["A-5"]
        assert (twice["secondComplete"], twice["failAfterComplete"]) == ("NOT_FOUND", "NOT_FOUND")
        assert twice["throwAfterComplete"] == "NOT_FOUND"

        assert peer["withResultVariables"] == {
            "orderId": "A-2",
            "mode": "complete",
            "amount": 7,
            "charged": True,
            "receipt": "R-A-2",
            "currency": "EUR",
        }

        # Same resource again: Zeebe keeps version 1 (duplicate filtering), same definition key.
        operator = peer["operator"]
        order_definition = deployment["processes"][0]["processDefinitionKey"]
        assert (operator["redeployVersion"], operator["redeployDefinitionKey"]) == (
            1,
            order_definition,
        )
        assert operator["setVariablesOnInstance"] == "OK"
        assert operator["updateRetriesOfFailedJob"] == "OK"
        assert operator["cancelCompletedInstance"] == "NOT_FOUND"

        stream = peer["stream"]
        assert stream["worker"] == "peer-stream-only", "the stream-only job was never streamed"
        assert stream["jobInstanceKey"] == stream["processInstanceKey"]
        assert stream["variables"] == {"attempt": stream["attempts"]}

        # -- what the engine holds afterwards
        keys = peer["instances"]
        completed = engine.core.get_instance(keys["complete"])
        assert completed.state is InstanceState.COMPLETED
        assert engine.variables(completed) == {
            "orderId": "A-1",
            "mode": "complete",
            "amount": 42,
            "charged": True,
            "receipt": "R-A-1",
            "currency": "EUR",
        }
        assert engine.core.get_instance(keys["withResult"]).state is InstanceState.COMPLETED

        declined = keys["decline"]
        assert engine.core.get_instance(declined).state is InstanceState.COMPLETED
        assert engine.variables(declined)["declineReason"] == "insufficient funds"
        assert "charged" not in engine.variables(declined)

        twice_key = keys["twice"]
        assert engine.core.get_instance(twice_key).state is InstanceState.COMPLETED
        assert engine.variables(twice_key)["charged"] is True

        # New retries alone do not resume the job: as in Zeebe, the incident stays open until
        # it is resolved.
        failed = keys["fail"]
        assert engine.core.get_instance(failed).state is InstanceState.INCIDENT
        [incident] = engine.incidents()
        assert (incident.instance.key, incident.type) == (failed, IncidentType.JOB_NO_RETRIES)
        assert incident.message == "card service down"
        [stuck] = engine.jobs(failed)
        assert (stuck.key, stuck.retries) == (jobs["A-3"]["jobKey"], 1)
        assert engine.variables(failed)["operatorNote"] == "card service restarted"

        streamed = engine.core.get_instance(stream["processInstanceKey"])
        assert streamed.state is InstanceState.COMPLETED
        assert engine.variables(streamed)["streamed"] is True
