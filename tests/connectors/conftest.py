"""Real servers on loopback for the built-in connectors' tests.

An aiohttp app that echoes requests, answers any status, redirects, stalls, and issues and
checks OAuth tokens; HTTPS with a self-signed certificate made by the ``openssl`` CLI.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from aiohttp import web

from bpmn_bridge.connectors import aclose_http_clients
from bpmn_bridge.connectors._oauth import default_token_cache

CLIENT_ID = "bridge-client"
CLIENT_SECRET = "client-s3cret-value"


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost; it is its own CA."""

    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    openssl = shutil.which("openssl")
    if openssl is None:
        message = "the openssl CLI is needed to make a test certificate"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Certificate(cert, key)


@pytest.fixture(autouse=True)
async def _fresh_shared_state() -> AsyncIterator[None]:
    """Each test starts without cached tokens and closes the pooled clients it opened."""
    default_token_cache.clear()
    yield
    await aclose_http_clients()
    default_token_cache.clear()


@dataclass
class ServerState:
    """What the test server saw and how it behaves; tests read and change it."""

    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_lifetime: int | None = 3600
    token_delay: float = 0.0
    issued_tokens: set[str] = field(default_factory=set)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    echoed: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class RunningServer:
    """A running server: its base URL and its state."""

    url: str
    state: ServerState


STATE = web.AppKey("state", ServerState)


async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    seen: dict[str, object] = {
        "method": request.method,
        "path": request.path,
        "query": [[k, v] for k, v in request.query.items()],
        "headers": {k.lower(): v for k, v in request.headers.items()},
        "body": body.decode("utf-8"),
    }
    request.app[STATE].echoed.append(seen)  # what arrived, beside what the job may keep
    return web.json_response(seen)


async def _status(request: web.Request) -> web.Response:
    code = int(request.match_info["code"])
    return web.json_response({"error": f"status {code}"}, status=code)


async def _text(request: web.Request) -> web.Response:
    return web.Response(text="plain words", content_type="text/plain")


async def _lying_json(request: web.Request) -> web.Response:
    return web.Response(text="{not json", content_type="application/json")


async def _empty(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/echo?redirected=yes")


async def _slow(request: web.Request) -> web.Response:
    state: ServerState = request.app[STATE]
    await asyncio.wait_for(state.release.wait(), timeout=10)
    return web.json_response({"late": True})


async def _token(request: web.Request) -> web.Response:
    state: ServerState = request.app[STATE]
    form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Basic "):
        user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        form["basic_client_id"] = unquote_plus(user)
        client_id, secret = unquote_plus(user), unquote_plus(password)
    else:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    state.token_requests.append(form)
    if state.token_delay:
        await asyncio.sleep(state.token_delay)
    if form.get("grant_type") != "client_credentials":
        return web.json_response({"error": "unsupported_grant_type"}, status=400)
    if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
        return web.json_response(
            {"error": "invalid_client", "error_description": "bad credentials"}, status=401
        )
    token = f"token-{len(state.token_requests)}"
    state.issued_tokens.add(token)
    payload: dict[str, object] = {"access_token": token, "token_type": "Bearer"}
    if state.token_lifetime is not None:
        payload["expires_in"] = state.token_lifetime
    return web.json_response(payload)


async def _protected(request: web.Request) -> web.Response:
    state: ServerState = request.app[STATE]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or token not in state.issued_tokens:
        return web.json_response({"error": "unauthorized"}, status=401)
    return web.json_response({"token": token})


def _app(state: ServerState) -> web.Application:
    app = web.Application()
    app[STATE] = state
    app.router.add_route("*", "/echo", _echo)
    app.router.add_route("*", "/echo/{tail:.*}", _echo)
    app.router.add_route("*", "/status/{code}", _status)
    app.router.add_route("*", "/status/{code}/{tail:.*}", _status)
    app.router.add_get("/text", _text)
    app.router.add_get("/lying-json", _lying_json)
    app.router.add_get("/empty", _empty)
    app.router.add_get("/redirect", _redirect)
    app.router.add_get("/slow", _slow)
    app.router.add_post("/oauth/token", _token)
    app.router.add_get("/protected", _protected)
    return app


@asynccontextmanager
async def _serve(ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[RunningServer]:
    state = ServerState()
    runner = web.AppRunner(_app(state))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    host, port = runner.addresses[0][:2]
    scheme = "https" if ssl_context is not None else "http"
    try:
        yield RunningServer(f"{scheme}://{host}:{port}", state)
    finally:
        state.release.set()  # let stalled handlers finish so shutdown does not wait on them
        await runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[RunningServer]:
    """A plain HTTP server on a free loopback port."""
    async with _serve() as running:
        yield running


@pytest.fixture
async def tls_server(certificate: Certificate) -> AsyncIterator[RunningServer]:
    """An HTTPS server with a self-signed certificate on a free loopback port."""
    async with _serve(certificate.server_context()) as running:
        yield running
