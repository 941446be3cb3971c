"""Diagram migration between Camunda 7 and Camunda 8, for what both can express.

:func:`migrate_c7_to_c8` and :func:`migrate_c8_to_c7` convert external tasks / job
workers, headers, input/output mappings (JUEL ⇄ FEEL), gateway conditions, retries and
bpmn-bridge element templates. Whatever they cannot convert is removed from the output
and named in the report (element id, what, why) — never dropped silently. docs/migrate.md
lists the rules.
"""

from bpmn_bridge.migrate._report import MigrationError, MigrationResult, ReportItem
from bpmn_bridge.migrate._to_camunda7 import migrate_c8_to_c7
from bpmn_bridge.migrate._to_camunda8 import migrate_c7_to_c8

__all__ = [
    "MigrationError",
    "MigrationResult",
    "ReportItem",
    "migrate_c7_to_c8",
    "migrate_c8_to_c7",
]
