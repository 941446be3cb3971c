"""`DevEngine`: the development engine with its network fronts, as an async context manager.

::

    async with DevEngine() as engine:
        engine.deploy("order.bpmn")
        instance = engine.start("order", variables={"amount": 3})
        ...  # point a Zeebe client at engine.zeebe_address
        await engine.wait_for_end(instance, timeout=10)

The engine state lives in `DevEngine.core` and survives `restart_fronts`, which stops and
restarts only the network servers on the same ports (used by reliability tests).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs

from ._camunda8_rest import create_camunda8_app
from ._engine import EmbeddedEngine
from ._model import Deployment, Incident, JobRecord, ProcessInstance, TypedValue
from ._zeebe_gateway import start_zeebe_server

__all__ = ["DevEngine"]

_log = logging.getLogger(__name__)

_CAMUNDA7_MODULE = "bpmn_bridge.devengine._camunda7_rest"


class _Front(Protocol):
    """What `DevEngine` needs from a started HTTP front: a way to stop it."""

    async def stop(self) -> None: ...


class DevEngine:
    """The embedded development engine serving Zeebe gRPC, Camunda 8 REST and Camunda 7 REST.

    Args:
        zeebe_port: port for the Zeebe gateway; 0 picks a free port, ``None`` disables it.
        camunda7_port: port for the Camunda 7 REST API; 0 picks a free port, ``None``
            disables it.
        camunda8_rest_port: port for the Camunda 8 REST API (``/v2``), serving the same
            Camunda 8 state as the Zeebe gateway; 0 picks a free port, ``None`` disables it.
        host: interface to bind; loopback by default.
        core: an existing engine to serve (a fresh one by default).
        enforce_history_time_to_live: the Camunda 7 API refuses a process without
            ``camunda:historyTimeToLive``, as Camunda 7.24 does by default; False is
            Camunda's ``enforceHistoryTimeToLive=false``. Deploying through `deploy`
            (in process) never checks it.
    """

    def __init__(
        self,
        *,
        zeebe_port: int | None = 0,
        camunda7_port: int | None = 0,
        camunda8_rest_port: int | None = 0,
        host: str = "127.0.0.1",
        core: EmbeddedEngine | None = None,
        enforce_history_time_to_live: bool = True,
    ) -> None:
        self.core = core or EmbeddedEngine()
        self.host = host
        self.enforce_history_time_to_live = enforce_history_time_to_live
        self._zeebe_port_wanted = zeebe_port
        self._camunda7_port_wanted = camunda7_port
        self._zeebe_server: grpc.aio.Server | None = None
        self._zeebe_port: int | None = None
        self._camunda7_front: _Front | None = None
        self._camunda7_port: int | None = None
        self._camunda8_rest_port_wanted = camunda8_rest_port
        self._camunda8_rest_front: _Front | None = None
        self._camunda8_rest_port: int | None = None

    # ---------------------------------------------------------- lifecycle

    async def __aenter__(self) -> DevEngine:
        await self.start_fronts()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_fronts()

    async def start_fronts(self) -> None:
        """Start the network fronts (idempotent). Ports chosen once are reused later."""
        try:
            if self._zeebe_server is None and self._zeebe_port_wanted is not None:
                port = self._zeebe_port if self._zeebe_port is not None else self._zeebe_port_wanted
                self._zeebe_server, self._zeebe_port = await start_zeebe_server(
                    self.core, host=self.host, port=port
                )
            if self._camunda7_front is None and self._camunda7_port_wanted is not None:
                await self._start_camunda7_front()
            if self._camunda8_rest_front is None and self._camunda8_rest_port_wanted is not None:
                port = (
                    self._camunda8_rest_port
                    if self._camunda8_rest_port is not None
                    else self._camunda8_rest_port_wanted
                )
                self._camunda8_rest_front, self._camunda8_rest_port = await _AiohttpFront.start(
                    create_camunda8_app(self.core), host=self.host, port=port
                )
        except BaseException:
            await self.stop_fronts()
            raise

    async def stop_fronts(self, *, grace: float = 0.5) -> None:
        """Stop the network fronts; engine state is kept.

        Args:
            grace: seconds in-flight gRPC calls get to finish; long polls are cut and
                their jobs handed back to the engine.
        """
        # Open long polls are answered first (empty, as when their timeout ends): a front
        # waits for its open requests when it stops, up to a minute for a Camunda 7 poll.
        self.core.answer_long_polls()
        server, self._zeebe_server = self._zeebe_server, None
        if server is not None:
            await server.stop(grace)
        front, self._camunda7_front = self._camunda7_front, None
        if front is not None:
            await front.stop()
        rest, self._camunda8_rest_front = self._camunda8_rest_front, None
        if rest is not None:
            await rest.stop()

    async def restart_fronts(self) -> None:
        """Stop and start the network fronts on the same ports, keeping all state."""
        await self.stop_fronts()
        await self.start_fronts()

    async def _start_camunda7_front(self) -> None:
        """Start the Camunda 7 REST front if ``_camunda7_rest`` exists.

        Seam for the Camunda 7 front: that module provides
        ``async def start_camunda7_front(engine: DevEngine, *, host: str, port: int)``
        returning an object with ``async stop()`` and a ``port`` attribute, or
        ``create_camunda7_app(core)`` (taking the `EmbeddedEngine`) returning an
        ``aiohttp.web.Application`` that is served here.
        """
        try:
            module = importlib.import_module(_CAMUNDA7_MODULE)
        except ModuleNotFoundError as exc:
            if exc.name != _CAMUNDA7_MODULE:
                raise
            _log.debug("Camunda 7 REST front not available yet; serving Zeebe only")
            return
        port = (
            self._camunda7_port if self._camunda7_port is not None else self._camunda7_port_wanted
        )
        assert port is not None
        starter = getattr(module, "start_camunda7_front", None)
        if starter is not None:
            front = await starter(self, host=self.host, port=port)
            self._camunda7_front = front
            self._camunda7_port = int(front.port)
            return
        create_app = getattr(module, "create_camunda7_app", None)
        if create_app is None:
            return
        self._camunda7_front, self._camunda7_port = await _AiohttpFront.start(
            create_app(self.core, enforce_history_time_to_live=self.enforce_history_time_to_live),
            host=self.host,
            port=port,
        )

    # ---------------------------------------------------------- addresses

    @property
    def zeebe_address(self) -> str:
        """``host:port`` of the Zeebe gateway (for ``create_insecure_channel``).

        Raises:
            RuntimeError: the gateway is not running.
        """
        if self._zeebe_port is None:
            raise RuntimeError("The Zeebe gateway is not running")
        return f"{self.host}:{self._zeebe_port}"

    @property
    def camunda7_url(self) -> str:
        """Base URL of the Camunda 7 REST API, ``http://host:port/engine-rest``.

        Raises:
            RuntimeError: the Camunda 7 front is not running.
        """
        if self._camunda7_port is None:
            raise RuntimeError("The Camunda 7 REST front is not running")
        return f"http://{self.host}:{self._camunda7_port}/engine-rest"

    @property
    def camunda8_rest_url(self) -> str:
        """Root URL of the Camunda 8 REST API, ``http://host:port`` (calls go under ``/v2``).

        Raises:
            RuntimeError: the Camunda 8 REST front is not running.
        """
        if self._camunda8_rest_port is None:
            raise RuntimeError("The Camunda 8 REST front is not running")
        return f"http://{self.host}:{self._camunda8_rest_port}"

    # ------------------------------------------------------------ helpers

    def deploy(self, source: str | Path | bytes, *, name: str | None = None) -> Deployment:
        """Deploy a BPMN file (path) or document (bytes, or a string starting with ``<``).

        Raises:
            BpmnModelError: unsafe, broken or unsupported model.
        """
        if isinstance(source, bytes):
            return self.core.deploy({name or "process.bpmn": source})
        if isinstance(source, str) and source.lstrip().startswith("<"):
            return self.core.deploy({name or "process.bpmn": source.encode("utf-8")})
        path = Path(source)
        return self.core.deploy({name or path.name: path.read_bytes()})

    def start(
        self,
        bpmn_process_id: str,
        *,
        variables: Mapping[str, Any] | None = None,
        business_key: str | None = None,
        version: int | None = None,
    ) -> ProcessInstance:
        """Start the latest (or given) version of a process.

        Raises:
            ProcessDefinitionNotFoundError: nothing deployed under that id.
        """
        return self.core.start_instance(
            bpmn_process_id, variables=variables, business_key=business_key, version=version
        )

    async def wait_for_end(
        self,
        instance: ProcessInstance | int,
        *,
        timeout: float | None = 10.0,
    ) -> ProcessInstance:
        """Wait until the instance completes or is canceled.

        Raises:
            TimeoutError: still running after ``timeout`` seconds.
        """
        key = instance if isinstance(instance, int) else instance.key
        return await self.core.wait_for_end(key, timeout=timeout)

    def variables(self, instance: ProcessInstance | int) -> dict[str, Any]:
        """Root variables of an instance as plain values."""
        key = instance if isinstance(instance, int) else instance.key
        return {k: v.plain() for k, v in self.core.get_variables(key).items()}

    def typed_variables(self, instance: ProcessInstance | int) -> dict[str, TypedValue]:
        """Root variables of an instance with their Camunda 7 type info."""
        key = instance if isinstance(instance, int) else instance.key
        return self.core.get_variables(key)

    def incidents(self, instance: ProcessInstance | int | None = None) -> list[Incident]:
        """Open incidents, of one instance or all."""
        key = instance.key if isinstance(instance, ProcessInstance) else instance
        return self.core.list_incidents(instance_key=key)

    def jobs(self, instance: ProcessInstance | int | None = None) -> list[JobRecord]:
        """Open jobs, of one instance or all."""
        key = instance.key if isinstance(instance, ProcessInstance) else instance
        return self.core.list_jobs(instance_key=key)


class _AiohttpFront:
    """Serves an ``aiohttp`` application on host/port; stops with `stop`."""

    def __init__(self, runner: Any) -> None:
        self._runner = runner

    @classmethod
    async def start(cls, app: Any, *, host: str, port: int) -> tuple[_AiohttpFront, int]:
        from aiohttp import web

        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
        addresses = runner.addresses
        bound = int(addresses[0][1]) if addresses else port
        return cls(runner), bound

    async def stop(self) -> None:
        await self._runner.cleanup()
