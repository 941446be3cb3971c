"""Operations: the health/metrics endpoint, masked structured logs, connector discovery."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import anyio
import httpx
import pytest

from bpmn_bridge import ConfigurationError, ConnectorContext, SecretMasker, connector
from bpmn_bridge.runtime import Metrics, OpsServer, Runtime, configure_logging, discover_connectors
from bpmn_bridge.runtime._discovery import load_reference
from bpmn_bridge.testing import InMemoryAdapter


@connector(type="echo")
async def echo(context: ConnectorContext) -> dict[str, object]:
    context.logger.info("echoing %s", context.variables.get("token"))
    return dict(context.variables)


CONNECTORS = [echo]


async def test_health_and_metrics_endpoint() -> None:
    engine = InMemoryAdapter("camunda7")
    metrics = Metrics()
    runtime = Runtime(
        connectors=[echo], engines=[engine], hooks=[metrics], long_poll=timedelta(seconds=0.2)
    )
    engine.online = False
    async with (
        runtime,
        OpsServer(runtime, metrics) as ops,
        httpx.AsyncClient(base_url=ops.url) as http,
    ):
        live = await http.get("/health/live")
        assert live.status_code == 200 and live.json() == {"status": "alive"}
        with anyio.fail_after(5):
            while (await http.get("/health/ready")).status_code != 503:
                await anyio.sleep(0.05)
        not_ready = (await http.get("/health/ready")).json()
        assert not_ready["engines"]["camunda7"]["connected"] is False
        engine.online = True
        engine.add_job("echo", {"x": 1})
        await engine.wait_until_done()
        with anyio.fail_after(5):
            while (await http.get("/health/ready")).status_code != 200:
                await anyio.sleep(0.05)
        text = (await http.get("/metrics")).text
    assert 'bpmn_bridge_jobs_completed_total{connector="echo",engine="camunda7"} 1.0' in text
    assert (
        'bpmn_bridge_handler_duration_seconds_count{connector="echo",engine="camunda7"} 1.0' in text
    )
    assert 'bpmn_bridge_engine_connected{engine="camunda7"} 1.0' in text


async def test_json_logs_are_bound_to_the_job_and_masked() -> None:
    engine = InMemoryAdapter("zeebe")
    stream = io.StringIO()
    runtime = Runtime(
        connectors=[echo],
        engines=[engine],
        long_poll=timedelta(seconds=0.2),
        secrets=__import__("bpmn_bridge").MappingSecretProvider({"T": "tok-XYZ-123"}),
    )
    handler = configure_logging(runtime.masker, format="json", stream=stream)
    try:
        engine.add_job("echo", {"token": "{{secrets.T}}"})
        async with runtime:
            await engine.wait_until_done()
        # a library logging the secret through another logger is masked too
        logging.getLogger("some.library").warning("sent Authorization: Bearer tok-XYZ-123")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    echo_line = next(line for line in lines if line["message"].startswith("echoing"))
    assert echo_line["message"] == "echoing ****"
    assert echo_line["connector"] == "echo" and echo_line["engine"] == "zeebe"
    assert echo_line["job_id"] == "1"
    assert "tok-XYZ-123" not in stream.getvalue()
    assert any(line["message"] == "sent Authorization: Bearer ****" for line in lines)


def test_masking_filter_masks_exception_text() -> None:
    masker = SecretMasker(["hunter2"])
    stream = io.StringIO()
    handler = configure_logging(masker, stream=stream)
    try:
        try:
            raise ValueError("password hunter2 rejected")
        except ValueError:
            logging.getLogger("x").exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
    assert "hunter2" not in stream.getvalue() and "password **** rejected" in stream.getvalue()


def test_discovery_by_reference_and_list() -> None:
    specs = load_reference("tests.runtime.test_operations:echo")
    assert [s.type for s in specs] == ["echo"]
    assert [s.type for s in load_reference("tests.runtime.test_operations:CONNECTORS")] == ["echo"]
    both = discover_connectors(
        ["tests.runtime.test_operations:echo", "tests.runtime.test_operations:CONNECTORS"],
        entry_point_group=None,
    )
    assert [s.type for s in both] == ["echo"]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("no_colon", "must look like 'package.module:attribute'"),
        ("no.such.module:x", "there is no module 'no'"),
        ("tests.runtime.test_operations:missing", "has no attribute 'missing'"),
        (
            "tests.runtime.test_operations:test_masking_filter_masks_exception_text",
            "is not a connector",
        ),
    ],
)
def test_bad_references_are_named(reference: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        load_reference(reference)
    assert reference in str(caught.value)
