"""``bpmn-bridge dev-engine``: the embedded engine as a process, for local development."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import socket

import anyio

__all__ = ["add_arguments", "run", "wait_for_signal"]

log = logging.getLogger("bpmn_bridge.devengine")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bpmn-bridge dev-engine``."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (loopback)")
    parser.add_argument("--zeebe-port", type=int, default=26500, help="Zeebe gateway port")
    parser.add_argument(
        "--camunda7-port", type=int, default=8080, help="Camunda 7 REST port (/engine-rest)"
    )
    parser.add_argument(
        "--camunda8-rest-port",
        type=int,
        default=8088,
        help="Camunda 8 REST port (/v2, the Orchestration Cluster API)",
    )
    parser.add_argument("--deploy", nargs="*", default=[], metavar="BPMN", help="models to deploy")


def run(args: argparse.Namespace) -> int:
    """``bpmn-bridge dev-engine``: serve until Ctrl-C or SIGTERM, then stop cleanly."""
    from bpmn_bridge.core import ConfigurationError
    from bpmn_bridge.devengine import DevEngine

    for flag, port in (
        ("--zeebe-port", args.zeebe_port),
        ("--camunda7-port", args.camunda7_port),
        ("--camunda8-rest-port", args.camunda8_rest_port),
    ):
        _check_free(args.host, port, flag)

    async def serve() -> None:
        engine = DevEngine(
            host=args.host,
            zeebe_port=args.zeebe_port,
            camunda7_port=args.camunda7_port,
            camunda8_rest_port=args.camunda8_rest_port,
        )
        async with contextlib.AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(engine)
            except (OSError, RuntimeError) as exc:
                # aiohttp's OSError names the address; gRPC's RuntimeError does too
                reason = str(exc).split(";")[0]
                raise ConfigurationError(
                    f"cannot listen: {reason}; is another engine running? Choose free ports "
                    "with --zeebe-port, --camunda7-port, --camunda8-rest-port (0: any free one)"
                ) from None
            for path in args.deploy:
                deployment = engine.deploy(path)
                log.info("Deployed %s", path)
                del deployment
            print(f"Zeebe gateway:  {engine.zeebe_address}", flush=True)
            print(f"Camunda 8 REST: {engine.camunda8_rest_url}/v2", flush=True)
            print(f"Camunda 7 REST: {engine.camunda7_url}", flush=True)
            print("Development engine running; Ctrl-C stops it.", flush=True)
            await wait_for_signal()
        print("Development engine stopped.", flush=True)

    anyio.run(serve)
    return 0


def _check_free(host: str, port: int | None, flag: str) -> None:
    """Refuse a port in use in one line, before gRPC's C core logs its own bind errors."""
    from bpmn_bridge.core import ConfigurationError

    if not port:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigurationError(
                f"{flag} {port}: cannot listen on {host}:{port} ({exc.strerror or exc}); is "
                f"another engine running? Choose a free port with {flag} (0: any free one)"
            ) from None


async def wait_for_signal() -> int:
    """Wait for SIGINT or SIGTERM and return the signal's number."""
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for received in signals:
            return int(received)
    return 0
