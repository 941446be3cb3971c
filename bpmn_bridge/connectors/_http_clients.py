"""Pooled ``httpx.AsyncClient`` instances shared by every job of the HTTP connectors.

One client per TLS / redirect setting keeps connections alive across jobs; timeouts and
everything else that varies per job is passed per request. The clients belong to the event
loop that created them: the runtime closes them at shutdown with :func:`aclose_http_clients`.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

import httpx

__all__ = ["ClientSettings", "HttpClientPool", "aclose_http_clients", "default_pool"]


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """What makes two requests unable to share a client.

    Attributes:
        verify_tls: Whether server certificates are verified.
        ca_bundle_path: A PEM file of trusted CAs replacing the default trust store.
        follow_redirects: Whether redirects are followed.
    """

    verify_tls: bool = True
    ca_bundle_path: str | None = None
    follow_redirects: bool = True


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
            settings: The TLS and redirect settings of the request.

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
            client = httpx.AsyncClient(
                verify=_ssl_context(settings),
                follow_redirects=settings.follow_redirects,
                limits=self._limits,
            )
            self._clients[settings] = client
        return client

    async def aclose(self) -> None:
        """Close every client; the next :meth:`get` creates fresh ones."""
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()


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
