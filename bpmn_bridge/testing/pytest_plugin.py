"""pytest plugin: fixtures for testing connectors against the embedded engine."""
