"""Every line logged while a job runs carries its engine, job and process instance, whoever
logs it (the connector's own logger included)."""

from __future__ import annotations

import io
import logging
import re

from pydantic import BaseModel

from bpmn_bridge import connector
from bpmn_bridge.adapters import ZeebeAdapter, ZeebeConfig
from bpmn_bridge.core import SecretMasker
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Runtime
from bpmn_bridge.runtime._logging import configure_logging
from tests.testing.test_runtime_with_dev_engine import DIAGRAM


class Person(BaseModel):
    name: str


@connector(type="greet")
async def greet(person: Person) -> dict[str, str]:
    logging.getLogger("myapp.greeter").warning("greeting %s", person.name)
    return {"greeting": f"Hello {person.name}"}


async def test_a_connectors_own_log_line_names_the_job(dev_engine: DevEngine) -> None:
    dev_engine.deploy(DIAGRAM)
    stream = io.StringIO()
    handler = configure_logging(SecretMasker(), level=logging.WARNING, stream=stream)
    try:
        runtime = Runtime(
            connectors=[greet],
            engines=[ZeebeAdapter(ZeebeConfig(address=dev_engine.zeebe_address, tls=False))],
        )
        async with runtime:
            instance = dev_engine.start("greet", variables={"name": "Ada"})
            await dev_engine.wait_for_end(instance, timeout=10)
    finally:
        logging.getLogger().removeHandler(handler)
    (line,) = [x for x in stream.getvalue().splitlines() if "greeting Ada" in x]
    assert re.search(
        rf"myapp\.greeter: greeting Ada \[job_id=\d+ instance={instance.key} engine=zeebe\]$",
        line,
    ), line
