"""Values that do not fit Zeebe's message fields are refused at the adapter boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bpmn_bridge.adapters import ZeebeAdapter, ZeebeConfig
from bpmn_bridge.core import EngineRejectedError, JobInfo


async def test_retries_beyond_int32_are_an_engine_rejection() -> None:
    job = JobInfo(engine="zeebe", id="2251799813685249", type="t", retries=3)
    # no gateway needed: the request is refused before it is sent
    async with ZeebeAdapter(ZeebeConfig(address="127.0.0.1:9", tls=False)) as adapter:
        with pytest.raises(EngineRejectedError, match=r"FailJob for job .*retries 1099511627776"):
            await adapter.fail(
                job,
                message="m",
                details="",
                retries=2**40,
                backoff=timedelta(0),
                variables={},
            )
