"""Every diagram a test here migrates is judged by the target's validators as it is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bpmn_bridge.migrate import MigrationResult


@pytest.fixture(autouse=True)
def _validators_judge_every_migration(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrap the module's ``migrate_c7_to_c8`` / ``migrate_c8_to_c7``: each output must be
    XSD-valid, and a Camunda 8 output Zeebe refuses must come with a report (else
    ``--check`` would pass a diagram the engine refuses)."""
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
        return result

    return judged
