"""``bpmn-bridge migrate``: convert a diagram between Camunda 7 and Camunda 8."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from bpmn_bridge.migrate._report import MigrationError, ReportItem

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

    Every path is checked before anything is written, and each file is written whole (a
    temporary file renamed into place): a bad path leaves no output behind.

    Returns:
        0, or 1 with ``--check`` when the report is not empty.

    Raises:
        MigrationError: The input is unreadable, unsafe or not BPMN, or an output folder
            does not exist (the CLI prints it as one line and exits with status 2).
    """
    from bpmn_bridge.migrate import migrate_c7_to_c8, migrate_c8_to_c7

    source = Path(args.input)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise MigrationError(f"cannot read {source}: {exc.strerror or exc}") from None
    targets = [Path(args.output)] + ([Path(args.report)] if args.report else [])
    for target in targets:
        folder = target.parent
        if target.is_dir():
            raise MigrationError(f"cannot write {target}: it is a folder")
        if not folder.is_dir():
            raise MigrationError(f"cannot write {target}: the folder {folder} does not exist")
        if not os.access(folder, os.W_OK):
            raise MigrationError(f"cannot write {target}: the folder {folder} is not writable")
    migrate = migrate_c7_to_c8 if args.to == "camunda8" else migrate_c8_to_c7
    result = migrate(data, template_ids=args.template_id)
    outputs = [result.xml]
    if args.report:
        items = [asdict(item) for item in result.report]
        outputs.append((json.dumps(items, indent=2) + "\n").encode("utf-8"))
    for target, content in zip(targets, outputs, strict=True):
        _write_whole(target, content)
    format_report(result.report, sys.stderr)
    return 1 if args.check and result.report else 0


def _write_whole(target: Path, content: bytes) -> None:
    mask = os.umask(0)
    os.umask(mask)
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o666 & ~mask)  # what a plain open() would have given it
        os.replace(temporary, target)
    except OSError as exc:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise MigrationError(f"cannot write {target}: {exc.strerror or exc}") from None


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
