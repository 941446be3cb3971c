"""The realistic connector the worker benchmarks run: every per-job feature switched on.

A 10-field pydantic input model bound from the job's variables, two secret placeholders
resolved (and masked from then on), a ``resultExpression`` header mapping the result, and
Prometheus metrics counting and timing every job. The plain clients it is compared with
get the same variables in every job and answer with the variables ours ends with
(``EXPECTED_RESULT``), so every instance ends alike and the engine does the same work; they
have none of these features, so the comparison charges ours for all of them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bpmn_bridge import MappingSecretProvider, connector

RESULT_EXPRESSION = "={orderId: body.id, total: body.total, ok: status = 200}"
"""The ``resultExpression`` header the connector's jobs carry (FEEL)."""

SECRETS = {"API_KEY": "k-123", "TENANT": "t1"}

VARIABLES: dict[str, Any] = {
    "order_id": "A-1",
    "customer": "ann",
    "amount": 12.5,
    "currency": "EUR",
    "quantity": 3,
    "express": True,
    "api_key": "{{secrets.API_KEY}}",
    "endpoint": "https://api.example/{{secrets.TENANT}}/orders",
    "tags": ["a", "b"],
    "address": {"street": "Main 1", "city": "Berlin"},
}
"""Every instance starts with these; two of them name secrets."""


class TenFields(BaseModel):
    order_id: str
    customer: str
    amount: float
    currency: str
    quantity: int
    express: bool
    api_key: str
    endpoint: str
    tags: list[str]
    address: dict[str, str]


@connector(type="bench-order")
async def place_order(order: TenFields) -> dict[str, object]:
    """Answer like an HTTP call would; the result expression picks from it."""
    return {"status": 200, "body": {"id": order.order_id, "total": order.amount * order.quantity}}


def secrets() -> MappingSecretProvider:
    """The secret provider the runtime under test gets."""
    return MappingSecretProvider(SECRETS)


EXPECTED_RESULT = {"orderId": "A-1", "total": 37.5, "ok": True}
"""What the result expression makes of the connector's answer."""


def camunda7_variables() -> dict[str, dict[str, Any]]:
    """``VARIABLES`` as Camunda 7 REST typed values (documents as ``Json``)."""
    from bpmn_bridge.adapters._camunda7_variables import encode_variables

    return encode_variables(VARIABLES)
