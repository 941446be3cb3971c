"""An outcome the engine refuses raises an incident; it never takes the worker down."""

from __future__ import annotations

import math
from datetime import timedelta

from pydantic import BaseModel

from bpmn_bridge import connector
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Runtime
from tests.support.diagrams import service_task_process
from tests.support.targets import DevZeebeTarget


class Ask(BaseModel):
    nan: bool


@connector(type="refused-outcome")
async def answer(ask: Ask) -> dict[str, object]:
    return {"value": math.nan if ask.nan else 1.0}


async def test_refused_result_is_an_incident_and_the_worker_keeps_serving() -> None:
    async with DevEngine(camunda7_port=None) as dev:
        zeebe = DevZeebeTarget(dev)
        await zeebe.deploy(service_task_process("refused", "refused-outcome", flavour="camunda8"))
        runtime = Runtime(
            connectors=[answer], engines=[zeebe.adapter()], long_poll=timedelta(seconds=1)
        )
        async with runtime:
            bad = await zeebe.start("refused", {"nan": True})
            messages = await zeebe.wait_incident(bad, timeout=60)
            good = await zeebe.start("refused", {"nan": False})
            variables = await zeebe.wait_end(good, timeout=60)
    assert len(messages) == 1
    assert messages[0].startswith("The engine refused the job's outcome: CompleteJob")
    assert "variable 'value' cannot be sent to Zeebe" in messages[0]
    assert variables["value"] == 1.0
