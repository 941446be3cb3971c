"""Shapes the target engine refuses whatever the extensions say, as real-world diagrams carry
them: a process or subprocess without a start event, event definitions without their
reference, element types the target does not run, tasks without an implementation.

The migration cannot repair them, so the report must name each one (``--check`` fails).
The conftest judges every migration here as well: XSD-valid output, and no refused output
with an empty report. Each test also asks the target engine, so it fails if a diagram stops
exercising a refusal.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from bpmn_bridge.migrate import MigrationResult, migrate_c7_to_c8, migrate_c8_to_c7
from tests.migrate.conftest import _camunda7_refuses
from tests.support.bpmn_validator import BpmnValidator

REFUSED = Path(__file__).parent / "diagrams" / "refused"


def _named(result: MigrationResult) -> set[str]:
    return {item.element_id for item in result.report}


def _unnamed_zeebe_refusals(result: MigrationResult, refusals: list[str]) -> list[str]:
    """Zeebe's refusals whose element (or an element around it) the report does not name."""
    root = ET.fromstring(result.xml)
    parents = {child: parent for parent in root.iter() for child in parent}
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    named = {name.rpartition("@")[2] for name in _named(result)}
    unnamed = []
    for refusal in refusals:
        who = refusal.split(": ")[0].rpartition("@")[2]
        chain, element = {who}, by_id.get(who)
        while element is not None and element in parents:
            element = parents[element]
            chain.add(element.get("id") or "")
        if not chain & named:
            unnamed.append(refusal)
    return unnamed


@pytest.mark.parametrize(
    ("diagram", "expected"),
    [
        (
            "shapes_c7.bpmn",
            {
                "noImplementation",  # a service task without an implementation
                "shout",  # a signal without signalRef
                "listen",  # a message catch without messageRef
                "tick",  # a timer catch with a cycle
                "jump",  # a link without a name
                "choose",  # a complex gateway
                "book",  # a transaction
                "multiInstanceLoopCharacteristics@each",  # nothing to iterate
                "raised",  # an escalation boundary event on a task
                "failed",  # an error end event without errorRef
            },
        ),
        ("no_start_bpmn2_c7.bpmn", {"headless", "inner", "onDemandStart"}),
        # two catch-all escalations on a user task, an escalation end event without one
        ("escalations_c7.bpmn", {"review", "catchOne", "catchTwo", "raise"}),
    ],
)
def test_camunda8_outputs_name_every_element_zeebe_refuses(
    bpmn_validator: BpmnValidator, diagram: str, expected: set[str]
) -> None:
    result = migrate_c7_to_c8((REFUSED / diagram).read_bytes())
    assert expected <= _named(result)
    (verdict,) = bpmn_validator.check([result.xml], zeebe=True)
    assert verdict.zeebe, "the diagram no longer exercises a Zeebe refusal"
    assert _unnamed_zeebe_refusals(result, verdict.zeebe) == []


@pytest.mark.parametrize(
    ("diagram", "expected"),
    [
        (
            "shapes_default_ns_c8.bpmn",
            {
                "agentLike",  # two none start events
                "tools",  # an ad-hoc subprocess
                "child",  # a call activity without a called process
                "work",  # a service task without a job type
                "split",  # an exclusive gateway no flow leaves
                "finish",  # an output on an end event
            },
        ),
    ],
)
def test_camunda7_outputs_name_what_camunda7_refuses(
    request: pytest.FixtureRequest, diagram: str, expected: set[str]
) -> None:
    result = migrate_c8_to_c7((REFUSED / diagram).read_bytes())
    assert expected <= _named(result)
    assert _camunda7_refuses(request, result.xml) is not None
    assert b"camunda:outputParameter" not in result.xml  # refused on an end event


def test_camunda7_refuses_several_timer_start_events(request: pytest.FixtureRequest) -> None:
    original = (REFUSED / "no_start_bpmn2_c7.bpmn").read_bytes()
    there = migrate_c7_to_c8(original)
    assert "twoClocks" not in _named(there)  # Camunda 8 starts a process on either timer
    back = migrate_c8_to_c7(there.xml)
    assert {"headless", "inner", "twoClocks"} <= _named(back)
    single = _without_process(back.xml, keep="twoClocks")
    assert _camunda7_refuses(request, single) is not None


def _without_process(xml: bytes, *, keep: str) -> bytes:
    root: Any = ET.fromstring(xml)
    for process in list(root):
        if process.tag.endswith("}process") and process.get("id") != keep:
            root.remove(process)
    return ET.tostring(root)


def test_camunda7_refuses_catch_all_escalations_but_not_on_a_user_task(
    request: pytest.FixtureRequest,
) -> None:
    there = migrate_c7_to_c8((REFUSED / "escalations_c7.bpmn").read_bytes())
    back = migrate_c8_to_c7(there.xml)
    named = _named(back)
    assert {"review", "raise"} <= named
    assert not {"catchOne", "catchTwo"} & named  # Camunda 7 takes them on a user task
    assert _camunda7_refuses(request, back.xml) is not None


def test_camunda7_skips_a_non_executable_process_and_zeebe_does_not(
    request: pytest.FixtureRequest,
) -> None:
    # A partner's pool, neither executable nor complete.
    original = (REFUSED / "partner_pool_c7.bpmn").read_bytes()
    there = migrate_c7_to_c8(original)
    assert {"theirs", "theirWork", "theirWait"} <= _named(there)
    back = migrate_c8_to_c7(there.xml)
    assert back.report == []
    assert _camunda7_refuses(request, back.xml) is None
