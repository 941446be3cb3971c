"""The connector code every scenario serves, unchanged, on every engine."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import anyio
from pydantic import BaseModel, Field

from bpmn_bridge import BpmnError, ConnectorContext, ConnectorError, connector


class Order(BaseModel):
    order_id: str = Field(alias="orderId")
    amount: float
    api_key: str | None = Field(default=None, alias="apiKey")


@connector(type="charge", retries=3, retry_backoff=timedelta(milliseconds=300))
async def charge(order: Order, context: ConnectorContext) -> dict[str, object]:
    """Charges an order; business and technical errors on demand."""
    if order.amount < 0:
        raise BpmnError("NEGATIVE", "amount is negative", variables={"rejected": True})
    if order.amount == 404:
        raise ConnectorError("404", "account not found")
    if order.amount == 500:
        raise RuntimeError("ledger down")
    return {
        "receipt": f"R-{order.order_id}",
        "charged": order.amount,
        "keyOk": order.api_key == "top-secret-key",
        "engineSeen": context.info.engine,
    }


ATTEMPTS: Counter[str] = Counter()


@connector(type="flaky", retries=3, retry_backoff=timedelta(milliseconds=400))
async def flaky(order: Order, context: ConnectorContext) -> dict[str, object]:
    """Fails the first time per order, then succeeds (an engine retry with backoff)."""
    ATTEMPTS[order.order_id] += 1
    if ATTEMPTS[order.order_id] == 1:
        raise RuntimeError("first attempt fails")
    return {"attempts": ATTEMPTS[order.order_id], "retriesLeft": context.info.retries}


CALLS: Counter[str] = Counter()


class Sleep(BaseModel):
    order_id: str = Field(alias="orderId")
    seconds: float


@connector(type="slow", timeout=timedelta(seconds=60))
async def slow(work: Sleep) -> dict[str, object]:
    """Works longer than its lease."""
    CALLS[work.order_id] += 1
    await anyio.sleep(work.seconds)
    return {"slept": work.seconds, "calls": CALLS[work.order_id]}
