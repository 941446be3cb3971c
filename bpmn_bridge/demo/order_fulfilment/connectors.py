"""The connectors of the order fulfilment process: plain typed functions, no engine in sight.

The same functions serve the Camunda 8 diagram (as job workers) and the Camunda 7 diagram
(as external-task workers)::

    bpmn-bridge run --connector examples.order_fulfilment.connectors:CONNECTORS ...

``CONNECTORS`` also lists the built-in REST connector, which the "Check stock" task uses, so
one reference serves the whole process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from bpmn_bridge import BpmnError, ConnectorContext, ConnectorError, RetryableError, connector
from bpmn_bridge.connectors import http_json

__all__ = [
    "CONNECTORS",
    "PAYMENT_DECLINED",
    "Notification",
    "PaymentRequest",
    "PaymentReserved",
    "Shipment",
    "ShipmentRequest",
    "notify_customer",
    "reserve_payment",
    "ship_order",
]

PAYMENT_DECLINED = "PAYMENT_DECLINED"
"""The BPMN error code the diagram's error boundary event on "Reserve payment" catches."""

# Process variables are camelCase; Python attributes are not.
_CAMEL = ConfigDict(alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True)


class PaymentRequest(BaseModel):
    """What "Reserve payment" needs; the diagram maps ``paymentUrl`` in."""

    model_config = _CAMEL

    order_id: str
    amount: float = Field(gt=0)
    card_token: str
    payment_url: str


class PaymentReserved(BaseModel):
    """Set on the process when the payment went through."""

    model_config = _CAMEL

    payment_id: str
    payment_attempts: int


@connector(type="reserve-payment", timeout=timedelta(seconds=30), retries=3)
async def reserve_payment(payment: PaymentRequest, context: ConnectorContext) -> PaymentReserved:
    """Reserve the order's amount with the payment provider.

    Raises:
        BpmnError: ``PAYMENT_DECLINED`` when the provider declines the card: a business
            outcome the process handles (it notifies the customer), not a failure.
        RetryableError: The provider is unavailable; the engine offers the job again after
            the diagram's ``retryBackoff``.
        ConnectorError: The provider answered anything else unexpected.
    """
    body = {"orderId": payment.order_id, "amount": payment.amount, "cardToken": payment.card_token}
    try:
        # A client per job keeps the example short; a busy worker would share one.
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(payment.payment_url, json=body)
    except httpx.TransportError as exc:
        raise RetryableError(f"Payment provider unreachable: {exc}") from exc
    if response.status_code == 402:
        reason = response.json().get("message", "declined")
        raise BpmnError(PAYMENT_DECLINED, reason, variables={"declineReason": reason})
    if response.status_code in (502, 503, 504):
        context.logger.info("Payment provider busy for order %s; retrying", payment.order_id)
        raise RetryableError(f"Payment provider answered HTTP {response.status_code}")
    if response.status_code != 201:
        raise ConnectorError(str(response.status_code), "Unexpected payment provider answer")
    answer = response.json()
    return PaymentReserved(payment_id=answer["paymentId"], payment_attempts=answer["attempts"])


class ShipmentRequest(BaseModel):
    """What "Ship" needs."""

    model_config = _CAMEL

    order_id: str
    sku: str
    quantity: int = Field(gt=0)


class Shipment(BaseModel):
    """The shipment booked; the diagram stores it under the ``resultVariable`` header."""

    model_config = _CAMEL

    service: Literal["express", "standard"]
    tracking_number: str


@connector(type="ship-order")
async def ship_order(order: ShipmentRequest, context: ConnectorContext) -> Shipment:
    """Book a shipment; the task's ``service`` header says express or standard.

    One connector serves both shipping tasks: the diagram, not the code, decides the service.
    """
    service = context.headers.get("service", "standard")
    if service == "express":
        return Shipment(service="express", tracking_number=f"EX-{order.order_id}")
    if service == "standard":
        return Shipment(service="standard", tracking_number=f"ST-{order.order_id}")
    # A diagram mistake, not a transient failure: the ConnectorError fails the job visibly.
    raise ConnectorError("INVALID_SERVICE", f"Unknown shipping service {service!r}")


class Notification(BaseModel):
    """What "Notify customer" needs; the diagram maps ``reason`` in per path."""

    model_config = _CAMEL

    order_id: str
    reason: Literal["out-of-stock", "payment-declined"]
    decline_reason: str | None = None


@connector(type="notify-customer")
async def notify_customer(notification: Notification) -> dict[str, Any]:
    """Tell the customer why the order cannot be fulfilled (here: compose the message)."""
    if notification.reason == "out-of-stock":
        text = f"Order {notification.order_id}: sorry, this item is out of stock."
    else:
        text = (
            f"Order {notification.order_id}: your payment did not go through "
            f"({notification.decline_reason or 'declined'})."
        )
    return {"reason": notification.reason, "message": text}


CONNECTORS: list[Callable[..., Any]] = [http_json, reserve_payment, ship_order, notify_customer]
"""Every connector the process uses, for ``bpmn-bridge run --connector ...:CONNECTORS``."""
