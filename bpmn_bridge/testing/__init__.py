"""Test kit: run connectors the way the runtime does, without a real engine.

``run_connector`` sends one job through the runtime's own pipeline in memory;
``build_context`` makes a context for unit tests of code that takes one; ``InMemoryEngine``
is an engine adapter living in memory, for tests of the runtime itself. The embedded engine
(``bpmn_bridge.devengine``) and its pytest fixtures cover tests that need a real protocol.
"""

from bpmn_bridge.testing._memory import InMemoryEngine, RecordedOutcome
from bpmn_bridge.testing._run import LeaseRecorder, build_context, build_job_info, run_connector

__all__ = [
    "InMemoryEngine",
    "LeaseRecorder",
    "RecordedOutcome",
    "build_context",
    "build_job_info",
    "run_connector",
]
