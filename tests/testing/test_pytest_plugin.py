"""The fixtures the package ships for its users' tests, used the way a user would."""

from __future__ import annotations

from datetime import timedelta

import httpx
from pydantic import BaseModel

from bpmn_bridge import connector
from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Runtime
from bpmn_bridge.testing import InMemoryAdapter
from tests.support.diagrams import service_task_process


class Greeting(BaseModel):
    name: str


@connector(type="greet")
async def greet(data: Greeting) -> dict[str, str]:
    return {"greeting": f"Hello {data.name}"}


async def test_dev_engine_fixture_serves_camunda7(dev_engine: DevEngine) -> None:
    dev_engine.deploy(service_task_process("hello", "greet", flavour="camunda7"))
    instance = dev_engine.start("hello", variables={"name": "Ada"})
    adapter = Camunda7Adapter(Camunda7Config(base_url=dev_engine.camunda7_url))
    async with Runtime(connectors=[greet], engines=[adapter], long_poll=timedelta(seconds=1)):
        await dev_engine.wait_for_end(instance, timeout=10)
    assert dev_engine.variables(instance)["greeting"] == "Hello Ada"
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{dev_engine.camunda7_url}/version")).status_code == 200


async def test_in_memory_adapter_fixture(in_memory_adapter: InMemoryAdapter) -> None:
    in_memory_adapter.add_job("greet", {"name": "Bo"})
    async with Runtime(
        connectors=[greet], engines=[in_memory_adapter], long_poll=timedelta(seconds=1)
    ):
        await in_memory_adapter.wait_until_done()
    assert in_memory_adapter.outcomes[0].arguments["variables"] == {"greeting": "Hello Bo"}
