"""Promise: no bad input takes a worker down or leaves a job hanging.

Hypothesis generates 1,000 cases per engine: wrong-typed and junk variables for a
connector with a pydantic input model, the connector's own misbehaviour (NaN or
unserialisable results, empty BPMN error codes, absurd retries), unknown secrets, and a
choice among diagrams whose standard headers (resultExpression, errorExpression, retries,
retryBackoff, jobTimeout) hold junk and invalid FEEL.

Headers belong to the diagram, so each engine gets a pool of diagrams deployed up front:
a curated list of known-nasty header sets plus sets hypothesis generates; each case
picks one. That keeps deployments to a few dozen (a real Camunda 7 deploys slowly) while
the variables, which carry most of the variety, change per case. The cases are generated
first and then fed as process instances, in batches, to ONE runtime per engine; shrinking
is traded for speed, and every offending case is reported in full instead.

Each instance must end (completed, or a BPMN error caught) or have an incident with a
message, within a timeout; the same runtime must serve every batch and still be ready.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any, Literal

import anyio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from bpmn_bridge import BpmnError, ConnectorError, RetryableError, connector
from bpmn_bridge.core import get_spec
from bpmn_bridge.runtime import Runtime
from tests.reliability.conftest import Figures
from tests.reliability.engines import Engine
from tests.support.targets import unique

CASES = 1000
BATCH = 100

MODES = (
    "ok",
    "none",
    "list",
    "nan",
    "object",
    "bpmn",
    "bpmn-empty-code",
    "connector-error",
    "raise",
    "retryable-absurd",
    "slow",
    "deep",
)


class Order(BaseModel):
    tag: str
    amount: float
    currency: Literal["EUR", "USD"] = "EUR"
    items: list[int] = Field(default_factory=list)
    mode: str = "ok"


# calls per instance tag, to hold the engines to at-least-once without extras
JUDGED: Counter[str] = Counter()
# modes that succeed at their first call: on a diagram without headers (no result or
# error expression that could turn the success into a failure and a retry) nothing is
# retried or cut, so there is never a second call
FIRST_TIME_RIGHT = ("ok", "slow")


@connector(type="bad-input", retries=2, retry_backoff=timedelta(0), timeout=timedelta(seconds=5))
async def judge(order: Order) -> Any:
    """Misbehaves on demand, the ways connector code does."""
    JUDGED[order.tag] += 1
    match order.mode:
        case "none":
            return None
        case "list":
            return [1, 2]
        case "nan":
            return {"value": math.nan}
        case "object":
            return {"value": object()}
        case "bpmn":
            raise BpmnError("NEGATIVE", "caught by the boundary event")
        case "bpmn-empty-code":
            raise BpmnError("", "no code")
        case "connector-error":
            raise ConnectorError("E42", "remote said no")
        case "raise":
            raise RuntimeError("connector bug")
        case "retryable-absurd":
            raise RetryableError("try later", retries=2**40)
        case "slow":
            await anyio.sleep(0.3)
        case "deep":
            deep: dict[str, Any] = {"v": 1}
            for _ in range(200):
                deep = {"v": deep}
            return {"deep": deep}
    return {"total": order.amount * len(order.items)}


CURATED_HEADERS: list[dict[str, str]] = [
    # sound headers too, so good input on a good diagram gets to completion and BPMN errors
    {},
    {},
    {"resultVariable": "result"},
    {"resultExpression": "={sum: total}"},
    {"errorExpression": '=if error.code = "E42" then bpmnError("NEGATIVE", "no") else null'},
    {"resultExpression": "={"},
    {"resultExpression": "=1 +"},
    {"resultExpression": "=42"},
    {"resultExpression": "={x: total / 0, y: unknownFunction(1)}"},
    {"resultExpression": "={a: response.missing.deeper}"},
    {"resultVariable": " "},
    {"errorExpression": "=bpmnError("},
    {"errorExpression": '="just text"'},
    {"errorExpression": '=bpmnError("NEGATIVE", error.message)'},
    {"errorExpression": '=bpmnError("", "")'},
    {"errorExpression": '=jobError("m", {}, -5)'},
    {"errorExpression": '=jobError("m", {}, 99999999999)'},
    {"errorExpression": '=jobError("m", {}, 0, "soon")'},
    # (a fixed positive retries count here would retry forever, by the header's own wish)
    {"errorExpression": '=jobError("m", {x: 1/0}, 0, "PT0S")'},
    {"retries": "-1"},
    {"retries": "abc"},
    {"retries": "99999999999999"},
    {"retries": "0"},
    {"retryBackoff": "P"},
    {"retryBackoff": "-PT1S"},
    {"jobTimeout": "PT0.001S"},
    {"jobTimeout": "PT0S"},
    {"jobTimeout": "banana"},
    {"jobTimeout": "P99999999999D"},
    {"retryBackoff": "P99999999999Y"},
]

xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=30,
)
header_junk = st.one_of(
    st.sampled_from(["=", "={", "=null", "=[1,2]", "=error", "PT1S", "-1", "1e9", "{}", "true"]),
    xml_text,
    xml_text.map(lambda text: "=" + text),
)
header_sets = st.dictionaries(
    st.sampled_from(
        [
            "resultExpression",
            "errorExpression",
            "resultVariable",
            "retries",
            "retryBackoff",
            "jobTimeout",
        ]
    ),
    header_junk,
    min_size=1,
    max_size=3,
)
json_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.just("{{secrets.NOT_A_SECRET}}"),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
variable_names = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{0,7}", fullmatch=True).filter(
    lambda name: name not in {"tag", "amount", "currency", "items", "mode"}
)


def generated(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` examples of ``strategy``, drawn by hypothesis's engine (not ``.example()``)."""
    found: list[Any] = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        found.append(value)

    collect()
    return found[:count]


def cases(pool: int) -> list[dict[str, Any]]:
    case = st.fixed_dictionaries(
        {
            "diagram": st.integers(0, pool - 1),
            # valid values twice as likely as junk, so every outcome gets its share
            "mode": st.sampled_from(MODES) | st.sampled_from(MODES) | json_junk,
            "amount": st.floats(-1e6, 1e6) | st.integers(-99, 99) | json_junk,
            "currency": st.sampled_from(["EUR", "USD"]) | st.just("EUR") | json_junk,
            "items": st.lists(st.integers(0, 9), max_size=4) | st.just([1]) | json_junk,
            "extra": st.dictionaries(variable_names, json_junk, max_size=3),
            "drop": st.sets(st.sampled_from(["amount", "currency", "items", "mode"]), max_size=1),
        }
    )
    return generated(case, CASES)


def variables_of(case: dict[str, Any], tag: str) -> dict[str, Any]:
    variables = {"tag": tag, **case["extra"]}
    for name in ("amount", "currency", "items", "mode"):
        if name not in case["drop"]:
            variables[name] = case[name]
    return variables


async def test_a_thousand_bad_inputs_never_crash_or_hang(engine: Engine, figures: Figures) -> None:
    task_type = unique("bad-input")
    pool_headers = CURATED_HEADERS + generated(header_sets, 15)
    process_ids = [
        await engine.deploy(task_type, headers=headers, retries=2) for headers in pool_headers
    ]
    # plus sound cases on a diagram without headers, so the duplicate check always has work
    sound = {"amount": 2.5, "currency": "EUR", "items": [1, 2], "extra": {}, "drop": set()}
    all_cases = cases(len(process_ids)) + [
        {**sound, "diagram": i % 2, "mode": FIRST_TIME_RIGHT[i % 2]} for i in range(20)
    ]
    runtime = Runtime(
        connectors=[dataclasses.replace(get_spec(judge), type=task_type)],
        engines=[engine.target.adapter()],
        long_poll=timedelta(seconds=1),
        lease=timedelta(seconds=20),
    )
    started = refused = 0
    unsettled: list[dict[str, Any]] = []
    modes: dict[str, Any] = {}
    async with runtime:
        for first in range(0, len(all_cases), BATCH):
            batch = all_cases[first : first + BATCH]
            by_diagram: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for index, case in enumerate(batch, start=first):
                variables = variables_of(case, f"{task_type}-{index}")
                if not pool_headers[case["diagram"]]:  # nothing after the connector can fail
                    modes[variables["tag"]] = variables.get("mode", "ok")
                by_diagram[case["diagram"]].append(variables)
            for diagram, variables in by_diagram.items():
                ids = await engine.start_many(process_ids[diagram], variables)
                started += sum(i is not None for i in ids)
                refused += sum(i is None for i in ids)
            counts = await engine.wait_settled(process_ids, started, timeout=120)
            if counts.settled < started:
                unsettled.append(
                    {
                        "batch": first // BATCH,
                        "counts": counts.__dict__,
                        "open_jobs": await engine.open_jobs(process_ids),
                    }
                )
                break
            assert runtime.ready or await _ready_again(runtime), "the worker is not ready"
        final = await engine.counts(process_ids)
        messages = [m for pid in process_ids for m in await engine.incident_messages(pid)]
        ready_at_end = runtime.ready
    clean = [t for t, m in modes.items() if isinstance(m, str) and m in FIRST_TIME_RIGHT]
    duplicated = sorted(t for t in clean if JUDGED[t] > 1)
    figures(
        engine=engine.name,
        cases=len(all_cases),
        first_time_right_calls=sum(JUDGED[t] for t in clean),
        duplicated=len(duplicated),
        header_sets=len(pool_headers),
        started=started,
        refused_by_engine_at_start=refused,
        completed=final.completed,
        incidents=final.incidents,
        hung=started - final.settled,
        worker_ready_at_end=ready_at_end,
    )
    assert not unsettled, unsettled
    # a job that succeeded at its first call, on a diagram without headers, was never cut
    # mid-report nor retried: no second delivery
    assert duplicated == [], duplicated
    assert sum(JUDGED[t] for t in clean) > 0, "no clean case reached the connector"
    assert final.settled == started
    assert started >= CASES * 0.9, "the engine refused most starts: test proves little"
    assert all(m and m.splitlines()[0].strip() for m in messages), "an incident without a message"
    assert ready_at_end


async def _ready_again(runtime: Runtime) -> bool:
    with anyio.move_on_after(30):
        while not runtime.ready:
            await anyio.sleep(0.1)
        return True
    return False
