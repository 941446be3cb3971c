"""Case lists for the differential test against Camunda's FEEL engine, one module per area.

Each module here defines ``CASES``: a list whose items are an expression (no variables) or an
``(expression, variables)`` pair with JSON-like variables. Every module in this package is
picked up by ``test_against_camunda.py``; the module's name is the area the cases report under.
No expected values: Camunda's engine supplies them.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

Case = tuple[str, dict[str, Any]]


def load() -> dict[str, list[Case]]:
    """Every module's ``CASES``, by area (module name), each item as ``(source, variables)``.

    Returns:
        The cases per area, in module-name order.

    Raises:
        TypeError: a module has no ``CASES`` list, or an item is neither a string nor a pair.
    """
    areas: dict[str, list[Case]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        items = getattr(module, "CASES", None)
        if not isinstance(items, list):
            raise TypeError(f"{module.__name__} must define CASES as a list")
        areas[info.name] = [_normalise(item, module.__name__) for item in items]
    return areas


def _normalise(item: object, where: str) -> Case:
    if isinstance(item, str):
        return (item, {})
    if (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], dict)
    ):
        return (item[0], item[1])
    raise TypeError(f"{where}: a case is a string or (string, dict), got {item!r}")
