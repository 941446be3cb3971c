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
    written: list[Path] = []
    seen: dict[Path, str] = {}
    spec_list = list(specs)
    for engine in engines:
        folder = root / engine
        folder.mkdir(parents=True, exist_ok=True)
        for spec in spec_list:
            template = builders[engine](spec)
            path = folder / f"{template['id']}.json"
            if path in seen:
                raise ConfigurationError(
                    f"Connectors '{seen[path]}' and '{spec.type}' have the same template id "
                    f"{template['id']!r}"
                )
            seen[path] = spec.type
            path.write_text(dump_template(template), encoding="utf-8")
            written.append(path)
    return written
