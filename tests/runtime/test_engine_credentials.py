"""A runtime built in code masks its engines' credentials, as ``bpmn-bridge run`` does."""

from __future__ import annotations

import socket

import anyio

from bpmn_bridge import connector
from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config
from bpmn_bridge.runtime import Runtime


@connector(type="unused")
async def unused() -> None:
    return None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_engine_password_in_the_url_never_shows_in_the_engine_status() -> None:
    password = "url-pa55word"
    config = Camunda7Config(
        base_url=f"http://worker:{password}@127.0.0.1:{_closed_port()}/engine-rest"
    )
    runtime = Runtime(connectors=[unused], engines=[Camunda7Adapter(config)])
    async with runtime:
        with anyio.fail_after(20):
            while not runtime.engine_status()["camunda7"]["last_error"]:
                await anyio.sleep(0.1)
        status = str(runtime.engine_status())
    assert password not in status
