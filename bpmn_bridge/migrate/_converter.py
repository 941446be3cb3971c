"""What both directions of the migration share: the walk over the document and the report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bpmn_bridge.core import InvalidHeaderError, parse_standard_headers
from bpmn_bridge.migrate._deployable import Target, refusals
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
    target: Target = "camunda8"

    def __init__(self, templates: frozenset[str]) -> None:
        self.templates = templates
        self.report: list[ReportItem] = []
        self.parents: dict[Any, Any] = {}

    def owner_id(self, element: Any) -> str:
        """The element's id, or for an id-less one its kind and the nearest id above it.

        ``multiInstanceLoopCharacteristics@approve`` names the loop of the task ``approve``.
        """
        if element.get("id"):
            return str(element.get("id"))
        current = self.parents.get(element)
        while current is not None and not current.get("id"):
            current = self.parents.get(current)
        kind = local(element.tag)
        return f"{kind}@{current.get('id')}" if current is not None else kind

    def note(self, element: Any, what: str, why: str) -> None:
        """Record something the migration could not carry over, and why."""
        self.report.append(ReportItem(self.owner_id(element), what, why))

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
        self.parents = {child: parent for parent in root.iter() for child in parent}
        for element in list(root.iter()):
            if element.tag.startswith("{" + BPMN + "}"):
                self.element(element)
        self.finish(root)
        self.deployable(root)

    def deployable(self, root: Any) -> None:
        """Report each shape the target engine refuses that no conversion step named."""
        named = {(item.element_id, item.what) for item in self.report}
        for element, what, why in refusals(root, self.target):
            if (self.owner_id(element), what) not in named:
                self.note(element, what, why)

    def finish(self, root: Any) -> None:
        """Checks over the whole converted document (references between elements)."""

    def element(self, element: Any) -> None:
        """Convert one BPMN element in place."""
        raise NotImplementedError
