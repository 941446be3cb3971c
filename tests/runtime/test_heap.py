"""The worker's garbage collector is set, by ``bpmn-bridge run`` before it serves."""

from __future__ import annotations

import gc
import logging
import weakref
from typing import Any

import pytest

from bpmn_bridge.cli import main
from bpmn_bridge.runtime import _cli, tune_worker_gc
from bpmn_bridge.runtime._heap import YOUNG_GENERATION_THRESHOLD


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_tuning_frees_the_garbage_freezes_the_rest_and_collects_the_young_less_often() -> None:
    kept = [[n] for n in range(1000)]  # built at "start-up", alive for good
    garbage = _Node()
    gone = weakref.ref(garbage)
    del garbage
    thresholds = gc.get_threshold()
    try:
        tune_worker_gc()
        assert gone() is None  # collected first, not frozen
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    assert gc.get_freeze_count() == 0


def test_a_higher_young_threshold_set_by_the_application_is_kept() -> None:
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD * 5, *thresholds[1:])
    try:
        tune_worker_gc()
        assert gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD * 5
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_run_tunes_the_collector_once_the_worker_is_built_and_before_it_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps: list[str] = []
    monkeypatch.setattr(_cli, "tune_worker_gc", lambda: steps.append("tune"))

    def serve(function: Any, settings: Any, runtime: Any, metrics: Any) -> None:
        steps.append(f"serve {','.join(s.type for s in runtime.connector_specs)}")

    monkeypatch.setattr(_cli.anyio, "run", serve)
    monkeypatch.setattr(_cli, "configure_logging", lambda *args, **kwargs: None)
    monkeypatch.setattr(logging.getLogger(), "handlers", logging.getLogger().handlers[:])
    argv = ["run", "--engine", "zeebe", "--zeebe-address", "127.0.0.1:1", "--zeebe-insecure"]
    assert main([*argv, "--builtin", "--ops-port", "off"]) == 0
    assert steps[0] == "tune" and steps[1].startswith("serve ") and len(steps) == 2
