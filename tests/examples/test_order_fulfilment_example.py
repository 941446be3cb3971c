"""The order fulfilment example: its connectors, unchanged, on the Camunda 8 and Camunda 7
diagrams, through the real adapters and runtime, against the embedded engine's Zeebe gateway
and Camunda 7 REST API and a real Camunda 7; every instance ends as its order says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bpmn_bridge import MappingSecretProvider
from bpmn_bridge.cli import main
from bpmn_bridge.connectors import aclose_http_clients
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.migrate import migrate_c7_to_c8
from bpmn_bridge.runtime import Metrics, Runtime
from examples.order_fulfilment import place_orders
from examples.order_fulfilment.connectors import CONNECTORS
from examples.order_fulfilment.orders import check_end, expected_end, sample_orders
from examples.order_fulfilment.shop_api import ShopApi
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, Target, unique

C7_DIAGRAM = place_orders.CAMUNDA7_DIAGRAM
C8_DIAGRAM = place_orders.CAMUNDA8_DIAGRAM


def test_c8_diagram_is_what_migrate_makes_of_the_c7_diagram(tmp_path: Path) -> None:
    out = tmp_path / "order_fulfilment.c8.bpmn"
    assert main(["migrate", str(C7_DIAGRAM), "-o", str(out)]) == 0
    assert out.read_bytes() == C8_DIAGRAM.read_bytes(), (
        "order_fulfilment.c8.bpmn is stale: regenerate it with "
        "bpmn-bridge migrate order_fulfilment.c7.bpmn -o order_fulfilment.c8.bpmn"
    )


def test_the_migration_converts_everything_and_drops_history_retention() -> None:
    result = migrate_c7_to_c8(C7_DIAGRAM.read_bytes())
    assert [(item.element_id, item.what) for item in result.report] == []
    assert b"historyTimeToLive" not in result.xml


@dataclass
class Engine:
    """One side of the example: where to deploy and start, and how to watch instances."""

    target: Target
    deploy_and_start: Any  # async (orders) -> list[str]


ENGINES = [
    "devengine-zeebe",
    "devengine-camunda7",
    pytest.param("camunda7", marks=pytest.mark.camunda7),
]


@pytest.fixture(params=ENGINES)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    if request.param == "camunda7":
        url = request.getfixturevalue("camunda7_engine").url
        yield Engine(Camunda7RestTarget("camunda7", url), _camunda7_starter(url))
        return
    if request.param == "devengine-zeebe":
        async with DevEngine(camunda7_port=None) as dev:

            async def start(orders: Any) -> list[str]:
                await place_orders.deploy_camunda8(dev.zeebe_address)
                return [
                    str(k) for k in await place_orders.start_camunda8(dev.zeebe_address, orders)
                ]

            yield Engine(DevZeebeTarget(dev), start)
        return
    async with DevEngine(zeebe_port=None) as dev:
        yield Engine(
            Camunda7RestTarget("devengine-camunda7", dev.camunda7_url),
            _camunda7_starter(dev.camunda7_url),
        )


def _camunda7_starter(url: str) -> Any:
    async def start(orders: Any) -> list[str]:
        await place_orders.deploy_camunda7(url)
        return await place_orders.start_camunda7(url, orders)

    return start


async def test_every_order_ends_as_its_input_says(engine: Engine) -> None:
    orders = sample_orders(10, prefix=unique("T"))
    metrics = Metrics()
    adapter = engine.target.adapter()
    async with ShopApi() as shop:
        runtime = Runtime(
            connectors=CONNECTORS,
            engines=[adapter],
            secrets=MappingSecretProvider({"SHOP_URL": shop.url}),
            long_poll=timedelta(seconds=1),
            hooks=[metrics],
        )
        try:
            async with runtime:
                instances = await engine.deploy_and_start(orders)
                ended = [await engine.target.wait_end(i, timeout=20) for i in instances]
        finally:
            await aclose_http_clients()  # the REST connector's pooled clients
    for order, variables in zip(orders, ended, strict=True):
        assert check_end(order, variables) == [], order
    paths = {expected_end(order).path for order in orders}
    assert paths == {"express", "standard", "payment-declined", "out-of-stock"}

    def count(counter: Any, connector: str) -> float:
        return float(counter.labels(adapter.name, connector)._value.get())

    retried = sum(expected_end(o).retried for o in orders)
    declined = sum(expected_end(o).path == "payment-declined" for o in orders)
    assert retried >= 1 and declined >= 1
    # reserve-payment failed once per busy card (an engine retry) and threw once per decline
    assert count(metrics.failed, "reserve-payment") == retried
    assert count(metrics.bpmn_errors, "reserve-payment") == declined
