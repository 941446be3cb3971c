"""bpmn_bridge.feel."""
