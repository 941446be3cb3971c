"""Each pydantic feature of an input model becomes the expected template property."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from bpmn_bridge import connector, get_spec
from bpmn_bridge.connectors import http_json
from bpmn_bridge.templates import (
    CAMUNDA7_SCHEMA,
    CAMUNDA8_SCHEMA,
    camunda7_template,
    camunda8_template,
    dump_template,
    template_id,
)

from .models import everything, no_input

SPEC = get_spec(everything)


def _inputs8(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in template["properties"] if p["binding"]["type"] == "zeebe:input"}


def _inputs7(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        p["binding"]["name"]: p
        for p in template["properties"]
        if p["binding"]["type"] == "camunda:inputParameter"
    }


@pytest.fixture(scope="module")
def c8() -> dict[str, Any]:
    return camunda8_template(SPEC)


@pytest.fixture(scope="module")
def c7() -> dict[str, Any]:
    return camunda7_template(SPEC)


def test_identity_from_the_spec(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    assert template_id(get_spec(http_json)) == "io.bpmn-bridge.http-json.v1"
    for template, schema in ((c8, CAMUNDA8_SCHEMA), (c7, CAMUNDA7_SCHEMA)):
        assert template["$schema"] == schema
        assert template["id"] == "io.example.everything.v2"
        assert template["name"] == "Everything"
        assert template["version"] == 2
        assert template["elementType"] == {"value": "bpmn:ServiceTask"}


def test_camunda8_binds_the_job_type_and_retries(c8: dict[str, Any]) -> None:
    bindings = {
        p["binding"]["property"]: p
        for p in c8["properties"]
        if p["binding"]["type"] == "zeebe:taskDefinition"
    }
    assert bindings["type"]["type"] == "Hidden"
    assert bindings["type"]["value"] == "io.example:everything:2"
    assert bindings["retries"]["value"] == "3"


def test_camunda7_makes_an_external_task_on_the_topic(c7: dict[str, Any]) -> None:
    bindings = {
        p["binding"]["name"]: p["value"]
        for p in c7["properties"]
        if p["binding"]["type"] == "property"
    }
    assert bindings == {"camunda:type": "external", "camunda:topic": "io.example:everything:2"}


def test_standard_headers(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    headers8 = [
        p["binding"]["key"] for p in c8["properties"] if p["binding"]["type"] == "zeebe:taskHeader"
    ]
    assert headers8 == [
        "resultVariable",
        "resultExpression",
        "errorExpression",
        "retryBackoff",
        "jobTimeout",
    ]
    headers7 = [
        p["binding"]["name"] for p in c7["properties"] if p["binding"]["type"] == "camunda:property"
    ]
    assert headers7 == [
        "resultVariable",
        "resultExpression",
        "errorExpression",
        "retries",
        "retryBackoff",
        "jobTimeout",
    ]


def test_field_order_and_aliases_are_kept(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    names8 = [p["binding"]["name"] for p in _inputs8(c8).values()]
    assert names8 == [
        "name",
        "code",
        "count",
        "ratio",
        "enabled",
        "color",
        "speedMode",
        "password",
        "server.host",
        "server.port",
        "auth.kind",
        "auth.token",
        "auth.userName",
        "tags",
        "labels",
        "from",
    ]
    # Camunda 7 binds the same names, except lists and dicts (no parameter can build them).
    assert list(_inputs7(c7)) == [n for n in names8 if n not in ("tags", "labels")]


def test_titles_descriptions_and_required(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    name8, name7 = _inputs8(c8)["name"], _inputs7(c7)["name"]
    for prop in (name8, name7):
        assert prop["label"] == "Name"
        assert prop["description"] == "Who it is for."
        assert prop["constraints"]["notEmpty"] is True
    assert "optional" not in name8
    assert _inputs8(c8)["code"]["label"] == "Code"  # no title: the name


def test_patterns_from_field_and_constr(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    # A FEEL expression (Camunda 8) or an expression (Camunda 7) passes the pattern too.
    name8 = _inputs8(c8)["name"]
    assert name8["constraints"]["pattern"]["value"] == "^=[\\s\\S]*$|^[a-z]+$"
    assert name8["feel"] == "optional"
    name7 = _inputs7(c7)["name"]
    assert name7["constraints"]["pattern"]["value"] == "^[$#]\\{[\\s\\S]*\\}$|^[a-z]+$"
    # With a length limit an expression could not pass, so the Camunda 8 field stays static.
    code8 = _inputs8(c8)["code"]
    assert code8["constraints"]["pattern"]["value"] == "^[A-Z]{3}$"
    assert "feel" not in code8
    for inputs in (_inputs8(c8), _inputs7(c7)):
        code = inputs["code"]["constraints"]
        assert (code["minLength"], code["maxLength"]) == (3, 3)


def test_defaults_numbers_and_optional_fields(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    count8 = _inputs8(c8)["count"]
    assert (count8["type"], count8["value"], count8["optional"]) == ("Number", 5, True)
    ratio8 = _inputs8(c8)["ratio"]
    assert ratio8["optional"] is True and "value" not in ratio8
    count7 = _inputs7(c7)["count"]
    assert (count7["type"], count7["value"]) == ("String", "5")
    # An empty Camunda 7 parameter is null, which the model rejects unless it allows None.
    assert count7["constraints"]["notEmpty"] is True
    assert "constraints" not in _inputs7(c7)["ratio"]


def test_enums_and_literals_are_dropdowns(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    for inputs in (_inputs8(c8), _inputs7(c7)):
        color, mode = inputs["color"], inputs["speedMode"]
        assert color["type"] == mode["type"] == "Dropdown"
        assert [c["value"] for c in color["choices"]] == ["red", "green"]
        assert color["value"] == "green"
        assert [c["value"] for c in mode["choices"]] == ["fast", "slow"]
        assert mode["value"] == "slow"


def test_booleans(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    enabled8 = _inputs8(c8)["enabled"]
    assert (enabled8["type"], enabled8["value"]) == ("Boolean", True)
    enabled7 = _inputs7(c7)["enabled"]
    assert enabled7["type"] == "Dropdown"
    assert [c["value"] for c in enabled7["choices"]] == ["${true}", "${false}"]
    assert enabled7["value"] == "${true}"


def test_secrets_get_a_placeholder_hint(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    assert _inputs8(c8)["password"]["description"] == "Use {{secrets.NAME}}."
    assert _inputs7(c7)["password"]["description"] == "Use {{secrets.NAME}}."
    token = _inputs8(c8)["auth.token.token"]
    assert token["description"] == "The API token. Use {{secrets.NAME}}."


def test_nested_model_is_a_group_of_dotted_targets(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    host = _inputs8(c8)["server.host"]
    assert host["binding"]["name"] == "server.host"
    assert host["group"] == "server"
    assert {"id": "server", "label": "Server"} in c8["groups"]
    assert _inputs8(c8)["server.port"]["value"] == 25
    # The worker folds Camunda 7's flat 'server.host' variable into the nested input.
    host7, port7 = _inputs7(c7)["server.host"], _inputs7(c7)["server.port"]
    assert host7["group"] == "server" and host7["constraints"]["notEmpty"] is True
    assert (port7["type"], port7["value"]) == ("String", "25")
    assert [g["id"] for g in c7["groups"]] == [g["id"] for g in c8["groups"]]


def test_discriminated_union_is_a_dropdown_with_conditions(c8: dict[str, Any]) -> None:
    inputs = _inputs8(c8)
    kind = inputs["auth.kind"]
    assert [c["value"] for c in kind["choices"]] == ["token", "user"]
    assert kind["value"] == "user"  # from the default
    assert inputs["auth.token.token"]["condition"] == {"property": "auth.kind", "equals": "token"}
    assert inputs["auth.user.userName"]["condition"] == {"property": "auth.kind", "equals": "user"}
    assert inputs["auth.user.userName"]["binding"]["name"] == "auth.userName"


def test_camunda7_shows_every_union_variant_and_says_which_is_which(c7: dict[str, Any]) -> None:
    # Camunda 7 templates have no conditions: each variant's fields are always shown, so
    # none can be required, and the description tells the modeler when it applies.
    inputs = _inputs7(c7)
    kind = inputs["auth.kind"]
    assert kind["type"] == "Dropdown" and kind["value"] == "user"
    token, user = inputs["auth.token"], inputs["auth.userName"]
    assert token["description"] == (
        "Only when Authentication is 'token'. The API token. Use {{secrets.NAME}}."
    )
    assert user["description"] == "Only when Authentication is 'user'."
    assert "constraints" not in token and "constraints" not in user
    assert all("condition" not in p for p in c7["properties"])


def test_lists_and_dicts_are_feel(c8: dict[str, Any], c7: dict[str, Any]) -> None:
    tags, labels = _inputs8(c8)["tags"], _inputs8(c8)["labels"]
    assert (tags["type"], tags["feel"], tags["optional"]) == ("Text", "required", True)
    assert "value" not in tags
    assert labels["value"] == '={"env": "prod"}'
    # Camunda 7 cannot build them in a parameter: read from process variables, said so.
    assert c7["description"].endswith("Read from process variables (Json or Map): tags, labels.")


def test_connector_without_input_has_headers_only() -> None:
    template = camunda8_template(get_spec(no_input))
    assert not [p for p in template["properties"] if p["binding"]["type"] == "zeebe:input"]
    assert [g["id"] for g in template["groups"]] == ["output", "errors", "retries"]


def test_output_is_stable() -> None:
    first = dump_template(camunda8_template(SPEC)) + dump_template(camunda7_template(SPEC))
    second = dump_template(camunda8_template(SPEC)) + dump_template(camunda7_template(SPEC))
    assert first == second
    assert first.index('"$schema"') < first.index('"appliesTo"')  # keys sorted


def test_camunda7_binds_a_name_shared_by_two_variants_once() -> None:
    class Basic(BaseModel):
        type: Literal["basic"]
        username: str

    class Digest(BaseModel):
        type: Literal["digest"]
        username: str
        realm: str

    class Request(BaseModel):
        auth: Annotated[Basic | Digest, Field(discriminator="type")]

    @connector(type="shared-names")
    def shared(request: Request) -> None:
        """Two variants with a username."""

    inputs = _inputs7(camunda7_template(get_spec(shared)))
    assert list(inputs) == ["auth.type", "auth.username", "auth.realm"]
    assert inputs["auth.username"]["description"] == "Only when Auth is 'basic' or 'digest'."


def test_declared_bpmn_errors_are_named_in_both_templates(
    c8: dict[str, Any], c7: dict[str, Any]
) -> None:
    sentence = "Throws BPMN errors (draw boundary error events for them): NOT_FOUND, RATE_LIMITED."
    assert c8["description"] == f"Exercise every mapped feature. {sentence}"
    assert c7["description"].startswith(f"Exercise every mapped feature. {sentence}")
