"""Deploy the diagrams and start orders, over each engine's own API.

Camunda 8: the Zeebe gateway's gRPC API through pyzeebe's client. Camunda 7: the REST API
(``/deployment/create``, ``/process-definition/key/.../start``). The same calls work on the
embedded engine and on real ones::

    python -m examples.order_fulfilment.place_orders --deploy --count 10 \\
        --zeebe 127.0.0.1:26500 --camunda7 http://127.0.0.1:8080/engine-rest
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import httpx
from pyzeebe import ZeebeClient, create_insecure_channel

from .orders import PROCESS_ID, Order, sample_orders

__all__ = [
    "CAMUNDA7_DIAGRAM",
    "CAMUNDA8_DIAGRAM",
    "deploy_camunda7",
    "deploy_camunda8",
    "start_camunda7",
    "start_camunda8",
]

HERE = Path(__file__).parent
CAMUNDA7_DIAGRAM = HERE / "order_fulfilment.c7.bpmn"
CAMUNDA8_DIAGRAM = HERE / "order_fulfilment.c8.bpmn"


async def deploy_camunda8(address: str, diagram: Path = CAMUNDA8_DIAGRAM) -> None:
    """Deploy the Camunda 8 diagram to a plaintext Zeebe gateway at ``host:port``."""
    channel = create_insecure_channel(grpc_address=address)
    try:
        await ZeebeClient(channel).deploy_resource(diagram)
    finally:
        await channel.close()


async def start_camunda8(address: str, orders: Sequence[Order]) -> list[int]:
    """Start one instance per order; returns the process instance keys in order."""
    channel = create_insecure_channel(grpc_address=address)
    try:
        client = ZeebeClient(channel)
        keys = []
        for order in orders:
            response = await client.run_process(PROCESS_ID, variables=order.variables())
            keys.append(response.process_instance_key)
        return keys
    finally:
        await channel.close()


async def deploy_camunda7(base_url: str, diagram: Path = CAMUNDA7_DIAGRAM) -> None:
    """Deploy the Camunda 7 diagram through the REST API at ``base_url`` (…/engine-rest)."""
    content = await anyio.Path(diagram).read_bytes()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        response = await http.post(
            "/deployment/create",
            data={"deployment-name": "order-fulfilment", "enable-duplicate-filtering": "true"},
            files={diagram.name: (diagram.name, content, "application/xml")},
        )
        response.raise_for_status()


async def start_camunda7(base_url: str, orders: Sequence[Order]) -> list[str]:
    """Start one instance per order (business key: the order id); returns the instance ids."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        ids = []
        for order in orders:
            response = await http.post(
                f"/process-definition/key/{PROCESS_ID}/start",
                json={
                    "businessKey": order.order_id,
                    "variables": {k: _typed(v) for k, v in order.variables().items()},
                },
            )
            response.raise_for_status()
            ids.append(str(response.json()["id"]))
        return ids


def _typed(value: Any) -> dict[str, Any]:
    # Camunda 7 wants each variable's type; these are all an order has.
    if isinstance(value, bool):
        return {"value": value, "type": "Boolean"}
    if isinstance(value, int):
        return {"value": value, "type": "Integer"}
    if isinstance(value, float):
        return {"value": value, "type": "Double"}
    return {"value": str(value), "type": "String"}


async def _main(args: argparse.Namespace) -> None:
    if args.zeebe:
        if args.deploy:
            await deploy_camunda8(args.zeebe)
        keys = await start_camunda8(args.zeebe, sample_orders(args.count, prefix=args.prefix + "8"))
        print(f"Camunda 8: started {len(keys)} instances: {keys}")
    if args.camunda7:
        if args.deploy:
            await deploy_camunda7(args.camunda7)
        orders = sample_orders(args.count, prefix=args.prefix + "7")
        ids = await start_camunda7(args.camunda7, orders)
        print(f"Camunda 7: started {len(ids)} instances: {ids}")


def main() -> None:
    """``python -m examples.order_fulfilment.place_orders``."""
    parser = argparse.ArgumentParser(description="Deploy the order process and start orders.")
    parser.add_argument("--zeebe", metavar="HOST:PORT", help="plaintext Zeebe gateway")
    parser.add_argument("--camunda7", metavar="URL", help="Camunda 7 REST root (…/engine-rest)")
    parser.add_argument("--deploy", action="store_true", help="deploy the diagram first")
    parser.add_argument("--count", type=int, default=10, help="orders per engine (default 10)")
    parser.add_argument("--prefix", default="ORD", help="order id prefix (default ORD)")
    args = parser.parse_args()
    if not (args.zeebe or args.camunda7):
        parser.error("name an engine: --zeebe and/or --camunda7")
    anyio.run(_main, args)


if __name__ == "__main__":
    main()
