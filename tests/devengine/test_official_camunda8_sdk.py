"""The dev engine's Zeebe gateway, driven by Camunda's OFFICIAL Node.js SDK.

``@camunda8/sdk`` (Apache-2.0, npm, pinned in ``tests/camunda8_sdk_peer/package-lock.json``)
is what Node workers run; its ``ZeebeGrpcClient`` brings its own ``gateway.proto`` and its
own reading of it, independent of pyzeebe and of the Java client
(``test_official_zeebe_client.py``). The peer (``tests/camunda8_sdk_peer/peer.mjs``) deploys,
creates instances (also with result), serves a job type with a worker that completes, fails
with retries and a backoff, and throws an error with variables, and asks for what must be
refused; it prints what the SDK saw as one JSON line, then the engine is asked how each
instance ended.

``npm ci`` installs the peer when it is missing (``build.sh`` does it up front, for CI).
Without ``node``/``npm`` the test skips locally and fails when ``CI=true``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from bpmn_bridge.devengine import DevEngine, IncidentType, InstanceState
from tests.support.peers import install_npm_peer

PEER_DIR = Path(__file__).parents[1] / "camunda8_sdk_peer"
ORDER_BPMN = Path(__file__).parents[1] / "zeebe_client_peer" / "bpmn" / "peer_order.bpmn"
# the peer bounds its own wait (60 s); this only catches a hung node process
PEER_TIMEOUT_S = 120.0
# gRPC status codes as the SDK reports them
NOT_FOUND, UNIMPLEMENTED = 5, 12


@pytest.fixture(scope="module")
def node_peer() -> str:
    """The ``node`` binary, with the pinned SDK installed in ``camunda8_sdk_peer/``."""
    return install_npm_peer("official Camunda 8 Node SDK", PEER_DIR, package="@camunda8/sdk")


async def test_official_node_sdk_drives_the_gateway(node_peer: str) -> None:
    async with DevEngine(camunda7_port=None) as engine:
        with anyio.fail_after(PEER_TIMEOUT_S):
            run = await anyio.run_process(
                [node_peer, str(PEER_DIR / "peer.mjs"), engine.zeebe_address, str(ORDER_BPMN)],
                cwd=PEER_DIR,
                check=False,
            )
        output = run.stdout.decode(errors="replace")
        lines = output.strip().splitlines()
        assert lines, run.stderr.decode(errors="replace")[-3000:]
        peer: dict[str, Any] = json.loads(lines[-1])
        assert run.returncode == 0 and "error" not in peer, (
            f"{peer.get('error')}\n{run.stderr.decode(errors='replace')[-3000:]}"
        )

        # -- what the SDK observed
        assert peer["topology"] == {"clusterSize": 1, "partitionsCount": 1, "brokers": 1}
        [deployed] = peer["deployment"]
        assert (deployed["bpmnProcessId"], deployed["version"]) == ("peer_order", 1)
        assert (deployed["tenantId"], int(deployed["key"]) > 0) == ("<default>", True)
        jobs = peer["jobs"]
        assert sorted(jobs) == ["N-complete", "N-decline", "N-fail", "N-result"]
        for job in jobs.values():
            assert job["worker"] == "sdk-worker"
            assert (job["bpmnProcessId"], job["elementId"]) == ("peer_order", "charge")
            assert (job["customHeaders"], job["tenantId"]) == ({"currency": "EUR"}, "<default>")
            assert job["deadlineInFuture"]
        # retries="2" in the model: one failure with a backoff, then the last retry
        assert jobs["N-fail"]["retriesSeen"] == [2, 1]
        assert jobs["N-complete"]["retriesSeen"] == [2]
        # the job stays hidden for the 300 ms backoff the SDK asked for (a lower bound)
        first, second = jobs["N-fail"]["seenAt"]
        assert second - first >= 300
        assert peer["withResultVariables"] == {
            "orderId": "N-result",
            "mode": "complete",
            "amount": 3,
            "charged": True,
            "receipt": "R-N-result",
        }
        # messages are outside the dev engine's subset (docs/devengine.md): UNIMPLEMENTED
        assert peer["refused"] == {
            "createUnknownProcess": NOT_FOUND,
            "completeUnknownJob": NOT_FOUND,
            "publishMessage": UNIMPLEMENTED,
            "cancelCompletedInstance": NOT_FOUND,
        }

        # -- what the engine holds afterwards
        keys = {mode: int(key) for mode, key in peer["instances"].items()}
        completed = engine.core.get_instance(keys["complete"])
        assert completed.state is InstanceState.COMPLETED
        assert engine.variables(completed) == {
            "orderId": "N-complete",
            "mode": "complete",
            "amount": 7,
            "charged": True,
            "receipt": "R-N-complete",
        }
        declined = engine.core.get_instance(keys["decline"])
        assert declined.state is InstanceState.COMPLETED
        assert engine.variables(declined)["declineReason"] == "insufficient funds"
        assert "charged" not in engine.variables(declined)
        failed = engine.core.get_instance(keys["fail"])
        assert failed.state is InstanceState.INCIDENT
        [incident] = engine.incidents()
        assert (incident.instance.key, incident.type) == (keys["fail"], IncidentType.JOB_NO_RETRIES)
        assert incident.message == "card service down"
