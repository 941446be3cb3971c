"""Templates that run: a diagram built from each template the way the Modeler applies it is
deployed to the dev engine (Zeebe and Camunda 7 sides) and a real Camunda 7, worked by the
real runtime and adapters, and the connector receives exactly what the template set."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import pytest
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic.alias_generators import to_camel

from bpmn_bridge import ConnectorContext, MappingSecretProvider, connector, get_spec
from bpmn_bridge.connectors import aclose_http_clients, http_json
from bpmn_bridge.core import ConnectorSpec
from bpmn_bridge.devengine import DevEngine
from bpmn_bridge.runtime import Runtime
from bpmn_bridge.templates import apply_template, camunda7_template, camunda8_template
from tests.support.targets import Camunda7RestTarget, DevZeebeTarget, Target, unique

SECRETS = MappingSecretProvider({"SHIP_KEY": "k-123456", "HTTP_PASSWORD": "pa55-w0rd"})

TARGETS = [
    "devengine-zeebe",
    "devengine-camunda7",
    pytest.param("camunda7", marks=pytest.mark.camunda7),
]


@pytest.fixture(params=TARGETS)
async def target(request: pytest.FixtureRequest) -> AsyncIterator[Target]:
    if request.param == "camunda7":
        engine = request.getfixturevalue("camunda7_engine")
        yield Camunda7RestTarget("camunda7", engine.url)
        return
    async with DevEngine() as dev:
        if request.param == "devengine-zeebe":
            yield DevZeebeTarget(dev)
        else:
            yield Camunda7RestTarget("devengine-camunda7", dev.camunda7_url)


def template_for(target: Target, spec: ConnectorSpec) -> dict[str, Any]:
    return camunda8_template(spec) if target.flavour == "camunda8" else camunda7_template(spec)


async def deploy(target: Target, spec: ConnectorSpec, values: Mapping[str, str]) -> str:
    process_id = unique("templated").replace("-", "_")
    xml = apply_template(template_for(target, spec), values, process_id=process_id)
    await target.deploy(xml)
    return process_id


def runtime_for(target: Target, spec: ConnectorSpec) -> Runtime:
    return Runtime(
        connectors=[spec],
        engines=[target.adapter()],
        secrets=SECRETS,
        long_poll=timedelta(seconds=1),
    )


# A connector with a nested model, a Literal dropdown, a bool, an int and a secret, which
# records what it was given.


class Address(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)

    street: str = Field(title="Street")
    zip_code: int = Field(title="ZIP code")


class Shipment(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)

    order_id: str = Field(title="Order")
    carrier: Literal["dhl", "ups", "fedex"] = Field(default="dhl", title="Carrier")
    express: bool = Field(default=False, title="Express")
    parcels: int = Field(default=1, title="Parcels")
    api_key: SecretStr = Field(title="API key")
    address: Address = Field(title="Address")


@dataclass(frozen=True)
class Received:
    request: Shipment
    headers: dict[str, str]


RECEIVED: dict[str, Received] = {}


@connector(type="io.example:ship:1", name="Ship", version=3)
def ship(request: Shipment, context: ConnectorContext) -> dict[str, str]:
    """Book a shipment."""
    RECEIVED[request.order_id] = Received(request, dict(context.headers))
    return {"label": f"L-{request.order_id}"}


async def test_connector_receives_exactly_what_the_template_set(target: Target) -> None:
    spec = dataclasses.replace(get_spec(ship), type=unique("ship"))
    order = unique("order")
    values = {
        "orderId": order,
        "carrier": "ups",
        "express": "true" if target.flavour == "camunda8" else "Yes",
        "parcels": "3",
        "apiKey": "{{secrets.SHIP_KEY}}",
        "address.street": "Main St 1",
        "address.zipCode": "10115",
        "resultVariable": "shipment",
        "retryBackoff": "PT2S",
        "retries": "5",
    }
    process = await deploy(target, spec, values)
    async with runtime_for(target, spec):
        instance = await target.start(process, {})
        variables = await target.wait_end(instance)

    received = RECEIVED.pop(order)
    assert received.request == Shipment(
        order_id=order,
        carrier="ups",
        express=True,
        parcels=3,
        api_key=SecretStr("k-123456"),
        address=Address(street="Main St 1", zip_code=10115),
    )
    assert received.request.api_key.get_secret_value() == "k-123456"
    if target.flavour == "camunda8":
        # Empty optional headers are not written; retries belong to the task definition.
        assert received.headers == {"resultVariable": "shipment", "retryBackoff": "PT2S"}
    else:
        # The Camunda 7 Modeler writes every extension property, empty ones included.
        assert received.headers == {
            "resultVariable": "shipment",
            "resultExpression": "",
            "errorExpression": "",
            "retries": "5",
            "retryBackoff": "PT2S",
            "jobTimeout": "",
        }
    assert variables["shipment"] == {"label": f"L-{order}"}
    assert "label" not in variables  # the resultVariable header took effect


async def test_defaults_of_the_template_reach_the_connector(target: Target) -> None:
    spec = dataclasses.replace(get_spec(ship), type=unique("ship"))
    order = unique("order")
    values = {
        "orderId": order,
        "apiKey": "{{secrets.SHIP_KEY}}",
        "address.street": "Side St 2",
        "address.zipCode": "99999",
    }
    process = await deploy(target, spec, values)
    async with runtime_for(target, spec):
        instance = await target.start(process, {})
        variables = await target.wait_end(instance)

    received = RECEIVED.pop(order)
    assert received.request == Shipment(
        order_id=order,
        carrier="dhl",
        express=False,
        parcels=1,
        api_key=SecretStr("k-123456"),
        address=Address(street="Side St 2", zip_code=99999),
    )
    assert variables["label"] == f"L-{order}"  # no result variable: merged as returned


# The built-in REST connector against a real HTTP server on loopback.


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes


@pytest.fixture
async def api() -> AsyncIterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(
            Seen(
                request.method,
                request.path,
                list(request.query.items()),
                {name.lower(): value for name, value in request.headers.items()},
                await request.read(),
            )
        )
        return web.json_response({"id": 42}, status=201, headers={"X-Request-Id": "r-1"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await aclose_http_clients()  # the REST connector's pooled clients, bound to this loop
        await runner.cleanup()


async def test_rest_connector_sends_the_request_the_template_set(
    target: Target, api: tuple[str, list[Seen]]
) -> None:
    base, seen = api
    spec = get_spec(http_json)
    values = {
        "method": "POST",
        "url": f"{base}/items/7?source=template",
        "bodyType": "json",
        "authentication.type": "basic",
        "authentication.username": "alice",
        "authentication.password": "{{secrets.HTTP_PASSWORD}}",
        "connectTimeoutSeconds": "5",
        "resultVariable": "created",
    }
    query = {"page": 2, "tags": ["a", "b"]}
    headers = {"X-Trace": "t-1"}
    body = {"name": "widget", "count": 3}
    start: dict[str, Any] = {}
    if target.flavour == "camunda8":
        values |= {
            "queryParameters": json.dumps(query),  # the Modeler's FEEL editor adds the '='
            "headers": "=" + json.dumps(headers),
            "body": "=" + json.dumps(body),
        }
    else:
        # Lists and dicts come from process variables on Camunda 7 (the template says so).
        start = {"queryParameters": query, "headers": headers, "body": body}
    process = await deploy(target, spec, values)
    async with runtime_for(target, spec):
        instance = await target.start(process, start)
        variables = await target.wait_end(instance)

    assert len(seen) == 1
    request = seen[0]
    assert (request.method, request.path) == ("POST", "/items/7")
    assert request.query == [("source", "template"), ("page", "2"), ("tags", "a"), ("tags", "b")]
    assert request.headers["x-trace"] == "t-1"
    credentials = base64.b64encode(b"alice:pa55-w0rd").decode()
    assert request.headers["authorization"] == f"Basic {credentials}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == body
    created = variables["created"]
    assert (created["status"], created["body"]) == (201, {"id": 42})
    assert created["headers"]["x-request-id"] == "r-1"
    assert "status" not in variables  # the resultVariable header took effect


# What apply_template refuses, as the Modeler would flag it.


ADDRESS = {"address.street": "s", "address.zipCode": "1"}


def test_apply_template_writes_feel_only_where_the_modeler_does() -> None:
    xml = apply_template(
        camunda8_template(get_spec(ship)),
        {"orderId": "=order.id", "apiKey": "k", "parcels": "2", "express": "true"} | ADDRESS,
    ).decode()
    assert '<zeebe:input source="=order.id" target="orderId"/>' in xml
    assert '<zeebe:input source="k" target="apiKey"/>' in xml
    assert '<zeebe:input source="=2" target="parcels"/>' in xml
    assert '<zeebe:input source="=true" target="express"/>' in xml
    assert 'zeebe:modelerTemplate="io.example.ship.v1" zeebe:modelerTemplateVersion="3"' in xml


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"orderId": "o", "apiKey": "k", "adress.street": "x"}, "binds 'adress.street'"),
        ({"orderId": "o", "apiKey": "k", "type": "other"}, "'type' is hidden"),
        ({"orderId": "o", "apiKey": "k", "carrier": "post"}, "'carrier' must be one of"),
        ({"orderId": "", "apiKey": "k"}, "'orderId' must not be empty"),
        ({"orderId": "o", "apiKey": "k", "parcels": "many"}, "'parcels' is a Number"),
    ],
)
def test_apply_template_refuses_what_the_modeler_would_flag(
    values: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        apply_template(camunda8_template(get_spec(ship)), values | ADDRESS)


def test_apply_template_refuses_a_field_of_a_variant_not_chosen() -> None:
    template = camunda8_template(get_spec(http_json))
    values = {"url": "http://127.0.0.1/", "authentication.token": "t"}
    with pytest.raises(ValueError, match=re.escape("binds 'authentication.token'")):
        apply_template(template, values)
    xml = apply_template(template, {**values, "authentication.type": "bearer"}).decode()
    assert '<zeebe:input source="t" target="authentication.token"/>' in xml
