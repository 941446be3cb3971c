"""A misspelt setting is not ignored silently: a WARNING names the closest known one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bpmn_bridge.runtime._settings import KNOWN_SETTINGS, unknown_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_known_settings_are_the_documented_ones() -> None:
    documented = set(re.findall(r"`((?:ZEEBE|CAMUNDA7|BPMN_BRIDGE)_[A-Z0-9_]+)`", DOCS.read_text()))
    assert documented == KNOWN_SETTINGS


def test_each_unknown_name_gets_the_closest_known_one() -> None:
    env = {
        "ZEEBE_INSECURE": "true",
        "BPMN_BRIDGE_ENGINE": "zeebe",
        "CAMUNDA7_PASWORD": "x",
        "CAMUNDA7_BASE_URL": "x",
        "BPMN_BRIDGE_QQ": "x",
        "ZEEBE_ADDRESS": "known",
        "HOME": "not ours",
    }
    assert unknown_settings(env) == [
        "BPMN_BRIDGE_ENGINE is not a setting of bpmn-bridge and is ignored; did you mean "
        "BPMN_BRIDGE_ENGINES?",
        "BPMN_BRIDGE_QQ is not a setting of bpmn-bridge and is ignored; see docs/configuration.md",
        "CAMUNDA7_BASE_URL is not a setting of bpmn-bridge and is ignored; did you mean "
        "CAMUNDA7_URL?",
        "CAMUNDA7_PASWORD is not a setting of bpmn-bridge and is ignored; did you mean "
        "CAMUNDA7_PASSWORD?",
        "ZEEBE_INSECURE is not a setting of bpmn-bridge and is ignored; did you mean "
        "ZEEBE_INSECURE_CONNECTION?",
    ]


def test_the_cli_warns_before_it_does_anything(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("bpmn-bridge")), "deploy", "x.bpmn"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"ZEEBE_INSECURE": "true", "BPMN_BRIDGE_ENGINES": "zeebe", "PATH": "/usr/bin"},
        check=False,
    )
    assert done.returncode == 2
    first, last = done.stderr.splitlines()
    assert first.endswith(
        "WARNING bpmn_bridge.cli: ZEEBE_INSECURE is not a setting of bpmn-bridge and is "
        "ignored; did you mean ZEEBE_INSECURE_CONNECTION?"
    ), first
    assert last == "bpmn-bridge deploy: cannot read x.bpmn: No such file or directory"
