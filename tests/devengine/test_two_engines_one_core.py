"""One dev engine behaves as two engines: each protocol sees only its own flavour's models."""

from __future__ import annotations

import httpx
import pytest
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.errors import ProcessDefinitionNotFoundError

from bpmn_bridge.adapters._camunda7_variables import encode_variables
from bpmn_bridge.devengine import DevEngine
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
