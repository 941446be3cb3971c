"""The shop's back end the process talks to: an inventory API and a payment API over HTTP.

A stand-in for the real systems, small enough to read in one go, served by aiohttp on
loopback so every call the process makes is real HTTP:

* ``GET /stock/{sku}?quantity=N`` answers ``{"sku", "available", "inStock"}`` from a fixed
  stock table (404 for an unknown SKU). The built-in REST connector calls it.
* ``POST /payments`` with ``{"orderId", "amount", "cardToken"}`` answers 201
  ``{"paymentId", "attempts"}``; 402 for the card token ``tok_declined``; 503 on the first
  request of an order paid with ``tok_busy`` (a provider that is briefly overloaded). It is
  idempotent per order, as payment APIs are, so a redelivered job does not pay twice. The
  example's ``reserve_payment`` connector calls it.

Run it on its own with ``python -m examples.order_fulfilment.shop_api --port 8099``.
"""

from __future__ import annotations

import argparse
import signal
import socket
from collections import Counter
from types import TracebackType

import anyio
from aiohttp import web

__all__ = ["BUSY_CARD", "DECLINED_CARD", "STOCK", "ShopApi", "create_app"]

STOCK: dict[str, int] = {"BOOK-1": 100, "LAMP-7": 3, "DESK-2": 0}
"""Units in stock per SKU; the check never changes them, so every answer is predictable."""

DECLINED_CARD = "tok_declined"
"""A card token the payment API always declines (HTTP 402)."""

BUSY_CARD = "tok_busy"
"""A card token whose first payment request per order gets HTTP 503, the next succeeds."""

_ATTEMPTS = web.AppKey("attempts", Counter[str])


def create_app() -> web.Application:
    """The shop API as an aiohttp application, with fresh payment state."""
    app = web.Application()
    app[_ATTEMPTS] = Counter()
    app.router.add_get("/stock/{sku}", _stock)
    app.router.add_post("/payments", _pay)
    return app


async def _stock(request: web.Request) -> web.Response:
    sku = request.match_info["sku"]
    if sku not in STOCK:
        return web.json_response({"error": "unknown_sku", "sku": sku}, status=404)
    try:
        quantity = int(request.query.get("quantity", "1"))
    except ValueError:
        return web.json_response({"error": "quantity must be a whole number"}, status=400)
    available = STOCK[sku]
    return web.json_response({"sku": sku, "available": available, "inStock": quantity <= available})


async def _pay(request: web.Request) -> web.Response:
    payment = await request.json()
    order_id = str(payment.get("orderId", ""))
    card = str(payment.get("cardToken", ""))
    if not order_id or not isinstance(payment.get("amount"), int | float):
        return web.json_response({"error": "orderId and amount are required"}, status=400)
    attempts = request.app[_ATTEMPTS]
    attempts[order_id] += 1
    if card == DECLINED_CARD:
        return web.json_response(
            {"error": "card_declined", "message": "The card was declined"}, status=402
        )
    if card == BUSY_CARD and attempts[order_id] == 1:
        return web.json_response(
            {"error": "provider_busy", "message": "Try again shortly"}, status=503
        )
    return web.json_response(
        {"paymentId": f"PAY-{order_id}", "attempts": attempts[order_id]}, status=201
    )


class ShopApi:
    """Serves the shop API on loopback for the life of an ``async with`` block.

    Args:
        host: The interface to bind.
        port: The port; 0 picks a free one (see :attr:`url`).
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8099``."""
        return f"http://{self.host}:{self.port}"

    async def __aenter__(self) -> ShopApi:
        runner = web.AppRunner(create_app(), access_log=None)
        await runner.setup()
        # Bind the socket here so that with port 0 the real port is known before any call.
        sock = socket.create_server((self.host, self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def _serve(port: int) -> None:
    async with ShopApi(port=port) as api:
        print(f"Shop API on {api.url} (stock: {STOCK}); Ctrl-C stops it.", flush=True)
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for _ in signals:
                return


def main() -> None:
    """``python -m examples.order_fulfilment.shop_api``: serve until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8099)
    anyio.run(_serve, parser.parse_args().port)


if __name__ == "__main__":
    main()
