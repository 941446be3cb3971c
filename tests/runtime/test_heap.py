"""The worker's start-up heap is frozen, by ``bpmn-bridge run`` before it serves."""

from __future__ import annotations

import gc
import logging
import weakref
from typing import Any

import pytest

from bpmn_bridge.cli import main
from bpmn_bridge.runtime import _cli, freeze_startup_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_freezing_frees_the_garbage_and_leaves_the_rest_out_of_later_collections() -> None:
    kept = [[n] for n in range(1000)]  # built at "start-up", alive for good
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    try:
        freeze_startup_heap()
        assert gone() is None  # collected first, not frozen
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


def test_run_freezes_the_heap_once_the_worker_is_built_and_before_it_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps: list[str] = []
    monkeypatch.setattr(_cli, "freeze_startup_heap", lambda: steps.append("freeze"))

    def serve(function: Any, settings: Any, runtime: Any, metrics: Any) -> None:
        steps.append(f"serve {','.join(s.type for s in runtime.connector_specs)}")

    monkeypatch.setattr(_cli.anyio, "run", serve)
    monkeypatch.setattr(_cli, "configure_logging", lambda *args, **kwargs: None)
    monkeypatch.setattr(logging.getLogger(), "handlers", logging.getLogger().handlers[:])
    argv = ["run", "--engine", "zeebe", "--zeebe-address", "127.0.0.1:1", "--zeebe-insecure"]
    assert main([*argv, "--builtin", "--ops-port", "off"]) == 0
    assert steps[0] == "freeze" and steps[1].startswith("serve ") and len(steps) == 2
