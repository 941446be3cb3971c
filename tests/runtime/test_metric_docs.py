"""docs/configuration.md lists every metric the ops endpoint serves, by its exposed name."""

from __future__ import annotations

import re
from pathlib import Path

from bpmn_bridge.runtime._metrics import Metrics

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_metric_is_documented_under_its_exposed_name() -> None:
    exposed = {
        family.name + ("_total" if family.type == "counter" else "")
        for family in Metrics().registry.collect()
    }
    documented = set(re.findall(r"^\| `(bpmn_bridge_[a-z_]+)` \|", DOCS.read_text(), re.M))
    assert documented == exposed
