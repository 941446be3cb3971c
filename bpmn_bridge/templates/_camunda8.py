"""Camunda 8 (Zeebe) element templates from a connector spec."""

from __future__ import annotations

from typing import Any

from bpmn_bridge.core import ConnectorSpec
from bpmn_bridge.templates._common import (
    HEADER_GROUPS,
    described,
    errors_sentence,
    feel_literal,
    standard_header_properties,
    template_id,
)
from bpmn_bridge.templates._fields import INPUT_GROUP, FormField, Kind, read_fields

__all__ = ["CAMUNDA8_SCHEMA", "camunda8_template"]

CAMUNDA8_SCHEMA = (
    "https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json"
)

_PLACEHOLDERS = {
    "list": '=["a", "b"]',
    "dict": '={"name": "value"}',
}


def camunda8_template(spec: ConnectorSpec) -> dict[str, Any]:
    """Build the Camunda 8 element template of a connector.

    The template binds the job type (hidden) and retries with ``zeebe:taskDefinition``, each
    input field with a ``zeebe:input`` (nested model fields by dotted target, e.g.
    ``authentication.username``), and the standard headers with ``zeebe:taskHeader``.

    Args:
        spec: The connector's spec (see :func:`bpmn_bridge.get_spec`).

    Returns:
        The template as JSON-ready data.

    Raises:
        ConnectorDefinitionError: The input model cannot be rendered (see
            :func:`bpmn_bridge.templates._fields.read_fields`).
    """
    fields = read_fields(spec.input_model) if spec.input_model is not None else []
    groups: dict[str, str] = {INPUT_GROUP.id: INPUT_GROUP.label} if fields else {}
    for form_field in fields:
        groups.setdefault(form_field.group.id, form_field.group.label)
    groups.update(HEADER_GROUPS)
    properties: list[dict[str, Any]] = [
        {
            "type": "Hidden",
            "value": spec.type,
            "binding": {"type": "zeebe:taskDefinition", "property": "type"},
        },
    ]
    properties.extend(_input(f) for f in fields)
    properties.extend(_headers(spec))
    template: dict[str, Any] = {
        "$schema": CAMUNDA8_SCHEMA,
        "name": spec.name,
        "id": template_id(spec),
        "version": spec.version,
        "description": described(spec.description, errors_sentence(spec.errors)),
        "appliesTo": ["bpmn:Task"],
        "elementType": {"value": "bpmn:ServiceTask"},
        "groups": [{"id": gid, "label": label} for gid, label in groups.items()],
        "properties": properties,
    }
    return template


def _input(field: FormField) -> dict[str, Any]:
    prop: dict[str, Any] = {"id": field.id, "label": field.label, "group": field.group.id}
    if field.description:
        prop["description"] = field.description
    if field.kind is Kind.CHOICE:
        prop["type"] = "Dropdown"
        prop["choices"] = [{"name": c, "value": c} for c in field.choices]
        default = field.default if field.default is not None else field.choices[0]
        prop["value"] = str(default)
    elif field.kind is Kind.BOOLEAN:
        prop["type"] = "Boolean"
        prop["value"] = bool(field.default)
        prop["feel"] = "static"
    elif field.kind is Kind.NUMBER:
        prop["type"] = "Number"
        # a number typed in, or an expression such as =order.amount
        prop["feel"] = "optional"
        if isinstance(field.default, int | float):
            prop["value"] = field.default
    elif field.kind is Kind.STRUCTURED:
        # Lists, dicts and free JSON are FEEL: the modeler has no widget for them.
        prop["type"] = "Text"
        prop["feel"] = "required"
        if field.default not in (None, [], {}, ""):
            prop["value"] = "=" + feel_literal(field.default)
        kind = "dict" if isinstance(field.default, dict) else "list"
        if isinstance(field.default, dict | list):
            prop["placeholder"] = _PLACEHOLDERS[kind]
    else:
        prop["type"] = "String"
        if field.min_length is None and field.max_length is None:
            # FEEL stays possible: the pattern constraint lets every '=...' expression
            # through; a length limit would not, so such a field stays static text
            prop["feel"] = "optional"
        if isinstance(field.default, str):
            prop["value"] = field.default
    prop["binding"] = {"type": "zeebe:input", "name": field.path}
    constraints = _constraints(field)
    if field.required:
        constraints["notEmpty"] = True
    elif prop["type"] not in ("Boolean", "Dropdown"):
        # Left empty, the mapping is not written and the model's default applies.
        prop["optional"] = True
        if constraints:
            constraints["notEmpty"] = False
    if constraints:
        prop["constraints"] = constraints
    if field.condition is not None:
        prop["condition"] = {"property": field.condition.path, "equals": field.condition.value}
    return prop


def _constraints(field: FormField) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if field.pattern is not None and field.min_length is None and field.max_length is None:
        constraints["pattern"] = {
            "value": f"^=[\\s\\S]*$|{field.pattern}",
            "message": f"Must match the pattern {field.pattern} or be a FEEL expression (=...)",
        }
    elif field.pattern is not None:
        constraints["pattern"] = {
            "value": field.pattern,
            "message": f"Must match the pattern {field.pattern}",
        }
    if field.min_length is not None:
        constraints["minLength"] = field.min_length
    if field.max_length is not None:
        constraints["maxLength"] = field.max_length
    return constraints


def _headers(spec: ConnectorSpec) -> list[dict[str, Any]]:
    properties: list[dict[str, Any]] = []
    for header in standard_header_properties(spec):
        if header.key == "retries":
            # Zeebe always reports a job's retries; the task definition is where they live.
            properties.append(
                {
                    "id": "retries",
                    "label": header.label,
                    "description": header.description,
                    "group": header.group,
                    "type": "String",
                    "value": str(spec.retries),
                    "binding": {"type": "zeebe:taskDefinition", "property": "retries"},
                    "constraints": {
                        "notEmpty": True,
                        "pattern": {"value": "^(=.*|[0-9]+)$", "message": "A whole number"},
                    },
                }
            )
            continue
        prop: dict[str, Any] = {
            "id": header.key,
            "label": header.label,
            "description": header.description,
            "group": header.group,
            "type": "Text" if header.feel else "String",
            "binding": {"type": "zeebe:taskHeader", "key": header.key},
            "optional": True,
        }
        if header.feel:
            prop["feel"] = "required"
        properties.append(prop)
    return properties
