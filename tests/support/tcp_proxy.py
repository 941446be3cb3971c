"""A TCP proxy on loopback that can cut, stall and slow connections, for fault tests."""

from __future__ import annotations

import random
import socket

import anyio
import anyio.lowlevel
from anyio.abc import SocketStream, TaskGroup


class TcpProxy:
    """Forwards ``127.0.0.1:port`` to ``target_host:target_port``.

    Faults: :meth:`stop` / :meth:`start` (the engine is unreachable: refused), :meth:`reset_all`
    (every open connection is cut), ``latency`` seconds added per chunk, ``stall``
    (chunks held until cleared), ``reset_probability`` per chunk.

    ``resets`` counts only cuts that hit a request in flight: a random reset drops the chunk
    it fires on; :meth:`reset_all` counts a connection only when the client's last bytes
    have had no answer yet. Cutting an idle keep-alive connection proves nothing about
    lost work, so it is counted apart, in ``idle_resets``. (An HTTP/2 connection with a
    stream open may look idle after a window update: the count errs low, never high.)
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = _free_port()
        self.latency = 0.0
        self.reset_probability = 0.0
        self.stalled = False
        self.connections = 0
        self.resets = 0
        self.idle_resets = 0
        # connections whose client sent bytes that upstream has not answered yet
        self._awaiting: set[anyio.CancelScope] = set()
        self._listener_scope: anyio.CancelScope | None = None
        self._connection_scopes: set[anyio.CancelScope] = set()
        self._group: TaskGroup | None = None
        self._rng = random.Random(7)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def __aenter__(self) -> TcpProxy:
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._group is not None
        self._group.cancel_scope.cancel()
        await self._group.__aexit__(None, None, None)

    async def start(self) -> None:
        assert self._group is not None
        listener = await anyio.create_tcp_listener(
            local_host="127.0.0.1", local_port=self.port, reuse_port=False
        )
        scope = anyio.CancelScope()
        self._listener_scope = scope

        async def serve() -> None:
            with scope:
                async with listener:
                    await listener.serve(self._handle)

        self._group.start_soon(serve)
        await anyio.lowlevel.checkpoint()

    async def stop(self) -> None:
        """Stop listening and cut every open connection (an engine going down)."""
        if self._listener_scope is not None:
            self._listener_scope.cancel()
            self._listener_scope = None
        self.reset_all()
        await anyio.sleep(0.05)

    def reset_all(self) -> None:
        for scope in list(self._connection_scopes):
            scope.cancel()
            if scope in self._awaiting:
                self.resets += 1
            else:
                self.idle_resets += 1

    async def _handle(self, client: SocketStream) -> None:
        self.connections += 1
        scope = anyio.CancelScope()
        self._connection_scopes.add(scope)
        try:
            with scope:
                async with (
                    client,
                    await anyio.connect_tcp(*self.target) as upstream,
                    anyio.create_task_group() as pipes,
                ):
                    pipes.start_soon(self._pipe, client, upstream, scope, True)
                    pipes.start_soon(self._pipe, upstream, client, scope, False)
        except (OSError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass
        finally:
            self._connection_scopes.discard(scope)
            self._awaiting.discard(scope)

    async def _pipe(
        self,
        source: SocketStream,
        sink: SocketStream,
        scope: anyio.CancelScope,
        from_client: bool,
    ) -> None:
        try:
            while True:
                data = await source.receive(65536)
                while self.stalled:
                    await anyio.sleep(0.02)
                if self.latency:
                    await anyio.sleep(self.latency)
                if self.reset_probability and self._rng.random() < self.reset_probability:
                    self.resets += 1
                    scope.cancel()
                    return
                await sink.send(data)
                if from_client:
                    self._awaiting.add(scope)
                else:
                    self._awaiting.discard(scope)
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            scope.cancel()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
