"""The REST connector through the runtime's pipeline: headers, secrets, error expressions."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest
from conftest import CLIENT_ID, RunningServer

from bpmn_bridge import BpmnErrorThrown, Completed, Failed
from bpmn_bridge.connectors import http_json
from bpmn_bridge.testing import run_connector

SECRETS = {
    "PATH_KEY": "path-secret-1234",
    "QUERY_KEY": "query-secret-5678",
    "API_KEY": "header-secret-9012",
    "PASSWORD": "basic-secret-3456",
    "CLIENT_SECRET": "oauth-client-secret-7890",
}
NOT_FOUND_TO_BPMN = (
    'if error.code = "404" then bpmnError("NOT_FOUND", "no such order", '
    "{httpStatus: response.status}) else null"
)


def secret_request(base_url: str, path: str = "echo") -> dict[str, Any]:
    """Variables that name a secret in the URL path and query, a header and the auth."""
    return {
        "url": base_url + "/" + path + "/{{secrets.PATH_KEY}}?key={{secrets.QUERY_KEY}}",
        "headers": {"X-Api-Key": "{{secrets.API_KEY}}"},
        "authentication": {"type": "basic", "username": "ann", "password": "{{secrets.PASSWORD}}"},
    }


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for name, value in SECRETS.items():
            assert value not in text, f"secret {name} leaked"


def records_of_the_bridge_and_httpx(caplog: pytest.LogCaptureFixture) -> str:
    # The aiohttp test server's access log prints the request line it received; it is the
    # far side of the wire, not code under test.
    return "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("aiohttp")
    )


async def test_response_becomes_the_process_variables(server: RunningServer) -> None:
    outcome = await run_connector(
        http_json, variables={"method": "POST", "url": f"{server.url}/echo", "body": {"a": 1}}
    )

    assert isinstance(outcome, Completed)
    assert outcome.variables["status"] == 200
    assert outcome.variables["body"]["body"] == '{"a": 1}'
    assert outcome.variables["headers"]["content-type"].startswith("application/json")


async def test_result_expression_picks_from_the_response(server: RunningServer) -> None:
    outcome = await run_connector(
        http_json,
        variables={"url": f"{server.url}/echo"},
        headers={"resultExpression": "{echoedMethod: response.body.method}"},
    )

    assert outcome == Completed({"echoedMethod": "GET"})


async def test_error_expression_maps_404_to_a_bpmn_error(server: RunningServer) -> None:
    outcome = await run_connector(
        http_json,
        variables={"url": f"{server.url}/status/404"},
        headers={"errorExpression": NOT_FOUND_TO_BPMN},
    )

    assert outcome == BpmnErrorThrown("NOT_FOUND", "no such order", {"httpStatus": 404})


async def test_unmapped_status_fails_the_job_with_a_retry_spent(server: RunningServer) -> None:
    outcome = await run_connector(
        http_json,
        variables={"url": f"{server.url}/status/500"},
        headers={"errorExpression": NOT_FOUND_TO_BPMN},
    )

    assert isinstance(outcome, Failed)
    assert outcome.retries == 2
    assert outcome.message == (
        f"Connector error 500: GET {server.url} answered HTTP 500 Internal Server Error"
    )


async def test_secrets_are_resolved_in_url_headers_and_auth(server: RunningServer) -> None:
    outcome = await run_connector(http_json, variables=secret_request(server.url), secrets=SECRETS)

    assert isinstance(outcome, Completed)
    seen = server.state.echoed[-1]
    assert seen["path"] == "/echo/path-secret-1234"
    assert seen["query"] == [["key", "query-secret-5678"]]
    headers = seen["headers"]
    assert isinstance(headers, dict)
    assert headers["x-api-key"] == "header-secret-9012"
    assert headers["authorization"] == "Basic YW5uOmJhc2ljLXNlY3JldC0zNDU2"
    # the server echoed them, but a resolved secret never becomes a process variable
    echoed = outcome.variables["body"]
    assert echoed["path"] == "/echo/****" and echoed["headers"]["x-api-key"] == "****"


async def test_secrets_stay_out_of_failures_and_logs_on_an_error_status(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    outcome = await run_connector(
        http_json, variables=secret_request(server.url, "status/403"), secrets=SECRETS
    )

    assert isinstance(outcome, Failed)
    assert outcome.message.startswith("Connector error 403:")
    assert_no_secret(outcome.message, outcome.details, records_of_the_bridge_and_httpx(caplog))
    assert any(r.name == "httpx" for r in caplog.records)  # its request line was masked


async def test_secrets_stay_out_of_failures_and_logs_when_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    outcome = await run_connector(
        http_json, variables=secret_request(f"http://127.0.0.1:{port}"), secrets=SECRETS
    )

    assert isinstance(outcome, Failed)
    assert outcome.message.startswith(f"GET http://127.0.0.1:{port}: could not connect")
    assert_no_secret(outcome.message, outcome.details, records_of_the_bridge_and_httpx(caplog))


async def test_oauth_client_secret_stays_out_of_a_rejected_token_request(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    outcome = await run_connector(
        http_json,
        variables={
            "url": f"{server.url}/protected",
            "authentication": {
                "type": "oauth-client-credentials",
                "tokenUrl": f"{server.url}/oauth/token",
                "clientId": CLIENT_ID,
                "clientSecret": "{{secrets.CLIENT_SECRET}}",  # not the one the server knows
            },
        },
        secrets=SECRETS,
    )

    assert isinstance(outcome, Failed)
    assert "OAUTH_TOKEN_REJECTED" in outcome.message
    assert "invalid_client" in outcome.message
    assert_no_secret(outcome.message, outcome.details, records_of_the_bridge_and_httpx(caplog))


async def test_read_timeout_fails_the_job_for_a_retry(server: RunningServer) -> None:
    outcome = await run_connector(
        http_json, variables={"url": f"{server.url}/slow", "readTimeoutSeconds": 0.2}
    )

    assert isinstance(outcome, Failed)
    assert outcome.retries == 2
    assert outcome.message == f"GET {server.url}: no response within the 0.2 s read timeout"


async def test_invalid_input_raises_an_incident_without_echoing_the_value() -> None:
    outcome = await run_connector(
        http_json, variables={"url": "ftp://{{secrets.PATH_KEY}}@files.test/"}, secrets=SECRETS
    )

    assert isinstance(outcome, Failed)
    assert outcome.retries == 0
    assert "must be an absolute http:// or https:// URL" in outcome.message
    assert_no_secret(outcome.message)
