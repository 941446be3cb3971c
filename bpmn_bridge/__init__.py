"""bpmn-bridge: one connector, both Camunda engines."""
