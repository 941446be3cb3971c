"""What the workers saw, per engine: BPMN errors thrown and engine retries asked for."""

from __future__ import annotations

from collections import Counter, defaultdict

from bpmn_bridge.core import BpmnErrorThrown, Failed
from bpmn_bridge.runtime import JobFinished, RuntimeHooks

__all__ = ["JobTally"]


class JobTally(RuntimeHooks):
    """Counts job outcomes per engine name: ``jobs``, ``bpmn_errors``, ``retries``,
    ``failed_for_good`` (a failure with no retries left: the engine raises an incident)."""

    def __init__(self) -> None:
        self.by_engine: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def job_finished(self, event: JobFinished) -> None:
        counts = self.by_engine[event.job.engine]
        counts["jobs"] += 1
        outcome = event.outcome
        if isinstance(outcome, BpmnErrorThrown):
            counts["bpmn_errors"] += 1
        elif isinstance(outcome, Failed):
            counts["retries" if outcome.retries > 0 else "failed_for_good"] += 1
