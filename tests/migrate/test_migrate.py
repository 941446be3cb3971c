"""Migration: the converted diagram runs like the original; the rest is reported."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from bpmn_bridge.devengine import ActivatedJob, EmbeddedEngine, InstanceState, JobFilter, _juel
from bpmn_bridge.devengine._bpmn import parse_bpmn
from bpmn_bridge.migrate import MigrationError, migrate_c7_to_c8, migrate_c8_to_c7

DIAGRAMS = Path(__file__).parent / "diagrams"
ORDER = (DIAGRAMS / "order_c7.bpmn").read_bytes()
UNCONVERTIBLE = (DIAGRAMS / "unconvertible_c7.bpmn").read_bytes()
Z = "{http://camunda.org/schema/zeebe/1.0}"
C = "{http://camunda.org/schema/1.0/bpmn}"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

Worker = Callable[[Mapping[str, Any], Mapping[str, str]], dict[str, Any]]
WORKERS: dict[str, Worker] = {
    "price": lambda v, h: {
        "amount": v["quantity"] * 30,
        "priced": f"{v['label']} via {v['channel']} in {h['currency']}",
    },
    "approve": lambda v, h: {"approved": True},
    "ship": lambda v, h: {"shipped": True},
}


async def _run(xml: bytes, variables: dict[str, Any]) -> tuple[dict[str, Any], list[ActivatedJob]]:
    """Deploy, start, complete every job with WORKERS, return end variables and the jobs."""
    engine = EmbeddedEngine()
    engine.deploy({"order.bpmn": xml})
    instance = engine.start_instance("order", variables=variables)
    seen: list[ActivatedJob] = []
    while engine.get_instance(instance.key).ended_state is None:
        filters = [JobFilter(type=t, lock_duration=60) for t in WORKERS]
        jobs = await engine.activate_jobs(filters, worker="test", max_jobs=10)
        assert jobs, "the instance waits for something no worker serves"
        for job in jobs:
            seen.append(job)
            headers = {**job.extension_properties, **job.custom_headers}
            result = WORKERS[job.type](job.plain_variables(), headers)
            engine.complete_job(job.key, variables=result)
    ended = engine.get_instance(instance.key)
    assert ended.ended_state is InstanceState.COMPLETED
    return {k: v.plain() for k, v in ended.variables.items()}, seen


@pytest.mark.parametrize("quantity", [5, 2], ids=["approval-path", "direct-path"])
async def test_migrated_diagram_runs_like_the_original(quantity: int) -> None:
    start = {"order": {"sku": "A1", "quantity": quantity}, "vip": False}
    migrated = migrate_c7_to_c8(ORDER)
    assert migrated.report == []
    assert parse_bpmn(migrated.xml)[0].flavour == "camunda8"

    original_vars, original_jobs = await _run(ORDER, start)
    migrated_vars, migrated_jobs = await _run(migrated.xml, start)

    assert migrated_vars == original_vars
    assert [j.element_id for j in migrated_jobs] == [j.element_id for j in original_jobs]
    assert original_vars["priced"] == "Order A1 via web in EUR"
    assert ("approved" in migrated_vars) is (quantity == 5)
    # Retries came from the retry cycle and the retries property; the backoff is a header.
    price = migrated_jobs[0]
    assert price.retries == 5
    assert price.custom_headers["retryBackoff"] == "PT10S"
    assert price.custom_headers["resultVariable"] == "quote"
    if quantity == 5:
        assert migrated_jobs[1].retries == 2


def test_definitions_get_zeebe_namespace_and_platform() -> None:
    root = ET.fromstring(migrate_c7_to_c8(ORDER).xml)
    platform = "{http://camunda.org/schema/modeler/1.0}executionPlatform"
    assert root.get(platform) == "Camunda Cloud"
    assert not [e for e in root.iter() if e.tag.startswith(C)]
    assert not [k for e in root.iter() for k in e.attrib if k.startswith(C)]
    process = root.find(f"{B}process")
    assert process is not None
    tag = process.find(f"{B}extensionElements/{Z}versionTag")
    assert tag is not None and tag.get("value") == "1.2"
    condition = root.find(f".//{B}sequenceFlow[@id='big']/{B}conditionExpression")
    assert condition is not None and condition.text == "=(amount > 100) and not(vip = true)"


def test_report_names_every_unconvertible_element() -> None:
    result = migrate_c7_to_c8(UNCONVERTIBLE)
    reported = {(item.element_id, item.what) for item in result.report}
    assert reported >= {
        ("start", "camunda:executionListener start"),
        ("script", "scriptTask"),
        ("delegate", "camunda:class"),
        ("methodCall", "condition ${items.size() > 2}"),
        ("fetch", "camunda:inputParameter count"),
        ("review", "camunda:formKey embedded:app:forms/review.html"),
    }
    assert all(item.why for item in result.report)
    root = ET.fromstring(result.xml)
    fetch = root.find(f".//{B}serviceTask[@id='fetch']")
    assert fetch is not None
    # Ours: the template id carries over; the convertible parameter too.
    assert fetch.get(f"{Z}modelerTemplate") == "io.bpmn-bridge.http-json.v1"
    assert fetch.get(f"{Z}modelerTemplateVersion") == "1"
    inputs = {i.get("target"): i.get("source") for i in fetch.iter(f"{Z}input")}
    assert inputs == {"url": '="https://example.com/" + string(path)'}
    # Java code and scripts become jobs by a documented convention, still reported.
    jobs = {
        task.get("id"): (
            task.find(f".//{Z}taskDefinition").get("type"),  # type: ignore[union-attr]
            {h.get("key"): h.get("value") for h in task.iter(f"{Z}header")},
        )
        for task in root.iter()
        if task.find(f".//{Z}taskDefinition") is not None
    }
    assert jobs["delegate"] == ("camunda-7-adapter", {"class": "com.example.Charge"})
    assert jobs["script"] == (
        "camunda-7-script",
        {"language": "juel", "script": "${a + b}", "resultVariable": "total"},
    )
    back = ET.fromstring(migrate_c8_to_c7(result.xml).xml)
    delegate = back.find(f".//{B}serviceTask[@id='delegate']")
    assert delegate is not None and delegate.get(f"{C}class") == "com.example.Charge"
    script = back.find(f".//{B}scriptTask[@id='script']")
    assert script is not None and script.get("scriptFormat") == "juel"
    assert script.findtext(f"{B}script") == "${a + b}"
    assert script.get(f"{C}resultVariable") == "total"


def test_foreign_template_is_reported_not_kept() -> None:
    xml = UNCONVERTIBLE.replace(b"io.bpmn-bridge.http-json.v1", b"com.vendor.thing")
    result = migrate_c7_to_c8(xml)
    assert ("fetch", "camunda:modelerTemplate=com.vendor.thing") in {
        (i.element_id, i.what) for i in result.report
    }
    assert b"com.vendor.thing" not in result.xml
    extra = migrate_c7_to_c8(xml, template_ids=["com.vendor.thing"])
    assert b'zeebe:modelerTemplate="com.vendor.thing"' in extra.xml


def _meaning(text: str | None) -> Any:
    """JUEL by its syntax tree, so '${a eq 1}' and '${(a == 1)}' compare equal."""
    return _juel.compile_template(text).parts if text and "${" in text else text


def _subset(xml: bytes) -> dict[str, Any]:
    """What the covered subset means, read by the dev engine's parser."""
    (graph,) = parse_bpmn(xml)
    nodes: dict[str, Any] = {}
    for node in graph.nodes.values():
        task = node.task
        nodes[node.id] = (
            node.kind,
            sorted((f.id, f.target, repr(_meaning(f.condition_text))) for f in node.outgoing),
        )
        if task is not None:
            nodes[node.id] += (
                task.type,
                task.retries,
                {**task.headers, **task.extension_properties},
                [(m.target, _meaning(m.source_text)) for m in task.inputs],
            )
    return {"version_tag": graph.version_tag, "nodes": nodes}


def test_round_trip_c7_c8_c7_preserves_the_subset() -> None:
    there = migrate_c7_to_c8(ORDER)
    back = migrate_c8_to_c7(there.xml)
    assert back.report == []
    assert _subset(back.xml) == _subset(ORDER)
    root = ET.fromstring(back.xml)
    price = root.find(f".//{B}serviceTask[@id='price']")
    assert price is not None
    cycle = price.find(f"{B}extensionElements/{C}failedJobRetryTimeCycle")
    assert cycle is not None and cycle.text == "R5/PT10S"
    condition = root.find(f".//{B}sequenceFlow[@id='big']/{B}conditionExpression")
    assert condition is not None and condition.text == "${(amount > 100) && !(vip == true)}"


def test_round_trip_c8_c7_c8_is_stable() -> None:
    c8 = migrate_c7_to_c8(ORDER).xml
    again = migrate_c7_to_c8(migrate_c8_to_c7(c8).xml)
    assert again.report == []
    assert _subset(again.xml) == _subset(c8)


HOSTILE = {
    "external entity": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>',
    "entity expansion": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>',
    "not xml": b"<bpmn:definitions",
    "not bpmn": b"<html/>",
}


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("migrate", [migrate_c7_to_c8, migrate_c8_to_c7])
def test_hostile_or_broken_xml_is_rejected(name: str, migrate: Any) -> None:
    with pytest.raises(MigrationError):
        migrate(HOSTILE[name])


def test_oversized_input_is_rejected_before_parsing() -> None:
    huge = ORDER.replace(
        b"<bpmn:startEvent", b"<!--" + b"x" * (11 * 1024 * 1024) + b"--><bpmn:startEvent"
    )
    with pytest.raises(MigrationError, match="larger than the limit"):
        migrate_c7_to_c8(huge)


@pytest.mark.parametrize(
    ("migrate", "flavour"), [(migrate_c7_to_c8, "camunda7"), (migrate_c8_to_c7, "camunda8")]
)
def test_header_the_workers_would_refuse_is_reported(migrate: Any, flavour: str) -> None:
    from tests.support.diagrams import service_task_process

    xml = service_task_process(
        "bad_headers",
        "t",
        flavour=flavour,
        headers={"resultExpression": "=for x in y", "retryBackoff": "soon"},
        catch_error_code=None,
    )
    result = migrate(xml)
    items = {(item.element_id, item.what) for item in result.report}
    assert ("task", "header resultExpression") in items
    why = next(i.why for i in result.report if i.what == "header resultExpression")
    assert "kept, but workers refuse it" in why and "for" in why
