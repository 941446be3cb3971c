"""A variable with no Camunda 7 form is refused at the adapter boundary as an engine error."""

from __future__ import annotations

import pytest

from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config
from bpmn_bridge.core import EngineRejectedError, JobInfo


async def test_unencodable_variable_is_an_engine_rejection() -> None:
    job = JobInfo(engine="camunda7", id="task-1", type="t")
    # nothing is sent: the adapter refuses before the request
    async with Camunda7Adapter(Camunda7Config("http://127.0.0.1:9/engine-rest")) as adapter:
        with pytest.raises(EngineRejectedError, match="variable 'value' is a object"):
            await adapter.complete(job, {"value": object()})
