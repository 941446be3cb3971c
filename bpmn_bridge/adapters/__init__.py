"""bpmn_bridge.adapters."""
