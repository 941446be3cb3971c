"""``bpmn-bridge templates`` as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bpmn_bridge import get_spec
from bpmn_bridge.templates import camunda7_template

from .models import everything

ROOT = Path(__file__).parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpmn_bridge.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_writes_builtin_and_referenced_connectors(tmp_path: Path) -> None:
    done = _cli(
        "templates",
        "--builtin",
        "tests.templates.models:everything",
        "--out",
        str(tmp_path),
        "--engine",
        "camunda7",
    )
    assert done.returncode == 0, done.stderr
    files = sorted(Path(line).name for line in done.stdout.split())
    assert files == [
        "io.bpmn-bridge.email-smtp.v1.json",
        "io.bpmn-bridge.http-json.v1.json",
        "io.example.everything.v2.json",
    ]
    written = json.loads((tmp_path / "camunda7" / "io.example.everything.v2.json").read_text())
    assert written == camunda7_template(get_spec(everything))
    assert not (tmp_path / "camunda8").exists()


def test_bad_reference_and_no_connector_fail_with_a_message(tmp_path: Path) -> None:
    done = _cli("templates", "tests.templates.models:nothing_here", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "nothing_here" in done.stderr
    done = _cli("templates", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "--builtin" in done.stderr
