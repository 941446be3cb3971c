"""Promise: hostile BPMN documents are refused with a clear message, never parsed.

XML external entities (a local file, an external URL), entity expansion ("billion
laughs") and oversized documents, deployed to the embedded engine through both of its
protocols (Zeebe DeployResource: INVALID_ARGUMENT; Camunda 7 deployment/create: 400) and
given to ``bpmn-bridge migrate`` (non-zero exit with a message naming the problem).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import grpc  # type: ignore[import-untyped]
import httpx
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from bpmn_bridge.devengine import DevEngine, EmbeddedEngine
from tests.reliability.conftest import Figures
from tests.reliability.workers import REPO
from tests.support.diagrams import service_task_process

_BODY = service_task_process("hostile", "t", flavour="camunda8").decode()
_AFTER_PROLOG = _BODY.split("?>", 1)[1]


def _with_doctype(doctype: str, inject: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        + _AFTER_PROLOG.replace(
            '<bpmn:startEvent id="start"/>', f'<bpmn:startEvent id="start" name="{inject}"/>'
        )
    ).encode()


def _padded(size: int) -> bytes:
    return _BODY.replace(
        '<bpmn:endEvent id="end"/>',
        f'<bpmn:endEvent id="end"><bpmn:documentation>{"x" * size}</bpmn:documentation>'
        "</bpmn:endEvent>",
    ).encode()


ENGINE_LIMIT = 512 * 1024

HOSTILE = {
    "xxe-file": _with_doctype('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
    "xxe-url": _with_doctype('<!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>', "&x;"),
    "billion-laughs": _with_doctype(
        '<!DOCTYPE d [<!ENTITY a0 "lol">'
        + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        + "]>",
        "&a9;",
    ),
    "oversized": _padded(11 * 1024 * 1024),
    # under both fronts' transport limits, over this test engine's resource limit
    "oversized-for-engine": _padded(700 * 1024),
}
# what a clear refusal names, per document
NAMED = {
    "xxe-file": ("entit", "dtd", "doctype"),
    "xxe-url": ("entit", "dtd", "doctype"),
    "billion-laughs": ("entit", "dtd", "doctype"),
    "oversized": ("large", "size", "bytes", "exceed"),
    "oversized-for-engine": ("large", "size", "bytes", "exceed"),
}


def _clear(name: str, message: str) -> bool:
    return any(word in message.lower() for word in NAMED[name])


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_embedded_engine_refuses_over_both_protocols(name: str, figures: Figures) -> None:
    document = HOSTILE[name]
    async with DevEngine(core=EmbeddedEngine(max_resource_bytes=ENGINE_LIMIT)) as dev:
        channel = grpc.aio.insecure_channel(
            dev.zeebe_address,
            options=[("grpc.max_send_message_length", 64 << 20)],
        )
        try:
            stub = GatewayStub(channel)
            request = pb.DeployResourceRequest(
                resources=[pb.Resource(name="hostile.bpmn", content=document)]
            )
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.DeployResource(request, timeout=60)
        finally:
            await channel.close()
        async with httpx.AsyncClient(base_url=dev.camunda7_url, timeout=60) as http:
            answer = await http.post(
                "/deployment/create",
                data={"deployment-name": name},
                files={"hostile.bpmn": ("hostile.bpmn", document, "application/octet-stream")},
            )
        deployed = len(dev.core.list_definitions())
    zeebe_code, zeebe_message = refused.value.code(), refused.value.details() or ""
    figures(
        document=name,
        bytes=len(document),
        zeebe=[zeebe_code.name, zeebe_message[:160]],
        camunda7=[answer.status_code, answer.text[:160]],
        deployed=deployed,
    )
    if name == "oversized":
        # refused by the transports before anything is parsed, with the codes a real
        # Zeebe gateway (4 MiB messages) and an HTTP server with a body limit give
        assert zeebe_code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert answer.status_code == 413
        assert "larger than max" in zeebe_message and "size" in answer.text
        assert deployed == 0
        return
    assert zeebe_code == grpc.StatusCode.INVALID_ARGUMENT
    assert _clear(name, zeebe_message), zeebe_message
    # Camunda 7.24 answers a resource its parser refuses with 500 ProcessEngineException
    # ENGINE-09003 (the differential suite checks this against the real engine).
    assert answer.status_code == 500
    assert answer.json()["type"] == "ProcessEngineException", answer.text
    assert answer.json()["message"].startswith("ENGINE-09003 Could not parse"), answer.text
    assert _clear(name, answer.json()["message"]), answer.text
    assert deployed == 0


@pytest.mark.parametrize("name", [n for n in HOSTILE if n != "oversized-for-engine"])
def test_migrate_refuses_with_a_clear_message(name: str, figures: Figures, tmp_path: Path) -> None:
    source = tmp_path / "in.bpmn"
    source.write_bytes(HOSTILE[name])
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bpmn_bridge.cli",
            "migrate",
            str(source),
            "-o",
            str(tmp_path / "out.bpmn"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    figures(
        document=name,
        exit_code=result.returncode,
        stderr=result.stderr.strip()[-200:],
        seconds=round(time.monotonic() - started, 2),
    )
    assert result.returncode != 0
    assert _clear(name, result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.bpmn").exists()
