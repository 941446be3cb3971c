"""Names renamed in the embedded engine keep working for one release, with a warning."""

from __future__ import annotations

import pytest

import bpmn_bridge.devengine as devengine
from bpmn_bridge.devengine import EmbeddedEngine, JobRecord, JobRecordNotFoundError


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("DevEngineCore", EmbeddedEngine),
        ("Job", JobRecord),
        ("JobNotFoundError", JobRecordNotFoundError),
    ],
)
def test_old_name_warns_and_is_the_new_one(old: str, new: type) -> None:
    with pytest.warns(DeprecationWarning, match=f"devengine.{old} is deprecated.*{new.__name__}"):
        assert getattr(devengine, old) is new


def test_old_error_name_still_catches_the_engine_error() -> None:
    with pytest.warns(DeprecationWarning):
        old_error = devengine.JobNotFoundError
    with pytest.raises(old_error, match="no such job"):
        EmbeddedEngine().get_job(1)


def test_unknown_names_are_still_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="NoSuchName"):
        devengine.NoSuchName  # noqa: B018


def test_old_engine_name_still_builds_a_working_engine() -> None:
    with pytest.warns(DeprecationWarning, match="DevEngineCore is deprecated.*EmbeddedEngine"):
        old_engine = devengine.DevEngineCore
    engine = old_engine(history_limit=1)
    assert isinstance(engine, EmbeddedEngine)
    assert engine.history_limit == 1
