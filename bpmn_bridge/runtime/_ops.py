"""The operations endpoint: liveness, readiness and Prometheus metrics over HTTP."""

from __future__ import annotations

import json
import socket

from aiohttp import web

from bpmn_bridge.runtime._metrics import Metrics
from bpmn_bridge.runtime._runtime import Runtime

__all__ = ["OpsServer"]

_PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


class OpsServer:
    """Serves ``/health/live``, ``/health/ready`` and ``/metrics`` for one runtime.

    ``ready`` answers 200 only while the runtime runs and every engine answers, so an
    orchestrator routes no traffic to, and does not count, a worker that cannot work.

    Args:
        runtime: The runtime to report on.
        metrics: Its metrics hook.
        host: Interface to bind; loopback by default.
        port: Port; 0 picks a free one (see :attr:`port`).
    """

    def __init__(
        self, runtime: Runtime, metrics: Metrics, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.runtime = runtime
        self.metrics = metrics
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> OpsServer:
        app = web.Application()
        app.router.add_get("/health/live", self._live)
        app.router.add_get("/health/ready", self._ready)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        # Bind the socket ourselves so port 0 yields the real port before anyone asks.
        sock = socket.create_server((self.host, self.port), reuse_port=False)
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:9600``."""
        return f"http://{self.host}:{self.port}"

    async def _live(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def _ready(self, request: web.Request) -> web.Response:
        ready = self.runtime.ready
        body = {
            "status": "ready" if ready else "not ready",
            "engines": self.runtime.engine_status(),
        }
        return web.Response(
            status=200 if ready else 503,
            text=json.dumps(body),
            content_type="application/json",
        )

    async def _metrics(self, request: web.Request) -> web.Response:
        self.metrics.hook_failures.set(self.runtime.hook_failures)
        return web.Response(
            body=self.metrics.exposition(), headers={"Content-Type": _PROMETHEUS_TEXT}
        )
