"""Root fixtures shared by every test directory. Each fixture lives in its own module; this file
only exposes them, so several people can add fixtures here without editing each other's code."""

from tests.support.bpmn_validator import bpmn_validator
from tests.support.camunda7_engine import camunda7_engine

__all__ = ["bpmn_validator", "camunda7_engine"]
