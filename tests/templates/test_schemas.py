"""Every generated template validates against the official Camunda schemas (pinned)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from bpmn_bridge import ConnectorSpec, get_spec
from bpmn_bridge.connectors import BUILTIN_CONNECTORS
from bpmn_bridge.demo._example import make_example_importable
from bpmn_bridge.templates import camunda7_template, camunda8_template

from .conftest import Validator
from .models import everything, no_input

EXAMPLES = Path(__file__).parents[2] / "examples"


def _example_specs() -> list[ConnectorSpec]:
    specs: list[ConnectorSpec] = []
    # The checkout's examples/ goes before a dependency's top-level 'examples' package.
    make_example_importable()
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
