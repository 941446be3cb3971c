"""Which element template ids the migrator may carry across engines."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["known_template_ids"]


def known_template_ids(extra: Iterable[str] = ()) -> frozenset[str]:
    """The built-in connectors' template ids plus ``extra``.

    bpmn-bridge gives a connector's Camunda 8 and Camunda 7 templates the same id, so a
    known id maps to itself; an unknown one (another vendor's template) does not map.
    """
    from bpmn_bridge.connectors import BUILTIN_CONNECTORS
    from bpmn_bridge.core import get_spec
    from bpmn_bridge.templates import template_id

    return frozenset({template_id(get_spec(c)) for c in BUILTIN_CONNECTORS} | set(extra))
