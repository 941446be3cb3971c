"""The worker runtime: connectors served on engines, with operations endpoints."""

from bpmn_bridge.runtime._capacity import Capacity
from bpmn_bridge.runtime._discovery import ENTRY_POINT_GROUP, discover_connectors, load_reference
from bpmn_bridge.runtime._heap import tune_worker_gc
from bpmn_bridge.runtime._hooks import JobFinished, RuntimeHooks
from bpmn_bridge.runtime._logging import JsonFormatter, MaskingFilter, configure_logging
from bpmn_bridge.runtime._metrics import Metrics
from bpmn_bridge.runtime._ops import OpsServer
from bpmn_bridge.runtime._runtime import Runtime

__all__ = [
    "ENTRY_POINT_GROUP",
    "Capacity",
    "JobFinished",
    "JsonFormatter",
    "MaskingFilter",
    "Metrics",
    "OpsServer",
    "Runtime",
    "RuntimeHooks",
    "configure_logging",
    "discover_connectors",
    "load_reference",
    "tune_worker_gc",
]
