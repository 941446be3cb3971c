"""bpmn_bridge.templates."""
