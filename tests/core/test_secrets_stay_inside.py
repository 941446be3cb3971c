"""A resolved secret reaches no process variable, incident or log line, by any path.

Also: which values are resolved (``{{secrets.NAME}}`` always, a bare ``secrets.NAME`` only
when the worker opts in), how deep input may nest, and what a failing secrets directory
does to the job that asked (it fails and is retried; nothing else is touched).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bpmn_bridge import (
    BpmnError,
    BpmnErrorThrown,
    Completed,
    ConnectorContext,
    ConnectorError,
    DirectorySecretProvider,
    Failed,
    SecretMasker,
    connector,
)
from bpmn_bridge.core import JobPipeline, get_spec
from bpmn_bridge.testing import build_job_info, run_connector

SECRET = "p@ss+w/rd=="
SECRETS = {"API_KEY": SECRET}


class Login(BaseModel):
    user: str
    password: str


@connector(type="login", retries=2)
async def login(data: Login) -> dict[str, str]:
    return {"user": data.user, "password_seen": data.password}


@connector(type="denied", retries=2)
async def denied(data: Login) -> None:
    raise ConnectorError("E401", "denied", variables={"sent": data.password})


@connector(type="rejects", retries=2)
async def rejects(data: Login) -> None:
    raise BpmnError("REJECTED", f"no for {data.password}", variables={"pw": data.password})


@connector(type="by-name", retries=2)
async def by_name(context: ConnectorContext) -> dict[str, str]:
    value = context.secret("API_KEY")
    context.logger.warning("looked up %s", value)
    return {"copy": f"<{value}>"}


async def test_error_expression_sees_the_error_not_the_resolved_inputs() -> None:
    variables = {"user": "ann", "password": "{{secrets.API_KEY}}"}
    copies_input = {"errorExpression": '=bpmnError("X", "m", {leak: password})'}
    outcome = await run_connector(
        denied, variables=variables, headers=copies_input, secrets=SECRETS
    )
    assert outcome == BpmnErrorThrown("X", "m", {"leak": None})

    copies_error = {"errorExpression": '=jobError("m", {v: error.variables.sent}, 0, "PT0S")'}
    outcome = await run_connector(
        denied, variables=variables, headers=copies_error, secrets=SECRETS
    )
    assert isinstance(outcome, Failed) and outcome.variables == {"v": "****"}


async def test_bpmn_error_and_result_variables_are_masked() -> None:
    variables = {"user": "ann", "password": "{{secrets.API_KEY}}"}
    thrown = await run_connector(rejects, variables=variables, secrets=SECRETS)
    assert thrown == BpmnErrorThrown("REJECTED", "no for ****", {"pw": "****"})
    completed = await run_connector(login, variables=variables, secrets=SECRETS)
    assert completed == Completed({"user": "ann", "password_seen": "****"})


async def test_context_secret_values_are_masked_in_logs_and_results(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        outcome = await run_connector(by_name, variables={}, secrets=SECRETS)
    assert outcome == Completed({"copy": "<****>"})
    assert "looked up ****" in caplog.text and SECRET not in caplog.text


def test_percent_encoded_forms_are_masked_too() -> None:
    masker = SecretMasker([SECRET])
    line = "GET https://api.example/x?key=p%40ss%2Bw%2Frd%3D%3D and ?k=p%40ss%2Bw%2Frd%3D%3D&"
    assert "p%40ss" not in masker.mask(line)
    assert masker.mask("form: key=p%40ss%2Bw%2Frd%3D%3D") == "form: key=****"


async def test_a_bare_secret_name_is_user_data_unless_the_worker_opts_in() -> None:
    typed = {"user": "ann", "password": "secrets.API_KEY"}
    outcome = await run_connector(login, variables=typed, secrets=SECRETS)
    assert outcome == Completed({"user": "ann", "password_seen": "secrets.API_KEY"})

    from bpmn_bridge import MappingSecretProvider
    from bpmn_bridge.core import Job

    pipeline = JobPipeline(
        get_spec(login), secrets=MappingSecretProvider(SECRETS), bare_secret_names=True
    )
    opted_in = await pipeline.run(Job(build_job_info(), typed))
    assert opted_in == Completed({"user": "ann", "password_seen": "****"})


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"v": value}
    return value


async def test_deep_input_is_an_incident_not_a_recursion_error() -> None:
    outcome = await run_connector(
        login, variables={"user": "a", "password": "b", "x": _nested(600)}
    )
    assert isinstance(outcome, Failed) and outcome.retries == 0
    assert "nest deeper than 64 levels" in outcome.message


@pytest.mark.parametrize("problem", ["not-utf8", "unreadable"])
async def test_a_bad_secrets_directory_fails_the_job_that_asked_and_is_retried(
    tmp_path: Path, problem: str
) -> None:
    secret = tmp_path / "KEYSTORE"
    if problem == "not-utf8":
        secret.write_bytes(b"\xfe\xed\xfe\xed binary keystore")
    else:
        # a file the worker cannot open (root opens any mode, so: a symlink loop, ELOOP)
        (tmp_path / "OTHER").symlink_to(secret)
        secret.symlink_to(tmp_path / "OTHER")
    variables = {"user": "ann", "password": "{{secrets.KEYSTORE}}"}
    outcome = await run_connector(
        login, variables=variables, secrets=DirectorySecretProvider(tmp_path)
    )
    assert isinstance(outcome, Failed)
    assert outcome.retries == 1, "a secrets problem an operator can fix spends one retry"
    assert "Secrets could not be read" in outcome.message and "KEYSTORE" in outcome.message
    assert "keystore" not in outcome.message


class _Vault:
    def get(self, name: str) -> str | None:
        raise ConnectionError("vault unreachable")


async def test_a_provider_failing_inside_context_secret_spends_a_retry() -> None:
    outcome = await run_connector(by_name, variables={}, secrets=_Vault())
    assert isinstance(outcome, Failed) and outcome.retries == 1
    assert outcome.message == (
        "Secrets could not be read: secret 'API_KEY': ConnectionError: vault unreachable"
    )


@connector(type="buries")
async def buries(data: Login) -> dict[str, Any]:
    return {"deep": _nested(300) | {"pw": data.password}, "deeper": _with_leaf(300, data.password)}


def _with_leaf(depth: int, leaf: str) -> Any:
    value: Any = leaf
    for _ in range(depth):
        value = [value]
    return value


async def test_a_secret_buried_too_deep_to_check_fails_the_job_not_a_variable() -> None:
    variables = {"user": "ann", "password": "{{secrets.API_KEY}}"}
    outcome = await run_connector(buries, variables=variables, secrets=SECRETS)
    # a result the masker cannot check is a failure like any other unusable result
    assert isinstance(outcome, Failed) and "cannot be checked" in outcome.message
    assert SECRET not in repr(outcome)
