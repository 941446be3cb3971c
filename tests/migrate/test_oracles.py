"""The validator peer itself: it refuses what Zeebe and the BPMN schema refuse, so the corpus
checks that rely on it can fail."""

from __future__ import annotations

from pathlib import Path

from bpmn_bridge.migrate import migrate_c7_to_c8
from tests.support.bpmn_validator import BpmnValidator

DIAGRAMS = Path(__file__).parent / "diagrams"


def test_zeebe_refuses_a_camunda7_diagram_and_accepts_its_migration(
    bpmn_validator: BpmnValidator,
) -> None:
    original = (DIAGRAMS / "order_c7.bpmn").read_bytes()
    refused, accepted = bpmn_validator.check([original, migrate_c7_to_c8(original).xml], zeebe=True)
    assert refused.schema == []
    assert refused.zeebe is not None
    assert "price: Must have exactly one 'zeebe:taskDefinition' extension element" in refused.zeebe
    assert accepted.refused == []


def test_schema_refuses_what_the_omg_xsd_forbids(bpmn_validator: BpmnValidator) -> None:
    unresolved_prefix = (
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">'
        b'<process id="p"><sequenceFlow id="f" sourceRef="p" targetRef="p">'
        b'<conditionExpression xsi:type="bpmn2:tFormalExpression">x</conditionExpression>'
        b"</sequenceFlow></process></definitions>"
    )
    wrong_child = (
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        b'targetNamespace="t"><process id="p"><task id="a"><process id="q"/></task></process>'
        b"</definitions>"
    )
    prefix, child = bpmn_validator.check([unresolved_prefix, wrong_child], zeebe=False)
    assert prefix.zeebe is None
    assert any("bpmn2:tFormalExpression" in error for error in prefix.schema)
    assert any("process" in error for error in child.schema)
