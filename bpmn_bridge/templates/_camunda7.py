"""Camunda 7 element templates from a connector spec."""

from __future__ import annotations

from typing import Any

from bpmn_bridge.core import ConnectorSpec
from bpmn_bridge.templates._common import (
    HEADER_GROUPS,
    described,
    errors_sentence,
    standard_header_properties,
    template_id,
)
from bpmn_bridge.templates._fields import INPUT_GROUP, FormField, Kind, read_fields

__all__ = ["CAMUNDA7_SCHEMA", "camunda7_template"]

CAMUNDA7_SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json"

_TRUE, _FALSE = "${true}", "${false}"


def camunda7_template(spec: ConnectorSpec) -> dict[str, Any]:
    """Build the Camunda 7 element template of a connector.

    The template makes the task an external task (``camunda:type="external"``, topic
    ``spec.type``), binds each scalar input field with a ``camunda:inputParameter`` and the
    standard headers with ``camunda:property`` (the Camunda 7 adapter reads extension
    properties as headers). Fields of nested models are bound by dotted name
    (``authentication.username``), grouped as on Camunda 8; the worker folds the flat
    variables into the nested input.

    Camunda 7 input parameters hold text or a JUEL expression only, so lists and dicts are
    not bound: the connector reads them from process variables of the same name, and the
    template's description lists them. Camunda 7 templates have no conditions, so every
    variant of a discriminated union is shown, each field's description says which variant
    it is for, and none is required.

    Args:
        spec: The connector's spec (see :func:`bpmn_bridge.get_spec`).

    Returns:
        The template as JSON-ready data.

    Raises:
        ConnectorDefinitionError: The input model cannot be rendered.
    """
    fields = read_fields(spec.input_model) if spec.input_model is not None else []
    bound = _bound(fields)
    from_variables = [f.path for f in fields if f.kind is Kind.STRUCTURED]
    groups: dict[str, str] = {INPUT_GROUP.id: INPUT_GROUP.label} if bound else {}
    for form_field, _ in bound:
        groups.setdefault(form_field.group.id, form_field.group.label)
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
    properties.extend(_input(f, only_for) for f, only_for in bound)
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
    description = described(
        spec.description,
        errors_sentence(spec.errors),
        f"Read from process variables (Json or Map): {', '.join(from_variables)}"
        if from_variables
        else "",
    )
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


def _bound(fields: list[FormField]) -> list[tuple[FormField, str]]:
    """The fields bound to input parameters, each with the variants it is for ("" for all).

    Variants of a union may share a field name; Camunda 7 has one parameter per name, so
    the first variant's field stands for all of them.
    """
    labels = {f.id: f.label for f in fields}
    variants: dict[str, list[str]] = {}
    first: dict[str, FormField] = {}
    for form_field in fields:
        if form_field.kind is Kind.STRUCTURED:
            continue
        first.setdefault(form_field.path, form_field)
        if form_field.condition is not None:
            variants.setdefault(form_field.path, []).append(form_field.condition.value)
    bound: list[tuple[FormField, str]] = []
    for path, form_field in first.items():
        only_for = ""
        if form_field.condition is not None:
            tags = " or ".join(f"'{tag}'" for tag in variants[path])
            only_for = f"Only when {labels[form_field.condition.path]} is {tags}."
        bound.append((form_field, only_for))
    return bound


def _input(field: FormField, only_for: str) -> dict[str, Any]:
    prop: dict[str, Any] = {"label": field.label, "group": field.group.id}
    description = f"{only_for} {field.description}".strip()
    if description:
        prop["description"] = description
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
    # A variant's field cannot be required: it is shown (and empty) for the other variants.
    if not only_for and (field.required or (field.has_default and field.default is not None)):
        constraints["notEmpty"] = True
    if field.pattern is not None:
        constraints["pattern"] = {
            # an expression (${...} or #{...}) is evaluated by the engine, not matched
            "value": f"^[$#]\\{{[\\s\\S]*\\}}$|{field.pattern}",
            "message": f"Must match the pattern {field.pattern} or be an expression (${{...}})",
        }
    if field.min_length is not None:
        constraints["minLength"] = field.min_length
    if field.max_length is not None:
        constraints["maxLength"] = field.max_length
    if constraints and prop["type"] != "Dropdown":
        prop["constraints"] = constraints
    return prop
