"""Writing templates to disk, one JSON file per connector and engine."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from bpmn_bridge.core import ConfigurationError, ConnectorSpec
from bpmn_bridge.templates._camunda7 import camunda7_template
from bpmn_bridge.templates._camunda8 import camunda8_template

__all__ = ["Engine", "dump_template", "write_templates"]

Engine = Literal["camunda8", "camunda7"]


def dump_template(template: dict[str, Any]) -> str:
    """Serialize a template the same way every time: sorted keys, two-space indent."""
    return json.dumps(template, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_templates(
    specs: Iterable[ConnectorSpec],
    out_dir: str | Path,
    *,
    engines: Iterable[Engine] = ("camunda8", "camunda7"),
) -> list[Path]:
    """Write element templates into ``out_dir/camunda8/<id>.json`` and ``out_dir/camunda7/...``.

    Each Modeler loads a folder of templates, so each engine gets its own.

    Args:
        specs: The connectors.
        out_dir: The folder to write into (created when missing).
        engines: Which engines' templates to write.

    Returns:
        The files written, in order.

    Raises:
        ConfigurationError: Two connectors would write the same file.
    """
    builders = {"camunda8": camunda8_template, "camunda7": camunda7_template}
    root = Path(out_dir)
    # Every template is built and checked before the first file is written: a clash found
    # halfway would leave half the output behind.
    planned: dict[Path, tuple[str, dict[str, Any]]] = {}
    spec_list: list[ConnectorSpec] = []
    for spec in specs:  # the same connector named twice is written once
        if not any(spec is known for known in spec_list):
            spec_list.append(spec)
    for engine in engines:
        for spec in spec_list:
            template = builders[engine](spec)
            path = root / engine / f"{template['id']}.json"
            if path in planned:
                raise ConfigurationError(
                    f"Connectors '{planned[path][0]}' and '{spec.type}' have the same template "
                    f"id {template['id']!r}; give one of them another id"
                )
            planned[path] = (spec.type, template)
    written: list[Path] = []
    for path, (_, template) in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_template(template), encoding="utf-8")
        written.append(path)
    return written
