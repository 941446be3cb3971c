"""``bpmn-bridge start``: see :mod:`bpmn_bridge.runtime._engine_client`."""

from bpmn_bridge.runtime._engine_client import add_start_arguments as add_arguments
from bpmn_bridge.runtime._engine_client import start as run

__all__ = ["add_arguments", "run"]
