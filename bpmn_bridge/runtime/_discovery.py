"""Finding connectors: ``module:attribute`` references and installed entry points."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import Any

from bpmn_bridge.core import ConfigurationError, ConnectorDefinitionError, ConnectorSpec, get_spec

__all__ = ["ENTRY_POINT_GROUP", "discover_connectors", "load_reference"]

ENTRY_POINT_GROUP = "bpmn_bridge.connectors"


def load_reference(reference: str) -> list[ConnectorSpec]:
    """Load connectors named ``package.module:attribute``.

    The attribute is a connector function or a list / tuple of them.

    Raises:
        ConfigurationError: The reference is malformed, the module or attribute does not
            exist, or it is not a connector; the message names the reference.
    """
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise ConfigurationError(
            f"Connector reference {reference!r} must look like 'package.module:attribute'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"Connector reference {reference!r}: {exc}") from exc
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ConfigurationError(
                f"Connector reference {reference!r}: {module_name} has no attribute {attribute!r}"
            ) from None
    return _specs(reference, target)


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
    items: Iterable[Callable[..., Any]] = target if isinstance(target, list | tuple) else [target]
    try:
        return [get_spec(item) for item in items]
    except ConnectorDefinitionError as exc:
        raise ConfigurationError(f"Connector reference {where}: {exc}") from None
