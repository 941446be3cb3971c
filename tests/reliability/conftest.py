"""Fixtures of the reliability suite: the engines under test and the figures printout.

Every test prints one line ``RELIABILITY {json}`` with what it measured, straight to the
terminal (past pytest's capture) so the figures can be read off a CI log.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bpmn_bridge.devengine import DevEngine
from tests.reliability.engines import Engine
from tests.support.targets import Camunda7RestTarget, Camunda8RestTarget, DevZeebeTarget

ENGINES = [
    "devengine-zeebe",
    "devengine-camunda8-rest",
    "devengine-camunda7",
    pytest.param("camunda7", marks=pytest.mark.camunda7),
]

Figures = Callable[..., None]


@pytest.fixture(params=ENGINES)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    if request.param == "camunda7":
        real = request.getfixturevalue("camunda7_engine")
        yield Engine("camunda7", Camunda7RestTarget("camunda7", real.url), None)
        return
    async with DevEngine() as dev:
        if request.param == "devengine-zeebe":
            yield Engine(request.param, DevZeebeTarget(dev), dev)
        elif request.param == "devengine-camunda8-rest":
            yield Engine(request.param, Camunda8RestTarget(dev), dev)
        else:
            yield Engine(request.param, Camunda7RestTarget(request.param, dev.camunda7_url), dev)


@pytest.fixture
def figures(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Figures:
    """``figures(**numbers)`` prints ``RELIABILITY {"test": ..., **numbers}``."""

    def report(**numbers: Any) -> None:
        line = "RELIABILITY " + json.dumps({"test": request.node.name, **numbers})
        with capsys.disabled():
            sys.stdout.write("\n" + line + "\n")
            sys.stdout.flush()

    return report
