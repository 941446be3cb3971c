"""Test kit: run connectors the way the runtime does, without a real engine.

``run_connector`` sends one job through the runtime's own pipeline in memory, and can
stop it as the runtime does (``cancel_after``, ``shutdown_after``, a ``JobControl``);
``build_context`` makes a context for unit tests of code that takes one; ``InMemoryAdapter``
is an engine adapter living in memory, for tests of the runtime itself. The embedded engine
(``bpmn_bridge.devengine``) and its pytest fixtures cover tests that need a real protocol.
"""

import typing
import warnings

from bpmn_bridge.testing._memory import InMemoryAdapter, RecordedOutcome
from bpmn_bridge.testing._run import (
    JobControl,
    JobHandedBack,
    LeaseRecorder,
    build_context,
    build_job_info,
    run_connector,
)

__all__ = [
    "InMemoryAdapter",
    "JobControl",
    "JobHandedBack",
    "LeaseRecorder",
    "RecordedOutcome",
    "build_context",
    "build_job_info",
    "run_connector",
]


def __getattr__(name: str) -> typing.Any:
    # Deprecated for one release: the in-memory adapter was called an engine, a word
    # kept for the engines themselves.
    if name == "InMemoryEngine":
        warnings.warn(
            "bpmn_bridge.testing.InMemoryEngine is deprecated and will be removed in the next "
            "release; use InMemoryAdapter",
            DeprecationWarning,
            stacklevel=2,
        )
        return InMemoryAdapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
