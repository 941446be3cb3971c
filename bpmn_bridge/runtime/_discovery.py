"""Finding connectors: ``module:attribute`` references and installed entry points.

A reference may also name a pyzeebe ``ZeebeTaskRouter`` / ``ZeebeWorker`` (each task is
served as it is, see :mod:`bpmn_bridge.interop`), and ``TOPIC=module:attribute`` names a
handler written for camunda-external-task-client-python3.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

from bpmn_bridge.core import ConfigurationError, ConnectorDefinitionError, ConnectorSpec, get_spec

__all__ = [
    "ENTRY_POINT_GROUP",
    "connector_specs",
    "discover_connectors",
    "load_external_task",
    "load_reference",
]

ENTRY_POINT_GROUP = "bpmn_bridge.connectors"


def load_reference(reference: str) -> list[ConnectorSpec]:
    """Load connectors named ``package.module:attribute``.

    The attribute is a connector function, a pyzeebe ``ZeebeTaskRouter`` or
    ``ZeebeWorker``, or a list / tuple of them.

    Raises:
        ConfigurationError: The reference is malformed, the module or attribute does not
            exist, or it is not a connector; the message names the reference.
    """
    return _specs(reference, _load(reference, "Connector reference"))


def load_external_task(assignment: str) -> ConnectorSpec:
    """Load an external-task handler named ``TOPIC=package.module:attribute``.

    The attribute is a handler written for camunda-external-task-client-python3
    (``def handle(task: ExternalTask) -> TaskResult``); it serves ``TOPIC`` on every engine.

    Raises:
        ConfigurationError: The assignment is malformed, the handler cannot be loaded, or it
            cannot be served; the message names the assignment.
    """
    topic, equals, reference = assignment.partition("=")
    if not equals or not topic.strip() or not reference.strip():
        raise ConfigurationError(
            f"External task {assignment!r} must look like 'TOPIC=package.module:attribute'"
        )
    handler = _load(reference.strip(), f"External task {topic.strip()!r}")
    from bpmn_bridge.interop import from_external_task_handler

    return from_external_task_handler(topic.strip(), handler)


def connector_specs(target: Any, *, where: str = "") -> list[ConnectorSpec]:
    """The specs a runtime serves for one thing it was given.

    Args:
        target: A ``@connector`` function, a :class:`ConnectorSpec`, a pyzeebe
            ``ZeebeTaskRouter`` / ``ZeebeWorker``, or a list / tuple of these.
        where: Where it came from, for error messages.

    Raises:
        ConnectorDefinitionError: A function is not a connector.
        ConfigurationError: A pyzeebe app cannot be served as it is.
    """
    if isinstance(target, ConnectorSpec):
        return [target]
    if isinstance(target, list | tuple):
        return [spec for item in target for spec in connector_specs(item, where=where)]
    # only an app built with pyzeebe can be one: no import of it for those who never do
    if "pyzeebe" in sys.modules:
        from bpmn_bridge.interop import from_pyzeebe, is_pyzeebe_app

        if is_pyzeebe_app(target):
            return from_pyzeebe(target, where=where)
    return [get_spec(target)]


def _load(reference: str, what: str) -> Any:
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(f"{what} {reference!r} must look like 'package.module:attribute'")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module_name + ".").startswith(exc.name + "."):
            raise ConfigurationError(
                f"{what} {reference!r}: there is no module {exc.name!r} (references are "
                "found from the current folder and the installed packages)"
            ) from exc
        raise ConfigurationError(_failed_import(what, reference, module_name, exc)) from exc
    except Exception as exc:
        # the user's module was found and raised while importing: say so, and where
        raise ConfigurationError(_failed_import(what, reference, module_name, exc)) from exc
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ConfigurationError(
                f"{what} {reference!r}: {module_name} has no attribute {attribute!r}"
            ) from None
    return target


def _failed_import(what: str, reference: str, module_name: str, exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    # the innermost frame outside the import machinery: the line of the user's code
    own = [f for f in frames if "importlib" not in f.filename]
    if isinstance(exc, SyntaxError) and exc.filename:
        place = f" ({exc.filename}, line {exc.lineno})"
    elif own:
        place = f" ({own[-1].filename}, line {own[-1].lineno})"
    else:
        place = ""
    return (
        f"{what} {reference!r}: importing {module_name} failed{place}: {type(exc).__name__}: {exc}"
    )


def discover_connectors(
    references: Iterable[str] = (), *, entry_point_group: str | None = ENTRY_POINT_GROUP
) -> list[ConnectorSpec]:
    """Load connectors by reference and, unless disabled, from installed entry points.

    Args:
        references: ``module:attribute`` references.
        entry_point_group: The entry-point group to scan; None scans none.

    Returns:
        The connectors' specs, in the order found, without duplicates of one function.
    """
    found: list[ConnectorSpec] = []
    for reference in references:
        found.extend(load_reference(reference))
    if entry_point_group:
        for entry in entry_points(group=entry_point_group):
            try:
                target = entry.load()
            except Exception as exc:
                raise ConfigurationError(
                    f"Entry point {entry.name!r} in {entry_point_group!r} failed to load: {exc}"
                ) from exc
            found.extend(_specs(f"entry point {entry.name!r}", target))
    unique: dict[int, ConnectorSpec] = {}
    for spec in found:
        unique.setdefault(id(spec.function), spec)
    return list(unique.values())


def _specs(where: str, target: Any) -> list[ConnectorSpec]:
    try:
        return connector_specs(target, where=where)
    except ConnectorDefinitionError as exc:
        raise ConfigurationError(f"Connector reference {where}: {exc}") from None
