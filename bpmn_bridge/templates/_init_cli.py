"""``bpmn-bridge init NAME``: a starter project that passes its own tests right away.

A connector with an input model, its tests with the test kit, a Camunda 8 and a Camunda 7
diagram that use it, its element templates, and a README with the two commands that matter.
Everything is written into a temporary folder first and moved into place at the end, so a
failure leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import importlib.util
import keyword
import re
import shutil
import sys
import tempfile
from pathlib import Path

from bpmn_bridge.core import ConfigurationError, get_spec

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``bpmn-bridge init``."""
    parser.add_argument("name", metavar="NAME", help="the project's folder and package name")


def run(args: argparse.Namespace) -> int:
    """Write the starter project ``NAME/`` and list what to do next.

    Raises:
        ConfigurationError: The name is not a Python package name, or ``NAME`` exists.
    """
    target = Path(args.name)
    package = target.name.replace("-", "_").lower()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", package) or keyword.iskeyword(package):
        raise ConfigurationError(
            f"{args.name!r} cannot be a Python package name: use letters, digits, '-' and '_', "
            "starting with a letter"
        )
    if target.exists():
        raise ConfigurationError(f"{target} exists already; choose another NAME")
    with tempfile.TemporaryDirectory(dir=target.resolve().parent) as scratch:
        staged = Path(scratch) / target.name
        _write(staged, package)
        staged.rename(target)
    print(f"Created {target}/. Next:")
    print(f"  cd {target} && pytest")
    print(
        f"  bpmn-bridge run --engine zeebe --engine camunda7 --connector {package}.connectors:quote"
    )
    return 0


def _write(root: Path, package: str) -> None:
    files = {
        "README.md": _README,
        "pyproject.toml": _PYPROJECT,
        f"{package}/__init__.py": '"""Connectors of {package}."""\n',
        f"{package}/connectors.py": _CONNECTORS,
        "tests/test_connectors.py": _TESTS,
        f"diagrams/{package}.c8.bpmn": _C8,
        f"diagrams/{package}.c7.bpmn": _C7,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{package}", package), encoding="utf-8")
    _write_templates(root, package)


def _write_templates(root: Path, package: str) -> None:
    from bpmn_bridge.templates._write import write_templates

    module_name = f"_bpmn_bridge_starter_{package}"
    spec = importlib.util.spec_from_file_location(module_name, root / package / "connectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
        write_templates([get_spec(module.quote)], root / "element-templates")
    finally:
        del sys.modules[module_name]
    shutil.rmtree(root / package / "__pycache__", ignore_errors=True)


_README = """\
# {package}

A BPMN connector served on Camunda 8 and Camunda 7 by bpmn-bridge.

```sh
pip install 'bpmn-bridge[testing]' && pytest        # the connector's tests
bpmn-bridge run --engine zeebe --engine camunda7 --connector {package}.connectors:quote
```

- `{package}/connectors.py`: the connector, `quote`, with its input model.
- `tests/`: its tests with the test kit (`bpmn_bridge.testing.run_connector`).
- `diagrams/`: a Camunda 8 and a Camunda 7 process using it; with `bpmn-bridge dev-engine`
  running: `bpmn-bridge deploy diagrams/{package}.c8.bpmn --engine zeebe --zeebe-insecure`,
  then `bpmn-bridge start {package} --var amount=10 --var currency=EUR --wait --engine zeebe
  --zeebe-insecure` (with `bpmn-bridge run` serving the connector).
- `element-templates/`: templates for both Modelers; write them again after a change with
  `bpmn-bridge templates {package}.connectors:quote --out element-templates`.
"""

_PYPROJECT = """\
[project]
name = "{package}"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["bpmn-bridge"]

[project.optional-dependencies]
test = ["bpmn-bridge[testing]"]

[tool.pytest.ini_options]
pythonpath = ["."]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
"""

_CONNECTORS = '''\
"""The connector: a price quote in another currency."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bpmn_bridge import BpmnError, connector

RATES = {"EUR": 1.0, "USD": 1.08, "GBP": 0.85}


class QuoteRequest(BaseModel):
    """What the process passes in."""

    amount: float = Field(ge=0, description="The amount in euros.")
    currency: str = Field(description="The currency to quote in, e.g. USD.")


@connector(
    type="{package}:quote:1",
    name="Quote",
    description="Quotes an amount in a currency.",
    errors=["UNKNOWN_CURRENCY"],
)
async def quote(request: QuoteRequest) -> dict[str, float]:
    """The amount in ``request.currency``; BPMN error UNKNOWN_CURRENCY for others."""
    rate = RATES.get(request.currency.upper())
    if rate is None:
        raise BpmnError("UNKNOWN_CURRENCY", f"no rate for {request.currency}")
    return {"quotedAmount": round(request.amount * rate, 2)}
'''

_TESTS = '''\
"""The connector through the same pipeline the workers use, in memory."""

from bpmn_bridge import BpmnErrorThrown, Completed, Failed
from bpmn_bridge.testing import run_connector

from {package}.connectors import quote


async def test_quotes_in_the_currency() -> None:
    outcome = await run_connector(quote, variables={"amount": 10, "currency": "USD"})
    assert outcome == Completed(variables={"quotedAmount": 10.8})


async def test_an_unknown_currency_is_a_bpmn_error() -> None:
    outcome = await run_connector(quote, variables={"amount": 10, "currency": "XXX"})
    assert isinstance(outcome, BpmnErrorThrown)
    assert outcome.code == "UNKNOWN_CURRENCY"


async def test_a_negative_amount_is_refused() -> None:
    outcome = await run_connector(quote, variables={"amount": -1, "currency": "USD"})
    assert isinstance(outcome, Failed)
    assert "amount" in outcome.message
'''

_C8 = """\
<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="{package}_c8"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{package}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toQuote" sourceRef="start" targetRef="quote"/>
    <bpmn:serviceTask id="quote" name="Quote">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{package}:quote:1" retries="3"/>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="toEnd" sourceRef="quote" targetRef="done"/>
    <bpmn:endEvent id="done"/>
  </bpmn:process>
</bpmn:definitions>
"""

_C7 = """\
<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="{package}_c7"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{package}" isExecutable="true" camunda:historyTimeToLive="P30D">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toQuote" sourceRef="start" targetRef="quote"/>
    <bpmn:serviceTask id="quote" name="Quote" camunda:type="external"
        camunda:topic="{package}:quote:1"/>
    <bpmn:sequenceFlow id="toEnd" sourceRef="quote" targetRef="done"/>
    <bpmn:endEvent id="done"/>
  </bpmn:process>
</bpmn:definitions>
"""
