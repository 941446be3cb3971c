"""Every diagram a test here migrates is judged by the target's own checks as it is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bpmn_bridge.migrate import MigrationResult


@pytest.fixture(autouse=True)
def _validators_judge_every_migration(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrap the module's ``migrate_c7_to_c8`` / ``migrate_c8_to_c7``: each output must be
    XSD-valid, and an output Zeebe (Camunda 8) or the real Camunda 7 (deployed) refuses must
    come with a report (else ``--check`` would pass a diagram the engine refuses)."""
    module = request.module
    for name, zeebe in (("migrate_c7_to_c8", True), ("migrate_c8_to_c7", False)):
        migrate = getattr(module, name, None)
        if migrate is not None:
            monkeypatch.setattr(module, name, _judged(migrate, request, zeebe=zeebe))


def _judged(
    migrate: Callable[..., MigrationResult], request: pytest.FixtureRequest, *, zeebe: bool
) -> Callable[..., MigrationResult]:
    def judged(xml: Any, **kwargs: Any) -> MigrationResult:
        result = migrate(xml, **kwargs)
        validator = request.getfixturevalue("bpmn_validator")
        (verdict,) = validator.check([result.xml], zeebe=zeebe)
        assert verdict.schema == [], f"the output breaks the BPMN XSD: {verdict.schema}"
        assert not (verdict.refused and not result.report), (
            f"Zeebe refuses the output but the report is empty: {verdict.refused}"
        )
        if not zeebe:
            refused = _camunda7_refuses(request, result.xml)
            assert not (refused and not result.report), (
                f"Camunda 7 refuses the output but the report is empty: {refused}"
            )
        return result

    return judged


def _camunda7_refuses(request: pytest.FixtureRequest, xml: bytes) -> str | None:
    engine = request.getfixturevalue("camunda7_engine")
    with httpx.Client(base_url=engine.url, timeout=30) as http:
        response = http.post(
            "/deployment/create",
            data={"deployment-name": "migrated", "enable-duplicate-filtering": "false"},
            files={"migrated.bpmn": ("migrated.bpmn", xml, "application/octet-stream")},
        )
    if response.status_code == 200:
        return None
    return str(response.json().get("message", response.text))
