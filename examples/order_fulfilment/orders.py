"""Sample orders and, for each, how the process must end: the example's specification.

:func:`sample_orders` mixes every path through the diagram; :func:`expected_end` derives
the end state from an order's input alone (stock table and card token), and
:func:`check_end` compares an instance's end variables with it. The demo and the tests
both judge a run with these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .shop_api import BUSY_CARD, DECLINED_CARD, STOCK

__all__ = ["PROCESS_ID", "Expected", "Order", "Path", "check_end", "expected_end", "sample_orders"]

PROCESS_ID = "order_fulfilment"
"""The process id of both diagrams."""

Path = Literal["express", "standard", "payment-declined", "out-of-stock"]


@dataclass(frozen=True, slots=True)
class Order:
    """One order: the variables an instance starts with."""

    order_id: str
    sku: str
    quantity: int
    amount: float
    card_token: str

    def variables(self) -> dict[str, Any]:
        """The start variables, camelCase as the diagram reads them."""
        return {
            "orderId": self.order_id,
            "sku": self.sku,
            "quantity": self.quantity,
            "amount": self.amount,
            "cardToken": self.card_token,
        }


@dataclass(frozen=True, slots=True)
class Expected:
    """How an order's instance must end.

    Attributes:
        path: Which end the instance takes.
        retried: Whether the payment needed an engine retry (provider busy once).
        variables: Variables the instance must end with, exactly these values.
        absent: Variables it must not have (they belong to paths it did not take).
    """

    path: Path
    retried: bool
    variables: Mapping[str, Any]
    absent: frozenset[str]


# One of each path, plus the edges: exactly 100 is standard, a busy provider once retried.
_PATTERN: tuple[tuple[str, int, float, str], ...] = (
    ("BOOK-1", 1, 25.0, "tok_visa"),  # standard
    ("LAMP-7", 2, 180.0, "tok_visa"),  # express
    ("BOOK-1", 2, 60.0, DECLINED_CARD),  # payment declined -> customer notified
    ("LAMP-7", 1, 90.0, BUSY_CARD),  # provider busy once -> retried, standard
    ("DESK-2", 1, 450.0, "tok_visa"),  # out of stock -> customer notified
    ("BOOK-1", 3, 120.0, BUSY_CARD),  # retried, express
    ("LAMP-7", 5, 75.0, "tok_visa"),  # more than in stock
    ("BOOK-1", 4, 100.0, "tok_visa"),  # exactly 100: standard
    ("LAMP-7", 1, 140.0, DECLINED_CARD),  # declined
    ("BOOK-1", 1, 100.5, "tok_visa"),  # express
)


def sample_orders(count: int, *, prefix: str) -> list[Order]:
    """``count`` orders cycling through every path; ids are ``<prefix>-001``...

    Args:
        count: How many orders.
        prefix: Makes the ids unique per run or engine (the payment API keys on them).
    """
    return [Order(f"{prefix}-{n + 1:03d}", *_PATTERN[n % len(_PATTERN)]) for n in range(count)]


def expected_end(order: Order) -> Expected:
    """How the instance of ``order`` must end, from its input alone."""
    stock = STOCK[order.sku]
    in_stock = order.quantity <= stock
    base = {**order.variables(), "inStock": in_stock, "stockLevel": stock}
    if not in_stock:
        message = f"Order {order.order_id}: sorry, this item is out of stock."
        return Expected(
            "out-of-stock",
            retried=False,
            variables={**base, "notification": {"reason": "out-of-stock", "message": message}},
            absent=frozenset({"paymentId", "shipment", "declineReason"}),
        )
    if order.card_token == DECLINED_CARD:
        reason = "The card was declined"
        message = f"Order {order.order_id}: your payment did not go through ({reason})."
        return Expected(
            "payment-declined",
            retried=False,
            variables={
                **base,
                "declineReason": reason,
                "notification": {"reason": "payment-declined", "message": message},
            },
            absent=frozenset({"paymentId", "shipment"}),
        )
    retried = order.card_token == BUSY_CARD
    service: Path = "express" if order.amount > 100 else "standard"
    prefix = "EX" if service == "express" else "ST"
    return Expected(
        service,
        retried=retried,
        variables={
            **base,
            "paymentId": f"PAY-{order.order_id}",
            "paymentAttempts": 2 if retried else 1,
            "shipment": {"service": service, "trackingNumber": f"{prefix}-{order.order_id}"},
        },
        absent=frozenset({"notification", "declineReason"}),
    )


def check_end(order: Order, variables: Mapping[str, Any]) -> list[str]:
    """What is wrong with an instance's end variables; empty when it ended as expected."""
    expected = expected_end(order)
    problems = [
        f"{name} is {variables.get(name, '<missing>')!r}, expected {value!r}"
        for name, value in expected.variables.items()
        if variables.get(name) != value
    ]
    problems.extend(
        f"{name} is set on the {expected.path} path"
        for name in sorted(expected.absent & variables.keys())
    )
    return problems
