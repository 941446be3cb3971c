"""``bpmn-bridge migrate`` as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bpmn_bridge.devengine._bpmn import parse_bpmn

DIAGRAMS = Path(__file__).parent / "diagrams"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpmn_bridge.cli", "migrate", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_converts_and_passes_check_when_everything_converted(tmp_path: Path) -> None:
    out = tmp_path / "order.bpmn"
    done = _cli(str(DIAGRAMS / "order_c7.bpmn"), "-o", str(out), "--check")
    assert done.returncode == 0, done.stderr
    assert "Everything converted." in done.stderr
    assert parse_bpmn(out.read_bytes())[0].flavour == "camunda8"
    back = tmp_path / "back.bpmn"
    done = _cli(str(out), "-o", str(back), "--to", "camunda7", "--check")
    assert done.returncode == 0, done.stderr
    assert parse_bpmn(back.read_bytes())[0].flavour == "camunda7"


def test_check_fails_and_report_lists_every_item(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = _cli(
        str(DIAGRAMS / "unconvertible_c7.bpmn"),
        "-o", str(tmp_path / "out.bpmn"),
        "--check",
        "--report", str(report),
    )  # fmt: skip
    assert done.returncode == 1
    items = json.loads(report.read_text())
    assert {"element_id": "delegate", "what": "camunda:class"} in [
        {k: i[k] for k in ("element_id", "what")} for i in items
    ]
    table = done.stderr.splitlines()
    assert table[0].split()[:3] == ["ELEMENT", "WHAT", "WHY"]
    assert any(line.startswith("delegate ") and "camunda:class" in line for line in table)
    assert table[-1] == f"{len(items)} item(s) not converted."
    # Without --check the same conversion succeeds.
    assert (
        _cli(str(DIAGRAMS / "unconvertible_c7.bpmn"), "-o", str(tmp_path / "o.bpmn")).returncode
        == 0
    )


def test_hostile_input_exits_2_with_a_message(tmp_path: Path) -> None:
    hostile = tmp_path / "evil.bpmn"
    hostile.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    )
    done = _cli(str(hostile), "-o", str(tmp_path / "out.bpmn"))
    assert done.returncode == 2
    assert "rejected" in done.stderr
    assert not (tmp_path / "out.bpmn").exists()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing-input", "cannot read"),
        ("input-is-folder", "cannot read"),
        ("output-folder-missing", "does not exist"),
        ("report-folder-missing", "does not exist"),
        ("output-is-folder", "is a folder"),
    ],
)
def test_every_bad_path_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, case: str, expected: str
) -> None:
    source, out, report = DIAGRAMS / "order_c7.bpmn", tmp_path / "out.bpmn", tmp_path / "r.json"
    if case == "missing-input":
        source = tmp_path / "nope.bpmn"
    elif case == "input-is-folder":
        source = tmp_path
    elif case == "output-folder-missing":
        out = tmp_path / "no" / "out.bpmn"
    elif case == "report-folder-missing":
        report = tmp_path / "no" / "r.json"
    else:
        out = tmp_path / "folder.bpmn"
        out.mkdir()
    done = _cli(str(source), "-o", str(out), "--report", str(report))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("bpmn-bridge migrate: ") and expected in lines[0]
    left = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert left == [], left
