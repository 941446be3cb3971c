"""How a job ends, in one vocabulary for both engines.

The core turns whatever a connector returned or raised into exactly one of these; each
adapter turns it into its engine's complete / fail / BPMN-error call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

__all__ = ["BpmnErrorThrown", "Completed", "Failed", "Outcome"]


@dataclass(frozen=True, slots=True)
class Completed:
    """The job is done; ``variables`` are set on the process.

    ``local_variables`` are set on the task's own scope where the engine has one for a
    completion (Camunda 7's ``localVariables``); on Zeebe they join ``variables``, which the
    task's output mappings read the same way.
    """

    variables: Mapping[str, Any] = field(default_factory=dict)
    local_variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BpmnErrorThrown:
    """A business error thrown into the process, caught by an error boundary event."""

    code: str
    message: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Failed:
    """The job failed. With ``retries`` 0 the engine raises an incident.

    Attributes:
        message: Why, shown in the incident; secrets masked.
        retries: Retries left after this failure.
        backoff: Wait before the engine offers the job again.
        details: Longer diagnostic text (a traceback), secrets masked.
        variables: Variables to set with the failure, where the engine supports it.
    """

    message: str
    retries: int
    backoff: timedelta = timedelta(0)
    details: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict)


Outcome = Completed | BpmnErrorThrown | Failed
