"""The worker runtime: connectors served on engines, with operations endpoints."""

from bpmn_bridge.runtime._capacity import Capacity
from bpmn_bridge.runtime._hooks import JobFinished, RuntimeHooks
from bpmn_bridge.runtime._metrics import Metrics
from bpmn_bridge.runtime._runtime import Runtime

__all__ = ["Capacity", "JobFinished", "Metrics", "Runtime", "RuntimeHooks"]
