"""A connector inside the worker apps teams already run: pyzeebe's real ZeebeWorker on the
embedded Zeebe gateway, the external-task client's real ExternalTaskWorker on the embedded
Camunda 7 API and a real Camunda 7. One scenario table of the whole pipeline: validation,
secrets, standard headers, error expressions, the retries the pipeline decides."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import anyio
import anyio.to_thread
import pytest
from camunda.external_task.external_task_worker import ExternalTaskWorker, NoExternalTaskFound
from pyzeebe import ZeebeWorker, create_insecure_channel

from bpmn_bridge import MappingSecretProvider, get_spec
from bpmn_bridge.core import ConnectorSpec
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.interop import as_external_task_handler, as_pyzeebe_router
from tests.interop.outcomes import settle
from tests.scenarios import connectors as c
from tests.support.diagrams import service_task_process
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, Target, unique

SECRETS = MappingSecretProvider({"API_KEY": "top-secret-key"})
ERROR_EXPRESSION = '=if error.code = "404" then bpmnError("NEGATIVE", error.message) else null'

# (task headers, model retries, start variables)
SCENARIOS: list[tuple[dict[str, str], int, dict[str, Any]]] = [
    ({}, 3, {"orderId": "A", "amount": 2, "apiKey": "{{secrets.API_KEY}}"}),
    ({"resultVariable": "payment"}, 3, {"orderId": "B", "amount": 3}),
    ({}, 3, {"orderId": "C", "amount": -5}),
    ({"errorExpression": ERROR_EXPRESSION}, 3, {"orderId": "D", "amount": 404}),
    ({}, 5, {"amount": "a lot"}),
    ({}, 1, {"orderId": "F", "amount": 500}),
]


def check_ends(ends: list[tuple[str, Any]], engine: str) -> None:
    (a, b, caught, mapped, invalid, failed) = ends
    assert a == ("completed", {**SCENARIOS[0][2], **a[1]})
    assert a[1]["receipt"] == "R-A" and a[1]["keyOk"] is True and a[1]["engineSeen"] == engine
    assert a[1]["apiKey"] == "{{secrets.API_KEY}}"  # the secret never lands in the process
    assert b[0] == "completed" and b[1]["payment"]["receipt"] == "R-B" and "receipt" not in b[1]
    assert caught == ("completed", {"orderId": "C", "amount": -5, "rejected": True})
    assert mapped == ("completed", {"orderId": "D", "amount": 404})
    # bad input: an incident at once, whatever retries the model allows
    assert invalid[0] == "incident"
    assert invalid[1][0].startswith("Invalid input for connector")
    assert failed[0] == "incident"
    assert failed[1][0].splitlines()[0] == "RuntimeError: ledger down"


async def run_scenarios(
    target: Target, task_type: str, serve: Callable[[], Any]
) -> list[tuple[str, Any]]:
    processes = []
    for headers, retries, variables in SCENARIOS:
        process_id = unique("p").replace("-", "_")
        xml = service_task_process(
            process_id, task_type, flavour=target.flavour, headers=headers, retries=retries
        )
        await target.deploy(xml)
        processes.append((process_id, variables))
    async with serve():
        instances = [await target.start(process, variables) for process, variables in processes]
        return [await settle(target, instance) for instance in instances]


def charge_as(task_type: str) -> ConnectorSpec:
    return dataclasses.replace(get_spec(c.charge), type=task_type)


async def test_connector_inside_pyzeebe_worker() -> None:
    task_type = unique("charge")

    @asynccontextmanager
    async def pyzeebe_worker() -> AsyncIterator[None]:
        worker = ZeebeWorker(create_insecure_channel(dev.zeebe_address))
        worker.include_router(as_pyzeebe_router(charge_as(task_type), secrets=SECRETS))
        async with anyio.create_task_group() as group:
            group.start_soon(worker.work)
            yield
            await worker.stop()

    async with DevEngine(camunda7_port=None) as dev:
        ends = await run_scenarios(DevZeebeTarget(dev), task_type, pyzeebe_worker)
    check_ends(ends, "zeebe")


def library_worker(url: str, topic: str, handler: Callable[..., Any]) -> Callable[[], Any]:
    """The library's own ExternalTaskWorker fetching and executing in a thread of its own."""

    @asynccontextmanager
    async def serve() -> AsyncIterator[None]:
        config = {"maxTasks": 4, "asyncResponseTimeout": 500, "isDebug": False}
        worker = ExternalTaskWorker(worker_id="existing-app", base_url=url, config=config)
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                with suppress(NoExternalTaskFound):
                    worker.fetch_and_execute(topic, handler)

        async with anyio.create_task_group() as group:
            group.start_soon(anyio.to_thread.run_sync, loop)
            try:
                yield
            finally:
                stop.set()

    return serve


@pytest.mark.parametrize(
    "served_on", ["devengine-camunda7", pytest.param("camunda7", marks=pytest.mark.camunda7)]
)
async def test_connector_inside_external_task_worker(
    served_on: str, request: pytest.FixtureRequest
) -> None:
    topic = unique("charge")
    handler = as_external_task_handler(charge_as(topic), secrets=SECRETS)
    if served_on == "camunda7":
        url = request.getfixturevalue("camunda7_engine").url
        target = Camunda7RestTarget("camunda7", url)
        ends = await run_scenarios(target, topic, library_worker(url, topic, handler))
    else:
        async with DevEngine() as dev:
            target = Camunda7RestTarget("devengine-camunda7", dev.camunda7_url)
            serve = library_worker(dev.camunda7_url, topic, handler)
            ends = await run_scenarios(target, topic, serve)
    check_ends(ends, "camunda7")
