"""One connector, unchanged, on the embedded Zeebe gateway, the embedded Camunda 7 API and a
real Camunda 7 engine: every outcome the core knows, through the real adapters and runtime."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import anyio
import pytest

from bpmn_bridge import MappingSecretProvider, get_spec
from bpmn_bridge.core import ConnectorSpec
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Metrics, Runtime
from tests.scenarios import connectors as c
from tests.support.diagrams import service_task_process
from tests.support.targets import (
    Camunda7RestTarget,
    Camunda8RestTarget,
    DevZeebeTarget,
    Target,
    unique,
)
from tests.support.tcp_proxy import TcpProxy

SECRETS = MappingSecretProvider({"API_KEY": "top-secret-key"})


def spec_for(function: Callable[..., Any], task_type: str) -> ConnectorSpec:
    """The connector's spec under a fresh type, so tests sharing one engine never meet."""
    return dataclasses.replace(get_spec(function), type=task_type)


async def deploy(
    target: Target, task_type: str, *, headers: dict[str, str] | None = None, retries: int = 3
) -> str:
    process_id = unique("p").replace("-", "_")
    xml = service_task_process(
        process_id, task_type, flavour=target.flavour, headers=headers, retries=retries
    )
    await target.deploy(xml)
    return process_id


def runtime_for(target: Target, *specs: ConnectorSpec, **options: Any) -> Runtime:
    options.setdefault("long_poll", timedelta(seconds=1))
    return Runtime(connectors=list(specs), engines=[target.adapter()], secrets=SECRETS, **options)


async def test_complete_with_output_result_variable_and_expression(target: Target) -> None:
    task_type = unique("charge")
    plain = await deploy(target, task_type)
    as_variable = await deploy(target, task_type, headers={"resultVariable": "payment"})
    as_expression = await deploy(
        target, task_type, headers={"resultExpression": "={receiptNo: receipt, big: charged > 10}"}
    )
    async with runtime_for(target, spec_for(c.charge, task_type)):
        first = await target.start(plain, {"orderId": "A1", "amount": 12.5})
        second = await target.start(as_variable, {"orderId": "A2", "amount": 3})
        third = await target.start(as_expression, {"orderId": "A3", "amount": 42})
        out_plain = await target.wait_end(first)
        out_variable = await target.wait_end(second)
        out_expression = await target.wait_end(third)
    assert out_plain["receipt"] == "R-A1" and out_plain["charged"] == 12.5
    assert out_variable["payment"]["receipt"] == "R-A2"
    assert "receipt" not in out_variable
    assert out_expression["receiptNo"] == "R-A3" and out_expression["big"] is True
    assert "receipt" not in out_expression


async def test_bpmn_error_caught_by_boundary_event(target: Target) -> None:
    task_type = unique("charge")
    process = await deploy(target, task_type)
    async with runtime_for(target, spec_for(c.charge, task_type)):
        instance = await target.start(process, {"orderId": "B1", "amount": -5})
        variables = await target.wait_end(instance)
    assert variables["rejected"] is True
    assert "receipt" not in variables


async def test_error_expression_turns_connector_error_into_bpmn_error(target: Target) -> None:
    task_type = unique("charge")
    expression = '=if error.code = "404" then bpmnError("NEGATIVE", error.message) else null'
    process = await deploy(target, task_type, headers={"errorExpression": expression})
    async with runtime_for(target, spec_for(c.charge, task_type)):
        instance = await target.start(process, {"orderId": "C1", "amount": 404})
        variables = await target.wait_end(instance)
    assert variables["orderId"] == "C1" and "receipt" not in variables


async def test_failure_then_success_on_retry_with_backoff(target: Target) -> None:
    task_type = unique("flaky")
    process = await deploy(target, task_type)
    order = unique("order")
    started = time.monotonic()
    async with runtime_for(target, spec_for(c.flaky, task_type)):
        instance = await target.start(process, {"orderId": order, "amount": 1})
        variables = await target.wait_end(instance)
    assert variables["attempts"] == 2
    assert variables["retriesLeft"] == 2  # one engine retry spent
    assert time.monotonic() - started >= 0.4  # the backoff was honoured


async def test_retries_exhausted_to_incident_with_clear_message(target: Target) -> None:
    task_type = unique("charge")
    process = await deploy(target, task_type, retries=2)
    async with runtime_for(target, spec_for(c.charge, task_type)):
        instance = await target.start(process, {"orderId": "D1", "amount": 500})
        messages = await target.wait_incident(instance)
    assert len(messages) == 1
    # Zeebe has one message field, so its adapter appends the details (traceback) below it
    assert messages[0].splitlines()[0] == "RuntimeError: ledger down"


async def test_invalid_input_is_an_incident_at_once(target: Target) -> None:
    task_type = unique("charge")
    process = await deploy(target, task_type, retries=5)
    metrics = Metrics()
    async with runtime_for(target, spec_for(c.charge, task_type), hooks=[metrics]):
        instance = await target.start(process, {"amount": "a lot"})
        messages = await target.wait_incident(instance)
    assert len(messages) == 1
    assert messages[0].startswith(f"Invalid input for connector '{task_type}' (2 fields)")
    assert "'orderId': Field required" in messages[0]
    assert "'amount': Input should be a valid number" in messages[0]
    failed = metrics.failed.labels(target.adapter().name, task_type)._value.get()
    assert failed == 1  # no retries spent: one failure straight to the incident


async def test_secrets_resolved(target: Target) -> None:
    task_type = unique("charge")
    process = await deploy(target, task_type)
    async with runtime_for(target, spec_for(c.charge, task_type)):
        instance = await target.start(
            process, {"orderId": "E1", "amount": 1, "apiKey": "{{secrets.API_KEY}}"}
        )
        variables = await target.wait_end(instance)
    assert variables["keyOk"] is True
    assert variables["apiKey"] == "{{secrets.API_KEY}}"  # the secret never lands in the process


async def test_long_job_extended_past_its_first_lease_without_redelivery(target: Target) -> None:
    task_type = unique("slow")
    process = await deploy(target, task_type)
    order = unique("order")
    metrics = Metrics()
    runtime = runtime_for(
        target, spec_for(c.slow, task_type), lease=timedelta(seconds=1), hooks=[metrics]
    )
    # a second worker polls the same type: it would get the job if the lease lapsed (either
    # may take the job first, so both count into the same metrics)
    rival = runtime_for(
        target,
        spec_for(c.slow, task_type),
        worker_name="rival",
        lease=timedelta(seconds=1),
        hooks=[metrics],
    )
    async with runtime, rival:
        instance = await target.start(process, {"orderId": order, "seconds": 3.5})
        variables = await target.wait_end(instance, timeout=60)
    assert variables["calls"] == 1 and c.CALLS[order] == 1
    extended = metrics.extended.labels(target.adapter().name, task_type)._value.get()
    assert extended >= 3


async def test_graceful_shutdown_drains_in_flight_work(target: Target) -> None:
    task_type = unique("slow")
    process = await deploy(target, task_type)
    orders = [unique("order") for _ in range(3)]
    runtime = runtime_for(target, spec_for(c.slow, task_type), grace_period=timedelta(seconds=20))
    instances = []
    async with runtime:
        for order in orders:
            instances.append(await target.start(process, {"orderId": order, "seconds": 1.5}))
        with anyio.fail_after(20):
            while runtime.in_flight < 3:
                await anyio.sleep(0.05)
        runtime.request_stop()
    # the runtime has returned: every in-flight job finished before it did
    for instance in instances:
        variables = await target.wait_end(instance, timeout=5)
        assert variables["slept"] == 1.5


async def test_engine_restart_mid_run_every_instance_completes(target: Target) -> None:
    task_type = unique("charge")
    process = await deploy(target, task_type)
    async with TcpProxy(*target.upstream()) as proxy:
        can_restart = target.name.startswith("devengine")
        # a real Camunda 7 keeps its state in memory (H2): its network is cut instead
        engine = target.adapter(address=None if can_restart else proxy.address)
        runtime = Runtime(
            connectors=[spec_for(c.charge, task_type)],
            engines=[engine],
            long_poll=timedelta(seconds=1),
            reconnect_max_wait=timedelta(seconds=1),
        )
        async with runtime:
            instances = [
                await target.start(process, {"orderId": f"R{i}", "amount": i}) for i in range(20)
            ]
            await anyio.sleep(0.3)
            if can_restart:
                await target.restart(down_for=2.0)
            else:
                await proxy.stop()
                await anyio.sleep(2.0)
                await proxy.start()
            more = [
                await target.start(process, {"orderId": f"S{i}", "amount": i}) for i in range(20)
            ]
            results = [await target.wait_end(i, timeout=60) for i in instances + more]
    assert [r["receipt"] for r in results] == [f"R-R{i}" for i in range(20)] + [
        f"R-S{i}" for i in range(20)
    ]


async def serve_both(zeebe: Target, camunda7: Target) -> tuple[dict[str, Any], dict[str, Any]]:
    """One runtime, one connector, both engines: an instance on each."""
    task_type = unique("charge")
    on_zeebe = await deploy(zeebe, task_type)
    on_camunda7 = await deploy(camunda7, task_type)
    runtime = Runtime(
        connectors=[spec_for(c.charge, task_type)],
        engines=[zeebe.adapter(), camunda7.adapter()],
        long_poll=timedelta(seconds=1),
    )
    async with runtime:
        z = await zeebe.start(on_zeebe, {"orderId": "Z", "amount": 1})
        k = await camunda7.start(on_camunda7, {"orderId": "K", "amount": 2})
        return await zeebe.wait_end(z), await camunda7.wait_end(k)


async def test_both_engines_served_by_one_process() -> None:
    async with DevEngine() as dev:
        from_zeebe, from_camunda7 = await serve_both(
            DevZeebeTarget(dev), Camunda7RestTarget("devengine-camunda7", dev.camunda7_url)
        )
    assert from_zeebe["engineSeen"] == "zeebe" and from_zeebe["receipt"] == "R-Z"
    assert from_camunda7["engineSeen"] == "camunda7" and from_camunda7["receipt"] == "R-K"


async def test_both_camunda8_transports_and_camunda7_served_by_one_process() -> None:
    """gRPC and REST to the same Camunda 8 state, and Camunda 7, in one runtime: a process
    deployed over gRPC is started and worked over REST, as on a real cluster."""
    async with DevEngine() as dev:
        grpc_side, rest_side = DevZeebeTarget(dev), Camunda8RestTarget(dev)
        task_type = unique("charge")
        on_grpc = await deploy(grpc_side, task_type)
        on_camunda7 = await deploy(
            Camunda7RestTarget("devengine-camunda7", dev.camunda7_url), task_type
        )
        camunda7 = Camunda7RestTarget("devengine-camunda7", dev.camunda7_url)
        runtime = Runtime(
            connectors=[spec_for(c.charge, task_type)],
            engines=[rest_side.adapter(), grpc_side.adapter(), camunda7.adapter()],
            long_poll=timedelta(seconds=1),
        )
        async with runtime:
            over_rest = await rest_side.start(on_grpc, {"orderId": "REST", "amount": 1})
            over_grpc = await grpc_side.start(on_grpc, {"orderId": "GRPC", "amount": 2})
            on_7 = await camunda7.start(on_camunda7, {"orderId": "K", "amount": 3})
            results = [
                await rest_side.wait_end(over_rest),
                await grpc_side.wait_end(over_grpc),
                await camunda7.wait_end(on_7),
            ]
    assert [r["receipt"] for r in results] == ["R-REST", "R-GRPC", "R-K"]
    # each instance was worked by one of the two Camunda 8 transports, never by Camunda 7's
    assert {results[0]["engineSeen"], results[1]["engineSeen"]} <= {"zeebe", "camunda8-rest"}
    assert results[2]["engineSeen"] == "camunda7"


@pytest.mark.camunda7
async def test_both_engines_one_process_with_real_camunda7(camunda7_engine: Any) -> None:
    async with DevEngine(camunda7_port=None) as dev:
        from_zeebe, from_camunda7 = await serve_both(
            DevZeebeTarget(dev), Camunda7RestTarget("camunda7", camunda7_engine.url)
        )
    assert from_zeebe["engineSeen"] == "zeebe" and from_zeebe["receipt"] == "R-Z"
    assert from_camunda7["engineSeen"] == "camunda7" and from_camunda7["receipt"] == "R-K"
