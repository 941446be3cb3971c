"""``bpmn-bridge migrate``: convert a diagram between Camunda 7 and Camunda 8."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from bpmn_bridge.migrate._report import ReportItem

__all__ = ["add_arguments", "format_report", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``migrate`` options to its sub-command parser."""
    parser.add_argument("input", metavar="IN.bpmn", help="the diagram to convert")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.bpmn", help="where to write")
    parser.add_argument(
        "--to",
        choices=("camunda8", "camunda7"),
        default="camunda8",
        help="target engine (default: camunda8)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit with status 1 when anything could not be converted",
    )
    parser.add_argument("--report", metavar="REPORT.json", help="also write the report as JSON")
    parser.add_argument(
        "--template-id",
        action="append",
        default=[],
        metavar="ID",
        help="an element template id that exists for both engines (repeatable; the built-in "
        "connectors' are known)",
    )


def run(args: argparse.Namespace) -> int:
    """Convert, write the output (and report), print the report to stderr.

    Returns:
        0, or 1 with ``--check`` when the report is not empty.

    Raises:
        MigrationError: The input is unsafe or not BPMN.
    """
    from bpmn_bridge.migrate import migrate_c7_to_c8, migrate_c8_to_c7

    migrate = migrate_c7_to_c8 if args.to == "camunda8" else migrate_c8_to_c7
    result = migrate(Path(args.input).read_bytes(), template_ids=args.template_id)
    Path(args.output).write_bytes(result.xml)
    if args.report:
        items = [asdict(item) for item in result.report]
        Path(args.report).write_text(json.dumps(items, indent=2) + "\n", encoding="utf-8")
    format_report(result.report, sys.stderr)
    return 1 if args.check and result.report else 0


def format_report(report: Sequence[ReportItem], out: TextIO) -> None:
    """Print the report as an aligned table (or one line saying nothing was left)."""
    if not report:
        print("Everything converted.", file=out)
        return
    rows = [("ELEMENT", "WHAT", "WHY")] + [(i.element_id, i.what, i.why) for i in report]
    widths = [max(len(row[n]) for row in rows) for n in range(2)]
    for element_id, what, why in rows:
        print(f"{element_id:<{widths[0]}}  {what:<{widths[1]}}  {why}", file=out)
    print(f"{len(report)} item(s) not converted.", file=out)
