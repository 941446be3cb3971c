"""bpmn_bridge.migrate."""
