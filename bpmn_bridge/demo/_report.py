"""The demo's output: a progress line per second and the summary table per engine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["EngineProgress", "EngineSummary", "progress_line", "summary_table"]


@dataclass(frozen=True, slots=True)
class EngineProgress:
    """One engine's state at one moment."""

    label: str
    instances: int
    ended: int
    bpmn_errors: int
    retries: int
    incidents: int


@dataclass(frozen=True, slots=True)
class EngineSummary:
    """How one engine's instances ended.

    Attributes:
        label: The engine as shown, e.g. ``Camunda 8 (Zeebe)``.
        instances: Instances started.
        completed: Instances that reached an end event.
        as_expected: Completed instances whose end variables match their order's.
        paths: Completed-as-expected instances per path through the diagram.
        bpmn_errors: BPMN errors the workers threw (each caught by the boundary event).
        retries: Failures the engine retried after its backoff.
        incidents: Incidents open at the end.
        seconds: From the first start to the last end, by the engine's clock.
        problems: Why instances did not end as expected, one line each.
    """

    label: str
    instances: int
    completed: int
    as_expected: int
    paths: Counter[str]
    bpmn_errors: int
    retries: int
    incidents: int
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        """Completed instances per second."""
        return self.completed / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        """Every instance ended as its order says, and none is stuck on an incident."""
        return self.as_expected == self.instances and not self.incidents and not self.problems


def _count(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def progress_line(elapsed: float, engines: Sequence[EngineProgress]) -> str:
    """``  2s  Camunda 8 (Zeebe): 14/20 ended, 2 BPMN errors, 1 retry, 0 incidents | ...``"""
    parts = [
        f"{e.label}: {e.ended}/{e.instances} ended, "
        f"{_count(e.bpmn_errors, 'BPMN error', 'BPMN errors')}, "
        f"{_count(e.retries, 'retry', 'retries')}, "
        f"{_count(e.incidents, 'incident', 'incidents')}"
        for e in engines
    ]
    return f"{elapsed:5.1f}s  " + " | ".join(parts)


_ROWS: tuple[tuple[str, str], ...] = (
    ("instances started", "instances"),
    ("completed", "completed"),
    ("  as expected", "as_expected"),
    ("  shipped express", "path:express"),
    ("  shipped standard", "path:standard"),
    ("  payment declined", "path:payment-declined"),
    ("  out of stock", "path:out-of-stock"),
    ("BPMN errors handled", "bpmn_errors"),
    ("retries (engine backoff)", "retries"),
    ("incidents", "incidents"),
    ("throughput (instances/s)", "throughput"),
)


def _cell(summary: EngineSummary, key: str) -> str:
    if key.startswith("path:"):
        return str(summary.paths[key.removeprefix("path:")])
    if key == "throughput":
        return f"{summary.throughput:.1f}"
    value = getattr(summary, key)
    return str(value)


def summary_table(summaries: Sequence[EngineSummary], out: TextIO) -> None:
    """Print the per-engine table, the problems found, and the verdict."""
    header = ("", *(s.label for s in summaries))
    rows = [header] + [(title, *(_cell(s, key) for s in summaries)) for title, key in _ROWS]
    widths = [max(len(row[n]) for row in rows) for n in range(len(header))]
    rule = "  ".join("-" * w for w in widths)
    print(file=out)
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells).rstrip(), file=out)
        if index == 0:
            print(rule, file=out)
    for summary in summaries:
        for problem in summary.problems:
            print(f"{summary.label}: {problem}", file=out)
    total = sum(s.instances for s in summaries)
    if all(s.ok for s in summaries):
        print(
            f"\nAll {total} instances ended as expected, on both engines, with one set of "
            "connectors.",
            file=out,
        )
    else:
        wrong = total - sum(s.as_expected for s in summaries)
        print(f"\n{wrong} of {total} instances did not end as expected.", file=out)
