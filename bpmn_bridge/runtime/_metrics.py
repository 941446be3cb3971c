"""Prometheus metrics of a runtime, by engine and connector type."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bpmn_bridge.core import BpmnErrorThrown, Completed, JobInfo
from bpmn_bridge.runtime._hooks import JobFinished, RuntimeHooks

__all__ = ["Metrics"]

_LABELS = ("engine", "connector")


class Metrics(RuntimeHooks):
    """Counts jobs and times connectors; each instance has its own registry (no globals).

    Args:
        registry: Where to register; a fresh registry by default.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.activated = Counter("bpmn_bridge_jobs_activated", "Jobs fetched", _LABELS, registry=r)
        self.completed = Counter(
            "bpmn_bridge_jobs_completed", "Jobs completed", _LABELS, registry=r
        )
        self.failed = Counter("bpmn_bridge_jobs_failed", "Jobs failed", _LABELS, registry=r)
        self.bpmn_errors = Counter(
            "bpmn_bridge_jobs_bpmn_errors", "BPMN errors thrown", _LABELS, registry=r
        )
        self.extended = Counter(
            "bpmn_bridge_jobs_lease_extended", "Lease extensions", _LABELS, registry=r
        )
        self.returned = Counter(
            "bpmn_bridge_jobs_returned", "Jobs handed back at shutdown", _LABELS, registry=r
        )
        self.lost = Counter(
            "bpmn_bridge_jobs_gone",
            "Outcomes the engine no longer accepted (job cancelled or lease lost)",
            _LABELS,
            registry=r,
        )
        self.duration = Histogram(
            "bpmn_bridge_handler_duration_seconds", "Connector run time", _LABELS, registry=r
        )
        self.in_flight = Gauge("bpmn_bridge_jobs_in_flight", "Jobs running", _LABELS, registry=r)
        self.connected = Gauge(
            "bpmn_bridge_engine_connected", "1 when the engine answers", ("engine",), registry=r
        )
        self.hook_failures = Gauge(
            "bpmn_bridge_hook_failures",
            "Times a runtime hook raised (logged; the job carried on)",
            registry=r,
        )

    def job_activated(self, job: JobInfo, connector: str) -> None:
        self.activated.labels(job.engine, connector).inc()
        self.in_flight.labels(job.engine, connector).inc()

    def job_finished(self, event: JobFinished) -> None:
        labels = (event.job.engine, event.connector)
        self.in_flight.labels(*labels).dec()
        self.duration.labels(*labels).observe(event.seconds)
        if not event.reported:
            self.lost.labels(*labels).inc()
        elif isinstance(event.outcome, Completed):
            self.completed.labels(*labels).inc()
        elif isinstance(event.outcome, BpmnErrorThrown):
            self.bpmn_errors.labels(*labels).inc()
        else:
            self.failed.labels(*labels).inc()

    def lease_extended(self, job: JobInfo, connector: str) -> None:
        self.extended.labels(job.engine, connector).inc()

    def job_returned(self, job: JobInfo, connector: str) -> None:
        self.returned.labels(job.engine, connector).inc()
        self.in_flight.labels(job.engine, connector).dec()

    def engine_connection(self, engine: str, connected: bool) -> None:
        self.connected.labels(engine).set(1 if connected else 0)

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)
