"""bpmn_bridge.testing."""
