"""Engine adapters: thin translators between one engine's protocol and the core.

``ZeebeAdapter`` speaks the Zeebe gateway (Camunda 8) through pyzeebe's gRPC layer;
``Camunda7Adapter`` speaks the Camunda 7 external-task REST API. Both implement
:class:`EngineAdapter`.
"""

from bpmn_bridge.adapters._base import EngineAdapter, FetchRequest, StreamingAdapter
from bpmn_bridge.adapters.camunda7 import Camunda7Adapter, Camunda7Config
from bpmn_bridge.adapters.zeebe import ZeebeAdapter, ZeebeConfig

__all__ = [
    "Camunda7Adapter",
    "Camunda7Config",
    "EngineAdapter",
    "FetchRequest",
    "StreamingAdapter",
    "ZeebeAdapter",
    "ZeebeConfig",
]
