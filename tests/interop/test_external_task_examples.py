"""The example handlers camunda-external-task-client-python3 ships (its installed ``examples``
package, loaded as they are) served by bpmn-bridge on the embedded Zeebe gateway and on a
real Camunda 7, against the library's own worker on the real Camunda 7: every instance ends
the same way, with the same variables."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import random
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import anyio
import anyio.to_thread
import pytest
from camunda.external_task.external_task_worker import ExternalTaskWorker, NoExternalTaskFound

from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.interop import from_external_task_handler
from bpmn_bridge.runtime import Runtime
from tests.interop.outcomes import settle
from tests.support.diagrams import service_task_process
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, Target, unique

# (handler in the library's examples package, start variables, error code the model catches)
SCENARIOS: list[tuple[str, dict[str, Any], str | None]] = [
    ("bpmn_error_example:validate_image", {"imgName": "cat.jpg"}, None),
    ("bpmn_error_example:validate_image", {"imgName": "poor-cat.jpg"}, "POOR_QUALITY_IMAGE"),
    ("bpmn_error_example:validate_image", {"imgName": "cat.gif"}, "INVALID_IMAGE"),
    ("bpmn_error_example:validate_image", {"imgName": "corrupt.png"}, None),
    ("bpmn_error_example:generic_task_handler", {"step": 1}, None),
    ("retry_task_example:fail_task_handler", {}, None),
    ("task_handler_example:handle_task", {"strVar": "hello"}, None),
]
# the one value that differs run to run: handle_task stamps the time it completed
_TIMESTAMPED = "task_completed_on"


def handler(reference: str) -> Callable[..., Any]:
    """A handler from the library's installed ``examples`` package, loaded from its file:
    the checkout's own ``examples`` package comes first on the test path."""
    module, _, attribute = reference.partition(":")
    name = f"external_task_client_examples.{module}"
    if name not in sys.modules:
        files = importlib.metadata.files("camunda-external-task-client-python3") or []
        source = next(f for f in files if str(f) == f"examples/{module}.py")
        spec = importlib.util.spec_from_file_location(name, source.locate())
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return getattr(sys.modules[name], attribute)  # type: ignore[no-any-return]


def no_sleep_seed() -> int:
    """A seed under which handle_task's simulated work (randint(0, 10) seconds) is 0 s."""
    seed = 0
    while True:
        random.seed(seed)
        if random.randint(0, 10) == 0:
            return seed
        seed += 1


async def deploy_all(target: Target) -> list[tuple[str, str, dict[str, Any]]]:
    """One process per scenario, its own topic; Zeebe's model allows one retry, so a
    ``failure(max_retries=0)`` ends in an incident at once on both engines."""
    deployed = []
    for reference, variables, caught in SCENARIOS:
        topic = unique(reference.split(":")[1])
        process_id = unique("p").replace("-", "_")
        xml = service_task_process(
            process_id,
            topic,
            flavour=target.flavour,
            retries=1,
            catch_error_code=caught or "NEVER",
        )
        await target.deploy(xml)
        deployed.append((topic, process_id, variables))
    return deployed


async def ends_under_bpmn_bridge(target: Target) -> list[tuple[str, Any]]:
    deployed = await deploy_all(target)
    specs = [
        from_external_task_handler(topic, handler(reference))
        for (topic, _, _), (reference, _, _) in zip(deployed, SCENARIOS, strict=True)
    ]
    random.seed(no_sleep_seed())
    runtime = Runtime(connectors=specs, engines=[target.adapter()], long_poll=timedelta(seconds=1))
    async with runtime:
        instances = [await target.start(process, variables) for _, process, variables in deployed]
        return [await settle(target, instance) for instance in instances]


async def ends_under_the_library(url: str) -> list[tuple[str, Any]]:
    target = Camunda7RestTarget("camunda7", url)
    deployed = await deploy_all(target)
    instances = [await target.start(process, variables) for _, process, variables in deployed]
    config = {"maxTasks": 1, "lockDuration": 10000, "asyncResponseTimeout": 1000, "isDebug": False}
    worker = ExternalTaskWorker(worker_id="library", base_url=url, config=config)
    random.seed(no_sleep_seed())
    for (topic, _, _), (reference, _, _) in zip(deployed, SCENARIOS, strict=True):
        try:
            await anyio.to_thread.run_sync(worker.fetch_and_execute, topic, handler(reference))
        except NoExternalTaskFound:
            pytest.fail(f"the library's worker found no task on {topic}")
    return [await settle(target, instance) for instance in instances]


def comparable(end: tuple[str, Any]) -> tuple[str, Any]:
    state, facts = end
    if state == "incident":
        # Zeebe keeps one error message: the failure's details follow it there, after a
        # blank line (Camunda 7 keeps them apart)
        return state, [message.split("\n\n", 1)[0] for message in facts]
    if state == "completed" and _TIMESTAMPED in facts:
        facts = {**facts, _TIMESTAMPED: type(facts[_TIMESTAMPED]).__name__}
    return state, facts


@pytest.mark.camunda7
@pytest.mark.parametrize("served_on", ["devengine-zeebe", "camunda7"])
async def test_library_examples_end_as_under_the_library_worker(
    served_on: str, camunda7_engine: Any
) -> None:
    expected = [comparable(end) for end in await ends_under_the_library(camunda7_engine.url)]
    # the table covers every kind of end the library has
    assert {state for state, _ in expected} == {"completed", "incident"}
    assert any(isinstance(f, dict) and "img_rejection_code" in f for _, f in expected)
    if served_on == "camunda7":
        got = await ends_under_bpmn_bridge(Camunda7RestTarget("camunda7", camunda7_engine.url))
    else:
        async with DevEngine(camunda7_port=None) as dev:
            got = await ends_under_bpmn_bridge(DevZeebeTarget(dev))
    assert [comparable(end) for end in got] == expected
