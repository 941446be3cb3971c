"""The job pipeline: binding, validation, headers, outcomes, errors, retries."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import anyio
import pytest
from pydantic import BaseModel, Field

from bpmn_bridge import (
    BpmnError,
    BpmnErrorThrown,
    Cancellation,
    Completed,
    ConnectorContext,
    ConnectorError,
    Failed,
    Job,
    JobPipeline,
    RetryableError,
    RetryPolicy,
    connector,
    get_spec,
)
from bpmn_bridge.testing import LeaseRecorder, build_job_info, run_connector


class Order(BaseModel):
    order_id: str = Field(alias="orderId")
    amount: float
    currency: str = "EUR"


class Receipt(BaseModel):
    receipt: str
    total: float


@connector(type="charge", retries=3, retry_backoff=timedelta(seconds=7))
async def charge(order: Order, context: ConnectorContext) -> Receipt:
    if order.amount < 0:
        raise BpmnError("NEGATIVE", "amount is negative", variables={"amount": order.amount})
    if order.amount == 404:
        raise ConnectorError("404", "no such account", variables={"response": {"status": 404}})
    if order.amount == 500:
        raise RuntimeError("database down")
    if order.amount == 503:
        raise RetryableError("busy", retries=9, backoff=timedelta(seconds=2))
    return Receipt(receipt=f"R-{order.order_id}", total=order.amount)


async def test_completes_with_model_fields_as_variables() -> None:
    outcome = await run_connector(charge, variables={"orderId": "A1", "amount": 10})
    assert outcome == Completed({"receipt": "R-A1", "total": 10.0})


async def test_decorator_returns_function_unchanged_and_callable() -> None:
    receipt = await charge(Order(orderId="X", amount=1), context=None)  # type: ignore[arg-type]
    assert receipt == Receipt(receipt="R-X", total=1.0)


async def test_sync_connector_runs_off_the_event_loop() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    @connector
    def blocking(order: Order) -> dict[str, Any]:
        seen.append(threading.get_ident())
        return {"ok": order.order_id}

    outcome = await run_connector(blocking, variables={"orderId": "S", "amount": 1})
    assert outcome == Completed({"ok": "S"})
    assert seen and seen[0] != loop_thread


async def test_invalid_input_is_an_incident_naming_every_bad_field() -> None:
    outcome = await run_connector(charge, variables={"amount": "lots"})
    assert isinstance(outcome, Failed)
    assert outcome.retries == 0
    assert "'orderId': Field required" in outcome.message
    assert "'amount': Input should be a valid number" in outcome.message
    assert "charge" in outcome.message and "2 fields" in outcome.message


async def test_nested_field_locations_are_dotted() -> None:
    class Address(BaseModel):
        zip: int

    class Customer(BaseModel):
        address: Address
        tags: list[int]

    @connector
    async def ship(c: Customer) -> None:
        return None

    outcome = await run_connector(ship, variables={"address": {"zip": "x"}, "tags": [1, "y"]})
    assert isinstance(outcome, Failed) and outcome.retries == 0
    assert "'address.zip'" in outcome.message
    assert "'tags.1'" in outcome.message


async def test_bpmn_error_is_thrown_with_variables() -> None:
    outcome = await run_connector(charge, variables={"orderId": "A", "amount": -1})
    assert outcome == BpmnErrorThrown("NEGATIVE", "amount is negative", {"amount": -1.0})


async def test_unexpected_exception_spends_one_retry_with_configured_backoff() -> None:
    info = build_job_info(type="charge", retries=3)
    outcome = await run_connector(charge, variables={"orderId": "A", "amount": 500}, info=info)
    assert isinstance(outcome, Failed)
    assert outcome.retries == 2
    assert outcome.backoff == timedelta(seconds=7)
    assert outcome.message == "RuntimeError: database down"
    assert "Traceback" in outcome.details and "database down" in outcome.details


async def test_unknown_engine_retries_fall_back_to_header_then_spec() -> None:
    info = build_job_info(type="charge", retries=None)
    variables = {"orderId": "A", "amount": 500}
    from_spec = await run_connector(charge, variables=variables, info=info)
    from_header = await run_connector(
        charge, variables=variables, info=info, headers={"retries": "5", "retryBackoff": "PT1M"}
    )
    assert isinstance(from_spec, Failed) and from_spec.retries == 2
    assert isinstance(from_header, Failed) and from_header.retries == 4
    assert from_header.backoff == timedelta(minutes=1)


async def test_retryable_error_carries_its_own_retries_and_backoff() -> None:
    outcome = await run_connector(charge, variables={"orderId": "A", "amount": 503})
    assert outcome == Failed(
        "busy", retries=9, backoff=timedelta(seconds=2), details=outcome.details
    )  # type: ignore[union-attr]


async def test_connector_error_without_mapping_fails() -> None:
    outcome = await run_connector(charge, variables={"orderId": "A", "amount": 404})
    assert isinstance(outcome, Failed)
    assert outcome.message == "Connector error 404: no such account"


async def test_error_expression_maps_connector_error_to_bpmn_error() -> None:
    headers = {
        "errorExpression": '=if error.code = "404" then bpmnError("NOT_FOUND", '
        '"missing: " + error.message, {status: response.status}) else null'
    }
    outcome = await run_connector(
        charge, variables={"orderId": "A", "amount": 404}, headers=headers
    )
    assert outcome == BpmnErrorThrown("NOT_FOUND", "missing: no such account", {"status": 404})


async def test_error_expression_returning_null_keeps_default_failure() -> None:
    headers = {"errorExpression": '=if error.code = "999" then bpmnError("X", "y") else null'}
    outcome = await run_connector(
        charge, variables={"orderId": "A", "amount": 404}, headers=headers
    )
    assert isinstance(outcome, Failed) and outcome.retries == 2


async def test_error_expression_job_error_sets_retries_and_backoff() -> None:
    headers = {"errorExpression": '=jobError("try later", {}, 1, "PT30S")'}
    outcome = await run_connector(
        charge, variables={"orderId": "A", "amount": 500}, headers=headers
    )
    assert outcome == Failed("try later", retries=1, backoff=timedelta(seconds=30))


async def test_result_variable_and_result_expression() -> None:
    variables = {"orderId": "A", "amount": 12.5}
    as_variable = await run_connector(
        charge, variables=variables, headers={"resultVariable": "payment"}
    )
    assert as_variable == Completed({"payment": {"receipt": "R-A", "total": 12.5}})
    as_expression = await run_connector(
        charge,
        variables=variables,
        headers={"resultExpression": "={receiptNo: response.receipt, big: total > 10}"},
    )
    assert as_expression == Completed({"receiptNo": "R-A", "big": True})
    both = await run_connector(
        charge,
        variables=variables,
        headers={"resultVariable": "r", "resultExpression": "={n: receipt}"},
    )
    assert both == Completed({"r": {"receipt": "R-A", "total": 12.5}, "n": "R-A"})


async def test_result_expression_must_yield_a_context() -> None:
    outcome = await run_connector(
        charge, variables={"orderId": "A", "amount": 1}, headers={"resultExpression": "=1 + 1"}
    )
    assert isinstance(outcome, Failed) and outcome.retries == 0
    assert "resultExpression" in outcome.message and "context" in outcome.message


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"resultExpression": "={a: "}, "resultExpression"),
        ({"errorExpression": "=for x in y"}, "errorExpression"),
        ({"retries": "three"}, "retries"),
        ({"retries": "-1"}, "retries"),
        ({"retryBackoff": "5 seconds"}, "retryBackoff"),
        ({"jobTimeout": "P1Y"}, "jobTimeout"),
    ],
)
async def test_bad_standard_header_is_an_incident_naming_it(
    headers: dict[str, str], named: str
) -> None:
    outcome = await run_connector(charge, variables={"orderId": "A", "amount": 1}, headers=headers)
    assert isinstance(outcome, Failed) and outcome.retries == 0
    assert f"Invalid header '{named}'" in outcome.message


async def test_timeout_fails_the_job_and_sets_cancellation() -> None:
    seen: list[ConnectorContext] = []

    @connector(timeout=timedelta(milliseconds=50))
    async def slow(context: ConnectorContext) -> None:
        seen.append(context)
        await anyio.sleep(10)

    outcome = await run_connector(slow, info=build_job_info(retries=2))
    assert isinstance(outcome, Failed) and outcome.retries == 1
    assert "timed out after 0.05s" in outcome.message
    assert seen[0].cancellation.is_set()


async def test_timeout_sets_the_callers_cancellation_for_a_connector_without_context() -> None:
    @connector(timeout=timedelta(milliseconds=50))
    async def slow_without_context() -> None:
        await anyio.sleep(10)

    cancellation = Cancellation()
    pipeline = JobPipeline(get_spec(slow_without_context))
    outcome = await pipeline.run(Job(build_job_info(retries=2), {}), cancellation=cancellation)
    assert isinstance(outcome, Failed) and outcome.retries == 1
    assert "timed out after 0.05s" in outcome.message
    assert cancellation.is_set()


async def test_a_callers_cancel_scope_carries_the_deadline() -> None:
    @connector(timeout=timedelta(milliseconds=50))
    async def slow_in_scope() -> None:
        await anyio.sleep(10)

    pipeline = JobPipeline(get_spec(slow_in_scope))
    scope = anyio.CancelScope()
    outcome = await pipeline.run(Job(build_job_info(retries=2), {}), cancel_scope=scope)
    assert isinstance(outcome, Failed) and "timed out after 0.05s" in outcome.message


async def test_cancelling_the_callers_scope_stops_the_connector_and_raises_the_cancellation() -> (
    None
):
    started = anyio.Event()
    finished: list[bool] = []

    @connector(timeout=timedelta(seconds=30))
    async def stoppable() -> None:
        started.set()
        await anyio.sleep(10)
        finished.append(True)

    pipeline = JobPipeline(get_spec(stoppable))
    scope = anyio.CancelScope()
    raised: list[BaseException] = []

    async def run() -> None:
        try:
            await pipeline.run(Job(build_job_info(retries=2), {}), cancel_scope=scope)
        except anyio.get_cancelled_exc_class() as exc:
            raised.append(exc)

    async with anyio.create_task_group() as group:
        group.start_soon(run)
        await started.wait()
        scope.cancel()
    assert len(raised) == 1 and finished == []


async def test_job_timeout_header_overrides_the_spec() -> None:
    @connector(timeout=timedelta(seconds=30))
    async def slow() -> None:
        await anyio.sleep(10)

    outcome = await run_connector(slow, headers={"jobTimeout": "PT0.05S"})
    assert isinstance(outcome, Failed) and "timed out" in outcome.message


async def test_in_process_retries_with_attempt_visible() -> None:
    attempts: list[int] = []
    policy = RetryPolicy(max_attempts=3, initial_backoff=timedelta(milliseconds=1))

    @connector(retry_policy=policy)
    async def flaky(context: ConnectorContext) -> dict[str, int]:
        attempts.append(context.attempt)
        if context.attempt < 3:
            raise ConnectionError("reset by peer")
        return {"attempt": context.attempt}

    assert await run_connector(flaky) == Completed({"attempt": 3})
    assert attempts == [1, 2, 3]


async def test_in_process_retries_give_up_then_engine_failure() -> None:
    calls = 0
    policy = RetryPolicy(max_attempts=2, initial_backoff=timedelta(milliseconds=1))

    @connector(retry_policy=policy)
    async def down() -> None:
        nonlocal calls
        calls += 1
        raise ConnectionError("refused")

    outcome = await run_connector(down, info=build_job_info(retries=3))
    assert calls == 2
    assert isinstance(outcome, Failed) and outcome.retries == 2
    assert "ConnectionError: refused" in outcome.message


async def test_bpmn_error_is_never_retried_in_process() -> None:
    calls = 0
    policy = RetryPolicy(max_attempts=5, initial_backoff=timedelta(milliseconds=1))

    @connector(retry_policy=policy)
    async def business() -> None:
        nonlocal calls
        calls += 1
        raise BpmnError("NO")

    assert await run_connector(business) == BpmnErrorThrown("NO", "", {})
    assert calls == 1


async def test_context_carries_job_info_headers_and_lease_extension() -> None:
    seen: list[ConnectorContext] = []

    @connector
    async def look(context: ConnectorContext) -> None:
        seen.append(context)
        await context.extend_lease(timedelta(minutes=2))

    recorder = LeaseRecorder()
    info = build_job_info(business_key="order-7", tenant_id="t1")
    await run_connector(
        look, variables={"x": 1}, headers={"custom": "h"}, info=info, lease_extender=recorder
    )
    context = seen[0]
    assert context.info.business_key == "order-7" and context.info.tenant_id == "t1"
    assert context.headers == {"custom": "h"}
    assert context.variables == {"x": 1}
    assert recorder.extensions == [timedelta(minutes=2)]
    with pytest.raises(AttributeError):
        context.attempt = 2  # type: ignore[misc]


async def test_returning_something_unmappable_fails_clearly() -> None:
    @connector
    async def odd() -> int:
        return 3

    outcome = await run_connector(odd)
    assert isinstance(outcome, Failed)
    assert "returned int" in outcome.message and "resultVariable" in outcome.message
    plain = await run_connector(odd, headers={"resultVariable": "n"})
    assert plain == Completed({"n": 3})


async def test_job_logger_is_bound_and_masks(caplog: pytest.LogCaptureFixture) -> None:
    @connector
    async def chatty(context: ConnectorContext) -> None:
        context.logger.info("calling with token %s", context.variables["token"])

    with caplog.at_level(logging.INFO):
        await run_connector(
            chatty, variables={"token": "{{secrets.API_TOKEN}}"}, secrets={"API_TOKEN": "s3cr3t!"}
        )
    records = [r for r in caplog.records if "calling with token" in r.getMessage()]
    assert records and records[0].getMessage() == "calling with token ****"
    assert records[0].connector == "chatty"  # type: ignore[attr-defined]
    assert "s3cr3t!" not in caplog.text


async def test_dotted_variables_bind_nested_models() -> None:
    class Auth(BaseModel):
        type: str
        token: str | None = None

    class Call(BaseModel):
        url: str
        authentication: Auth

    @connector
    async def call(c: Call) -> dict[str, Any]:
        return {"auth": c.authentication.type, "token": c.authentication.token}

    flat = {"url": "u", "authentication.type": "bearer", "authentication.token": "tk"}
    outcome = await run_connector(call, variables=flat)
    assert outcome == Completed({"auth": "bearer", "token": "tk"})
    mixed = {"url": "u", "authentication": {"type": "basic"}, "authentication.token": "x"}
    assert await run_connector(call, variables=mixed) == Completed({"auth": "basic", "token": "x"})
