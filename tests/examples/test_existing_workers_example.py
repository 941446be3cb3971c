"""The existing-workers example: one ``bpmn-bridge run`` command serves an external-task
client module and a pyzeebe app, unchanged, on the embedded Zeebe gateway and Camunda 7 API;
every instance ends the same way on both."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import anyio

from bpmn_bridge.devengine import DevEngine
from tests.interop.outcomes import settle
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, Target

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "existing_workers"

INVOICES: list[dict[str, Any]] = [
    {"invoiceId": "INV-1", "amount": 120, "express": True},
    {"invoiceId": "INV-2", "amount": 80},
    {"invoiceId": "INV-3", "amount": 900},
    {"invoiceId": "INV-4"},
]


async def ends(target: Target) -> list[tuple[str, Any]]:
    instances = [await target.start("invoice", invoice) for invoice in INVOICES]
    return [await settle(target, instance) for instance in instances]


async def test_one_command_serves_both_worker_modules_on_both_engines() -> None:
    # one embedded engine per side: both diagrams deploy the process id "invoice"
    async with DevEngine(camunda7_port=None) as dev, DevEngine() as dev7:
        zeebe = DevZeebeTarget(dev)
        camunda7 = Camunda7RestTarget("devengine-camunda7", dev7.camunda7_url)
        await zeebe.deploy((EXAMPLE / "invoice.c8.bpmn").read_bytes())
        await camunda7.deploy((EXAMPLE / "invoice.c7.bpmn").read_bytes())
        command = [
            *(sys.executable, "-m", "bpmn_bridge.cli", "run"),
            *("--engine", "zeebe", "--engine", "camunda7"),
            *("--zeebe-address", dev.zeebe_address, "--zeebe-insecure"),
            *("--camunda7-url", dev7.camunda7_url),
            "--external-task",
            "validate-invoice=examples.existing_workers.invoice_handlers:validate_invoice",
            *("--connector", "examples.existing_workers.shipping_tasks:router"),
            *("--ops-port", "off"),
        ]
        env = {**os.environ, "BPMN_BRIDGE_ENTRY_POINTS": "false", "BPMN_BRIDGE_LONG_POLL": "PT1S"}
        process = await anyio.open_process(command, env=env, cwd=ROOT)
        try:
            on_zeebe = await ends(zeebe)
            on_camunda7 = await ends(camunda7)
            process.send_signal(signal.SIGTERM)
            with anyio.fail_after(30):
                assert await process.wait() == 0
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    # Zeebe keeps one error message: a failure's details follow it there
    assert on_zeebe[:3] == on_camunda7[:3]
    express, standard, rejected, missing = on_zeebe
    assert express == (
        "completed",
        {**INVOICES[0], "approved": True, "approvedFor": None, "trackingNumber": "EX-INV-1"},
    )
    assert standard[1]["trackingNumber"] == "ST-INV-2"
    assert rejected == ("completed", {**INVOICES[2], "rejectedBecause": "over 500"})
    assert missing == ("incident", ["No amount\n\nthe invoice has no amount variable"])
    assert on_camunda7[3] == ("incident", ["No amount"])
