"""The engines every scenario runs against, with the same connector code: the embedded
engine over Zeebe gRPC, Camunda 8 REST and Camunda 7 REST, and a real Camunda 7."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bpmn_bridge.devengine import DevEngine
from tests.support.targets import (
    Camunda7RestTarget,
    Camunda8RestTarget,
    DevZeebeTarget,
    Target,
)

TARGETS = [
    "devengine-zeebe",
    "devengine-camunda8-rest",
    "devengine-camunda7",
    pytest.param("camunda7", marks=pytest.mark.camunda7),
]


@pytest.fixture(params=TARGETS)
async def target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    if request.param == "camunda7":
        engine = request.getfixturevalue("camunda7_engine")
        yield Camunda7RestTarget("camunda7", engine.url)
        return
    async with DevEngine() as dev:
        if request.param == "devengine-zeebe":
            yield DevZeebeTarget(dev)
        elif request.param == "devengine-camunda8-rest":
            yield Camunda8RestTarget(dev)
        else:

            async def restart(down_for: float) -> None:
                import anyio

                await dev.stop_fronts()
                await anyio.sleep(down_for)
                await dev.start_fronts()

            yield Camunda7RestTarget("devengine-camunda7", dev.camunda7_url, restart)
