"""The OAuth client-credentials cache against a real token endpoint on loopback."""

from __future__ import annotations

from datetime import timedelta

import anyio
import httpx
import pytest
from conftest import CLIENT_ID, CLIENT_SECRET, RunningServer

from bpmn_bridge import ConnectorError, RetryableError, SecretMasker
from bpmn_bridge.connectors import HttpRequest, http_json
from bpmn_bridge.connectors._oauth import OAuthTokenCache, TokenRequest
from bpmn_bridge.testing import build_context

TIMEOUTS = httpx.Timeout(5.0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_request(server: RunningServer, *, path: str = "/oauth/token") -> TokenRequest:
    return TokenRequest(
        token_url=f"{server.url}{path}", client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )


async def get(cache: OAuthTokenCache, request: TokenRequest, client: httpx.AsyncClient) -> str:
    return await cache.get_token(
        request, client=client, timeouts=TIMEOUTS, redact=SecretMasker([CLIENT_SECRET])
    )


@pytest.mark.parametrize(
    ("lifetime", "refresh_after"),
    [(3600, 3570.0), (100, 90.0)],  # 30 s before expiry, or a tenth of a short lifetime
)
async def test_token_is_refreshed_shortly_before_it_expires(
    server: RunningServer, lifetime: int, refresh_after: float
) -> None:
    server.state.token_lifetime = lifetime
    clock = FakeClock()
    cache = OAuthTokenCache(clock=clock, refresh_margin=timedelta(seconds=30))
    request = token_request(server)

    async with httpx.AsyncClient() as client:
        first = await get(cache, request, client)
        clock.now += refresh_after - 0.001
        still_cached = await get(cache, request, client)
        clock.now += 0.001
        refreshed = await get(cache, request, client)

    assert (first, still_cached, refreshed) == ("token-1", "token-1", "token-2")
    assert len(server.state.token_requests) == 2


async def test_concurrent_jobs_share_one_token_request(server: RunningServer) -> None:
    server.state.token_delay = 0.2  # every job finds the cache empty while the fetch runs
    auth = {
        "type": "oauth-client-credentials",
        "tokenUrl": f"{server.url}/oauth/token",
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
    }
    bodies: list[object] = []

    async def job() -> None:
        request = HttpRequest.model_validate(
            {"url": f"{server.url}/protected", "authentication": auth}
        )
        bodies.append((await http_json(request, build_context())).body)

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(job)

    assert bodies == [{"token": "token-1"}] * 10
    assert len(server.state.token_requests) == 1


async def test_token_endpoint_server_error_is_retryable(server: RunningServer) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(RetryableError) as raised:
            await get(OAuthTokenCache(), token_request(server, path="/status/503"), client)

    assert raised.value.message == (
        f"OAuth token request to {server.url}: the token endpoint answered HTTP 503"
    )


async def test_answer_without_a_token_is_a_connector_error(server: RunningServer) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConnectorError) as raised:
            await get(OAuthTokenCache(), token_request(server, path="/echo"), client)

    assert raised.value.code == "OAUTH_INVALID_TOKEN_RESPONSE"
    assert CLIENT_SECRET not in str(raised.value)


async def test_cache_key_ignores_scope_order_but_holds_no_secret_value() -> None:
    one = TokenRequest("https://idp.test/token", "c", "secret-1", scopes=("b", "a"))
    same = TokenRequest("https://idp.test/token", "c", "secret-1", scopes=("a", "b"))
    other_secret = TokenRequest("https://idp.test/token", "c", "secret-2", scopes=("a", "b"))
    other_mode = TokenRequest(
        "https://idp.test/token", "c", "secret-1", client_authentication="credentials-body"
    )

    assert one.key == same.key
    assert one.key != other_secret.key and one.key != other_mode.key
    assert "secret-1" not in repr(one.key)
