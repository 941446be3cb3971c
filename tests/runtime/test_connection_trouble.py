"""An engine that cannot be reached is loud: a WARNING at start-up and at a steady interval,
naming the address and the likely cause."""

from __future__ import annotations

import logging
import socket

import anyio
import pytest
from aiohttp import web

from bpmn_bridge import connector
from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config, ZeebeAdapter, ZeebeConfig
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Runtime


@connector(type="trouble-unused")
async def unused() -> dict[str, str]:
    return {}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _warnings(
    caplog: pytest.LogCaptureFixture, runtime: Runtime, *, count: int, needle: str
) -> list[str]:
    runtime.unavailable_warning_every = 0.2
    async with runtime:
        with anyio.fail_after(30):
            while True:
                found = [
                    r.getMessage()
                    for r in caplog.records
                    if r.levelno == logging.WARNING and needle in r.getMessage()
                ]
                if len(found) >= count:
                    return found
                await anyio.sleep(0.05)


async def test_nothing_listening_is_said_at_start_up_and_again_while_it_lasts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    zeebe_port, camunda7_port = _closed_port(), _closed_port()
    runtime = Runtime(
        connectors=[unused],
        engines=[
            ZeebeAdapter(ZeebeConfig(address=f"127.0.0.1:{zeebe_port}", tls=False)),
            Camunda7Adapter(Camunda7Config(base_url=f"http://127.0.0.1:{camunda7_port}/rest")),
        ],
    )
    found = await _warnings(caplog, runtime, count=4, needle="Engine ")
    zeebe = [m for m in found if f"127.0.0.1:{zeebe_port}" in m]
    camunda7 = [m for m in found if f"http://127.0.0.1:{camunda7_port}/rest" in m]
    assert zeebe and camunda7, found
    assert "unavailable, reconnecting" in zeebe[0]
    for message in zeebe + camunda7:
        assert message.endswith(
            "nothing accepts connections there: is the engine running at that address?"
            + (
                " (if the gateway uses TLS, unset ZEEBE_INSECURE_CONNECTION)"
                if message in zeebe
                else ""
            )
        ), message
    assert any("still unavailable after" in m for m in found), found


async def test_tls_against_a_plaintext_gateway_says_which_setting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with DevEngine(camunda7_port=None, camunda8_rest_port=None) as engine:
        runtime = Runtime(
            connectors=[unused],
            engines=[ZeebeAdapter(ZeebeConfig(address=engine.zeebe_address, tls=True))],
        )
        (first,) = await _warnings(caplog, runtime, count=1, needle=engine.zeebe_address)
    assert first.endswith(
        "the TLS handshake failed: a local gateway usually speaks plaintext, set "
        "ZEEBE_INSECURE_CONNECTION=true (or check ZEEBE_CA_CERTIFICATE_PATH)"
    ), first


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_keep_the_worker_up_and_name_the_settings(
    caplog: pytest.LogCaptureFixture, status: int
) -> None:
    # A real HTTP server that refuses every request, as a Camunda 7 with authentication does
    # when the worker's credentials are wrong; a second engine keeps serving meanwhile.
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response(
            {"type": "AuthenticationException", "message": "refused"}, status=status
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base_url = f"http://127.0.0.1:{port}/engine-rest"
    try:
        async with DevEngine(camunda7_port=None, camunda8_rest_port=None) as engine:
            runtime = Runtime(
                connectors=[unused],
                engines=[
                    Camunda7Adapter(
                        Camunda7Config(base_url=base_url, username="worker", password="wrong")
                    ),
                    ZeebeAdapter(ZeebeConfig(address=engine.zeebe_address, tls=False)),
                ],
            )
            found = await _warnings(caplog, runtime, count=2, needle=base_url)
    finally:
        await runner.cleanup()
    assert all(
        message.endswith(
            "the engine refused the credentials: check CAMUNDA7_USERNAME / CAMUNDA7_PASSWORD "
            "or CAMUNDA7_TOKEN"
        )
        for message in found
    ), found
    assert any("still unavailable after" in message for message in found), found
    assert "wrong" not in " ".join(found)
