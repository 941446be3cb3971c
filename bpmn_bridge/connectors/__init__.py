"""bpmn_bridge.connectors."""
