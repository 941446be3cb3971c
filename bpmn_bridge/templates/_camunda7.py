"""Camunda 7 element templates from a connector spec."""

from __future__ import annotations

from typing import Any

from bpmn_bridge.core import ConnectorSpec
from bpmn_bridge.templates._common import HEADER_GROUPS, standard_header_properties, template_id
from bpmn_bridge.templates._fields import INPUT_GROUP, FormField, Kind, read_fields

__all__ = ["CAMUNDA7_SCHEMA", "camunda7_template"]

CAMUNDA7_SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json"

_TRUE, _FALSE = "${true}", "${false}"


def camunda7_template(spec: ConnectorSpec) -> dict[str, Any]:
    """Build the Camunda 7 element template of a connector.

    The template makes the task an external task (``camunda:type="external"``, topic
    ``spec.type``), binds each scalar input field with a ``camunda:inputParameter`` and the
    standard headers with ``camunda:property`` (the Camunda 7 adapter reads extension
    properties as headers).

    Camunda 7 input parameters hold text or a JUEL expression only, so nested models,
    lists and dicts are not bound: the connector reads them from process variables of the
    same name, and the template's description lists them.

    Args:
        spec: The connector's spec (see :func:`bpmn_bridge.get_spec`).

    Returns:
        The template as JSON-ready data.

    Raises:
        ConnectorDefinitionError: The input model cannot be rendered.
    """
    fields = read_fields(spec.input_model) if spec.input_model is not None else []
    bound = [f for f in fields if not f.nested and f.kind is not Kind.STRUCTURED]
    from_variables = list(dict.fromkeys(f.path.split(".")[0] for f in fields if f not in bound))
    groups: dict[str, str] = {INPUT_GROUP.id: INPUT_GROUP.label} if bound else {}
    groups.update(HEADER_GROUPS)
    properties: list[dict[str, Any]] = [
        {
            "type": "Hidden",
            "value": "external",
            "binding": {"type": "property", "name": "camunda:type"},
        },
        {
            "type": "Hidden",
            "value": spec.type,
            "binding": {"type": "property", "name": "camunda:topic"},
        },
    ]
    properties.extend(_input(f) for f in bound)
    for header in standard_header_properties(spec):
        properties.append(
            {
                "label": header.label,
                "description": header.description,
                "group": header.group,
                "type": "String",
                "binding": {"type": "camunda:property", "name": header.key},
            }
        )
    description = spec.description
    if from_variables:
        description = (
            f"{description} Read from process variables (Json or Map): {', '.join(from_variables)}."
        ).strip()
    return {
        "$schema": CAMUNDA7_SCHEMA,
        "name": spec.name,
        "id": template_id(spec),
        "version": spec.version,
        "description": description,
        "appliesTo": ["bpmn:Task"],
        "elementType": {"value": "bpmn:ServiceTask"},
        "groups": [{"id": gid, "label": label} for gid, label in groups.items()],
        "properties": properties,
    }


def _input(field: FormField) -> dict[str, Any]:
    prop: dict[str, Any] = {"label": field.label, "group": field.group.id}
    if field.description:
        prop["description"] = field.description
    if field.kind is Kind.CHOICE:
        prop["type"] = "Dropdown"
        prop["choices"] = [{"name": c, "value": c} for c in field.choices]
        prop["value"] = str(field.default if field.default is not None else field.choices[0])
    elif field.kind is Kind.BOOLEAN:
        # A JUEL literal, so the variable is a Boolean rather than the text "true".
        prop["type"] = "Dropdown"
        prop["choices"] = [{"name": "Yes", "value": _TRUE}, {"name": "No", "value": _FALSE}]
        prop["value"] = _TRUE if field.default else _FALSE
    else:
        prop["type"] = "String"
        if field.default is not None:
            prop["value"] = str(field.default)
    prop["binding"] = {"type": "camunda:inputParameter", "name": field.path}
    constraints: dict[str, Any] = {}
    # An empty parameter is null in Camunda 7; only fields that accept null may be empty.
    if field.required or (field.has_default and field.default is not None):
        constraints["notEmpty"] = True
    if field.pattern is not None:
        constraints["pattern"] = {
            "value": field.pattern,
            "message": f"Must match the pattern {field.pattern}",
        }
    if field.min_length is not None:
        constraints["minLength"] = field.min_length
    if field.max_length is not None:
        constraints["maxLength"] = field.max_length
    if constraints and prop["type"] != "Dropdown":
        prop["constraints"] = constraints
    return prop
