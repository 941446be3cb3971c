"""bpmn_bridge.devengine."""
