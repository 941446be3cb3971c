"""How an instance ended, the same way on every target: completed with its variables, or
stuck in an incident with its messages."""

from __future__ import annotations

from typing import Any

import anyio

from tests.support.targets import Target


async def settle(target: Target, instance: str, *, timeout: float = 60) -> tuple[str, Any]:
    """``("completed", variables)`` or ``("incident", sorted messages)``."""
    with anyio.fail_after(timeout):
        while True:
            try:
                return "completed", await target.wait_end(instance, timeout=0.3)
            except TimeoutError:
                pass
            try:
                return "incident", sorted(await target.wait_incident(instance, timeout=0.3))
            except TimeoutError:
                pass
