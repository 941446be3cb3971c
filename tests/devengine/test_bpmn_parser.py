"""The BPMN subset: what deploys, what is rejected (naming element id and type), and
hostile documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmn_bridge.devengine import BpmnModelError
from bpmn_bridge.devengine._bpmn import parse_bpmn
from bpmn_bridge.devengine._graph import NodeKind

BPMN_DIR = Path(__file__).parent / "bpmn"

HEAD = (
    '<?xml version="1.0"?>\n<bpmn:definitions '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">'
)


def model(body: str, process_id: str = "p") -> str:
    process = f'<bpmn:process id="{process_id}" isExecutable="true">{body}</bpmn:process>'
    return f"{HEAD}{process}</bpmn:definitions>"


START = '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="x"/>'


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda p: p.name)
def test_fixture_models_parse(path: Path) -> None:
    graphs = parse_bpmn(path.read_bytes())
    assert graphs[0].flavour == "camunda8"
    assert graphs[0].nodes[graphs[0].start_node].kind is NodeKind.START_EVENT


def test_task_definition_headers_and_default_retries() -> None:
    (graph,) = parse_bpmn((BPMN_DIR / "one_task.bpmn").read_bytes())
    task = graph.nodes["work"].task
    assert task is not None
    assert (task.type, task.retries, dict(task.headers)) == ("work", 3, {"kind": "demo"})


def test_zeebe_io_mapping_source_without_equals_is_a_static_string() -> None:
    # As on Zeebe: what the Modeler writes for a plain text field of an element template.
    xml = model(
        START.replace('targetRef="x"', 'targetRef="t"')
        + '<bpmn:serviceTask id="t"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="work"/><zeebe:ioMapping>'
        '<zeebe:input source="{{secrets.KEY}}" target="key"/>'
        '<zeebe:input source="25" target="port"/>'
        '<zeebe:input source="=1 + 1" target="sum"/>'
        "</zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>"
        '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    (graph,) = parse_bpmn(xml)
    task = graph.nodes["t"].task
    assert task is not None
    values = {m.target: m.source({}) for m in task.inputs}
    assert values == {"key": "{{secrets.KEY}}", "port": "25", "sum": 2}


def test_camunda7_external_task_flavour() -> None:
    xml = model(
        START.replace('targetRef="x"', 'targetRef="t"')
        + '<bpmn:serviceTask id="t" camunda:type="external" camunda:topic="mail">'
        "<bpmn:extensionElements><camunda:properties>"
        '<camunda:property name="owner" value="ops"/></camunda:properties>'
        '<camunda:inputOutput><camunda:inputParameter name="to">${customer.email}'
        "</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>"
        "</bpmn:serviceTask>"
        '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    (graph,) = parse_bpmn(xml)
    task = graph.nodes["t"].task
    assert task is not None
    assert graph.flavour == "camunda7"
    assert (task.type, task.retries, dict(task.extension_properties)) == (
        "mail",
        None,
        {"owner": "ops"},
    )
    assert task.inputs[0].source({"customer": {"email": "a@b.c"}}) == "a@b.c"


@pytest.mark.parametrize(
    ("element", "element_id", "element_type"),
    [
        ('<bpmn:userTask id="x"/>', "x", "userTask"),
        ('<bpmn:scriptTask id="x"/>', "x", "scriptTask"),
        ('<bpmn:subProcess id="x"/>', "x", "subProcess"),
        ('<bpmn:inclusiveGateway id="x"/>', "x", "inclusiveGateway"),
        (
            '<bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition/>'
            "</bpmn:intermediateCatchEvent>",
            "x",
            "intermediateCatchEvent",
        ),
        (
            '<bpmn:endEvent id="x"><bpmn:messageEventDefinition/></bpmn:endEvent>',
            "x",
            "endEvent",
        ),
        (
            '<bpmn:serviceTask id="x" camunda:class="com.acme.Delegate"/>',
            "x",
            "serviceTask",
        ),
        (
            '<bpmn:serviceTask id="x"><bpmn:extensionElements>'
            '<zeebe:taskDefinition type="t"/></bpmn:extensionElements>'
            "<bpmn:multiInstanceLoopCharacteristics/></bpmn:serviceTask>",
            "x",
            "serviceTask",
        ),
    ],
)
def test_unsupported_elements_are_rejected_by_id_and_type(
    element: str, element_id: str, element_type: str
) -> None:
    with pytest.raises(BpmnModelError) as info:
        parse_bpmn(model(START + element))
    assert info.value.element_id == element_id
    assert info.value.element_type == element_type
    assert element_id in str(info.value) and element_type in str(info.value)


def test_timer_start_event_is_rejected() -> None:
    with pytest.raises(BpmnModelError, match="startEvent") as info:
        parse_bpmn(model('<bpmn:startEvent id="ts"><bpmn:timerEventDefinition/></bpmn:startEvent>'))
    assert info.value.element_id == "ts"


def test_unsupported_juel_is_rejected_naming_the_flow() -> None:
    xml = model(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>'
        '<bpmn:exclusiveGateway id="g"/>'
        '<bpmn:sequenceFlow id="cond" sourceRef="g" targetRef="e">'
        "<bpmn:conditionExpression>${execution.getVariable('x')}</bpmn:conditionExpression>"
        '</bpmn:sequenceFlow><bpmn:endEvent id="e"/>'
    )
    with pytest.raises(BpmnModelError) as info:
        parse_bpmn(xml)
    assert (info.value.element_id, info.value.element_type) == ("cond", "sequenceFlow")


def test_invalid_feel_condition_is_rejected_naming_the_flow() -> None:
    xml = model(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>'
        '<bpmn:exclusiveGateway id="g"/>'
        '<bpmn:sequenceFlow id="cond" sourceRef="g" targetRef="e">'
        "<bpmn:conditionExpression>=x &gt; (</bpmn:conditionExpression>"
        '</bpmn:sequenceFlow><bpmn:endEvent id="e"/>'
    )
    with pytest.raises(BpmnModelError) as info:
        parse_bpmn(xml)
    assert info.value.element_id == "cond"


def test_dangling_sequence_flow_is_rejected() -> None:
    with pytest.raises(BpmnModelError, match="unknown element 'nowhere'"):
        parse_bpmn(
            model(
                '<bpmn:startEvent id="s"/>'
                '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>'
            )
        )


def test_missing_start_event_is_rejected() -> None:
    with pytest.raises(BpmnModelError, match="none start event"):
        parse_bpmn(model('<bpmn:endEvent id="e"/>'))


# ----------------------------------------------------------------- hostile input


def test_external_entity_is_rejected() -> None:
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        '<bpmn:process id="p" name="&xxe;"/></bpmn:definitions>'
    )
    with pytest.raises(BpmnModelError, match="rejected"):
        parse_bpmn(xml)


def test_billion_laughs_is_rejected() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [{entities}]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        '<bpmn:process id="p" name="&lol9;"/></bpmn:definitions>'
    )
    with pytest.raises(BpmnModelError, match="rejected"):
        parse_bpmn(xml)


def test_oversized_document_is_rejected_before_parsing() -> None:
    xml = model("<!--" + "x" * 2048 + "-->")
    with pytest.raises(BpmnModelError, match="larger than the limit of 1024 bytes"):
        parse_bpmn(xml, max_bytes=1024)


def test_broken_xml_is_a_model_error() -> None:
    with pytest.raises(BpmnModelError, match="not well-formed"):
        parse_bpmn(b"<bpmn:definitions")


def test_non_bpmn_root_is_rejected() -> None:
    with pytest.raises(BpmnModelError, match="definitions"):
        parse_bpmn(b"<html/>")
