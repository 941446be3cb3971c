"""``bpmn-bridge deploy``: see :mod:`bpmn_bridge.runtime._engine_client`."""

from bpmn_bridge.runtime._engine_client import add_deploy_arguments as add_arguments
from bpmn_bridge.runtime._engine_client import deploy as run

__all__ = ["add_arguments", "run"]
