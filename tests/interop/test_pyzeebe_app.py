"""A pyzeebe app, unchanged, served by bpmn-bridge on the embedded Zeebe gateway, the embedded
Camunda 7 API and a real Camunda 7: each instance ends exactly as pyzeebe's own ZeebeWorker
ends it on the embedded Zeebe gateway. One scenario table, every engine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio
import pytest
from pyzeebe import ZeebeWorker, create_insecure_channel

from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.interop import from_pyzeebe
from bpmn_bridge.runtime import Runtime
from tests.interop import pyzeebe_app
from tests.interop.outcomes import settle
from tests.support.diagrams import service_task_process
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, Target, unique

# (task type, start variables, error code the model catches)
SCENARIOS: list[tuple[str, dict[str, Any], str | None]] = [
    ("pyzeebe-app-greet", {"name": "Ada"}, None),
    ("pyzeebe-app-greet", {"name": "Bob", "greeting": "Hi"}, None),
    ("pyzeebe-app-add", {"a": 2, "b": 3}, None),
    ("pyzeebe-app-inspect", {"orderId": "O-1", "unfetched": "x"}, None),
    ("pyzeebe-app-check", {"amount": 5}, "NEGATIVE"),
    ("pyzeebe-app-check", {"amount": -1}, "NEGATIVE"),
    ("pyzeebe-app-explode", {}, None),
    ("pyzeebe-app-custom", {"code": "X"}, "CUSTOM"),
]


async def run_scenarios(target: Target, serve: Any) -> list[tuple[str, Any]]:
    """Deploy one process per scenario (one retry, a ``region`` header), serve the app with
    ``serve`` while every instance settles."""
    processes = []
    for task_type, variables, caught in SCENARIOS:
        process_id = unique("p").replace("-", "_")
        xml = service_task_process(
            process_id,
            task_type,
            flavour=target.flavour,
            headers={"region": "eu"},
            retries=1,
            catch_error_code=caught or "NEVER",
        )
        await target.deploy(xml)
        processes.append((process_id, variables))
    async with serve(target):
        instances = [await target.start(process, variables) for process, variables in processes]
        return [await settle(target, instance) for instance in instances]


class PyzeebeWorker:
    """pyzeebe's own ZeebeWorker with the app's router, for as long as the block runs."""

    def __init__(self, target: DevZeebeTarget) -> None:
        self.worker = ZeebeWorker(create_insecure_channel(target.engine.zeebe_address))
        self.worker.include_router(pyzeebe_app.router)

    async def __aenter__(self) -> None:
        self.group = anyio.create_task_group()
        await self.group.__aenter__()
        self.group.start_soon(self.worker.work)

    async def __aexit__(self, *exc_info: object) -> None:
        await self.worker.stop()
        await self.group.__aexit__(None, None, None)


def bpmn_bridge_runtime(target: Target) -> Runtime:
    return Runtime(
        connectors=[pyzeebe_app.router], engines=[target.adapter()], long_poll=timedelta(seconds=1)
    )


TARGETS = [
    "devengine-zeebe",
    "devengine-camunda7",
    pytest.param("camunda7", marks=pytest.mark.camunda7),
]


@pytest.mark.parametrize("served_on", TARGETS)
async def test_pyzeebe_app_ends_each_instance_as_pyzeebe_does(
    served_on: str, request: pytest.FixtureRequest
) -> None:
    async with DevEngine(camunda7_port=None) as dev:
        expected = await run_scenarios(DevZeebeTarget(dev), PyzeebeWorker)
    # the table reaches every way a pyzeebe task ends
    assert [state for state, _ in expected].count("incident") == 1
    assert expected[0] == (
        "completed",
        {"name": "Ada", "message": "Hello, Ada", "decorated": True, "after": True},
    )
    if served_on == "camunda7":
        engine = request.getfixturevalue("camunda7_engine")
        got = await run_scenarios(Camunda7RestTarget("camunda7", engine.url), bpmn_bridge_runtime)
    elif served_on == "devengine-zeebe":
        async with DevEngine(camunda7_port=None) as dev:
            got = await run_scenarios(DevZeebeTarget(dev), bpmn_bridge_runtime)
    else:
        async with DevEngine() as dev:
            target = Camunda7RestTarget("devengine-camunda7", dev.camunda7_url)
            got = await run_scenarios(target, bpmn_bridge_runtime)
    assert got == expected


def test_task_options_become_the_specs_limits() -> None:
    specs = {spec.type: spec for spec in from_pyzeebe(pyzeebe_app.router)}
    assert specs["pyzeebe-app-greet"].max_concurrency == 4
    assert specs["pyzeebe-app-greet"].timeout == timedelta(seconds=20)
    assert specs["pyzeebe-app-add"].timeout == timedelta(seconds=10)  # pyzeebe's default
    assert specs["pyzeebe-app-inspect"].fetch_variables == ("orderId",)
    assert specs["pyzeebe-app-explode"].fetch_variables is None
