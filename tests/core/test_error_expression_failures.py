"""An errorExpression that fails to evaluate is an incident naming the header, never a crash."""

from __future__ import annotations

from bpmn_bridge import Failed, connector
from bpmn_bridge.testing import run_connector


@connector(type="always-fails")
async def always_fails() -> None:
    raise RuntimeError("down")


async def test_error_expression_evaluation_error_is_an_incident() -> None:
    outcome = await run_connector(
        always_fails, headers={"errorExpression": '=jobError("m", {}, -5)'}
    )
    assert isinstance(outcome, Failed) and outcome.retries == 0
    assert outcome.message.startswith("Invalid header 'errorExpression': ")
    assert "retries must be a non-negative integer" in outcome.message
