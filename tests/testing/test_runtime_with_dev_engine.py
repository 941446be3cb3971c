"""The docs' example (docs/testing.md): a Runtime in the test's own process, serving a
connector on both protocols of the ``dev_engine`` fixture."""

from __future__ import annotations

from pydantic import BaseModel

from bpmn_bridge import connector
from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config, ZeebeAdapter, ZeebeConfig
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Runtime

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://x">
  <bpmn:process id="greet" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <bpmn:serviceTask id="t"><bpmn:extensionElements>
      <zeebe:taskDefinition type="greet"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


class Person(BaseModel):
    name: str


@connector(type="greet")
async def greet(person: Person) -> dict[str, str]:
    return {"greeting": f"Hello {person.name}"}


async def test_a_runtime_in_process_serves_the_dev_engine(dev_engine: DevEngine) -> None:
    dev_engine.deploy(DIAGRAM)
    runtime = Runtime(
        connectors=[greet],
        engines=[
            ZeebeAdapter(ZeebeConfig(address=dev_engine.zeebe_address, tls=False)),
            Camunda7Adapter(Camunda7Config(base_url=dev_engine.camunda7_url)),
        ],
    )
    async with runtime:  # serves in the background until the block ends
        instance = dev_engine.start("greet", variables={"name": "Ada"})
        await dev_engine.wait_for_end(instance, timeout=10)
    assert dev_engine.variables(instance)["greeting"] == "Hello Ada"
