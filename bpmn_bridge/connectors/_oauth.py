"""OAuth 2.0 client-credentials tokens, cached across jobs.

Every job that calls the same API with the same client would otherwise ask the token
endpoint first; the cache hands out one token per (token URL, client id, a digest of the
client secret, client-authentication mode, scopes, audience) until shortly before it
expires: everything that decides which token the server issues, so a job with a wrong
secret never receives the token another job earned. One refresh runs at a time per key:
jobs that find the token stale while another job fetches it wait for that fetch instead of
starting their own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import quote_plus

import anyio
import httpx

from bpmn_bridge import ConnectorError, RetryableError, SecretMasker
from bpmn_bridge.connectors._http_clients import read_limited
from bpmn_bridge.connectors._http_errors import origin_of, translate_transport_error
from bpmn_bridge.connectors._http_policy import http_policy

__all__ = ["OAuthTokenCache", "TokenKey", "TokenRequest", "default_token_cache"]

ClientAuthentication = Literal["basic-header", "credentials-body"]


@dataclass(frozen=True, slots=True)
class TokenKey:
    """What a cached token is shared by: everything that decides the token."""

    token_url: str
    client_id: str
    secret_digest: str  # SHA-256 of the secret: the key may be shown, the secret never
    client_authentication: str
    scopes: tuple[str, ...]
    audience: str | None


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A client-credentials token request.

    Attributes:
        token_url: The authorization server's token endpoint.
        client_id: The client's id.
        client_secret: The client's secret.
        scopes: Scopes asked for; order does not matter.
        audience: The API the token is for, where the server wants one (Auth0, Camunda).
        client_authentication: How the client proves who it is: HTTP Basic
            (RFC 6749 section 2.3.1) or the credentials in the form body.
    """

    token_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ()
    audience: str | None = None
    client_authentication: ClientAuthentication = "basic-header"

    @property
    def key(self) -> TokenKey:
        """The cache key; a rotated secret gets a token of its own."""
        return TokenKey(
            self.token_url,
            self.client_id,
            hashlib.sha256(self.client_secret.encode("utf-8")).hexdigest(),
            self.client_authentication,
            tuple(sorted(set(self.scopes))),
            self.audience,
        )


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    expires_at: float | None  # on the cache's clock; None: not cacheable


class OAuthTokenCache:
    """Client-credentials tokens shared by every job of the process.

    Args:
        clock: Monotonic seconds; tests pass a fake one.
        refresh_margin: A token is refreshed this long before it expires, or a tenth of its
            lifetime before, whichever is sooner, so no request leaves with a token that
            expires on the way.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        refresh_margin: timedelta = timedelta(seconds=30),
    ) -> None:
        self._clock = clock
        self._margin = refresh_margin.total_seconds()
        self._tokens: dict[TokenKey, _Token] = {}
        self._locks: dict[TokenKey, anyio.Lock] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    async def get_token(
        self,
        request: TokenRequest,
        *,
        client: httpx.AsyncClient,
        timeouts: httpx.Timeout,
        redact: SecretMasker,
    ) -> str:
        """Return a token valid for a while yet, fetching one if there is none.

        Args:
            request: What token to get.
            client: The HTTP client to reach the token endpoint with.
            timeouts: Timeouts of the token request.
            redact: Removes secret values from error messages.

        Returns:
            The access token.

        Raises:
            RetryableError: The token endpoint could not be reached, timed out or answered
                with a server error (5xx or 429).
            ConnectorError: ``OAUTH_TOKEN_REJECTED`` when it refused the request (4xx),
                ``OAUTH_INVALID_TOKEN_RESPONSE`` when its answer holds no token, or a
                transport error code from :func:`translate_transport_error`.
        """
        key = request.key
        token = self._fresh(key)
        if token is not None:
            return token
        async with self._lock(key):
            token = self._fresh(key)  # another job may have refreshed it while we waited
            if token is not None:
                return token
            fetched = await self._fetch(request, client=client, timeouts=timeouts, redact=redact)
            if fetched.expires_at is not None:
                self._tokens[key] = fetched
            return fetched.value

    def invalidate(self, key: TokenKey, token: str) -> None:
        """Forget ``token`` (e.g. after the API answered 401) unless it was replaced already.

        Args:
            key: The token's cache key.
            token: The token the API refused.
        """
        cached = self._tokens.get(key)
        if cached is not None and cached.value == token:
            del self._tokens[key]

    def clear(self) -> None:
        """Forget every token."""
        self._tokens.clear()

    def _fresh(self, key: TokenKey) -> str | None:
        cached = self._tokens.get(key)
        if cached is None or cached.expires_at is None or self._clock() >= cached.expires_at:
            return None
        return cached.value

    def _lock(self, key: TokenKey) -> anyio.Lock:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not self._loop:  # a lock must not outlive its event loop
            self._locks = {}
            self._loop = loop
        return self._locks.setdefault(key, anyio.Lock())

    async def _fetch(
        self,
        request: TokenRequest,
        *,
        client: httpx.AsyncClient,
        timeouts: httpx.Timeout,
        redact: SecretMasker,
    ) -> _Token:
        form = {"grant_type": "client_credentials"}
        if request.scopes:
            form["scope"] = " ".join(request.scopes)
        if request.audience:
            form["audience"] = request.audience
        headers = {"Accept": "application/json"}
        if request.client_authentication == "basic-header":
            headers["Authorization"] = _basic_credentials(request.client_id, request.client_secret)
        else:
            form["client_id"] = request.client_id
            form["client_secret"] = request.client_secret
        action = f"OAuth token request to {origin_of(request.token_url)}"
        started = self._clock()
        try:
            outgoing = client.build_request(
                "POST", request.token_url, data=form, headers=headers, timeout=timeouts
            )
            response = await client.send(outgoing, stream=True)
            try:
                # the token URL comes from the model: its answer is bounded like any other
                content = await read_limited(
                    response, http_policy().max_response_bytes, action=action
                )
            finally:
                await response.aclose()
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise translate_transport_error(
                exc, action=action, timeouts=timeouts, redact=redact
            ) from None
        # the body is decoded already: a Content-Encoding kept here would be decoded twice
        decoded_headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in ("content-encoding", "content-length")
        ]
        response = httpx.Response(response.status_code, headers=decoded_headers, content=content)
        token, expires_in = _parse_token_response(response, action=action)
        return _Token(token, self._expiry(started, expires_in))

    def _expiry(self, started: float, expires_in: float | None) -> float | None:
        if expires_in is None or expires_in <= 0:
            return None  # no lifetime given: never reuse it
        margin = min(self._margin, expires_in / 10)
        # Counted from before the request: the server's clock started during it.
        return started + expires_in - margin


def _parse_token_response(response: httpx.Response, *, action: str) -> tuple[str, float | None]:
    if response.status_code == 429 or response.status_code >= 500:
        raise RetryableError(f"{action}: the token endpoint answered HTTP {response.status_code}")
    payload = _json_object(response)
    if not response.is_success:
        # RFC 6749 section 5.2: "error" and "error_description" say why; neither is secret.
        error = payload.get("error") if payload else None
        description = payload.get("error_description") if payload else None
        why = ": ".join(str(part) for part in (error, description) if part)
        raise ConnectorError(
            "OAUTH_TOKEN_REJECTED",
            f"{action}: HTTP {response.status_code}" + (f" ({why})" if why else ""),
            variables={"status": response.status_code, "error": error},
        )
    token = payload.get("access_token") if payload else None
    if not isinstance(token, str) or not token:
        raise ConnectorError(
            "OAUTH_INVALID_TOKEN_RESPONSE", f"{action}: the answer holds no access_token"
        )
    raw_expires_in = payload.get("expires_in") if payload else None
    try:
        expires_in = float(raw_expires_in) if raw_expires_in is not None else None
    except (TypeError, ValueError):
        expires_in = None
    return token, expires_in


def _basic_credentials(client_id: str, client_secret: str) -> str:
    # RFC 6749 section 2.3.1: both are form-encoded before they are joined, so a ':' in
    # the id and any non-ASCII character survive; plain Basic auth (RFC 7617) would not.
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode("ascii")).decode("ascii")


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


default_token_cache = OAuthTokenCache()
"""The cache the built-in connectors use."""
