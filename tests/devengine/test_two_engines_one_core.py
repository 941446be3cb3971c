"""One dev engine behaves as two engines: each protocol sees only its own flavour's models."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.errors import ProcessDefinitionNotFoundError, ProcessInvalidError

from bpmn_bridge.adapters._camunda7_variables import encode_variables
from bpmn_bridge.devengine import DevEngine, JobFilter
from tests.support.diagrams import service_task_process


async def test_same_process_id_on_both_sides_starts_each_sides_own_model() -> None:
    async with DevEngine() as dev:
        dev.deploy(service_task_process("shared", "zeebe-type", flavour="camunda8"))
        async with httpx.AsyncClient(base_url=dev.camunda7_url) as http:
            xml = service_task_process("shared", "c7-topic", flavour="camunda7")
            deployed = await http.post(
                "/deployment/create",
                data={"deployment-name": "c7"},
                files={"shared.bpmn": ("shared.bpmn", xml, "application/octet-stream")},
            )
            assert deployed.status_code == 200
            started = await http.post(
                "/process-definition/key/shared/start",
                json={"variables": encode_variables({"x": 1})},
            )
            assert started.status_code == 200
        client = ZeebeClient(create_insecure_channel(grpc_address=dev.zeebe_address))
        created = await client.run_process("shared", variables={"x": 2})
        types = sorted(job.type for job in dev.jobs())
        assert types == ["c7-topic", "zeebe-type"]
        assert {job.type for job in dev.jobs(created.process_instance_key)} == {"zeebe-type"}


async def test_zeebe_cannot_start_a_camunda7_only_model() -> None:
    async with DevEngine() as dev:
        dev.deploy(service_task_process("c7only", "t", flavour="camunda7"))
        client = ZeebeClient(create_insecure_channel(grpc_address=dev.zeebe_address))
        with pytest.raises(ProcessDefinitionNotFoundError):
            await client.run_process("c7only")


async def test_camunda7_queries_do_not_list_the_zeebe_sides_instances() -> None:
    async with DevEngine() as dev:
        dev.deploy(service_task_process("z_only", "zt", flavour="camunda8"))
        dev.deploy(service_task_process("c_only", "ct", flavour="camunda7"))
        dev.start("z_only")
        async with httpx.AsyncClient(base_url=dev.camunda7_url) as http:
            await http.post("/process-definition/key/c_only/start", json={})
            instances = (await http.get("/process-instance")).json()
            history = (await http.get("/history/process-instance")).json()
            definitions = (await http.get("/process-definition")).json()
        assert [i["definitionId"].split(":")[0] for i in instances] == ["c_only"]
        assert [h["processDefinitionKey"] for h in history] == ["c_only"]
        assert [d["key"] for d in definitions] == ["c_only"]


async def test_camunda7_api_lists_no_zeebe_job_or_incident() -> None:
    """External tasks and incidents of the Zeebe side are not the Camunda 7 API's: a real
    Camunda 7 would never have heard of them, by list, by count or by id."""
    async with DevEngine() as dev:
        dev.deploy(service_task_process("z_side", "shared-topic", flavour="camunda8", retries=1))
        dev.deploy(service_task_process("c_side", "shared-topic", flavour="camunda7", retries=1))
        zeebe_instance = dev.start("z_side").key
        [zeebe_job] = await dev.core.activate_jobs(
            [JobFilter("shared-topic", 60, flavour="camunda8")], worker="z", max_jobs=1
        )
        # the Zeebe side's job fails for good: an incident there
        dev.core.fail_job(zeebe_job.key, retries=0, error_message="zeebe side broke", worker="z")
        assert len(dev.incidents(zeebe_instance)) == 1
        async with httpx.AsyncClient(base_url=dev.camunda7_url) as http:
            started = await http.post("/process-definition/key/c_side/start", json={})
            c7_instance = started.json()["id"]
            tasks = (await http.get("/external-task")).json()
            task_count = (await http.get("/external-task/count")).json()
            incidents = (await http.get("/incident")).json()
            incident_count = (await http.get("/incident/count")).json()
            zeebe_task = await http.get(f"/external-task/{zeebe_job.key}")
            zeebe_details = await http.get(f"/external-task/{zeebe_job.key}/errorDetails")
            zeebe_history = await http.get(f"/history/process-instance/{zeebe_instance}")
            zeebe_running = await http.get(f"/process-instance/{zeebe_instance}")
        assert [t["processInstanceId"] for t in tasks] == [c7_instance]
        assert task_count == {"count": 1}
        assert incidents == [] and incident_count == {"count": 0}
        assert zeebe_task.status_code == 404
        assert zeebe_details.status_code == 500  # as for any id Camunda 7 does not know
        assert zeebe_history.status_code == 404
        assert zeebe_running.status_code == 404


async def test_each_api_refuses_the_other_engines_diagram(tmp_path: Path) -> None:
    """A Zeebe broker refuses a Camunda 7 diagram and a Camunda 7 engine a Zeebe one (the
    exact Camunda 7 answer is checked against the real engine in
    test_camunda7_api_differential.py); deploying in process still takes both."""
    c7_xml = service_task_process("c7_diagram", "t7", flavour="camunda7")
    c8_xml = service_task_process("c8_diagram", "t8", flavour="camunda8")
    async with DevEngine() as dev:
        client = ZeebeClient(create_insecure_channel(grpc_address=dev.zeebe_address))
        (tmp_path / "c7.bpmn").write_bytes(c7_xml)
        with pytest.raises(ProcessInvalidError) as refused:
            await client.deploy_resource(tmp_path / "c7.bpmn")
        # pyzeebe keeps the gateway's answer as the cause
        rejection = refused.value.__cause__.details()  # type: ignore[union-attr]
        assert rejection.startswith("Expected to deploy new resources")
        assert "'c7.bpmn':\n- Element: task\n    - ERROR: Must have exactly one" in rejection
        async with httpx.AsyncClient(base_url=dev.camunda7_url) as http:
            answer = await http.post(
                "/deployment/create",
                files={"c8.bpmn": ("c8.bpmn", c8_xml, "application/octet-stream")},
            )
        assert answer.status_code == 400
        body = answer.json()
        assert body["type"] == "ParseException"
        assert "is mandatory on serviceTask" in body["message"]
        assert [e["mainElementId"] for e in body["details"]["c8.bpmn"]["errors"]] == [
            "c8_diagram",  # no historyTimeToLive either
            "task",
        ]
        assert dev.core.list_definitions() == []


@pytest.mark.parametrize("enforce", [True, False])
async def test_history_time_to_live_is_required_unless_switched_off(enforce: bool) -> None:
    """Camunda 7.24 refuses a process without historyTimeToLive unless
    ``enforceHistoryTimeToLive`` is false; the embedded engine has the same switch."""
    xml = service_task_process("no_ttl", "t", flavour="camunda7").replace(
        b' camunda:historyTimeToLive="P1D"', b""
    )
    dev = DevEngine(zeebe_port=None, enforce_history_time_to_live=enforce)
    async with dev, httpx.AsyncClient(base_url=dev.camunda7_url) as http:
        answer = await http.post(
            "/deployment/create",
            files={"p.bpmn": ("p.bpmn", xml, "application/octet-stream")},
        )
        definitions = (await http.get("/process-definition")).json()
    if enforce:
        assert answer.status_code == 400
        assert "ENGINE-12018 History Time To Live (TTL) cannot be null" in answer.json()["message"]
        assert definitions == []
    else:
        assert answer.status_code == 200, answer.text
        assert [(d["key"], d["historyTimeToLive"]) for d in definitions] == [("no_ttl", None)]


async def test_a_model_outside_the_embedded_subset_is_a_parse_exception_naming_it() -> None:
    """Camunda 7 runs a topic given as an expression; the embedded engine refuses it at
    deploy time, in the shape of a Camunda 7 ParseException: code 0 and ``details`` that
    name the resource and the element (also when it is not the first resource)."""
    good = service_task_process("fine", "t", flavour="camunda7")
    dynamic = service_task_process("dynamic", "t", flavour="camunda7").replace(
        b'camunda:topic="t"', b'camunda:topic="${topicName}"'
    )
    assert dynamic != service_task_process("dynamic", "t", flavour="camunda7")
    async with DevEngine(zeebe_port=None) as dev:
        async with httpx.AsyncClient(base_url=dev.camunda7_url) as http:
            answer = await http.post(
                "/deployment/create",
                files={
                    "fine.bpmn": ("fine.bpmn", good, "application/octet-stream"),
                    "dynamic.bpmn": ("dynamic.bpmn", dynamic, "application/octet-stream"),
                },
            )
        assert answer.status_code == 400
        body = answer.json()
        assert (body["type"], body["code"]) == ("ParseException", 0)
        assert "needs a static camunda:topic" in body["message"]
        assert "| resource dynamic.bpmn |" in body["message"]
        [error] = body["details"]["dynamic.bpmn"]["errors"]
        assert error["mainElementId"] == "task"
        assert error["line"] > 0
        assert list(body["details"]) == ["dynamic.bpmn"]
        assert dev.core.list_definitions() == []
