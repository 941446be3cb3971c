"""The engines the reliability suite runs against, with the questions it asks them.

``Engine`` wraps a scenario target (``tests.support.targets``) with bulk starts, outcome
counts per process and "what is still locked by this worker", answered by the engine
itself: in process for the dev engine's Zeebe side, over REST for any Camunda 7.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from bpmn_bridge.adapters._camunda7_variables import encode_variables
from bpmn_bridge.core import ConnectorSpec, get_spec
from bpmn_bridge.devengine import DevEngine, DevEngineError, InstanceState, JobState
from tests.reliability.connectors import work
from tests.support.diagrams import service_task_process
from tests.support.targets import Target, unique

ENGINE_NAMES = ("devengine-zeebe", "devengine-camunda8-rest", "devengine-camunda7", "camunda7")


@dataclass(frozen=True)
class Counts:
    total: int
    completed: int
    incidents: int

    @property
    def settled(self) -> int:
        return self.completed + self.incidents


@dataclass
class Engine:
    """One engine under test.

    Attributes:
        name: ``devengine-zeebe``, ``devengine-camunda8-rest`` (the same Camunda 8 side
            over REST), ``devengine-camunda7`` or ``camunda7`` (real).
        target: Deploys, starts and reads instances.
        dev: The dev engine behind it, or None for a real Camunda 7.
    """

    name: str
    target: Target
    dev: DevEngine | None

    @property
    def is_zeebe(self) -> bool:
        return self.target.flavour == "camunda8"

    @property
    def rest_url(self) -> str:
        return str(self.target.url)  # type: ignore[attr-defined]

    def worker_env(self, *, address: str | None = None) -> dict[str, str]:
        """The engine part of a ``bpmn-bridge run`` environment (``address`` via a proxy)."""
        if self.name == "devengine-camunda8-rest":
            assert self.dev is not None
            root = self.dev.camunda8_rest_url if address is None else f"http://{address}"
            return {"BPMN_BRIDGE_ENGINES": "camunda8-rest", "CAMUNDA_REST_ADDRESS": root}
        if self.is_zeebe:
            assert self.dev is not None
            return {
                "BPMN_BRIDGE_ENGINES": "zeebe",
                "ZEEBE_ADDRESS": address or self.dev.zeebe_address,
                "ZEEBE_INSECURE_CONNECTION": "true",
            }
        url = self.rest_url if address is None else f"http://{address}/engine-rest"
        return {"BPMN_BRIDGE_ENGINES": "camunda7", "CAMUNDA7_URL": url}

    async def deploy(
        self, task_type: str, *, headers: Mapping[str, str] | None = None, retries: int = 3
    ) -> str:
        process_id = unique("rel").replace("-", "_")
        xml = service_task_process(
            process_id, task_type, flavour=self.target.flavour, headers=headers, retries=retries
        )
        await self.target.deploy(xml)
        return process_id

    async def start_many(
        self, process_id: str, variables: Sequence[Mapping[str, Any]], *, concurrency: int = 8
    ) -> list[str | None]:
        """Start one instance per variables mapping; None where the engine refused the start."""
        if self.dev is not None and self.is_zeebe:
            keys: list[str | None] = []
            for v in variables:
                try:
                    keys.append(str(self.dev.start(process_id, variables=dict(v)).key))
                except (DevEngineError, TypeError, ValueError, OverflowError):
                    keys.append(None)
            return keys
        ids: list[str | None] = [None] * len(variables)
        limiter = anyio.Semaphore(concurrency)
        async with httpx.AsyncClient(base_url=self.rest_url, timeout=60) as http:

            async def one(index: int) -> None:
                async with limiter:
                    try:
                        body = {"variables": encode_variables(variables[index])}
                    except (TypeError, ValueError, OverflowError):
                        return
                    response = await http.post(
                        f"/process-definition/key/{process_id}/start", json=body
                    )
                    if response.status_code == 200:
                        ids[index] = str(response.json()["id"])

            async with anyio.create_task_group() as group:
                for index in range(len(variables)):
                    group.start_soon(one, index)
        return ids

    async def counts(self, process_id: str | Sequence[str]) -> Counts:
        """Instances of processes: all, completed, and active with an open incident."""
        ids = [process_id] if isinstance(process_id, str) else list(process_id)
        if self.dev is not None and self.is_zeebe:
            instances = [
                i for i in self.dev.core.list_instances() if i.definition.bpmn_process_id in ids
            ]
            return Counts(
                total=len(instances),
                completed=sum(i.state is InstanceState.COMPLETED for i in instances),
                incidents=sum(i.state is InstanceState.INCIDENT for i in instances),
            )
        async with httpx.AsyncClient(base_url=self.rest_url, timeout=60) as http:
            key = {"processDefinitionKeyIn": ",".join(ids)}
            total = (await http.get("/history/process-instance/count", params=key)).json()
            done = (
                await http.get(
                    "/history/process-instance/count", params={**key, "finished": "true"}
                )
            ).json()
            incidents = (
                await http.get("/incident", params={"processDefinitionKeyIn": ",".join(ids)})
            ).json()
        return Counts(
            total=total["count"],
            completed=done["count"],
            incidents=len({row["processInstanceId"] for row in incidents}),
        )

    async def wait_settled(
        self,
        process_id: str | Sequence[str],
        expected: int,
        *,
        timeout: float,
        completed_only: bool = False,
    ) -> Counts:
        """Wait until ``expected`` instances completed (or have an incident); the last
        counts either way, so a test reports what it saw before it asserts."""
        counts = await self.counts(process_id)
        with anyio.move_on_after(timeout):
            while (counts.completed if completed_only else counts.settled) < expected:
                await anyio.sleep(0.25)
                counts = await self.counts(process_id)
        return counts

    async def incident_messages(self, process_id: str) -> list[str]:
        if self.dev is not None and self.is_zeebe:
            return [
                i.message
                for i in self.dev.incidents()
                if i.instance.definition.bpmn_process_id == process_id
            ]
        async with httpx.AsyncClient(base_url=self.rest_url, timeout=60) as http:
            rows = (
                await http.get("/incident", params={"processDefinitionKeyIn": process_id})
            ).json()
        return [row["incidentMessage"] for row in rows]

    async def failure_texts(self, process_id: str) -> list[str]:
        """Everything an operator reads about failures: incident messages, and each open
        job's error message and details."""
        texts = await self.incident_messages(process_id)
        if self.dev is not None and self.is_zeebe:
            for job in self.dev.jobs():
                if job.instance.definition.bpmn_process_id == process_id:
                    texts += [job.error_message or "", job.error_details or ""]
            return texts
        async with httpx.AsyncClient(base_url=self.rest_url, timeout=60) as http:
            tasks = (
                await http.get("/external-task", params={"processDefinitionKey": process_id})
            ).json()
            for task in tasks:
                texts.append(task.get("errorMessage") or "")
                details = await http.get(f"/external-task/{task['id']}/errorDetails")
                texts.append(details.text if details.status_code == 200 else "")
        return texts

    async def open_jobs(self, process_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Open jobs of processes without an incident, for a failure report."""
        if self.dev is not None:
            return [
                {
                    "state": job.state.name,
                    "retries": job.retries,
                    "worker": job.worker,
                    "error": (job.error_message or "")[:200],
                    "variables": str(self.dev.variables(job.instance.key))[:300],
                    "headers": job.custom_headers or job.extension_properties,
                }
                for job in self.dev.jobs()
                if job.instance.definition.bpmn_process_id in process_ids
                and not self.dev.incidents(job.instance.key)
            ]
        async with httpx.AsyncClient(base_url=self.rest_url, timeout=60) as http:
            rows = (await http.get("/external-task", params={"withRetriesLeft": "true"})).json()
        return [row for row in rows if row.get("processDefinitionKey") in process_ids]

    async def locked_by(self, worker: str) -> list[str]:
        """Jobs (external tasks) the engine still holds for ``worker``."""
        if self.dev is not None and self.is_zeebe:
            return [
                str(job.key)
                for job in self.dev.core.list_jobs(state=JobState.ACTIVATED)
                if job.worker == worker
            ]
        async with httpx.AsyncClient(base_url=self.rest_url, timeout=60) as http:
            rows = (
                await http.get("/external-task", params={"locked": "true", "workerId": worker})
            ).json()
        return [row["id"] for row in rows]


def spec_for(task_type: str) -> ConnectorSpec:
    """The ``work`` connector under a fresh type, so tests sharing an engine never meet."""
    return dataclasses.replace(get_spec(work), type=task_type)


async def wait_for(predicate: Any, *, timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate`` (sync) until true or ``timeout``; whether it became true."""
    with anyio.move_on_after(timeout):
        while not predicate():
            await anyio.sleep(interval)
        return True
    with contextlib.suppress(Exception):
        return bool(predicate())
    return False
