"""pytest fixtures for testing connectors against the embedded engine.

Installed with the package (entry point ``pytest11``), so a user's tests can ask for them
by name:

- ``dev_engine``: a fresh :class:`~bpmn_bridge.devengine.DevEngine` per test, both fronts on
  free loopback ports (Zeebe gRPC at ``dev_engine.zeebe_address``, Camunda 7 REST at
  ``dev_engine.camunda7_url``).
- ``in_memory_adapter``: an :class:`~bpmn_bridge.testing.InMemoryAdapter`, for tests
  of runtime behaviour without any protocol (``in_memory_engine``, its old name, warns
  and goes in the next release).

The async fixture needs pytest-asyncio (or anyio's pytest plugin); without it only the
synchronous fixtures are offered.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import AsyncIterator

import pytest

from bpmn_bridge.testing._memory import InMemoryAdapter


@pytest.fixture
def in_memory_adapter() -> InMemoryAdapter:
    """An engine adapter living in memory."""
    return InMemoryAdapter()


@pytest.fixture
def in_memory_engine() -> InMemoryAdapter:
    """Deprecated: ``in_memory_adapter`` under its old name, for one more release."""
    warnings.warn(
        "the in_memory_engine fixture is deprecated and will be removed in the next release; "
        "use in_memory_adapter",
        DeprecationWarning,
        stacklevel=2,
    )
    return InMemoryAdapter()


if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def dev_engine() -> AsyncIterator[object]:
        """The embedded engine with both protocol fronts on free loopback ports."""
        from bpmn_bridge.devengine import DevEngine

        async with DevEngine() as engine:
            yield engine
