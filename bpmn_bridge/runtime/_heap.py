"""The worker process's garbage collector, set for a worker's allocations."""

from __future__ import annotations

import gc

__all__ = ["YOUNG_GENERATION_THRESHOLD", "tune_worker_gc"]

YOUNG_GENERATION_THRESHOLD = 10_000
"""Allocations (net of frees) that set off a young-generation collection; Python's is 700."""


def tune_worker_gc() -> None:
    """Set the process's garbage collector for a worker that is done starting up.

    Two things, each measured on the embedded Zeebe gateway (``benchmarks/``):

    - **The start-up heap is frozen** (``gc.freeze``). A worker imports large libraries
      once (gRPC, pydantic, aiohttp, the user's modules) and keeps them: tens of thousands
      of objects that every full collection walked again, about 10 µs of a worker's
      ~200 µs of CPU per job. Frozen, a full collection walks only what came since.
    - **The young generation collects every** `YOUNG_GENERATION_THRESHOLD` allocations
      instead of 700. A worker keeps dozens of jobs in flight, each holding a few dozen
      objects while it runs; at 700 the collector ran every dozen jobs, scanned the jobs in
      flight each time and promoted them toward the full collections above (4 to 6 µs per
      job). Objects freed by reference counting, nearly all of a job's, never wait for it.

    Process-wide, so ``bpmn-bridge run`` calls it (the process is the worker's), once the
    worker is built and before it serves. An application that embeds ``Runtime`` decides
    for itself, after its own start-up: a frozen object is never collected, so a reference
    cycle built before the call and dropped later stays in memory (``gc.unfreeze`` and
    ``gc.set_threshold`` undo the call).
    """
    gc.collect()  # what is garbage already is freed, not frozen
    gc.freeze()
    young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(YOUNG_GENERATION_THRESHOLD, young), older, oldest)
