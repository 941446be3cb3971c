"""Root fixtures shared by every test directory. Each fixture lives in its own module; this file
only exposes them, so several people can add fixtures here without editing each other's code."""

from hypothesis import HealthCheck, settings

from tests.support.bpmn_validator import bpmn_validator
from tests.support.camunda7_engine import camunda7_engine

# Property tests check outcomes, not speed: on a loaded 2-core CI machine one example can take
# longer than hypothesis's 200 ms default deadline, which would fail a correct build.
settings.register_profile(
    "bpmn-bridge", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("bpmn-bridge")

__all__ = ["bpmn_validator", "camunda7_engine"]
