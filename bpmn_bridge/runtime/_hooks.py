"""Hooks into the runtime's life: no-op methods, override only what you need.

Metrics are one such hook; users add their own (tracing, auditing) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from bpmn_bridge.core import JobInfo, Outcome

__all__ = ["JobFinished", "RuntimeHooks"]


@dataclass(frozen=True, slots=True)
class JobFinished:
    """A job's end as the runtime saw it.

    Attributes:
        job: The job.
        connector: The connector type that ran it.
        outcome: What the connector's run decided.
        seconds: Time spent in the connector pipeline.
        reported: Whether the engine accepted the outcome (False: the job was gone, e.g.
            its instance was cancelled or its lease lost).
    """

    job: JobInfo
    connector: str
    outcome: Outcome
    seconds: float
    reported: bool


class RuntimeHooks:
    """Called by the runtime at each step of a job; every method is a no-op here."""

    def job_activated(self, job: JobInfo, connector: str) -> None:
        """A job was fetched (or streamed) and is about to run."""

    def job_finished(self, event: JobFinished) -> None:
        """A job ran and its outcome was reported (or could not be)."""

    def lease_extended(self, job: JobInfo, connector: str) -> None:
        """The runtime extended a running job's lease."""

    def job_returned(self, job: JobInfo, connector: str) -> None:
        """An unfinished job was handed back to its engine at shutdown."""

    def engine_connection(self, engine: str, connected: bool) -> None:
        """An engine became reachable or unreachable."""
