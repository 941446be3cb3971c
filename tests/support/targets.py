"""Engines a scenario runs against, behind one small interface.

``DevZeebeTarget`` drives the embedded engine's Zeebe side (deploy and inspect in process,
jobs over real gRPC); ``Camunda8RestTarget`` drives it wholly over its Camunda 8 REST API
(``/v2``: deploy, start, search, jobs); ``Camunda7RestTarget`` drives any Camunda 7 REST API
over HTTP — the embedded engine's or a real Camunda 7 — so the same scenario checks both.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Protocol

import anyio
import httpx

from bpmn_bridge.adapters import (
    Camunda7Adapter,
    Camunda7Config,
    Camunda8RestAdapter,
    Camunda8RestConfig,
    EngineAdapter,
    ZeebeAdapter,
    ZeebeConfig,
)
from bpmn_bridge.adapters._camunda7_variables import decode_variables, encode_variables
from bpmn_bridge.devengine import DevEngine


class Target(Protocol):
    name: str
    flavour: str

    def upstream(self) -> tuple[str, int]: ...

    def adapter(self, *, address: str | None = None, name: str | None = None) -> EngineAdapter: ...

    async def deploy(self, xml: bytes) -> None: ...

    async def start(self, process_id: str, variables: Mapping[str, Any]) -> str: ...

    async def wait_end(self, instance: str, *, timeout: float = 30) -> dict[str, Any]: ...

    async def wait_incident(self, instance: str, *, timeout: float = 30) -> list[str]: ...

    async def restart(self, *, down_for: float) -> None: ...


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class DevZeebeTarget:
    name = "devengine-zeebe"
    flavour = "camunda8"

    def __init__(self, engine: DevEngine) -> None:
        self.engine = engine

    def upstream(self) -> tuple[str, int]:
        host, port = self.engine.zeebe_address.rsplit(":", 1)
        return host, int(port)

    def adapter(self, *, address: str | None = None, name: str | None = None) -> EngineAdapter:
        config = ZeebeConfig(
            address=address or self.engine.zeebe_address, tls=False, name=name or "zeebe"
        )
        return ZeebeAdapter(config)

    async def deploy(self, xml: bytes) -> None:
        self.engine.deploy(xml)

    async def start(self, process_id: str, variables: Mapping[str, Any]) -> str:
        return str(self.engine.start(process_id, variables=dict(variables)).key)

    async def wait_end(self, instance: str, *, timeout: float = 30) -> dict[str, Any]:
        await self.engine.wait_for_end(int(instance), timeout=timeout)
        return self.engine.variables(int(instance))

    async def wait_incident(self, instance: str, *, timeout: float = 30) -> list[str]:
        with anyio.fail_after(timeout):
            while not (found := self.engine.incidents(int(instance))):
                await anyio.sleep(0.05)
        return [incident.message for incident in found]

    async def restart(self, *, down_for: float) -> None:
        await self.engine.stop_fronts()
        await anyio.sleep(down_for)
        await self.engine.start_fronts()


class Camunda7RestTarget:
    flavour = "camunda7"

    def __init__(self, name: str, url: str, restart_hook: Any = None) -> None:
        self.name = name
        self.url = url
        self._restart_hook = restart_hook

    def upstream(self) -> tuple[str, int]:
        parsed = httpx.URL(self.url)
        return parsed.host, int(parsed.port or 80)

    def adapter(self, *, address: str | None = None, name: str | None = None) -> EngineAdapter:
        url = self.url if address is None else f"http://{address}/engine-rest"
        return Camunda7Adapter(Camunda7Config(base_url=url, name=name or "camunda7"))

    async def deploy(self, xml: bytes) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            response = await http.post(
                "/deployment/create",
                data={"deployment-name": "scenario", "enable-duplicate-filtering": "false"},
                files={"process.bpmn": ("process.bpmn", xml, "application/octet-stream")},
            )
            assert response.status_code == 200, response.text

    async def start(self, process_id: str, variables: Mapping[str, Any]) -> str:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            response = await http.post(
                f"/process-definition/key/{process_id}/start",
                json={"variables": encode_variables(variables)},
            )
            assert response.status_code == 200, response.text
            return str(response.json()["id"])

    async def wait_end(self, instance: str, *, timeout: float = 30) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            with anyio.fail_after(timeout):
                while True:
                    state = (await http.get(f"/history/process-instance/{instance}")).json()
                    if state.get("state") in ("COMPLETED", "EXTERNALLY_TERMINATED"):
                        break
                    await anyio.sleep(0.1)
            rows = (
                await http.get(
                    "/history/variable-instance",
                    params={"processInstanceId": instance, "deserializeValues": "false"},
                )
            ).json()
        return decode_variables({row["name"]: row for row in rows})

    async def wait_incident(self, instance: str, *, timeout: float = 30) -> list[str]:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            with anyio.fail_after(timeout):
                while True:
                    rows = (
                        await http.get("/incident", params={"processInstanceId": instance})
                    ).json()
                    if rows:
                        return [row["incidentMessage"] for row in rows]
                    await anyio.sleep(0.1)

    async def restart(self, *, down_for: float) -> None:
        assert self._restart_hook is not None, f"{self.name} cannot restart"
        await self._restart_hook(down_for)


class Camunda8RestTarget:
    """The embedded engine's Camunda 8 side over its REST API, with searches as the only
    window on state: what a test against a real cluster's ``/v2`` would see."""

    flavour = "camunda8"

    def __init__(self, engine: DevEngine, name: str = "devengine-camunda8-rest") -> None:
        self.engine = engine
        self.name = name

    @property
    def url(self) -> str:
        return self.engine.camunda8_rest_url + "/v2"

    def upstream(self) -> tuple[str, int]:
        parsed = httpx.URL(self.engine.camunda8_rest_url)
        return parsed.host, int(parsed.port or 80)

    def adapter(self, *, address: str | None = None, name: str | None = None) -> EngineAdapter:
        root = self.engine.camunda8_rest_url if address is None else f"http://{address}"
        return Camunda8RestAdapter(
            Camunda8RestConfig(rest_address=root, name=name or "camunda8-rest")
        )

    async def deploy(self, xml: bytes) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            response = await http.post(
                "/deployments",
                files={"resources": ("process.bpmn", xml, "application/octet-stream")},
            )
            assert response.status_code == 200, response.text

    async def start(self, process_id: str, variables: Mapping[str, Any]) -> str:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            response = await http.post(
                "/process-instances",
                json={"processDefinitionId": process_id, "variables": dict(variables)},
            )
            assert response.status_code == 200, response.text
            return str(response.json()["processInstanceKey"])

    async def _search(self, http: httpx.AsyncClient, what: str, instance: str) -> list[Any]:
        response = await http.post(
            f"/{what}/search", json={"filter": {"processInstanceKey": instance}}
        )
        assert response.status_code == 200, response.text
        items: list[Any] = response.json()["items"]
        return items

    async def wait_end(self, instance: str, *, timeout: float = 30) -> dict[str, Any]:
        import json

        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            with anyio.fail_after(timeout):
                while True:
                    rows = await self._search(http, "process-instances", instance)
                    if rows and rows[0]["state"] in ("COMPLETED", "TERMINATED"):
                        break
                    await anyio.sleep(0.1)
            rows = await self._search(http, "variables", instance)
        return {row["name"]: json.loads(row["value"]) for row in rows}

    async def wait_incident(self, instance: str, *, timeout: float = 30) -> list[str]:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            with anyio.fail_after(timeout):
                while not (rows := await self._search(http, "incidents", instance)):
                    await anyio.sleep(0.1)
        return [row["errorMessage"] for row in rows]

    async def restart(self, *, down_for: float) -> None:
        await self.engine.stop_fronts()
        await anyio.sleep(down_for)
        await self.engine.start_fronts()
