"""The corpus: diagrams written for this project in the styles found in the wild, migrated in
both directions and judged by the target engines' own code.

Every output must validate against the OMG BPMN 2.0 XSD; Camunda 8 outputs must pass Zeebe's
model validation; Camunda 7 outputs (and the Camunda 7 originals) must deploy on the real
Camunda 7. Whatever a validator refuses must be in the report (``--check`` fails on it): a
refused output with an empty report is a silent pass. The parts the embedded engine runs
(service tasks, gateways, conditions) must end the same before and after migration.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bpmn_bridge.devengine import BpmnModelError, EmbeddedEngine, InstanceState, JobFilter
from bpmn_bridge.devengine._bpmn import parse_bpmn
from bpmn_bridge.migrate import MigrationResult, migrate_c7_to_c8, migrate_c8_to_c7
from tests.feel.camunda_feel import PeerUnavailable, run_peer, strip_equals, unavailable
from tests.support.bpmn_validator import BpmnValidator, Mode

DIAGRAMS = Path(__file__).parent / "diagrams"
CORPUS = sorted(
    [*DIAGRAMS.glob("c7/*.bpmn"), *DIAGRAMS.glob("c8/*.bpmn"), *DIAGRAMS.glob("*_c7.bpmn")]
)
# The diagrams the embedded engine runs (service tasks, gateways, conditions), with the
# variables to start them with. order_c7 needs workers of its own (tests/migrate/test_migrate.py).
START: Mapping[str, dict[str, Any]] = {
    "gateways_bpmn2_handmade": {"amount": 0.000001},
    "shipping_default_ns": {"parcel": {"weight": 40}},
    "invoice_modeler": {"invoice": {"total": 1200, "number": 7, "trusted": False}},
}


@dataclass(frozen=True)
class Case:
    """One corpus diagram, its migration and the migration back."""

    name: str
    flavour: str  # the original's engine
    original: bytes
    migrated: MigrationResult
    back: MigrationResult

    def documents(self) -> list[tuple[str, bytes, str, MigrationResult | None]]:
        """(label, document, engine, the migration that produced it) for each document."""
        other = "camunda8" if self.flavour == "camunda7" else "camunda7"
        return [
            (f"{self.name} (original)", self.original, self.flavour, None),
            (f"{self.name} -> {other}", self.migrated.xml, other, self.migrated),
            (f"{self.name} -> {other} -> {self.flavour}", self.back.xml, self.flavour, self.back),
        ]


def _case(path: Path) -> Case:
    original = path.read_bytes()
    flavour = "camunda8" if path.parent.name == "c8" else "camunda7"
    there, back = (
        (migrate_c7_to_c8, migrate_c8_to_c7)
        if flavour == "camunda7"
        else (migrate_c8_to_c7, migrate_c7_to_c8)
    )
    migrated = there(original)
    return Case(path.stem, flavour, original, migrated, back(migrated.xml))


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return [_case(path) for path in CORPUS]


def test_the_corpus_covers_every_style() -> None:
    texts = [path.read_text() for path in CORPUS]
    assert len(CORPUS) >= 4
    assert any("<bpmn2:definitions" in text for text in texts)
    assert any("<definitions xmlns=" in text for text in texts)
    assert any("<bpmn:definitions" in text for text in texts)
    assert any("bpmndi:BPMNDiagram" in text for text in texts)  # Modeler-made, with layout
    assert any("c8" in str(path.parent) for path in CORPUS)


def test_every_document_passes_the_target_validators(
    bpmn_validator: BpmnValidator, cases: list[Case]
) -> None:
    documents = [doc for case in cases for doc in case.documents()]
    modes: list[Mode] = [
        "zeebe" if engine == "camunda8" else "xsd" for _, _, engine, _ in documents
    ]
    verdicts = bpmn_validator.check_files(
        [
            (mode, bpmn_validator.store(xml))
            for mode, (_, xml, _, _) in zip(modes, documents, strict=True)
        ]
    )
    schema_failures, refusals, silent = [], [], []
    for (label, _, _, result), verdict in zip(documents, verdicts, strict=True):
        schema_failures += [f"{label}: {error}" for error in verdict.schema]
        refusals += [f"{label}: {error}" for error in verdict.zeebe or []]
        if verdict.refused and result is not None and not result.report:
            silent.append(label)
    print(
        f"corpus {len(cases)} diagrams, {len(documents)} documents: "
        f"{len(schema_failures)} schema failures, {len(refusals)} Zeebe refusals, "
        f"{len(silent)} silent passes"
    )
    assert silent == [], "refused although the report is empty (--check would pass)"
    assert schema_failures == []
    assert refusals == []


def test_camunda7_documents_deploy_on_the_real_engine(
    camunda7_engine: Any, cases: list[Case]
) -> None:
    refused = []
    with httpx.Client(base_url=camunda7_engine.url, timeout=30) as http:
        for case in cases:
            for label, xml, engine, _ in case.documents():
                if engine != "camunda7":
                    continue
                response = http.post(
                    "/deployment/create",
                    data={"deployment-name": case.name, "enable-duplicate-filtering": "false"},
                    files={"diagram.bpmn": ("diagram.bpmn", xml, "application/octet-stream")},
                )
                if response.status_code != 200:
                    refused.append(f"{label}: {response.json().get('message', response.text)}")
    assert refused == []


def _runs_here(xml: bytes) -> bool:
    try:
        parse_bpmn(xml)
    except BpmnModelError:
        return False
    return True


async def _run(xml: bytes, variables: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Start every executable process; complete each job with a marker variable."""
    engine = EmbeddedEngine()
    engine.deploy({"diagram.bpmn": xml})
    ended: dict[str, Any] = {}
    path: list[str] = []
    for graph in parse_bpmn(xml):
        instance = engine.start_instance(graph.process_id, variables=variables)
        while engine.get_instance(instance.key).ended_state is None:
            types = sorted({t.task.type for t in graph.nodes.values() if t.task is not None})
            jobs = await engine.activate_jobs(
                [JobFilter(type=t, lock_duration=60) for t in types], worker="corpus", max_jobs=10
            )
            assert jobs, f"{graph.process_id} waits for something no job serves"
            for job in jobs:
                path.append(job.element_id)
                engine.complete_job(job.key, variables={f"done_{job.element_id}": True})
        done = engine.get_instance(instance.key)
        assert done.ended_state is InstanceState.COMPLETED
        ended[graph.process_id] = {k: v.plain() for k, v in done.variables.items()}
    return ended, path


async def test_what_the_embedded_engine_runs_ends_the_same(cases: list[Case]) -> None:
    ran = []
    for case in cases:
        if case.name not in START:
            continue
        assert _runs_here(case.original) and _runs_here(case.migrated.xml), case.name
        variables = START[case.name]
        original = await _run(case.original, variables)
        assert await _run(case.migrated.xml, variables) == original
        ran.append(case.name)
        # The way back may keep FEEL for Camunda 7 (language="feel"), which only the real
        # engine evaluates.
        if _runs_here(case.back.xml):
            assert await _run(case.back.xml, variables) == original
            ran.append(f"{case.name} and back")
    assert {
        "gateways_bpmn2_handmade",
        "invoice_modeler and back",
        "shipping_default_ns and back",
    } <= set(ran)


def _feel_expressions(xml: bytes) -> list[tuple[str, str]]:
    """(where, expression) for every FEEL expression (``=...``) in a Camunda 8 document."""
    found = []
    for element in ET.fromstring(xml).iter():
        where = element.get("id") or element.tag.rpartition("}")[2]
        for name, value in element.attrib.items():
            if value.lstrip().startswith("="):
                found.append((f"{where} {name.rpartition('}')[2]}", value))
        if (element.text or "").lstrip().startswith("="):
            found.append((where, element.text or ""))
    return found


def test_every_feel_expression_in_camunda8_outputs_parses(
    tmp_path_factory: pytest.TempPathFactory, cases: list[Case]
) -> None:
    """Zeebe parses every expression on deployment (its design-time validation does not):
    Camunda's FEEL engine must read each one the migration wrote."""
    expressions = [
        (f"{label}: {where}", expression)
        for case in cases
        for label, xml, engine, result in case.documents()
        if engine == "camunda8" and result is not None
        for where, expression in _feel_expressions(xml)
    ]
    assert len(expressions) > 50
    try:
        with run_peer(tmp_path_factory.mktemp("feel-engine-peer")) as feel:
            results = feel.evaluate_many((strip_equals(e), {}) for _, e in expressions)
    except PeerUnavailable as error:
        unavailable(str(error))
    unreadable = [
        f"{where}: {expression} ({result.error})"
        for (where, expression), result in zip(expressions, results, strict=True)
        if result.error is not None and "parse" in result.error
    ]
    assert unreadable == []
