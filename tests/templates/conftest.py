"""The official element template schemas, installed from the pinned package-lock.json.

``npm ci`` runs once into ``tests/templates/node_modules`` (gitignored) when it is missing.
Without npm or node the schema tests skip locally and FAIL when ``CI=true``: in CI a
template nobody validated is a broken pipeline, not a skipped check.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.support.peers import install_npm_peer

HERE = Path(__file__).parent


class Validator(Protocol):
    def __call__(
        self,
        engine: str,
        templates: Sequence[dict[str, Any]],
        *,
        schemas: Mapping[str, Any] | None = None,
    ) -> list[list[str]]: ...


@pytest.fixture(scope="session")
def validate_templates() -> Validator:
    """Validate templates of one engine (``camunda8`` / ``camunda7``); one error list each."""
    node = install_npm_peer("template schema validation", HERE, package="ajv")

    def validate(
        engine: str,
        templates: Sequence[dict[str, Any]],
        *,
        schemas: Mapping[str, Any] | None = None,
    ) -> list[list[str]]:
        """Errors per template; ``schemas`` adds named schemas (to test the validator).

        Raises:
            RuntimeError: the validator refused a schema (strict mode), with its message.
        """
        done = subprocess.run(
            [node, str(HERE / "validate.mjs")],
            input=json.dumps({engine: list(templates), "$schemas": dict(schemas or {})}),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"validate.mjs failed: {done.stderr.strip()[-2000:]}")
        result: list[list[str]] = json.loads(done.stdout)[engine]
        return result

    return validate


@pytest.fixture(autouse=True)
def _zeebe_validates_applied_templates(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Camunda 8 diagram a test builds with ``apply_template`` passes Zeebe's own model
    validation (``tests/support/bpmn_validator.py``) before the test uses it; Camunda 7 ones
    are deployed to the real Camunda 7 by the tests themselves."""
    from bpmn_bridge.templates import CAMUNDA8_SCHEMA

    module = request.module
    built = getattr(module, "apply_template", None)
    if built is None:
        return

    def checked(template: Mapping[str, Any], values: Mapping[str, str], **kwargs: Any) -> bytes:
        xml: bytes = built(template, values, **kwargs)
        if template.get("$schema") == CAMUNDA8_SCHEMA:
            validator = request.getfixturevalue("bpmn_validator")
            (verdict,) = validator.check([xml], zeebe=True)
            assert verdict.refused == [], f"Zeebe refuses the applied template: {verdict.refused}"
        return xml

    monkeypatch.setattr(module, "apply_template", checked)
