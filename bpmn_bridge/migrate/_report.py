"""What a migration returns: the new diagram and what it could not carry over."""

from __future__ import annotations

from dataclasses import dataclass

from bpmn_bridge.core import BridgeError

__all__ = ["MigrationError", "MigrationResult", "ReportItem"]


class MigrationError(BridgeError, ValueError):
    """The input is no BPMN diagram, or unsafe XML (DTD, entities, too large)."""


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One thing the migration did not carry over as it was.

    Attributes:
        element_id: The BPMN element's id (the process or definitions id for
            diagram-level items).
        what: What it is, e.g. ``camunda:class`` or ``scriptTask``.
        why: Why it was not converted, and what to do instead.
    """

    element_id: str
    what: str
    why: str


@dataclass(frozen=True, slots=True)
class MigrationResult:
    """A migrated diagram.

    Attributes:
        xml: The converted BPMN document (UTF-8).
        report: Everything not converted, in document order; empty when all was.
    """

    xml: bytes
    report: list[ReportItem]
