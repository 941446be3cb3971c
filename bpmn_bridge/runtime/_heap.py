"""The worker process's start-up heap, kept out of the garbage collector's way."""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_heap"]


def freeze_startup_heap() -> None:
    """Leave every object built so far out of all future garbage collections.

    A worker imports large libraries once (gRPC, pydantic, aiohttp, the user's modules)
    and keeps them for its whole life: tens of thousands of objects that every full
    collection walks again. Under load the objects of the jobs in flight are promoted to
    the oldest generation while they run, which sets off a full collection every few
    thousand jobs: on the embedded Zeebe gateway that came to about 10 µs of a worker's
    ~200 µs of CPU per job (``benchmarks/bridged_workers.py``). Once frozen
    (``gc.freeze``), a full collection walks only what was made since.

    Process-wide, so ``bpmn-bridge run`` calls it (the process is the worker's), once the
    worker is built and before it serves. An application that embeds ``Runtime`` decides
    for itself, after its own start-up: a frozen object is never collected, so a reference
    cycle built before the call and dropped later stays in memory (``gc.unfreeze`` undoes
    the call).
    """
    gc.collect()  # what is garbage already is freed, not frozen
    gc.freeze()
