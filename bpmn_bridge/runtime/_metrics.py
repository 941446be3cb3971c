"""Prometheus metrics of a runtime, by engine and connector type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bpmn_bridge.core import BpmnErrorThrown, Completed, JobInfo
from bpmn_bridge.runtime._hooks import JobFinished, RuntimeHooks

__all__ = ["Metrics"]

_LABELS = ("engine", "connector")


@dataclass(frozen=True, slots=True)
class _Series:
    """One (engine, connector) pair's children of every metric, looked up once."""

    activated: Any
    completed: Any
    failed: Any
    bpmn_errors: Any
    duration: Any
    in_flight: Any
    lost: Any


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

        # labels() validates and locks on every call: per job, look the children up once
        self._series: dict[tuple[str, str], _Series] = {}

    def _for(self, engine: str, connector: str) -> _Series:
        series = self._series.get((engine, connector))
        if series is None:
            series = self._series[(engine, connector)] = _Series(
                activated=self.activated.labels(engine, connector),
                completed=self.completed.labels(engine, connector),
                failed=self.failed.labels(engine, connector),
                bpmn_errors=self.bpmn_errors.labels(engine, connector),
                duration=self.duration.labels(engine, connector),
                in_flight=self.in_flight.labels(engine, connector),
                lost=self.lost.labels(engine, connector),
            )
        return series

    def job_activated(self, job: JobInfo, connector: str) -> None:
        series = self._for(job.engine, connector)
        series.activated.inc()
        series.in_flight.inc()

    def job_finished(self, event: JobFinished) -> None:
        series = self._for(event.job.engine, event.connector)
        series.in_flight.dec()
        series.duration.observe(event.seconds)
        if not event.reported:
            series.lost.inc()
        elif isinstance(event.outcome, Completed):
            series.completed.inc()
        elif isinstance(event.outcome, BpmnErrorThrown):
            series.bpmn_errors.inc()
        else:
            series.failed.inc()

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
