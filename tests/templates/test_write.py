"""write_templates: one file per connector and engine, deterministic."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bpmn_bridge import ConfigurationError, get_spec
from bpmn_bridge.connectors import http_json, send_email
from bpmn_bridge.templates import camunda8_template, write_templates


def test_writes_a_folder_per_engine(tmp_path: Path) -> None:
    written = write_templates([get_spec(http_json), get_spec(send_email)], tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "camunda8/io.bpmn-bridge.http-json.v1.json",
        "camunda8/io.bpmn-bridge.email-smtp.v1.json",
        "camunda7/io.bpmn-bridge.http-json.v1.json",
        "camunda7/io.bpmn-bridge.email-smtp.v1.json",
    ]
    loaded = json.loads(written[0].read_text(encoding="utf-8"))
    assert loaded == camunda8_template(get_spec(http_json))
    again = write_templates([get_spec(http_json)], tmp_path / "again", engines=["camunda8"])
    assert again[0].read_bytes() == written[0].read_bytes()


def test_refuses_two_connectors_with_one_id_before_writing_any(tmp_path: Path) -> None:
    spec = get_spec(http_json)
    other = dataclasses.replace(spec, name="Another")
    with pytest.raises(ConfigurationError, match="same template id"):
        write_templates([get_spec(send_email), spec, other], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_one_connector_named_twice_is_written_once(tmp_path: Path) -> None:
    written = write_templates([get_spec(http_json), get_spec(http_json)], tmp_path)
    assert [p.relative_to(tmp_path).parts[0] for p in written] == ["camunda8", "camunda7"]
