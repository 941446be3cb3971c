"""The REST connector called as plain Python against real servers on loopback."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from conftest import CLIENT_ID, CLIENT_SECRET, Certificate, RunningServer
from pydantic import ValidationError

from bpmn_bridge import ConnectorError, RetryableError
from bpmn_bridge.connectors import HttpRequest, HttpResponse, http_json
from bpmn_bridge.testing import build_context


async def call(**fields: Any) -> HttpResponse:
    return await http_json(HttpRequest.model_validate(fields), build_context())


def echoed(response: HttpResponse) -> dict[str, Any]:
    assert isinstance(response.body, dict)
    return response.body


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_every_method_reaches_the_server(server: RunningServer, method: str) -> None:
    response = await call(method=method, url=f"{server.url}/echo")

    assert response.status == 200
    assert echoed(response)["method"] == method


async def test_head_returns_status_and_headers_without_body(server: RunningServer) -> None:
    response = await call(method="head", url=f"{server.url}/echo")

    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.body is None


async def test_query_parameters_are_encoded_with_lists_repeated(server: RunningServer) -> None:
    response = await call(
        url=f"{server.url}/echo?fixed=1",
        queryParameters={"q": "a b&c", "page": 2, "exact": True, "tag": ["x", "y"]},
    )

    assert echoed(response)["query"] == [
        ["fixed", "1"],
        ["q", "a b&c"],
        ["page", "2"],
        ["exact", "true"],
        ["tag", "x"],
        ["tag", "y"],
    ]


async def test_request_headers_are_sent_and_response_headers_lower_cased(
    server: RunningServer,
) -> None:
    response = await call(url=f"{server.url}/echo", headers={"X-Request-Id": "abc-123"})

    assert echoed(response)["headers"]["x-request-id"] == "abc-123"
    assert "content-type" in response.headers


async def test_json_body_is_serialized_and_json_response_parsed(server: RunningServer) -> None:
    response = await call(
        method="POST", url=f"{server.url}/echo", body={"name": "Zoë", "items": [1, 2]}
    )

    seen = echoed(response)
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["body"] == '{"name": "Zoë", "items": [1, 2]}'


async def test_form_body_is_chosen_by_content_type(server: RunningServer) -> None:
    response = await call(
        method="POST",
        url=f"{server.url}/echo",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body={"a": "1 2", "flag": False, "many": ["x", "y"]},
    )

    assert echoed(response)["body"] == "a=1+2&flag=false&many=x&many=y"


async def test_form_body_is_chosen_by_body_type(server: RunningServer) -> None:
    response = await call(
        method="POST", url=f"{server.url}/echo", bodyType="form", body={"grant": "yes"}
    )

    seen = echoed(response)
    assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert seen["body"] == "grant=yes"


async def test_string_body_is_sent_as_text(server: RunningServer) -> None:
    response = await call(method="PUT", url=f"{server.url}/echo", body="just text")

    seen = echoed(response)
    assert seen["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert seen["body"] == "just text"


async def test_string_body_with_json_content_type_is_sent_verbatim(server: RunningServer) -> None:
    response = await call(
        method="POST",
        url=f"{server.url}/echo",
        headers={"content-type": "application/json"},
        body='{"already": "serialized"}',
    )

    seen = echoed(response)
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["body"] == '{"already": "serialized"}'


async def test_string_body_with_form_content_type_is_sent_verbatim(server: RunningServer) -> None:
    response = await call(
        method="POST",
        url=f"{server.url}/echo",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="a=1&b=%20",
    )

    assert echoed(response)["body"] == "a=1&b=%20"


async def test_form_body_rejects_nested_objects() -> None:
    with pytest.raises(ValidationError, match="a form body must be an object"):
        HttpRequest.model_validate(
            {"url": "http://x.test/", "bodyType": "form", "body": {"a": {"nested": 1}}}
        )


async def test_text_body_type_rejects_an_object() -> None:
    with pytest.raises(ValidationError, match="a text body must be a string"):
        HttpRequest.model_validate({"url": "http://x.test/", "bodyType": "text", "body": {}})


async def test_text_response_is_a_string(server: RunningServer) -> None:
    response = await call(url=f"{server.url}/text")

    assert response.body == "plain words"


async def test_invalid_json_response_falls_back_to_text(server: RunningServer) -> None:
    response = await call(url=f"{server.url}/lying-json")

    assert response.body == "{not json"


async def test_empty_response_body_is_none(server: RunningServer) -> None:
    response = await call(url=f"{server.url}/empty")

    assert (response.status, response.body) == (204, None)


async def test_basic_authentication(server: RunningServer) -> None:
    response = await call(
        url=f"{server.url}/echo",
        authentication={"type": "basic", "username": "ann", "password": "pa:ss"},
    )

    assert echoed(response)["headers"]["authorization"] == "Basic YW5uOnBhOnNz"


async def test_bearer_authentication(server: RunningServer) -> None:
    response = await call(
        url=f"{server.url}/echo", authentication={"type": "bearer", "token": "tok-1"}
    )

    assert echoed(response)["headers"]["authorization"] == "Bearer tok-1"


def oauth(server: RunningServer, **overrides: Any) -> dict[str, Any]:
    return {
        "type": "oauth-client-credentials",
        "tokenUrl": f"{server.url}/oauth/token",
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "scopes": "read write",
        **overrides,
    }


async def test_oauth_token_is_fetched_once_and_reused_across_jobs(server: RunningServer) -> None:
    for _ in range(3):
        response = await call(url=f"{server.url}/protected", authentication=oauth(server))
        assert response.body == {"token": "token-1"}

    assert len(server.state.token_requests) == 1
    sent = server.state.token_requests[0]
    assert sent["grant_type"] == "client_credentials"
    assert sent["scope"] == "read write"
    assert sent["basic_client_id"] == CLIENT_ID
    assert "client_secret" not in sent  # it went in the Basic header


async def test_oauth_credentials_in_body(server: RunningServer) -> None:
    auth = oauth(server, clientAuthentication="credentials-body", audience="api")
    response = await call(url=f"{server.url}/protected", authentication=auth)

    assert response.status == 200
    sent = server.state.token_requests[0]
    assert (sent["client_id"], sent["audience"]) == (CLIENT_ID, "api")


async def test_oauth_tokens_for_other_scopes_are_cached_apart(server: RunningServer) -> None:
    await call(url=f"{server.url}/protected", authentication=oauth(server, scopes=["a"]))
    await call(url=f"{server.url}/protected", authentication=oauth(server, scopes=["b"]))
    await call(url=f"{server.url}/protected", authentication=oauth(server, scopes=["a"]))

    assert [r["scope"] for r in server.state.token_requests] == ["a", "b"]


async def test_oauth_expired_token_is_refreshed(server: RunningServer) -> None:
    server.state.token_lifetime = 0  # expired on arrival

    first = await call(url=f"{server.url}/protected", authentication=oauth(server))
    second = await call(url=f"{server.url}/protected", authentication=oauth(server))

    assert (first.body, second.body) == ({"token": "token-1"}, {"token": "token-2"})
    assert len(server.state.token_requests) == 2


async def test_oauth_token_without_lifetime_is_not_reused(server: RunningServer) -> None:
    server.state.token_lifetime = None

    await call(url=f"{server.url}/protected", authentication=oauth(server))
    await call(url=f"{server.url}/protected", authentication=oauth(server))

    assert len(server.state.token_requests) == 2


async def test_oauth_token_refused_by_the_api_is_dropped(server: RunningServer) -> None:
    await call(url=f"{server.url}/protected", authentication=oauth(server))
    server.state.issued_tokens.clear()  # the API revokes token-1

    with pytest.raises(ConnectorError) as refused:
        await call(url=f"{server.url}/protected", authentication=oauth(server))
    server.state.issued_tokens.add("token-2")
    retried = await call(url=f"{server.url}/protected", authentication=oauth(server))

    assert refused.value.code == "401"
    assert retried.body == {"token": "token-2"}


async def test_oauth_rejected_client_names_the_oauth_error_not_the_secret(
    server: RunningServer,
) -> None:
    with pytest.raises(ConnectorError) as raised:
        await call(
            url=f"{server.url}/protected",
            authentication=oauth(server, clientSecret="wrong-secret-value"),
        )

    assert raised.value.code == "OAUTH_TOKEN_REJECTED"
    assert "invalid_client" in raised.value.message
    assert "wrong-secret-value" not in str(raised.value)


async def test_redirects_are_followed_by_default(server: RunningServer) -> None:
    response = await call(url=f"{server.url}/redirect")

    assert response.status == 200
    assert echoed(response)["query"] == [["redirected", "yes"]]


async def test_redirect_is_returned_when_not_followed(server: RunningServer) -> None:
    response = await call(url=f"{server.url}/redirect", followRedirects=False)

    assert response.status == 302
    assert response.headers["location"] == "/echo?redirected=yes"


async def test_non_2xx_raises_connector_error_with_the_response(server: RunningServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        await call(url=f"{server.url}/status/404")

    error = raised.value
    assert error.code == "404"
    assert error.message == f"GET {server.url} answered HTTP 404 Not Found"
    assert error.variables["response"]["status"] == 404
    assert error.variables["response"]["body"] == {"error": "status 404"}


async def test_slow_server_hits_the_read_timeout(server: RunningServer) -> None:
    with pytest.raises(RetryableError) as raised:
        await call(url=f"{server.url}/slow", readTimeoutSeconds=0.2)

    assert raised.value.message == f"GET {server.url}: no response within the 0.2 s read timeout"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_connection_is_retryable() -> None:
    port = closed_port()

    with pytest.raises(RetryableError) as raised:
        await call(url=f"http://127.0.0.1:{port}/anything?key=hidden-value")

    assert raised.value.message.startswith(f"GET http://127.0.0.1:{port}: could not connect")
    assert "hidden-value" not in raised.value.message


async def test_tls_without_verification_reaches_a_self_signed_server(
    tls_server: RunningServer,
) -> None:
    response = await call(url=f"{tls_server.url}/echo", verifyTls=False)

    assert response.status == 200


async def test_tls_verification_rejects_a_self_signed_server(tls_server: RunningServer) -> None:
    with pytest.raises(ConnectorError) as raised:
        await call(url=f"{tls_server.url}/echo")

    assert raised.value.code == "TLS_VERIFICATION_FAILED"
    assert "certificate could not be verified (self-signed certificate)" in raised.value.message


async def test_tls_with_a_ca_bundle_trusts_the_server(
    tls_server: RunningServer, certificate: Certificate
) -> None:
    response = await call(url=f"{tls_server.url}/echo", caBundlePath=str(certificate.cert_path))

    assert response.status == 200


async def test_a_bad_ca_bundle_is_one_error_that_reveals_no_file(
    tls_server: RunningServer, tmp_path: Path
) -> None:
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate")
    messages = set()
    for path in ("/nonexistent/ca.pem", str(tmp_path), str(not_pem), "/etc/hostname"):
        with pytest.raises(ConnectorError) as raised:
            await call(url=f"{tls_server.url}/echo", caBundlePath=path)
        assert raised.value.code == "INVALID_CA_BUNDLE"
        messages.add(raised.value.message)
    # a model must not learn from the answer whether a file exists or may be read
    assert len(messages) == 1


async def test_secrets_in_url_headers_and_auth_stay_out_of_error_messages() -> None:
    port = closed_port()
    with pytest.raises(RetryableError) as raised:
        await call(
            url=f"http://user:url-pass@127.0.0.1:{port}/path-key-123?token=query-secret",
            headers={"X-Api-Key": "header-secret"},
            authentication={"type": "basic", "username": "u", "password": "basic-secret"},
        )

    text = str(raised.value)
    for secret in ("url-pass", "path-key-123", "query-secret", "header-secret", "basic-secret"):
        assert secret not in text


def test_input_accepts_snake_case_names_and_rejects_non_http_urls() -> None:
    request = HttpRequest.model_validate({"url": "https://x.test/", "read_timeout_seconds": 5})

    assert request.read_timeout_seconds == 5
    with pytest.raises(ValidationError, match="must be an absolute http"):
        HttpRequest.model_validate({"url": "ftp://x.test/secret-path"})
