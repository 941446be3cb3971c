"""What cannot cross is refused when the worker starts: one line naming the task and why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeTaskRouter, ZeebeWorker, create_insecure_channel

from bpmn_bridge.adapters import ZeebeAdapter, ZeebeConfig
from bpmn_bridge.core import ConfigurationError
from bpmn_bridge.interop import from_external_task_handler, from_pyzeebe
from bpmn_bridge.runtime import Runtime

ROOT = Path(__file__).parents[2]


def _one_line(error: pytest.ExceptionInfo[ConfigurationError], *names: str) -> None:
    message = str(error.value)
    assert "\n" not in message
    for name in names:
        assert name in message


async def test_pyzeebe_worker_with_tenants_is_refused() -> None:
    channel = create_insecure_channel("127.0.0.1:1")  # needs the running loop
    worker = ZeebeWorker(channel, tenant_ids=["eu"])

    @worker.task(task_type="billing")
    def bill() -> None:
        return None

    with pytest.raises(ConfigurationError) as error:
        from_pyzeebe(worker, where="app:worker")
    _one_line(error, "app:worker", "tenant_ids")
    await channel.close()


def test_pyzeebe_task_without_running_slots_is_refused_by_the_runtime() -> None:
    router = ZeebeTaskRouter()

    @router.task(task_type="ship", max_running_jobs=0)
    async def ship() -> None:
        return None

    with pytest.raises(ConfigurationError) as error:
        Runtime(connectors=[router], engines=[ZeebeAdapter(ZeebeConfig(address="x:1", tls=False))])
    _one_line(error, "'ship'", "max_running_jobs")


def test_pyzeebe_router_without_tasks_is_refused() -> None:
    with pytest.raises(ConfigurationError) as error:
        from_pyzeebe(ZeebeTaskRouter(), where="app:router")
    _one_line(error, "app:router", "no tasks")


def two_arguments(task: Any, extra: Any) -> None:
    del task, extra


@pytest.mark.parametrize(
    ("topic", "handler", "reason"),
    [
        ("invoice", two_arguments, "exactly one argument"),
        ("invoice", "not a function", "not callable"),
        (" ", lambda task: task, "topic must not be empty"),
    ],
)
def test_external_task_handler_that_cannot_be_called_is_refused(
    topic: str, handler: Any, reason: str
) -> None:
    with pytest.raises(ConfigurationError) as error:
        from_external_task_handler(topic, handler)
    _one_line(error, reason)


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--external-task", "invoice"], "TOPIC=package.module:attribute"),
        (["--external-task", "invoice=tests.interop.test_refusals:two_arguments"], "invoice"),
        (["--connector", "tests.interop.test_refusals:ROOT"], "ROOT"),
    ],
)
def test_cli_refuses_at_start_up_with_one_line(flags: list[str], named: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bpmn_bridge.cli", "run", "--engine", "zeebe", *flags],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ZEEBE_ADDRESS": "127.0.0.1:1", "BPMN_BRIDGE_ENTRY_POINTS": "false"},
        timeout=60,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and named in lines[0], result.stderr
