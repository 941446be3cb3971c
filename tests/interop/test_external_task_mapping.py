"""What an external-task handler sees of a job and how its TaskResult becomes an outcome, one
job at a time through the real pipeline (no engine): the rows of the mapping table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from camunda.external_task.external_task import ExternalTask, TaskResult

from bpmn_bridge.core import BpmnErrorThrown, Completed, Failed, Job, JobInfo, JobPipeline, Outcome
from bpmn_bridge.interop import from_external_task_handler

ZEEBE_JOB = JobInfo(engine="zeebe", id="2251799813685251", type="t", retries=3)
CAMUNDA7_JOB = JobInfo(engine="camunda7", id="a-b-c", type="t", business_key="BK-1")


async def outcome_of(handler: Any, info: JobInfo, **variables: Any) -> Outcome:
    spec = from_external_task_handler("t", handler)
    headers = {"approvalLimit": "500"}
    return await JobPipeline(spec).run(Job(info=info, variables=variables, headers=headers))


async def test_the_task_a_handler_sees_on_zeebe() -> None:
    seen: dict[str, Any] = {}

    def look(task: ExternalTask) -> TaskResult:
        seen.update(
            id=task.get_task_id(),
            limit=task.get_extension_property("approvalLimit"),
            business_key=task.get_business_key(),
            order=task.get_variable("order"),
            order_meta=task.get_variable("order", with_meta=True)["type"],
            amount=task.get_variable("amount", with_meta=True)["type"],
        )
        return task.complete({"ok": True}, {"scratch": 1})

    outcome = await outcome_of(look, ZEEBE_JOB, order={"id": 7}, amount=12)
    assert outcome == Completed({"ok": True}, local_variables={"scratch": 1})
    assert seen == {
        "id": "2251799813685251",
        "limit": "500",
        "business_key": None,
        "order": '{"id":7}',  # a JSON object as Camunda 7 hands it over: its text
        "order_meta": "Json",
        "amount": "Integer",
    }


async def test_failure_counts_down_by_the_librarys_rule() -> None:
    def fail(task: ExternalTask) -> TaskResult:
        return task.failure("down", "details", 0, 1500)

    # Camunda 7 before the first failure: no retries yet, so max_retries applies
    on_camunda7 = await outcome_of(fail, CAMUNDA7_JOB)
    assert on_camunda7 == Failed(
        "down", retries=0, backoff=timedelta(seconds=1.5), details="details"
    )
    # Zeebe always has retries: the same rule counts them down
    on_zeebe = await outcome_of(fail, ZEEBE_JOB)
    assert isinstance(on_zeebe, Failed) and on_zeebe.retries == 2


async def test_bpmn_error_and_results_recorded_without_return() -> None:
    def reject(task: ExternalTask) -> TaskResult:
        return task.bpmn_error("REJECTED", "too much", {"why": "limit"})

    def record_only(task: ExternalTask) -> None:
        task.complete({"recorded": True})

    def nothing(task: ExternalTask) -> None:
        del task

    assert await outcome_of(reject, CAMUNDA7_JOB) == BpmnErrorThrown(
        "REJECTED", "too much", {"why": "limit"}
    )
    assert await outcome_of(record_only, CAMUNDA7_JOB) == Completed({"recorded": True})
    failed = await outcome_of(nothing, CAMUNDA7_JOB)
    assert isinstance(failed, Failed) and failed.retries == 2
    assert (
        failed.message
        == "TypeError: external task handler for 't' returned NoneType, not a TaskResult"
    )
