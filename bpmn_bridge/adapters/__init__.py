"""Engine adapters: thin translators between one engine's protocol and the core.

``ZeebeAdapter`` speaks the Zeebe gateway (Camunda 8) through pyzeebe's gRPC layer;
``Camunda7Adapter`` speaks the Camunda 7 external-task REST API. Both implement
:class:`EngineAdapter`.
"""

from bpmn_bridge.adapters._base import EngineAdapter, FetchRequest, StreamingAdapter

__all__ = ["EngineAdapter", "FetchRequest", "StreamingAdapter"]
