"""bpmn_bridge.core."""
