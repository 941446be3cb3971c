"""Engine adapters: thin translators between one engine's protocol and the core.

``ZeebeAdapter`` speaks the Zeebe gateway (Camunda 8) through pyzeebe's gRPC layer;
``Camunda8RestAdapter`` speaks the same Camunda 8 engine over its Orchestration Cluster REST
API (``/v2``); ``Camunda7Adapter`` speaks the Camunda 7 external-task REST API. All implement
:class:`EngineAdapter`.
"""

from bpmn_bridge.adapters._base import EngineAdapter, FetchRequest, StreamingAdapter
from bpmn_bridge.adapters.camunda7 import Camunda7Adapter, Camunda7Config
from bpmn_bridge.adapters.camunda8_rest import Camunda8RestAdapter, Camunda8RestConfig
from bpmn_bridge.adapters.zeebe import ZeebeAdapter, ZeebeConfig

__all__ = [
    "Camunda7Adapter",
    "Camunda7Config",
    "Camunda8RestAdapter",
    "Camunda8RestConfig",
    "EngineAdapter",
    "FetchRequest",
    "StreamingAdapter",
    "ZeebeAdapter",
    "ZeebeConfig",
]
