"""Promise: a secret never leaves the worker, however a connector using it fails.

A canary secret reaches connectors through ``{{secrets.CANARY}}`` and each fails in a
different way with the secret in hand: an exception text, a ConnectorError, an uncaught
BpmnError, a RetryableError, a validator echoing its input, log lines (the job logger and
a third-party logger), a timeout, an errorExpression quoting the message. The canary
must appear nowhere: not in captured log records of bpmn-bridge's loggers, not in the JSON
log output, not in incident messages or error details on the engine, not in the metrics
text or the health endpoints' bodies.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import sys
from datetime import timedelta
from pathlib import Path

import anyio
import httpx
import pytest
from pydantic import BaseModel, field_validator

from bpmn_bridge import (
    BpmnError,
    ConnectorContext,
    ConnectorError,
    MappingSecretProvider,
    RetryableError,
    connector,
)
from bpmn_bridge.core import get_spec
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Metrics, OpsServer, Runtime, configure_logging
from tests.reliability.conftest import Figures
from tests.reliability.engines import Engine
from tests.reliability.workers import REPO
from tests.support.targets import DevZeebeTarget, unique

CANARY = "CANARY-s3cr3t-7f3a9d"
FAILURES = (
    "exception",
    "connector-error",
    "bpmn-error",
    "retryable",
    "log",
    "timeout",
    "error-expression",
)


class Use(BaseModel):
    mode: str
    key: str


class Echo(BaseModel):
    key: str

    @field_validator("key")
    @classmethod
    def never_valid(cls, value: str) -> str:
        raise ValueError(f"key {value} is not accepted")


@connector(type="leaky", retries=1, timeout=timedelta(seconds=30))
async def leaky(use: Use, context: ConnectorContext) -> dict[str, object]:
    key = use.key
    match use.mode:
        case "exception":
            raise RuntimeError(f"boom while using {key}")
        case "connector-error" | "error-expression":
            raise ConnectorError("E1", f"denied for {key}", variables={"key": key})
        case "bpmn-error":
            raise BpmnError("UNCAUGHT", f"rejected {key}")
        case "retryable":
            raise RetryableError(f"retry {key} later", retries=0)
        case "log":
            context.logger.warning("calling with %s", key)
            logging.getLogger("third.party.client").warning("GET /?token=%s", key)
            raise RuntimeError("failed after logging")
        case "timeout":
            context.logger.info("waiting with %s", key)
            await anyio.sleep(60)
    return {}


@connector(type="leaky-echo", retries=1)
async def leaky_echo(echo: Echo) -> None:
    del echo


async def test_canary_secret_never_leaks(
    engine: Engine, figures: Figures, caplog: pytest.LogCaptureFixture
) -> None:
    leaky_type, echo_type = unique("leaky"), unique("echo")
    plain = await engine.deploy(leaky_type, retries=1)
    timed = await engine.deploy(leaky_type, retries=1, headers={"jobTimeout": "PT0.3S"})
    quoting = await engine.deploy(
        leaky_type,
        retries=1,
        headers={"errorExpression": '=bpmnError("UNCAUGHT", error.message + " " + error.code)'},
    )
    echoing = await engine.deploy(echo_type, retries=1)
    secret = {"key": "{{secrets.CANARY}}"}
    buffer = io.StringIO()
    metrics = Metrics()
    runtime = Runtime(
        connectors=[
            dataclasses.replace(get_spec(leaky), type=leaky_type),
            dataclasses.replace(get_spec(leaky_echo), type=echo_type),
        ],
        engines=[engine.target.adapter()],
        secrets=MappingSecretProvider({"CANARY": CANARY}),
        hooks=[metrics],
        long_poll=timedelta(seconds=1),
    )
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    caplog.set_level(logging.DEBUG)
    handler = configure_logging(runtime.masker, level=logging.DEBUG, format="json", stream=buffer)
    try:
        async with runtime, OpsServer(runtime, metrics) as ops:
            for mode in FAILURES:
                process = {"timeout": timed, "error-expression": quoting}.get(mode, plain)
                await engine.start_many(process, [{"mode": mode, **secret}])
            await engine.start_many(echoing, [secret])
            counts = await engine.wait_settled([plain, timed, quoting, echoing], 8, timeout=120)
            async with httpx.AsyncClient(base_url=ops.url) as http:
                endpoints = [
                    (await http.get(path)).text
                    for path in ("/metrics", "/health/ready", "/health/live")
                ]
    finally:
        root.removeHandler(handler)
        root.handlers[:] = handlers
        root.setLevel(level)
    engine_texts = [
        text for p in (plain, timed, quoting, echoing) for text in await engine.failure_texts(p)
    ]
    ours = [
        record
        for record in caplog.records
        if record.name.startswith("bpmn_bridge") or record.name.startswith("third.party")
    ]
    record_texts = [r.getMessage() + (r.exc_text or "") for r in ours]
    json_log = buffer.getvalue()
    places = {
        "log_records": sum(CANARY in t for t in record_texts),
        "json_log": json_log.count(CANARY),
        "engine_texts": sum(CANARY in t for t in engine_texts),
        "ops_bodies": sum(CANARY in t for t in endpoints),
    }
    figures(
        engine=engine.name,
        failures=len(FAILURES) + 1,
        settled=counts.settled,
        incident_texts=len([t for t in engine_texts if t]),
        masked_mentions=sum(t.count("****") for t in engine_texts) + json_log.count("****"),
        leaks=places,
    )
    # Zeebe raises an incident for an uncaught BPMN error; Camunda 7 ends the instance
    assert counts.settled == 8 and counts.incidents >= 6
    assert places == {"log_records": 0, "json_log": 0, "engine_texts": 0, "ops_bodies": 0}
    # the failures did carry the secret: it was there to leak, and it was masked
    assert json_log.count("****") >= 3
    assert sum("****" in t for t in engine_texts) >= 4


async def test_canary_secret_never_in_a_worker_process_output(
    figures: Figures, tmp_path: Path
) -> None:
    """``bpmn-bridge run`` writes its own log lines; none may carry the secret either."""
    async with DevEngine(camunda7_port=None) as dev:
        engine = Engine("devengine-zeebe", DevZeebeTarget(dev), dev)
        plain = await engine.deploy("leaky", retries=1)
        log_path = tmp_path / "worker.log"
        with open(log_path, "wb") as log:  # noqa: ASYNC230 - a local file opens at once
            process = await anyio.open_process(
                [sys.executable, "-m", "bpmn_bridge.cli", "run"],
                env={
                    **os.environ,
                    **engine.worker_env(),
                    "BPMN_BRIDGE_CONNECTORS": "tests.reliability.test_secrets:leaky",
                    "BPMN_BRIDGE_ENTRY_POINTS": "false",
                    "BPMN_BRIDGE_OPS_PORT": "off",
                    "BPMN_BRIDGE_LONG_POLL": "PT1S",
                    "BPMN_BRIDGE_LOG_LEVEL": "DEBUG",
                    "SECRET_CANARY": CANARY,
                },
                cwd=REPO,
                stdout=log,
                stderr=log,
            )
            try:
                await engine.start_many(
                    plain, [{"mode": m, "key": "{{secrets.CANARY}}"} for m in ("log", "exception")]
                )
                counts = await engine.wait_settled(plain, 2, timeout=120)
            finally:
                process.terminate()
                with anyio.move_on_after(30):
                    await process.wait()
                if process.returncode is None:
                    process.kill()
                    await process.wait()
        output = log_path.read_text(errors="replace")
    figures(
        settled=counts.settled,
        log_lines=len(output.splitlines()),
        leaked_lines=sum(CANARY in line for line in output.splitlines()),
        masked_lines=sum("****" in line for line in output.splitlines()),
    )
    assert counts.incidents == 2
    assert "****" in output  # the secret was logged, masked
    assert CANARY not in output
