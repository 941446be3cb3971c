"""What each Camunda 7 construct becomes on Camunda 8 and back (the corpus test checks that
the engines accept the results; these check that they mean the same)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from bpmn_bridge.migrate import migrate_c7_to_c8, migrate_c8_to_c7

DIAGRAMS = Path(__file__).parent / "diagrams"
Z = "{http://camunda.org/schema/zeebe/1.0}"
C = "{http://camunda.org/schema/1.0/bpmn}"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _c8(name: str) -> tuple[Any, set[tuple[str, str]]]:
    result = migrate_c7_to_c8((DIAGRAMS / "c7" / name).read_bytes())
    return ET.fromstring(result.xml), {(i.element_id, i.what) for i in result.report}


def _c7(name: str) -> tuple[Any, set[tuple[str, str]]]:
    result = migrate_c8_to_c7((DIAGRAMS / "c8" / name).read_bytes())
    return ET.fromstring(result.xml), {(i.element_id, i.what) for i in result.report}


def _by_id(root: Any, element_id: str) -> Any:
    found = root.find(f".//*[@id='{element_id}']")
    assert found is not None, element_id
    return found


def _attrs(element: Any, tag: str) -> dict[str, str]:
    found = element.find(f".//{tag}")
    assert found is not None, tag
    return dict(found.attrib)


def test_call_activities_pass_what_camunda7_passed() -> None:
    root, report = _c8("call_activity_modeler.bpmn")
    everything = _by_id(root, "Activity_all")
    assert _attrs(everything, f"{Z}calledElement") == {
        "processId": "call_child",
        "bindingType": "versionTag",
        "versionTag": "v1",
        "propagateAllParentVariables": "true",
        "propagateAllChildVariables": "true",
    }
    some = _by_id(root, "Activity_some")
    called = _attrs(some, f"{Z}calledElement")
    assert called["processId"] == "=childProcess"
    assert called["propagateAllParentVariables"] == "false"
    assert called["propagateAllChildVariables"] == "false"
    inputs = {i.get("target"): i.get("source") for i in some.iter(f"{Z}input")}
    assert inputs == {
        "order": "=order",
        "total": "=order.total",
        "channel": '="web"',
        "retriesLeft": "=3",
    }
    outputs = {i.get("target"): i.get("source") for i in some.iter(f"{Z}output")}
    assert outputs == {"shippingLabel": "=label", "labelCopy": "=label"}
    assert ("Activity_some", "camunda:in businessKey") in report
    assert "calledElement" not in some.attrib


def test_call_activity_inputs_go_back_as_camunda_in_not_local_parameters() -> None:
    root, _ = _c7("constructs_handmade.bpmn")
    ship = _by_id(root, "callShip")
    assert ship.get("calledElement") == "shipping"
    ins = [dict(e.attrib) for e in ship.iter(f"{C}in")]
    assert ins == [
        {"source": "order", "target": "order"},
        {"sourceExpression": "${order.total > 100}", "target": "priority"},
    ]
    assert [dict(e.attrib) for e in ship.iter(f"{C}out")] == [
        {"source": "trackingId", "target": "tracking"}
    ]
    assert ship.find(f".//{C}inputOutput") is None
    audit = _by_id(root, "callAudit")
    assert audit.get("calledElement") == "${auditProcess}"
    assert [e.get("variables") for e in audit.iter() if e.tag in (f"{C}in", f"{C}out")] == [
        "all",
        "all",
    ]


def test_multi_instance_collection_cardinality_and_completion() -> None:
    root, _ = _c8("multi_instance_bpmn2.bpmn")
    each = _by_id(root, "notifyEach")
    assert _attrs(each, f"{Z}loopCharacteristics") == {
        "inputCollection": "=order.recipients",
        "inputElement": "recipient",
    }
    assert each.findtext(f".//{B}completionCondition") == (
        "=(numberOfCompletedInstances >= 2) and (numberOfInstances > 0)"
    )
    assert _attrs(_by_id(root, "checkEach"), f"{Z}loopCharacteristics") == {
        "inputCollection": "=items",
        "inputElement": "item",
    }
    thrice = _by_id(root, "pingThrice")
    assert _attrs(thrice, f"{Z}loopCharacteristics") == {
        "inputCollection": "=for i in 1..3 return i"
    }
    assert thrice.find(f".//{B}loopCardinality") is None
    back = ET.fromstring(migrate_c8_to_c7(ET.tostring(root)).xml)
    assert _by_id(back, "pingN").findtext(f".//{B}loopCardinality") == "${order.parcels}"
    loop = _by_id(back, "notifyEach").find(f"{B}multiInstanceLoopCharacteristics")
    assert loop.get(f"{C}collection") == "${order.recipients}"
    assert loop.findtext(f"{B}completionCondition") == (
        "${(nrOfCompletedInstances >= 2) && (nrOfInstances > 0)}"
    )


def test_user_tasks_assignment_schedule_forms() -> None:
    root, report = _c8("user_tasks_default_ns.bpmn")
    review = _by_id(root, "review")
    assert review.find(f".//{Z}userTask") is not None
    assert _attrs(review, f"{Z}assignmentDefinition") == {
        "assignee": "=initiator",
        "candidateUsers": "anna,ben",
        "candidateGroups": "accounting, sales",
    }
    assert _attrs(review, f"{Z}taskSchedule") == {
        "dueDate": "=dueAt",
        "followUpDate": "2026-12-24T10:00:00Z",
    }
    assert _attrs(review, f"{Z}formDefinition") == {
        "formId": "review-form",
        "bindingType": "deployment",
    }
    assert _attrs(review, f"{Z}priorityDefinition") == {"priority": "80"}
    assert _attrs(_by_id(root, "approve"), f"{Z}formDefinition") == {
        "externalReference": "embedded:app:forms/approve.html"
    }
    assert ("approve", "camunda:formKey embedded:app:forms/approve.html") in report
    back, _ = _c7("constructs_handmade.bpmn")
    task = _by_id(back, "review")
    assert task.get(f"{C}assignee") == "${order.owner}"
    assert task.get(f"{C}candidateGroups") == "sales,finance"
    assert task.get(f"{C}formRef") == "review-form"
    assert task.get(f"{C}formRefBinding") == "latest"


def test_decisions_code_scripts_and_listeners() -> None:
    root, report = _c8("rules_scripts_listeners.bpmn")
    assert _attrs(_by_id(root, "decide"), f"{Z}calledDecision") == {
        "decisionId": "discount",
        "resultVariable": "discount",
        "bindingType": "versionTag",
        "versionTag": "2026",
    }
    risk = _attrs(_by_id(root, "risk"), f"{Z}calledDecision")
    assert risk == {"decisionId": "risk", "resultVariable": "decisionResult"}
    assert ("risk", "camunda:mapDecisionResult=resultList") in report
    charge = _by_id(root, "charge")
    assert _attrs(charge, f"{Z}taskDefinition") == {"type": "camunda-7-adapter", "retries": "5"}
    headers = {h.get("key"): h.get("value") for h in charge.iter(f"{Z}header")}
    assert headers == {"class": "com.example.Charge", "retryBackoff": "PT1M"}
    assert _attrs(charge, f"{Z}executionListener") == {
        "eventType": "end",
        "type": "com.example.Audit",
    }
    bean = {h.get("key"): h.get("value") for h in _by_id(root, "bean").iter(f"{Z}header")}
    assert bean == {"delegateExpression": "${invoiceSender}", "retryBackoff": "PT1M"}
    assert _attrs(_by_id(root, "bean"), f"{Z}taskDefinition")["retries"] == "3"
    assert ("bean", "camunda:failedJobRetryTimeCycle PT1M,PT5M,PT30M") in report
    assert _attrs(_by_id(root, "feelScript"), f"{Z}script") == {
        "expression": "=price * 1.19",
        "resultVariable": "total",
    }
    # Zeebe 8.5 runs listeners on service tasks only: the start event's is reported.
    assert ("start", "camunda:executionListener start") in report
    assert _by_id(root, "start").find(f".//{Z}executionListener") is None


def test_messages_timers_and_events() -> None:
    root, report = _c8("messages_timers_events.bpmn")
    paid = _by_id(root, "paid")
    assert _attrs(paid, f"{Z}subscription") == {"correlationKey": "=businessKey"}
    assert ("paid", "zeebe:subscription correlationKey =businessKey") in report
    assert _by_id(root, "kickoff").find(f".//{Z}subscription") is None  # a process start
    assert _by_id(root, "cancelled").get("name") == '="order-cancelled-" + string(orderId)'
    assert _by_id(root, "cancelled").find(f".//{Z}subscription") is not None  # event subprocess
    assert _attrs(_by_id(root, "notify"), f"{Z}taskDefinition") == {"type": "notify"}
    assert _attrs(_by_id(root, "done"), f"{Z}taskDefinition") == {"type": "confirm"}
    announce = _by_id(root, "announce")
    assert _attrs(announce, f"{Z}taskDefinition") == {"type": "camunda-7-adapter"}
    silent = _by_id(root, "silent")
    assert silent.find(f"{B}messageEventDefinition") is None
    assert ("silent", "messageEventDefinition") in report
    assert _by_id(root, "shipTimeout").findtext(f".//{B}timeDuration") == "=shipDeadline"
    assert _by_id(root, "nightly").findtext(f".//{B}timeCycle") == "0 0 2 ? * MON-FRI"
    assert ("work", "conditional sequence flow") in report
    gateway = _by_id(root, "work_conditions")
    assert gateway.tag == f"{B}inclusiveGateway"
    assert _by_id(root, "t2").get("sourceRef") == "work_conditions"
    assert _by_id(root, "t3").findtext(f"{B}conditionExpression") == "=true"
    assert _by_id(root, "work_to_conditions").get("targetRef") == "work_conditions"
    assert [e.text for e in _by_id(root, "work").findall(f"{B}outgoing")] == ["work_to_conditions"]
    once = _by_id(root, "once")
    assert once.findtext(f".//{B}timeCycle") == "R1/PT1H"
    assert once.find(f".//{B}timeDuration") is None
    assert ("once", "timeDuration PT1H on a process start") in report
    ready = _by_id(root, "waitReady")
    assert ready.tag == f"{B}intermediateThrowEvent"
    assert ("waitReady", "conditionalEventDefinition") in report


@pytest.mark.parametrize(
    ("cycle", "converted", "reported"),
    [
        ("0 0 2 ? * MON-FRI *", "0 0 2 ? * MON-FRI", False),
        ("0 0 2 ? * MON-FRI 2027", "0 0 2 ? * MON-FRI 2027", True),
        ("R3/PT10M", "R3/PT10M", False),
        ("${cycle}", "=cycle", False),
    ],
)
def test_quartz_cron_and_cycle_expressions(cycle: str, converted: str, reported: bool) -> None:
    xml = (DIAGRAMS / "c7" / "messages_timers_events.bpmn").read_text()
    xml = xml.replace("0 0 2 ? * MON-FRI", cycle)
    result = migrate_c7_to_c8(xml)
    nightly = _by_id(ET.fromstring(result.xml), "nightly")
    assert nightly.findtext(f".//{B}timeCycle") == converted
    assert any(i.what.startswith("timeCycle") for i in result.report) is reported


def test_items_on_id_less_elements_name_their_owner() -> None:
    xml = (DIAGRAMS / "c7" / "multi_instance_bpmn2.bpmn").read_text()
    xml = xml.replace(
        'camunda:collection="items"', 'camunda:asyncBefore="true" camunda:collection="items"'
    )
    result = migrate_c7_to_c8(xml)
    assert ("multiInstanceLoopCharacteristics@checkEach", "camunda:asyncBefore") in {
        (i.element_id, i.what) for i in result.report
    }


def test_hand_made_flow_references_and_signal_names() -> None:
    root, _ = _c8("events_collaboration_bpmn2.bpmn")
    gateway = _by_id(root, "evgw")
    assert [e.text for e in gateway.findall(f"{B}outgoing")] == ["f10", "f11"]
    assert [e.text for e in gateway.findall(f"{B}incoming")] == ["f9"]
    assert gateway[0].tag == f"{B}incoming"  # the schema's order
    assert _by_id(root, "sig").get("name") == '="alarm-" + string(region)'
    back = ET.fromstring(migrate_c8_to_c7(ET.tostring(root)).xml)
    assert _by_id(back, "sig").get("name") == "alarm-${region}"


def test_feel_outside_the_juel_subset_stays_feel_on_camunda7() -> None:
    root, report = _c7("constructs_handmade.bpmn")
    condition = _by_id(root, "n2").find(f"{B}conditionExpression")
    assert condition is not None
    assert (condition.get("language"), condition.text) == ("feel", "count(items) > 1")
    parameters = {p.get("name"): p for p in _by_id(root, "notifyAll").iter(f"{C}inputParameter")}
    script = parameters["recipientCount"].find(f"{C}script")
    assert script is not None
    assert (script.get("scriptFormat"), script.text) == ("feel", "count(order.recipients)")
    # A static Zeebe value is text: "${" in it would become JUEL on Camunda 7.
    assert "plain" not in parameters
    assert ("notifyAll", "zeebe:input plain") in report
    again = ET.fromstring(migrate_c7_to_c8(ET.tostring(root)).xml)
    inputs = {
        i.get("target"): i.get("source") for i in _by_id(again, "notifyAll").iter(f"{Z}input")
    }
    assert inputs["recipientCount"] == "=count(order.recipients)"
    assert _by_id(again, "n2").findtext(f"{B}conditionExpression") == "=count(items) > 1"


def test_numbers_read_the_same_in_feel_and_juel() -> None:
    root, _ = _c8("gateways_bpmn2_handmade.bpmn")
    assert _by_id(root, "toTiny").findtext(f"{B}conditionExpression") == "=amount < 0.00001"
    assert _by_id(root, "toHuge").findtext(f"{B}conditionExpression") == (
        "=(amount >= 100000000000000000000) or (amount = 12345678901234567890.125)"
    )
    # The XSD type keeps a prefix the output declares.
    condition = _by_id(root, "toTiny").find(f"{B}conditionExpression")
    assert condition is not None
    assert condition.get("{http://www.w3.org/2001/XMLSchema-instance}type") == (
        "bpmn:tFormalExpression"
    )
    result = migrate_c8_to_c7(ET.tostring(root))
    back = ET.fromstring(result.xml)
    # JUEL reads 0.00001 as the same double; ...890.125 has no exact double, so rather than
    # round it the condition stays FEEL, which Camunda 7 evaluates itself.
    assert _by_id(back, "toTiny").findtext(f"{B}conditionExpression") == "${amount < 1e-05}"
    huge = _by_id(back, "toHuge").find(f"{B}conditionExpression")
    assert huge is not None
    assert (huge.get("language"), huge.text) == (
        "feel",
        "(amount >= 100000000000000000000) or (amount = 12345678901234567890.125)",
    )
