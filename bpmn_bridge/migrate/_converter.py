"""What both directions of the migration share: the walk over the document and the report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bpmn_bridge.core import InvalidHeaderError, parse_standard_headers
from bpmn_bridge.migrate._report import ReportItem
from bpmn_bridge.migrate._xml import BPMN, MODELER, ext, local

__all__ = ["Converter"]


class Converter:
    """Walks every BPMN element once; subclasses convert one element at a time.

    Args:
        templates: Element template ids the target Modeler knows.
    """

    platform = ""
    platform_version = ""

    def __init__(self, templates: frozenset[str]) -> None:
        self.templates = templates
        self.report: list[ReportItem] = []

    def note(self, element: Any, what: str, why: str) -> None:
        """Record something the migration could not carry over, and why."""
        self.report.append(ReportItem(element.get("id") or local(element.tag), what, why))

    def check_headers(self, element: Any, headers: Mapping[str, str]) -> None:
        """Report a standard header the workers would refuse (e.g. FEEL outside the subset).

        Headers reach a worker only with each job; checking them here turns a bad expression
        into a finding when the diagram is migrated, not an incident in production.
        """
        try:
            parse_standard_headers(headers)
        except InvalidHeaderError as exc:
            self.note(
                element, f"header {exc.header}", f"kept, but workers refuse it: {exc.problem}"
            )

    def convert(self, root: Any) -> None:
        """Mark the document for the target platform and convert each BPMN element."""
        root.set(ext(MODELER, "executionPlatform"), self.platform)
        root.set(ext(MODELER, "executionPlatformVersion"), self.platform_version)
        for element in list(root.iter()):
            if element.tag.startswith("{" + BPMN + "}"):
                self.element(element)

    def element(self, element: Any) -> None:
        """Convert one BPMN element in place."""
        raise NotImplementedError
