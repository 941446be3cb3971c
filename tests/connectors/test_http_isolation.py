"""Nothing of one job reaches another job or another host through the HTTP connector.

Real aiohttp servers on loopback: two plain origins (two ports), one HTTPS origin. Covers
the OAuth token cache key, cookies of the shared client, redirects across origins and down
to http, the response size limit (a gzip bomb), and the operator's egress policy.
"""

from __future__ import annotations

import gzip
import json
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from conftest import CLIENT_ID, CLIENT_SECRET, Certificate, RunningServer

from bpmn_bridge import ConfigurationError, ConnectorError, Failed, InputError
from bpmn_bridge.connectors import HttpRequest, HttpResponse, http_json
from bpmn_bridge.connectors._http_policy import HttpPolicy, http_policy, set_http_policy
from bpmn_bridge.testing import build_context, run_connector

BOMB = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)
SEEN = web.AppKey("seen", list)


async def call(**fields: Any) -> HttpResponse:
    return await http_json(HttpRequest.model_validate(fields), build_context())


async def _record(request: web.Request) -> web.Response:
    body = await request.read()
    request.app[SEEN].append(
        {
            "path": request.path,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": body.decode(),
        }
    )
    return web.json_response({"ok": True})


async def _set_cookie(request: web.Request) -> web.Response:
    response = web.json_response({"set": True})
    response.set_cookie("session", f"job-{request.query['job']}")
    return response


async def _bounce(request: web.Request) -> web.Response:
    status = int(request.query.get("status", "302"))
    return web.Response(status=status, headers={"Location": request.query["to"]})


async def _loop(request: web.Request) -> web.Response:
    return web.Response(status=302, headers={"Location": "/loop"})


async def _bomb(request: web.Request) -> web.Response:
    return web.Response(
        body=BOMB, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
    )


async def _gzip_token(request: web.Request) -> web.Response:
    token = json.dumps({"access_token": "gz-token", "expires_in": 60}).encode()
    return web.Response(
        body=gzip.compress(token),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )


@asynccontextmanager
async def origin(ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[tuple[str, list]]:
    app = web.Application()
    app[SEEN] = []
    app.router.add_route("*", "/record", _record)
    app.router.add_get("/set-cookie", _set_cookie)
    app.router.add_route("*", "/bounce", _bounce)
    app.router.add_get("/loop", _loop)
    app.router.add_route("*", "/bomb", _bomb)
    app.router.add_post("/gzip-token", _gzip_token)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    host, port = runner.addresses[0][:2]
    scheme = "https" if ssl_context else "http"
    try:
        yield f"{scheme}://{host}:{port}", app[SEEN]
    finally:
        await runner.cleanup()


@pytest.fixture
def policy() -> Iterator[None]:
    before = http_policy()
    yield
    set_http_policy(before)


async def test_a_wrong_client_secret_never_gets_a_cached_token(server: RunningServer) -> None:
    def oauth(secret: str, mode: str = "basic-header") -> dict[str, Any]:
        return {
            "url": f"{server.url}/protected",
            "authentication": {
                "type": "oauth-client-credentials",
                "tokenUrl": f"{server.url}/oauth/token",
                "clientId": CLIENT_ID,
                "clientSecret": secret,
                "clientAuthentication": mode,
            },
        }

    assert (await call(**oauth(CLIENT_SECRET))).status == 200
    with pytest.raises(ConnectorError) as raised:
        await call(**oauth("a-wrong-secret"))
    assert raised.value.code == "OAUTH_TOKEN_REJECTED"
    # the other client-authentication mode is its own token too
    assert (await call(**oauth(CLIENT_SECRET, "credentials-body"))).status == 200
    assert len(server.state.token_requests) == 3


async def test_cookies_of_one_job_never_reach_the_next() -> None:
    async with origin() as (url, seen):
        await call(url=f"{url}/set-cookie?job=1")
        await call(url=f"{url}/record")
    assert "cookie" not in seen[-1]["headers"]


async def test_a_cross_origin_redirect_carries_no_credentials_and_no_body() -> None:
    async with origin() as (first, _), origin() as (second, seen):
        response = await call(
            url=f"{first}/bounce",
            queryParameters={"to": f"{second}/record", "status": "302"},
            headers={"X-Api-Key": "key-123", "Accept": "application/json"},
            authentication={"type": "bearer", "token": "bearer-456"},
        )
        assert response.status == 200
        arrived = seen[-1]["headers"]
        assert "x-api-key" not in arrived and "authorization" not in arrived
        assert arrived["accept"] == "application/json"

        with pytest.raises(ConnectorError) as refused:
            await call(
                method="POST",
                url=f"{first}/bounce",
                queryParameters={"to": f"{second}/record", "status": "307"},
                body={"password": "body-secret"},
            )
        assert refused.value.code == "REDIRECT_REFUSED"
        assert all("body-secret" not in hit["body"] for hit in seen)


async def test_a_same_origin_redirect_keeps_the_headers() -> None:
    async with origin() as (url, seen):
        await call(
            url=f"{url}/bounce",
            queryParameters={"to": "/record", "status": "307"},
            headers={"X-Api-Key": "key-123"},
        )
    assert seen[-1]["headers"]["x-api-key"] == "key-123"


async def test_https_never_redirects_down_to_http(certificate: Certificate) -> None:
    async with origin(certificate.server_context()) as (secure, _), origin() as (plain, seen):
        with pytest.raises(ConnectorError) as raised:
            await call(
                url=f"{secure}/bounce",
                queryParameters={"to": f"{plain}/record"},
                caBundlePath=str(certificate.cert_path),
                headers={"X-Api-Key": "key-123"},
            )
    assert raised.value.code == "INSECURE_REDIRECT"
    assert seen == []


async def test_redirect_hops_are_capped() -> None:
    async with origin() as (url, _):
        with pytest.raises(ConnectorError) as raised:
            await call(url=f"{url}/loop")
    assert raised.value.code == "TOO_MANY_REDIRECTS"


async def test_a_gzip_bomb_stops_at_the_size_limit() -> None:
    async with origin() as (url, _):
        with pytest.raises(ConnectorError) as raised:
            await call(url=f"{url}/bomb")
    assert raised.value.code == "RESPONSE_TOO_LARGE"
    assert "10485760 bytes" in raised.value.message


async def test_metadata_addresses_are_refused_by_default() -> None:
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"):
        with pytest.raises(InputError, match="blocked network"):
            await call(url=url)


async def test_the_egress_policy_refuses_urls_hosts_addresses_and_ports(policy: None) -> None:
    async with origin() as (url, seen):
        port = url.rsplit(":", 1)[1]
        refusals = {
            "BPMN_BRIDGE_HTTP_BLOCKED_URLS": r"/record\b",
            "BPMN_BRIDGE_HTTP_BLOCKED_HOSTS": "127.0.0.0/8",
            "BPMN_BRIDGE_HTTP_BLOCKED_PORTS": f"1-{port}",
        }
        for name, value in refusals.items():
            set_http_policy(HttpPolicy.from_env({name: value}))
            with pytest.raises(InputError):
                await call(url=f"{url}/record")
        # a host name is checked by every address it resolves to, at connect time
        set_http_policy(HttpPolicy.from_env({"BPMN_BRIDGE_HTTP_BLOCKED_HOSTS": "127.0.0.1"}))
        with pytest.raises(InputError, match="blocked network"):
            await call(url=f"http://localhost:{port}/record")
        # and every redirect hop is checked too
        set_http_policy(HttpPolicy.from_env({"BPMN_BRIDGE_HTTP_BLOCKED_URLS": "/record"}))
        with pytest.raises(InputError):
            await call(url=f"{url}/bounce", queryParameters={"to": "/record"})
        assert seen == []


async def test_operators_can_forbid_model_controlled_tls_downgrades(
    policy: None, tls_server: RunningServer, certificate: Certificate
) -> None:
    set_http_policy(
        HttpPolicy.from_env(
            {
                "BPMN_BRIDGE_HTTP_ALLOW_INSECURE_TLS": "false",
                "BPMN_BRIDGE_HTTP_ALLOW_CA_BUNDLE_PATH": "false",
            }
        )
    )
    for fields in ({"verifyTls": False}, {"caBundlePath": str(certificate.cert_path)}):
        outcome = await run_connector(http_json, variables={"url": tls_server.url, **fields})
        assert isinstance(outcome, Failed) and outcome.retries == 0
        assert "not allowed on this worker" in outcome.message


def test_bad_egress_settings_name_the_variable() -> None:
    for name, value in (
        ("BPMN_BRIDGE_HTTP_BLOCKED_URLS", "(unclosed"),
        ("BPMN_BRIDGE_HTTP_BLOCKED_HOSTS", "not a host!"),
        ("BPMN_BRIDGE_HTTP_BLOCKED_PORTS", "70000"),
        ("BPMN_BRIDGE_HTTP_MAX_RESPONSE_BYTES", "-1"),
        ("BPMN_BRIDGE_HTTP_ALLOW_INSECURE_TLS", "maybe"),
    ):
        with pytest.raises(ConfigurationError, match=name):
            HttpPolicy.from_env({name: value})


async def test_a_token_endpoint_answering_a_gzip_bomb_stops_at_the_size_limit() -> None:
    async with origin() as (url, _):
        with pytest.raises(ConnectorError) as raised:
            await call(
                url=f"{url}/record",
                authentication={
                    "type": "oauth-client-credentials",
                    "tokenUrl": f"{url}/bomb",
                    "clientId": "c",
                    "clientSecret": "s",
                },
            )
    assert raised.value.code == "RESPONSE_TOO_LARGE"


async def test_a_gzip_token_response_is_read_within_the_limit() -> None:
    async with origin() as (url, seen):
        await call(
            url=f"{url}/record",
            authentication={
                "type": "oauth-client-credentials",
                "tokenUrl": f"{url}/gzip-token",
                "clientId": "c",
                "clientSecret": "s",
            },
        )
    assert seen[-1]["headers"]["authorization"] == "Bearer gz-token"


async def test_a_host_name_is_resolved_checked_and_reached() -> None:
    async with origin() as (url, seen):
        port = url.rsplit(":", 1)[1]
        response = await call(url=f"http://localhost:{port}/record")
    assert response.status == 200 and len(seen) == 1
