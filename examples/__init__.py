"""Worked examples of bpmn-bridge; each sub-package is one process with its connectors."""
