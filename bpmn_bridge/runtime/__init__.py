"""bpmn_bridge.runtime."""
