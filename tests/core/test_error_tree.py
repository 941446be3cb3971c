"""The exception tree drawn in bpmn_bridge.core._errors covers every deliberate error."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import bpmn_bridge
from bpmn_bridge.core import BridgeError, ConfigurationError, EngineError, _errors
from bpmn_bridge.feel import FeelError

# Exceptions that never leave their module: they steer control flow and are caught there.
INTERNAL = {"bpmn_bridge.migrate._expressions.Unconvertible"}


def _error_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(bpmn_bridge.__path__, "bpmn_bridge."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
                and not name.startswith("_")
            ):
                found[f"{info.name}.{name}"] = value
    return found


ERRORS = _error_classes()


def test_the_package_defines_errors_in_several_packages() -> None:
    packages = {name.split(".")[1] for name in ERRORS}
    assert {"core", "devengine", "feel", "connectors", "migrate"} <= packages


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_every_error_is_in_the_tree(name: str) -> None:
    error = ERRORS[name]
    if name in INTERNAL:
        return
    # FEEL stands alone (imports nothing of the project); the tree draws it as its own root.
    assert issubclass(error, BridgeError | FeelError), name


def test_the_tree_names_every_root_below_bridge_error() -> None:
    tree = _errors.__doc__ or ""
    roots = {error.__name__ for error in ERRORS.values() if BridgeError in error.__bases__}
    missing = {name for name in roots | {"FeelError"} if name not in tree}
    assert not missing


def test_errors_that_were_value_errors_still_are() -> None:
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(FeelError, ValueError)


def test_engine_error_facts_default_to_none_and_keep_the_message() -> None:
    error = EngineError("gone")
    assert (str(error), error.engine, error.action, error.status, error.job_id) == (
        "gone",
        None,
        None,
        None,
        None,
    )
