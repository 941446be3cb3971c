"""Every generated template validates against the official Camunda schemas (pinned)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from bpmn_bridge import ConnectorSpec, get_spec
from bpmn_bridge.connectors import BUILTIN_CONNECTORS
from bpmn_bridge.templates import camunda7_template, camunda8_template

from .conftest import Validator
from .models import everything, no_input

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _example_specs() -> list[ConnectorSpec]:
    specs: list[ConnectorSpec] = []
    # The checkout's examples/ goes before a dependency's top-level 'examples' package.
    if sys.path[:1] != [str(EXAMPLES.parent)]:
        sys.path.insert(0, str(EXAMPLES.parent))
    for path in sorted(EXAMPLES.rglob("*.py")):
        if (path.parent / "__init__.py").exists():
            # A package imports its siblings by package name (examples.order_fulfilment...).
            dotted = path.relative_to(EXAMPLES.parent).with_suffix("").parts
            module = importlib.import_module(".".join(p for p in dotted if p != "__init__"))
        else:
            name = f"_bpmn_bridge_example_{path.stem}"
            module_spec = importlib.util.spec_from_file_location(name, path)
            if module_spec is None or module_spec.loader is None:
                continue
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            module_spec.loader.exec_module(module)
        for value in vars(module).values():
            if callable(value) and hasattr(value, "__bpmn_bridge_connector__"):
                specs.append(get_spec(value))
    return specs


SPECS = [get_spec(c) for c in BUILTIN_CONNECTORS] + [get_spec(everything), get_spec(no_input)]
SPECS += _example_specs()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.type)
def test_camunda8_template_is_valid(spec: ConnectorSpec, validate_templates: Validator) -> None:
    assert validate_templates("camunda8", [camunda8_template(spec)]) == [[]]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.type)
def test_camunda7_template_is_valid(spec: ConnectorSpec, validate_templates: Validator) -> None:
    assert validate_templates("camunda7", [camunda7_template(spec)]) == [[]]


def test_the_validator_rejects_what_the_schemas_forbid(validate_templates: Validator) -> None:
    template: dict[str, Any] = camunda8_template(get_spec(everything))
    broken = {**template, "properties": [{"type": "Bogus", "binding": {"type": "zeebe:input"}}]}
    # A Boolean is no Camunda 7 input parameter type.
    c7 = camunda7_template(get_spec(everything))
    broken7 = {
        **c7,
        "properties": [
            {"type": "Boolean", "binding": {"type": "camunda:inputParameter", "name": "x"}}
        ],
    }
    assert validate_templates("camunda8", [broken])[0]
    assert validate_templates("camunda7", [broken7])[0]


def test_the_validator_checks_formats(validate_templates: Validator) -> None:
    """ajv-formats is on: a value that breaks a schema's ``format`` is an error."""
    schema = {"type": "object", "properties": {"link": {"type": "string", "format": "uri"}}}
    assert validate_templates(
        "probe", [{"link": "https://example.com/x"}], schemas={"probe": schema}
    ) == [[]]
    [errors] = validate_templates("probe", [{"link": "not a uri"}], schemas={"probe": schema})
    assert errors == ['/link must match format "uri"']


def test_the_validator_is_strict(validate_templates: Validator) -> None:
    """An unknown keyword or format in a schema is refused, never silently ignored."""
    typo = {"type": "object", "requried": ["id"]}
    with pytest.raises(RuntimeError, match='unknown keyword: "requried"'):
        validate_templates("probe", [{}], schemas={"probe": typo})
    odd_format = {"type": "string", "format": "no-such-format"}
    with pytest.raises(RuntimeError, match='unknown format "no-such-format"'):
        validate_templates("probe", ["x"], schemas={"probe": odd_format})
