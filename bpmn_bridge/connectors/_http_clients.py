"""Pooled ``httpx.AsyncClient`` instances shared by every job of the HTTP connectors.

One client per TLS setting keeps connections alive across jobs; timeouts and everything
else that varies per job is passed per request. A shared client must carry nothing of one
job to another: its cookie jar stores nothing, and redirects are followed by the connector
itself, hop by hop, under the egress policy. Every connection it opens is checked against
the policy's blocked networks for every address the host resolves to, at connect time, so
a host name cannot smuggle a request to a blocked address. The clients belong to the event
loop that created them: the runtime closes them at shutdown with :func:`aclose_http_clients`.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import ipaddress
import socket
import ssl
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import anyio
import httpcore
import httpx

from bpmn_bridge import ConnectorError
from bpmn_bridge.connectors._http_policy import http_policy

__all__ = [
    "ClientSettings",
    "HttpClientPool",
    "aclose_http_clients",
    "default_pool",
    "read_limited",
]


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """What makes two requests unable to share a client.

    Attributes:
        verify_tls: Whether server certificates are verified.
        ca_bundle_path: A PEM file of trusted CAs replacing the default trust store.
    """

    verify_tls: bool = True
    ca_bundle_path: str | None = None


def _current_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # not on asyncio (trio): one loop for the process is assumed
        return None


class HttpClientPool:
    """Lazily created, shared ``httpx.AsyncClient`` instances, one per :class:`ClientSettings`.

    Args:
        limits: Connection pool limits of every client.
    """

    def __init__(self, *, limits: httpx.Limits | None = None) -> None:
        self._limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._clients: dict[ClientSettings, httpx.AsyncClient] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self, settings: ClientSettings) -> httpx.AsyncClient:
        """Return the client for ``settings``, creating it on first use.

        Args:
            settings: The TLS settings of the request.

        Returns:
            A client shared by every request with the same settings.

        Raises:
            OSError: The CA bundle cannot be read.
            ssl.SSLError: The CA bundle is not a PEM file of certificates.
        """
        loop = _current_loop()
        if loop is not self._loop:
            # Connections are tied to the loop that opened them; a client from a finished
            # loop (a second ``asyncio.run``) cannot be reused or even closed from here.
            self._clients = {}
            self._loop = loop
        client = self._clients.get(settings)
        if client is None or client.is_closed:
            transport = httpx.AsyncHTTPTransport(verify=_ssl_context(settings), limits=self._limits)
            # httpx offers no public hook for the network backend; the pool takes one.
            pool = transport._pool
            pool._network_backend = _PolicyBackend(pool._network_backend)
            client = httpx.AsyncClient(
                transport=transport,
                follow_redirects=False,
                cookies=_no_cookies(),
            )
            self._clients[settings] = client
        return client

    async def aclose(self) -> None:
        """Close every client; the next :meth:`get` creates fresh ones."""
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()


def _no_cookies() -> http.cookiejar.CookieJar:
    # A jar whose policy accepts no domain: a Set-Cookie of one job never reaches another.
    return http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


class _PolicyBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses blocked addresses, connects to a checked one."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        policy = http_policy()
        shown = f"{host}:{port}"
        for address in addresses:
            # every address, not only the one used: a name with one good and one blocked
            # address is refused rather than reaching the blocked one on a later connect
            policy.check_address(ipaddress.ip_address(address.split("%")[0]), where=shown)
        failure: httpcore.ConnectError | None = None
        for address in addresses:  # in resolver order, as a plain connect would try them
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                failure = exc
        assert failure is not None  # getaddrinfo returns at least one address or raises
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not reachable from a diagram")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _ssl_context(settings: ClientSettings) -> ssl.SSLContext | bool:
    if not settings.verify_tls:
        return False
    if settings.ca_bundle_path is None:
        return True  # httpx's default trust store (certifi)
    return ssl.create_default_context(cafile=settings.ca_bundle_path)


default_pool = HttpClientPool()
"""The pool the built-in connectors use."""


async def aclose_http_clients() -> None:
    """Close the HTTP clients the built-in connectors share; call at worker shutdown."""
    await default_pool.aclose()


async def read_limited(response: httpx.Response, limit: int, *, action: str) -> bytes:
    """Read a streamed response's decoded body; past ``limit`` bytes stop and fail.

    gzip is decoded here with a bounded output per step: httpx's own decoder inflates a
    whole network chunk at once, and 50 KB of gzip can be 50 MB of zeros.

    Args:
        response: A response sent with ``stream=True``.
        limit: The most bytes the decoded body may have.
        action: What was being done, safe to show, e.g. ``"GET https://api.example.com"``.

    Returns:
        The decoded body.

    Raises:
        ConnectorError: ``RESPONSE_TOO_LARGE`` past the limit; ``INVALID_RESPONSE`` when the
            gzip stream is broken.
    """
    too_large = ConnectorError(
        "RESPONSE_TOO_LARGE",
        f"{action}: the response body is larger than {limit} bytes "
        "(BPMN_BRIDGE_HTTP_MAX_RESPONSE_BYTES)",
    )
    body = bytearray()
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            async for raw in response.aiter_raw():
                data = raw
                while data:
                    body += inflater.decompress(data, limit + 1 - len(body))
                    if len(body) > limit:
                        raise too_large
                    data = inflater.unconsumed_tail
        except zlib.error:
            raise ConnectorError(
                "INVALID_RESPONSE", f"{action}: the response could not be decoded"
            ) from None
        return bytes(body)
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)
