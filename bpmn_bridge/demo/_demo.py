"""The demo itself: embedded engine, shop API, both diagrams, one runtime, a verdict.

Everything runs in this process and talks over loopback: the Camunda 8 diagram is deployed
and started through the embedded Zeebe gateway (gRPC), the Camunda 7 diagram through the
embedded Camunda 7 REST API, and one :class:`~bpmn_bridge.runtime.Runtime` serves both with
the example's connectors through the real adapters.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, TextIO

import anyio

from bpmn_bridge.adapters import Camunda7Adapter, Camunda7Config, ZeebeAdapter, ZeebeConfig
from bpmn_bridge.core import MappingSecretProvider
from bpmn_bridge.demo._report import (
    EngineProgress,
    EngineSummary,
    progress_line,
    summary_table,
)
from bpmn_bridge.demo._tally import JobTally
from bpmn_bridge.devengine import DevEngine, InstanceState
from bpmn_bridge.runtime import Runtime

if TYPE_CHECKING:
    from bpmn_bridge.demo.order_fulfilment.orders import Order

__all__ = ["run_demo"]


@dataclass(frozen=True, slots=True)
class _EngineRun:
    """The instances started on one engine, and the orders they carry."""

    label: str
    name: str  # the adapter's name, as JobInfo.engine reports it
    engine: DevEngine
    orders: list[Order]
    keys: list[int]


async def run_demo(*, instances: int, timeout: float, out: TextIO) -> int:
    """Run the demo and print its progress and summary to ``out``.

    Args:
        instances: Orders started per engine.
        timeout: Seconds to wait for every instance to end (or stop on an incident).
        out: Where progress and summary go.

    Returns:
        0 when every instance on both engines ended as its order says, else 1.
    """
    from bpmn_bridge.connectors import aclose_http_clients
    from bpmn_bridge.demo.order_fulfilment import place_orders
    from bpmn_bridge.demo.order_fulfilment.connectors import CONNECTORS
    from bpmn_bridge.demo.order_fulfilment.orders import sample_orders
    from bpmn_bridge.demo.order_fulfilment.shop_api import ShopApi

    tally = JobTally()
    # Two embedded engines, as in real life a Camunda 8 and a Camunda 7 are two systems: both
    # diagrams have the process id "order_fulfilment", and one engine core would make the
    # second deployment the latest version of the first.
    async with (
        DevEngine(camunda7_port=None) as camunda8,
        DevEngine(zeebe_port=None) as camunda7,
        ShopApi() as shop,
    ):
        print(
            f"Embedded engines: Zeebe gateway {camunda8.zeebe_address}, Camunda 7 REST "
            f"{camunda7.camunda7_url}; shop API {shop.url}",
            file=out,
            flush=True,
        )
        await place_orders.deploy_camunda8(camunda8.zeebe_address)
        await place_orders.deploy_camunda7(camunda7.camunda7_url)
        runtime = Runtime(
            connectors=CONNECTORS,
            engines=[
                ZeebeAdapter(ZeebeConfig(address=camunda8.zeebe_address, tls=False)),
                Camunda7Adapter(Camunda7Config(base_url=camunda7.camunda7_url)),
            ],
            secrets=MappingSecretProvider({"SHOP_URL": shop.url}),
            worker_name="bpmn-bridge-demo",
            long_poll=timedelta(seconds=1),
            grace_period=timedelta(seconds=5),
            hooks=[tally],
        )
        print(
            f"Deployed order_fulfilment.c8.bpmn through the Zeebe gateway and "
            f"order_fulfilment.c7.bpmn through the Camunda 7 REST API; starting {instances} "
            f"orders on each, served by one runtime with the connectors "
            f"{', '.join(s.type for s in runtime.connector_specs)}",
            file=out,
            flush=True,
        )
        try:
            async with runtime:
                orders8 = sample_orders(instances, prefix="C8")
                orders7 = sample_orders(instances, prefix="C7")
                keys8 = await place_orders.start_camunda8(camunda8.zeebe_address, orders8)
                keys7 = await place_orders.start_camunda7(camunda7.camunda7_url, orders7)
                runs = [
                    _EngineRun("Camunda 8 (Zeebe)", "zeebe", camunda8, orders8, keys8),
                    _EngineRun("Camunda 7", "camunda7", camunda7, orders7, [int(k) for k in keys7]),
                ]
                await _follow(runs, tally, timeout=timeout, out=out)
        finally:
            with anyio.CancelScope(shield=True):
                await aclose_http_clients()
        summaries = [_summarize(run, tally) for run in runs]
    summary_table(summaries, out)
    return 0 if all(s.ok for s in summaries) else 1


async def _follow(
    runs: Sequence[_EngineRun],
    tally: JobTally,
    *,
    timeout: float,
    out: TextIO,
) -> None:
    """Print progress once a second until every instance ended or is stuck on an incident."""
    started = time.monotonic()
    deadline = started + timeout
    next_line = started + 1.0
    while True:
        progress = [_progress(run, tally) for run in runs]
        settled = all(p.ended + p.incidents >= p.instances for p in progress)
        now = time.monotonic()
        if settled or now >= deadline or now >= next_line:
            print(progress_line(now - started, progress), file=out, flush=True)
            next_line += 1.0
        if settled:
            return
        if now >= deadline:
            print(f"Timed out after {timeout:g}s waiting for the instances.", file=out)
            return
        await anyio.sleep(0.05)


def _progress(run: _EngineRun, tally: JobTally) -> EngineProgress:
    states = [run.engine.core.get_instance(key) for key in run.keys]
    counts = tally.by_engine[run.name]
    return EngineProgress(
        label=run.label,
        instances=len(run.keys),
        ended=sum(1 for s in states if s.ended),
        bpmn_errors=counts["bpmn_errors"],
        retries=counts["retries"],
        incidents=sum(s.open_incidents for s in states),
    )


def _summarize(run: _EngineRun, tally: JobTally) -> EngineSummary:
    from bpmn_bridge.demo.order_fulfilment.orders import check_end, expected_end

    engine = run.engine
    completed = as_expected = incidents = 0
    paths: Counter[str] = Counter()
    problems: list[str] = []
    first_start = last_end = None
    for order, key in zip(run.orders, run.keys, strict=True):
        instance = engine.core.get_instance(key)
        incidents += instance.open_incidents
        first_start = min(first_start or instance.started_at, instance.started_at)
        if instance.state is not InstanceState.COMPLETED:
            problems.append(f"{order.order_id} is {instance.state.value}: {_why(engine, key)}")
            continue
        completed += 1
        assert instance.ended_at is not None
        last_end = max(last_end or instance.ended_at, instance.ended_at)
        wrong = check_end(order, engine.variables(key))
        if wrong:
            problems.append(f"{order.order_id}: " + "; ".join(wrong))
            continue
        as_expected += 1
        paths[expected_end(order).path] += 1
    counts = tally.by_engine[run.name]
    # The end variables prove each path; the workers' own counts must agree with them.
    expected = [expected_end(order) for order in run.orders]
    for what, seen, wanted in (
        ("BPMN errors", counts["bpmn_errors"], sum(e.path == "payment-declined" for e in expected)),
        ("retries", counts["retries"], sum(e.retried for e in expected)),
    ):
        if seen != wanted:
            problems.append(f"the workers counted {seen} {what}, the orders call for {wanted}")
    seconds = (last_end - first_start) / 1000 if last_end and first_start else 0.0
    return EngineSummary(
        label=run.label,
        instances=len(run.keys),
        completed=completed,
        as_expected=as_expected,
        paths=paths,
        bpmn_errors=counts["bpmn_errors"],
        retries=counts["retries"],
        incidents=incidents,
        seconds=seconds,
        problems=problems,
    )


def _why(engine: DevEngine, key: int) -> str:
    incidents = engine.incidents(key)
    if incidents:
        return incidents[0].message.splitlines()[0]
    waiting = [e.element_id for e in engine.core.element_instances(key)]
    return f"still waiting at {', '.join(waiting) or 'nothing'}"
