"""The public surface of bpmn_bridge.connectors."""

from types import ModuleType

import bpmn_bridge.connectors as connectors
from bpmn_bridge import get_spec


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(connectors).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }

    assert set(connectors.__all__) == public


def test_builtin_connectors_are_registered_with_their_types() -> None:
    types = [get_spec(function).type for function in connectors.BUILTIN_CONNECTORS]

    assert types == ["io.bpmn-bridge:http-json:1", "io.bpmn-bridge:email-smtp:1"]


def test_every_input_field_has_a_title_and_description_for_element_templates() -> None:
    models = [
        connectors.HttpRequest,
        connectors.BasicAuthentication,
        connectors.BearerAuthentication,
        connectors.NoAuthentication,
        connectors.OAuthClientCredentials,
        connectors.EmailRequest,
        connectors.NoSmtpAuthentication,
        connectors.SmtpPasswordAuthentication,
    ]
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name, info in model.model_fields.items()
        if not (info.title and info.description)
    ]

    assert missing == []
