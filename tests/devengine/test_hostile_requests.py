"""The embedded engine refuses hostile requests as a client error, never a crash.

Deeply nested JSON is 400 on the Camunda 7 front and INVALID_ARGUMENT on the Zeebe front
(not 500 / UNKNOWN); deeply nested JUEL is a syntax error, not a RecursionError; and an
oversized multipart deployment is refused while it is still being uploaded, before the
engine has read it whole.
"""

from __future__ import annotations

import anyio
import grpc
import httpx
import pytest
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.devengine._juel import JuelSyntaxError, compile_template, parse
from tests.support.diagrams import service_task_process

DEEP = 100_000


def deep_json(depth: int = DEEP) -> str:
    return '{"a":' + "[" * depth + "]" * depth + "}"


async def test_camunda7_front_answers_deep_json_with_400() -> None:
    async with DevEngine() as dev, httpx.AsyncClient(base_url=dev.camunda7_url) as http:
        xml = service_task_process("deep", "t", flavour="camunda7")
        deployed = await http.post(
            "/deployment/create",
            files={"deep.bpmn": ("deep.bpmn", xml, "application/octet-stream")},
        )
        assert deployed.status_code == 200
        body = '{"variables": {"v": {"type": "Json", "value": 1, "x": ' + deep_json() + "}}}"
        answer = await http.post(
            "/process-definition/key/deep/start",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert answer.status_code == 400
        assert answer.json()["type"] == "InvalidRequestException"
        assert "nested too deeply" in answer.json()["message"]
        # a Json variable nested as deep is stored as text and read back without a crash
        variable = {"type": "Json", "value": "[" * DEEP + "]" * DEEP}
        started = await http.post(
            "/process-definition/key/deep/start", json={"variables": {"v": variable}}
        )
        assert started.status_code == 200
        instance = started.json()["id"]
        read = await http.get(f"/process-instance/{instance}/variables")
        assert read.status_code in (200, 400)


async def test_zeebe_front_answers_deep_json_with_invalid_argument() -> None:
    async with DevEngine() as dev:
        dev.deploy(service_task_process("deepz", "t", flavour="camunda8"))
        async with grpc.aio.insecure_channel(dev.zeebe_address) as channel:
            stub = GatewayStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await stub.CreateProcessInstance(
                    pb.CreateProcessInstanceRequest(
                        bpmnProcessId="deepz", version=-1, variables=deep_json()
                    )
                )
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "nested too deeply" in str(raised.value.details())


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 5000 + "a" + ")" * 5000,
        "!" * 5000 + "a",
        " && ".join(["a"] * 5000),
        " == ".join(["a"] * 5000),
    ],
)
def test_deep_juel_is_a_syntax_error_not_a_recursion_error(expression: str) -> None:
    with pytest.raises(JuelSyntaxError, match=r"limit|deeper"):
        parse(expression)
    with pytest.raises(JuelSyntaxError):
        compile_template("${" + expression + "}")


def test_juel_within_the_limits_still_evaluates() -> None:
    template = compile_template("${" + "(" * 60 + " && ".join(["a"] * 200) + ")" * 60 + "}")
    assert template({"a": True}) is True


async def test_an_oversized_deployment_is_refused_while_it_is_uploaded() -> None:
    """Parts each under the per-part limit, and an upload that never ends: only a front
    that counts the whole upload while reading it can answer at all."""
    async with DevEngine() as dev:
        url = httpx.URL(dev.camunda7_url)
        assert url.port is not None
        boundary = "b0undary"
        request = (
            f"POST {url.path}/deployment/create HTTP/1.1\r\n"
            f"Host: {url.host}:{url.port}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
        padding = b"<!-- padding -->" * (512 * 64)  # 512 KiB: under aiohttp's 1 MiB per part
        answer = b""
        async with await anyio.connect_tcp(url.host, url.port) as stream:
            await stream.send(request)
            with anyio.fail_after(30):
                for index in range(64):  # 32 MiB at most, twice the upload limit
                    part = (
                        (
                            f"--{boundary}\r\nContent-Disposition: form-data; "
                            f'name="r{index}"; filename="r{index}.bpmn"\r\n\r\n'
                        ).encode()
                        + padding
                        + b"\r\n"
                    )
                    try:
                        await stream.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                    except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                        break  # the front answered and closed: read what it said
                    with anyio.move_on_after(0.01):
                        answer += await stream.receive()
                        break
                with anyio.move_on_after(10):
                    while b"size exceeds the limit" not in answer:
                        answer += await stream.receive()
    status_line = answer.split(b"\r\n", 1)[0]
    assert b" 413 " in status_line, answer[:300]
    assert b"size exceeds the limit" in answer
