"""A Zeebe job whose variables Python cannot decode is an incident for that job alone.

JSON nested past Python's recursion limit made ``json.loads`` raise RecursionError while
the adapter built the activation batch: the fetch loop, and with it the runtime, died.
"""

from __future__ import annotations

from pyzeebe.proto import gateway_pb2 as pb

from bpmn_bridge import Failed, connector
from bpmn_bridge.adapters._zeebe_jobs import job_from_message
from bpmn_bridge.core import JobPipeline, get_spec


@connector(type="any")
async def anything() -> None:
    return None


def _message(key: int, variables: str) -> pb.ActivatedJob:
    return pb.ActivatedJob(key=key, type="any", variables=variables, customHeaders="{}")


async def test_undecodable_variables_fail_only_their_own_job() -> None:
    depth = 100_000
    deep = '{"a":' + "[" * depth + "]" * depth + "}"
    batch = [_message(1, deep), _message(2, '{"ok": true}')]
    jobs = [job_from_message(message, engine="zeebe") for message in batch]
    pipeline = JobPipeline(get_spec(anything))
    broken, fine = [await pipeline.run(job) for job in jobs]
    assert isinstance(broken, Failed) and broken.retries == 0
    assert "nests too deeply" in broken.message
    assert not isinstance(fine, Failed)
