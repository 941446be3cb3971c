"""Every public package's ``__all__`` names exactly its public members."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = [
    "bpmn_bridge.core",
    "bpmn_bridge.adapters",
    "bpmn_bridge.runtime",
    "bpmn_bridge.testing",
    "bpmn_bridge.devengine",
    "bpmn_bridge.feel",
    "bpmn_bridge.connectors",
    "bpmn_bridge.templates",
    "bpmn_bridge.migrate",
    "bpmn_bridge.interop",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_matches_public_names(name: str) -> None:
    module = importlib.import_module(name)
    # "@py_*" names come from pytest's assertion rewriting; submodules are not members
    public = {
        member
        for member, value in vars(module).items()
        if not member.startswith(("_", "@")) and not isinstance(value, types.ModuleType)
    }
    assert set(module.__all__) == public
