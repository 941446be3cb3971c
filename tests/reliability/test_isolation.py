"""Promise: one job never stops the worker, whatever its variables, headers or secrets do.

ONE runtime serves both fronts of one embedded engine (Zeebe gRPC and Camunda 7 REST), and
in a second run a real Camunda 7, while hypothesis throws 1,000 cases per engine at it:
arbitrary JSON variables, variables nested far past the recursion limit, secret
placeholders whose provider raises (a keystore that is not UTF-8, a file the worker may not
read, a provider bug), ``context.secret()`` failures,
results nested too deep to encode, exceptions whose ``__str__`` raises, junk headers, and
hooks that raise on every call. Every instance must end or hold an incident with a
message, the runtime must still run and be ready, and every hook failure must be counted.

The cases are generated first and fed in batches to the running runtime (shrinking is
traded for speed, as in ``test_bad_input.py``); every unsettled case is reported in full.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import anyio
import pytest
from hypothesis import strategies as st

from bpmn_bridge import BpmnError, ConnectorContext, ConnectorError, connector
from bpmn_bridge.core import JobInfo, get_spec
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import JobFinished, Runtime, RuntimeHooks
from tests.reliability.conftest import Figures
from tests.reliability.engines import Engine
from tests.reliability.test_bad_input import generated, header_sets, json_junk
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, unique

CASES = 1000  # per front
BATCH = 250

FAILING_SECRETS = {
    "KEYSTORE": lambda: b"\xfe\xed\xfe\xed".decode("utf-8"),
    "UNREADABLE": lambda: (_ for _ in ()).throw(PermissionError(13, "Permission denied")),
    "BUG": lambda: {}["missing"],
    "DEEP": lambda: _recurse(0),
}


def _recurse(depth: int) -> str:
    return _recurse(depth + 1)


class HostileSecrets:
    """A secret provider that fails, in the ways real ones do, for some names."""

    def get(self, name: str) -> str | None:
        failing = FAILING_SECRETS.get(name)
        if failing is not None:
            return str(failing())
        return f"value-of-{name}" if name.startswith("OK") else None


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("even the message fails")


class FailingHook(RuntimeHooks):
    """A metrics backend that is down: every call raises."""

    def __init__(self) -> None:
        self.finished = 0

    def job_activated(self, job: JobInfo, connector: str) -> None:
        raise ConnectionError("metrics backend down")

    def job_finished(self, event: JobFinished) -> None:
        self.finished += 1
        raise ConnectionError("metrics backend down")

    def engine_connection(self, engine: str, connected: bool) -> None:
        raise ConnectionError("metrics backend down")


MODES = ("ok", "secret", "raise", "recurse", "unprintable", "bpmn", "deep-result", "list")


@connector(type="isolation", retries=1, retry_backoff=timedelta(0), timeout=timedelta(seconds=5))
async def hostile(context: ConnectorContext) -> Any:
    """Does what the case asks, with whatever variables arrived."""
    variables = context.variables
    mode = variables.get("mode")
    payload = variables.get("payload")
    match mode:
        case "secret":
            return {"got": len(context.secret(str(variables.get("secretName"))))}
        case "raise":
            raise ConnectorError("E42", "remote said no", variables={"payload": payload})
        case "recurse":
            return {"never": _recurse(0)}
        case "unprintable":
            raise Unprintable()
        case "bpmn":
            raise BpmnError("NEGATIVE", "caught", variables={"payload": payload})
        case "deep-result":
            deep: Any = "leaf"
            for _ in range(3000):
                deep = {"d": deep}
            return {"deep": deep}
        case "list":
            return [payload]
    return {"echo": payload}


def _nested(depth: int) -> Any:
    value: Any = "bottom {{secrets.OK_DEEP}}"
    for level in range(depth):
        value = [value] if level % 2 else {"n": value}
    return value


payloads = st.one_of(
    json_junk,
    st.integers(70, 900).map(_nested),
    st.sampled_from([*sorted(FAILING_SECRETS), "OK_1", "MISSING"]).map(
        lambda name: {"key": "{{secrets." + name + "}}"}
    ),
    st.just("secrets.OK_BARE"),
)
CURATED_HEADERS: list[dict[str, str]] = [
    {},
    {},
    {"resultVariable": "result"},
    {"resultExpression": "={e: echo}"},
    {"errorExpression": '=bpmnError("NEGATIVE", error.message, error.variables)'},
    {"errorExpression": '=jobError("again", {p: error.variables}, 0, "PT0S")'},
    {"errorExpression": "=bpmnError(payload, payload)"},
]


def cases(pool: int) -> list[dict[str, Any]]:
    case = st.fixed_dictionaries(
        {
            "diagram": st.integers(0, pool - 1),
            "mode": st.sampled_from(MODES) | json_junk,
            "payload": payloads,
            "secretName": st.sampled_from([*sorted(FAILING_SECRETS), "OK_2", "MISSING"]),
        }
    )
    return generated(case, CASES)


@pytest.fixture(params=["devengine", pytest.param("camunda7", marks=pytest.mark.camunda7)])
async def fronts(request: pytest.FixtureRequest) -> AsyncIterator[list[Engine]]:
    """The engines one runtime serves at once: the embedded engine's two fronts, or a real
    Camunda 7."""
    if request.param == "camunda7":
        real = request.getfixturevalue("camunda7_engine")
        yield [Engine("camunda7", Camunda7RestTarget("camunda7", real.url), None)]
        return
    async with DevEngine() as dev:
        yield [
            Engine("devengine-zeebe", DevZeebeTarget(dev), dev),
            Engine("devengine-camunda7", Camunda7RestTarget("camunda7", dev.camunda7_url), dev),
        ]


async def test_hostile_jobs_never_stop_a_running_runtime(
    fronts: list[Engine], figures: Figures
) -> None:
    task_type = unique("isolation")
    pool_headers = CURATED_HEADERS + generated(header_sets, 8)
    processes = {
        front.name: [
            await front.deploy(task_type, headers=headers, retries=1) for headers in pool_headers
        ]
        for front in fronts
    }
    hook = FailingHook()
    runtime = Runtime(
        connectors=[dataclasses.replace(get_spec(hostile), type=task_type)],
        engines=[front.target.adapter() for front in fronts],
        secrets=HostileSecrets(),
        hooks=[hook],
        long_poll=timedelta(seconds=1),
        lease=timedelta(seconds=20),
    )
    started = dict.fromkeys(processes, 0)
    unsettled: list[dict[str, Any]] = []
    per_front = {front.name: cases(len(pool_headers)) for front in fronts}
    async with runtime:
        for first in range(0, CASES, BATCH):
            for front in fronts:
                by_diagram: dict[int, list[dict[str, Any]]] = defaultdict(list)
                for index, case in enumerate(per_front[front.name][first : first + BATCH]):
                    variables = {key: case[key] for key in ("mode", "payload", "secretName")}
                    variables["tag"] = f"{front.name}-{first + index}"
                    by_diagram[case["diagram"]].append(variables)
                for diagram, batch in by_diagram.items():
                    ids = await front.start_many(processes[front.name][diagram], batch)
                    started[front.name] += sum(i is not None for i in ids)
            for front in fronts:
                counts = await front.wait_settled(
                    processes[front.name], started[front.name], timeout=120
                )
                if counts.settled < started[front.name]:
                    unsettled.append(
                        {
                            "front": front.name,
                            "batch": first // BATCH,
                            "counts": counts.__dict__,
                            "open_jobs": await front.open_jobs(processes[front.name]),
                        }
                    )
            assert not unsettled, unsettled
        ready_at_end = runtime.ready or await _ready_again(runtime)
        finals = {front.name: await front.counts(processes[front.name]) for front in fronts}
        messages = [
            message
            for front in fronts
            for pid in processes[front.name]
            for message in await front.incident_messages(pid)
        ]
    figures(
        cases_per_front=CASES,
        started=started,
        completed={name: c.completed for name, c in finals.items()},
        incidents={name: c.incidents for name, c in finals.items()},
        hook_failures=runtime.hook_failures,
        worker_ready_at_end=ready_at_end,
    )
    for front in fronts:
        assert started[front.name] >= CASES * 0.9, "the engine refused most starts"
        assert finals[front.name].settled == started[front.name]
        assert finals[front.name].completed > 0 and finals[front.name].incidents > 0
    assert all(m and m.splitlines()[0].strip() for m in messages), "an incident without a message"
    assert any("nest deeper than" in m for m in messages)
    assert any("Secrets could not be read" in m for m in messages)
    assert hook.finished >= sum(started.values())
    assert runtime.hook_failures >= 2 * sum(started.values())
    assert ready_at_end


async def _ready_again(runtime: Runtime) -> bool:
    with anyio.move_on_after(30):
        while not runtime.ready:
            await anyio.sleep(0.1)
        return True
    return False
