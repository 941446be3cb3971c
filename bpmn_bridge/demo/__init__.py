"""``bpmn-bridge demo``: one set of connectors serving Camunda 8 and Camunda 7 at once.

Starts the embedded engine and the worked example's shop API in this process, deploys
the worked example (shipped in the package as ``bpmn_bridge.demo.order_fulfilment``; the
readable copy is ``examples/order_fulfilment`` of the repository) to both protocols (the
Camunda 8 diagram through the Zeebe gateway, the Camunda 7 diagram through the Camunda 7 REST
API), starts orders on each that take every path of the diagram (shipped express or standard,
payment declined, out of stock, payment retried), serves them all from one runtime, and
checks each instance's end variables against what its order says they must be.
"""

from __future__ import annotations

import argparse
import logging
import sys

import anyio

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bpmn-bridge demo``."""
    parser.add_argument(
        "--instances",
        type=_positive,
        default=20,
        metavar="N",
        help="orders started on each engine (default 20)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for every instance to end (default 60)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="also show the workers' and engine's log"
    )


def run(args: argparse.Namespace) -> int:
    """``bpmn-bridge demo``: exit status 0 when every instance ended as expected, else 1."""
    if not args.verbose:
        # The progress lines are the demo's output; the log (connections, access lines,
        # retried jobs) would drown them. Warnings and errors still show.
        logging.getLogger().setLevel(logging.WARNING)
    code: int = anyio.run(_run, args)
    return code


async def _run(args: argparse.Namespace) -> int:
    from bpmn_bridge.demo._demo import run_demo

    return await run_demo(instances=args.instances, timeout=args.timeout, out=sys.stdout)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
