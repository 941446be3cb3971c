"""The test kit's renamed names keep working for one release, with a warning."""

from __future__ import annotations

import pytest

import bpmn_bridge.testing as testing
from bpmn_bridge.testing import InMemoryAdapter


def test_in_memory_engine_warns_and_is_the_adapter() -> None:
    with pytest.warns(DeprecationWarning, match="InMemoryEngine is deprecated.*InMemoryAdapter"):
        old = testing.InMemoryEngine
    assert old is InMemoryAdapter
    assert old("zeebe").name == "zeebe"


def test_unknown_names_are_still_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="NoSuchName"):
        testing.NoSuchName  # noqa: B018


def test_the_old_fixture_name_warns_and_gives_an_adapter(request: pytest.FixtureRequest) -> None:
    with pytest.warns(DeprecationWarning, match="in_memory_engine fixture is deprecated"):
        adapter = request.getfixturevalue("in_memory_engine")
    assert isinstance(adapter, InMemoryAdapter)
