"""Existing workers, unchanged, on both engines: a Camunda 7 worker module written for
camunda-external-task-client-python3 and a pyzeebe app, served by ``bpmn-bridge run``."""
