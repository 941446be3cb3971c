"""A job pushed through a Zeebe job stream runs even while the long poll holds every slot."""

from __future__ import annotations

from datetime import timedelta

import anyio
from pydantic import BaseModel

from bpmn_bridge import connector
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Runtime
from tests.support.diagrams import service_task_process
from tests.support.targets import DevZeebeTarget


class Item(BaseModel):
    n: int


@connector(type="streamed")
async def streamed(item: Item) -> dict[str, object]:
    return {"doubled": item.n * 2}


async def test_streamed_job_is_not_starved_by_the_long_poll() -> None:
    async with DevEngine(camunda7_port=None) as dev:
        zeebe = DevZeebeTarget(dev)
        await zeebe.deploy(service_task_process("streamed", "streamed", flavour="camunda8"))
        # a long poll far longer than the wait below: only the stream can deliver in time
        runtime = Runtime(
            connectors=[streamed],
            engines=[zeebe.adapter()],
            long_poll=timedelta(minutes=10),
        )
        async with runtime:
            with anyio.fail_after(60):
                # the dev engine pushes new jobs to open streams before waiting pollers
                while not dev.core._streams.get("streamed"):
                    await anyio.sleep(0.02)
            instances = [await zeebe.start("streamed", {"n": n}) for n in range(3)]
            results = [await zeebe.wait_end(i, timeout=60) for i in instances]
    assert [r["doubled"] for r in results] == [0, 2, 4]
