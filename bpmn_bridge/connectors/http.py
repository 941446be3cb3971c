"""The REST connector: one HTTP request per job, the response as process variables.

Outcomes:

- a 2xx answer (or a 3xx when redirects are not followed: the caller asked to see it)
  completes the job with ``{status, headers, body}``;
- any other status raises :class:`~bpmn_bridge.ConnectorError` with the status as its code
  (``"404"``) and ``{"response": {status, headers, body}}`` as its variables, so an
  errorExpression can map it to a BPMN error; unmapped, the job fails;
- transport problems are translated in :mod:`bpmn_bridge.connectors._http_errors`:
  timeouts and connection failures raise :class:`~bpmn_bridge.RetryableError`, TLS and URL
  problems a :class:`~bpmn_bridge.ConnectorError` with a code;
- a response whose decoded body exceeds the policy's limit raises ``RESPONSE_TOO_LARGE``;
- what the operator's egress policy refuses (:mod:`bpmn_bridge.connectors._http_policy`)
  is an incident at once.

Redirects are followed here, hop by hop (at most :data:`MAX_REDIRECTS`), never from https to
http (``INSECURE_REDIRECT``); a hop to another origin carries neither the request's headers
and credentials nor its body (a 307/308 that would resend a body elsewhere is refused with
``REDIRECT_REFUSED``). No cookie is kept between requests.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlencode

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from bpmn_bridge import ConnectorContext, ConnectorError, InputError, SecretMasker, connector
from bpmn_bridge.connectors._http_clients import ClientSettings, default_pool, read_limited
from bpmn_bridge.connectors._http_errors import origin_of, translate_transport_error
from bpmn_bridge.connectors._http_policy import HttpPolicy, http_policy
from bpmn_bridge.connectors._httpx_log_masking import masking_httpx_logs
from bpmn_bridge.connectors._oauth import TokenRequest, default_token_cache

__all__ = [
    "BasicAuthentication",
    "BearerAuthentication",
    "HttpRequest",
    "HttpResponse",
    "NoAuthentication",
    "OAuthClientCredentials",
    "http_json",
]

_CONFIG = ConfigDict(
    alias_generator=to_camel,  # process variables are camelCase, Python attributes are not
    validate_by_name=True,
    validate_by_alias=True,
    serialize_by_alias=True,
)

QueryValue = str | int | float | bool | list[str | int | float | bool]

MAX_REDIRECTS = 10
"""Redirect hops followed for one request."""

# Headers that say nothing about who the caller is; the only ones sent to another origin.
_CROSS_ORIGIN_HEADERS = frozenset({"accept", "accept-language", "user-agent"})


class NoAuthentication(BaseModel):
    """No authentication."""

    model_config = _CONFIG

    type: Literal["none"] = Field(default="none", title="Type", description="No authentication.")


class BasicAuthentication(BaseModel):
    """HTTP Basic authentication (RFC 7617)."""

    model_config = _CONFIG

    type: Literal["basic"] = Field(title="Type", description="HTTP Basic authentication.")
    username: str = Field(title="Username", description="The user name.")
    password: SecretStr = Field(
        title="Password", description="The password; use a {{secrets.NAME}} placeholder."
    )


class BearerAuthentication(BaseModel):
    """A bearer token in the Authorization header (RFC 6750)."""

    model_config = _CONFIG

    type: Literal["bearer"] = Field(title="Type", description="A static bearer token.")
    token: SecretStr = Field(
        title="Bearer token",
        description="Sent as 'Authorization: Bearer <token>'; use a {{secrets.NAME}} placeholder.",
    )


class OAuthClientCredentials(BaseModel):
    """OAuth 2.0 client credentials grant (RFC 6749 section 4.4), token cached across jobs."""

    model_config = _CONFIG

    type: Literal["oauth-client-credentials"] = Field(
        title="Type", description="OAuth 2.0 client credentials flow."
    )
    token_url: str = Field(
        title="OAuth token endpoint", description="The authorization server's token URL."
    )
    client_id: str = Field(title="Client ID", description="The OAuth client's id.")
    client_secret: SecretStr = Field(
        title="Client secret",
        description="The OAuth client's secret; use a {{secrets.NAME}} placeholder.",
    )
    scopes: list[str] = Field(
        default_factory=list,
        title="Scopes",
        description="Scopes to request: a list, or one space-separated string.",
    )
    audience: str | None = Field(
        default=None,
        title="Audience",
        description="The API the token is for, where the authorization server asks for one.",
    )
    client_authentication: Literal["basic-header", "credentials-body"] = Field(
        default="basic-header",
        title="Client authentication",
        description="Send the client id and secret as a Basic Authorization header "
        "(basic-header) or in the form body (credentials-body).",
    )

    @field_validator("scopes", mode="before")
    @classmethod
    def _split_scopes(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value


Authentication = Annotated[
    NoAuthentication | BasicAuthentication | BearerAuthentication | OAuthClientCredentials,
    Field(discriminator="type"),
]


class HttpRequest(BaseModel):
    """The input of the REST connector: one HTTP request."""

    model_config = _CONFIG

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] = Field(
        default="GET", title="Method", description="The HTTP method."
    )
    url: str = Field(title="URL", description="The absolute http(s) URL to call.")
    query_parameters: dict[str, QueryValue] = Field(
        default_factory=dict,
        title="Query parameters",
        description="Added to the URL's query; a list value repeats the parameter.",
    )
    headers: dict[str, str] = Field(
        default_factory=dict, title="Headers", description="Request headers."
    )
    body: JsonValue = Field(
        default=None, title="Body", description="The request body; none is sent when it is null."
    )
    body_type: Literal["auto", "json", "form", "text"] = Field(
        default="auto",
        title="Body type",
        description="How the body is encoded. auto: a string is sent as written, an object "
        "as a form when the Content-Type header is application/x-www-form-urlencoded, "
        "anything else as JSON.",
    )
    authentication: Authentication = Field(
        default=NoAuthentication(),
        title="Authentication",
        description="How the request authenticates.",
    )
    connect_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        title="Connect timeout (s)",
        description="Limit to establish a connection.",
    )
    read_timeout_seconds: float = Field(
        default=20.0,
        gt=0,
        title="Read timeout (s)",
        description="Limit to wait for each chunk of the response.",
    )
    follow_redirects: bool = Field(
        default=True,
        title="Follow redirects",
        description="Follow 3xx redirects; when off, a 3xx answer completes the job.",
    )
    verify_tls: bool = Field(
        default=True,
        title="Verify TLS certificates",
        description="Check the server's certificate; turn off only for test servers.",
    )
    ca_bundle_path: str | None = Field(
        default=None,
        title="CA bundle path",
        description="A PEM file of CA certificates to trust instead of the default ones.",
    )

    @field_validator("method", mode="before")
    @classmethod
    def _upper_method(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        try:
            url = httpx.URL(value)
        except httpx.InvalidURL:
            raise ValueError("not a valid URL") from None
        if url.scheme not in ("http", "https") or not url.host:
            # The value is not quoted back: it may hold a resolved secret.
            raise ValueError("must be an absolute http:// or https:// URL")
        return value

    @field_validator("headers")
    @classmethod
    def _single_line_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, header in value.items():
            if any(c in name or c in header for c in "\r\n\0"):
                raise ValueError(f"header {name.strip()!r} contains a line break")
        return value

    @model_validator(mode="after")
    def _body_fits_type(self) -> Self:
        kind = _body_kind(self)
        if kind == "form" and not _is_flat_form(self.body):
            raise ValueError(
                "a form body must be an object of field names to values or lists of values"
            )
        if kind == "text" and not isinstance(self.body, str):
            raise ValueError("a text body must be a string")
        return self


class HttpResponse(BaseModel):
    """The output of the REST connector."""

    model_config = _CONFIG

    status: int = Field(title="Status", description="The HTTP status code.")
    headers: dict[str, str] = Field(
        title="Headers", description="Response headers, names lower-cased, repeats joined."
    )
    body: JsonValue = Field(
        title="Body",
        description="Parsed JSON when the response is JSON, text otherwise; null when empty.",
    )


@connector(
    type="io.bpmn-bridge:http-json:1",
    name="REST",
    version=1,
    description="Call a REST API: any method, JSON / form / text body, Basic, bearer or "
    "OAuth 2.0 client credentials authentication.",
    timeout=timedelta(seconds=60),
    retries=3,
    retry_backoff=timedelta(seconds=0),
)
async def http_json(request: HttpRequest, context: ConnectorContext) -> HttpResponse:
    """Send one HTTP request and return the response.

    Args:
        request: What to send.
        context: The job's context; only its logger is used.

    Returns:
        The response's status, headers and body.

    Raises:
        ConnectorError: The server answered with a status outside 2xx (code: the status,
            e.g. ``"404"``; variables: ``{"response": ...}``), or a TLS, URL, redirect or
            OAuth problem (codes in :mod:`bpmn_bridge.connectors._http_errors` and
            :mod:`bpmn_bridge.connectors._oauth`).
        RetryableError: The server could not be reached or did not answer in time.
    """
    redact = SecretMasker(_secret_values(request))
    action = f"{request.method} {origin_of(request.url)}"
    policy = http_policy()
    client = _client(request, policy)
    timeouts = httpx.Timeout(
        connect=request.connect_timeout_seconds,
        read=request.read_timeout_seconds,
        write=request.read_timeout_seconds,
        pool=request.connect_timeout_seconds,
    )
    auth = request.authentication
    with masking_httpx_logs(redact):
        oauth_token: str | None = None
        if isinstance(auth, OAuthClientCredentials):
            try:
                policy.check_url(httpx.URL(auth.token_url))
            except httpx.InvalidURL:
                raise ConnectorError(
                    "INVALID_URL", "the OAuth token URL is not a valid http(s) URL"
                ) from None
            oauth_token = await default_token_cache.get_token(
                _token_request(auth), client=client, timeouts=timeouts, redact=redact
            )
            redact.add(oauth_token)
        response, content = await _send(
            request,
            client,
            oauth_token=oauth_token,
            timeouts=timeouts,
            redact=redact,
            policy=policy,
        )

    result = HttpResponse(
        status=response.status_code,
        headers={name.lower(): value for name, value in response.headers.items()},
        body=_decode_body(response, content),
    )
    context.logger.debug("%s answered HTTP %d", action, response.status_code)
    if response.is_success or (300 <= response.status_code < 400 and not request.follow_redirects):
        return result
    if oauth_token is not None and response.status_code == 401:
        # The API no longer takes the cached token (revoked, clock skew): the retry fetches
        # a fresh one instead of failing until the cached one expires.
        assert isinstance(auth, OAuthClientCredentials)
        default_token_cache.invalidate(_token_request(auth).key, oauth_token)
    raise ConnectorError(
        str(response.status_code),
        f"{action} answered HTTP {response.status_code} {response.reason_phrase}".rstrip(),
        variables={"response": result.model_dump(mode="json")},
    )


async def _send(
    request: HttpRequest,
    client: httpx.AsyncClient,
    *,
    oauth_token: str | None,
    timeouts: httpx.Timeout,
    redact: SecretMasker,
    policy: HttpPolicy,
) -> tuple[httpx.Response, bytes]:
    action = f"{request.method} {origin_of(request.url)}"
    headers = dict(request.headers)
    auth = request.authentication
    basic: httpx.BasicAuth | None = None
    if oauth_token is not None:
        headers["Authorization"] = f"Bearer {oauth_token}"
    elif isinstance(auth, BearerAuthentication):
        headers["Authorization"] = f"Bearer {auth.token.get_secret_value()}"
    elif isinstance(auth, BasicAuthentication):
        basic = httpx.BasicAuth(auth.username, auth.password.get_secret_value())
    content, content_type = _encode_body(request)
    if content_type is not None and not _has_header(headers, "content-type"):
        headers["Content-Type"] = content_type
    method = request.method
    try:
        url = _with_query(request.url, request.query_parameters)
        for _hop in range(MAX_REDIRECTS + 1):
            policy.check_url(url)
            outgoing = client.build_request(
                method, url, headers=headers, content=content, timeout=timeouts
            )
            response = await client.send(outgoing, auth=basic, stream=True)
            try:
                location = response.headers.get("location")
                if not (request.follow_redirects and response.is_redirect and location):
                    body = await read_limited(response, policy.max_response_bytes, action=action)
                    return response, body
            finally:
                await response.aclose()
            target = url.join(location)
            status = response.status_code
            if target.scheme not in ("http", "https"):
                raise ConnectorError(
                    "INVALID_URL", f"{action}: redirected to a URL that is not http(s)"
                )
            if url.scheme == "https" and target.scheme == "http":
                raise ConnectorError(
                    "INSECURE_REDIRECT",
                    f"{action}: refused a redirect from https to {origin_of(target)}",
                )
            if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
                method, content = "GET", None
                headers = {
                    k: v
                    for k, v in headers.items()
                    if k.lower() not in ("content-type", "content-length")
                }
            if origin_of(target) != origin_of(url):
                if content is not None:
                    raise ConnectorError(
                        "REDIRECT_REFUSED",
                        f"{action}: a {status} redirect to {origin_of(target)} would send the "
                        "request body to another origin",
                    )
                # Never credentials to another origin: no Authorization, no API-key header.
                headers = {k: v for k, v in headers.items() if k.lower() in _CROSS_ORIGIN_HEADERS}
                basic = None
            url = target
        raise ConnectorError("TOO_MANY_REDIRECTS", f"{action}: more than {MAX_REDIRECTS} redirects")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise translate_transport_error(
            exc, action=action, timeouts=timeouts, redact=redact
        ) from None
    except UnicodeEncodeError:
        raise ConnectorError(
            "INVALID_REQUEST", f"{action}: header names and values must be ASCII"
        ) from None


def _client(request: HttpRequest, policy: HttpPolicy) -> httpx.AsyncClient:
    if not request.verify_tls and not policy.allow_insecure_tls:
        raise InputError(
            "verifyTls=false is not allowed on this worker (BPMN_BRIDGE_HTTP_ALLOW_INSECURE_TLS)"
        )
    if request.ca_bundle_path is not None and not policy.allow_ca_bundle_path:
        raise InputError(
            "caBundlePath is not allowed on this worker (BPMN_BRIDGE_HTTP_ALLOW_CA_BUNDLE_PATH)"
        )
    settings = ClientSettings(
        verify_tls=request.verify_tls,
        ca_bundle_path=request.ca_bundle_path if request.verify_tls else None,
    )
    try:
        return default_pool.get(settings)
    except (OSError, ssl.SSLError):
        # One message whatever went wrong: a model must not learn whether a file exists
        # on the worker, or whether the worker may read it.
        raise ConnectorError(
            "INVALID_CA_BUNDLE",
            "The CA bundle cannot be used: it is missing, unreadable or not a PEM file of "
            "CA certificates",
        ) from None


def _token_request(auth: OAuthClientCredentials) -> TokenRequest:
    return TokenRequest(
        token_url=auth.token_url,
        client_id=auth.client_id,
        client_secret=auth.client_secret.get_secret_value(),
        scopes=tuple(auth.scopes),
        audience=auth.audience,
        client_authentication=auth.client_authentication,
    )


def _secret_values(request: HttpRequest) -> list[str]:
    """Values that may be secret; kept out of every message this connector writes."""
    values = [v for v in request.headers.values() if len(v) >= 4]
    for value in request.query_parameters.values():
        items = value if isinstance(value, list) else [value]
        values.extend(str(v) for v in items if len(str(v)) >= 4)
    url = httpx.URL(request.url)
    values.extend(v for v in (url.username, url.password) if v)
    # The path may hold a secret too (webhook URLs); it only ever shows in httpx's log line.
    if len(url.raw_path) >= 4:
        values.append(url.raw_path.decode("ascii"))
    auth = request.authentication
    if isinstance(auth, BasicAuthentication):
        values.append(auth.password.get_secret_value())
    elif isinstance(auth, BearerAuthentication):
        values.append(auth.token.get_secret_value())
    elif isinstance(auth, OAuthClientCredentials):
        values.append(auth.client_secret.get_secret_value())
    return values


def _has_header(headers: Mapping[str, str], name: str) -> bool:
    return any(key.lower() == name for key in headers)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _with_query(url: str, parameters: Mapping[str, QueryValue]) -> httpx.URL:
    """Append the parameters to the URL's own query, which is kept as written."""
    parsed = httpx.URL(url)
    if not parameters:
        return parsed
    pairs = [
        (name, _scalar_text(item))
        for name, value in parameters.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    existing = parsed.query.decode("ascii")
    query = "&".join(part for part in (existing, urlencode(pairs)) if part)
    return parsed.copy_with(query=query.encode("ascii"))


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON and FEEL write them, not Python
    return "" if value is None else str(value)


def _body_kind(request: HttpRequest) -> Literal["json", "form", "text"] | None:
    """How the body is encoded; None when there is no body."""
    body = request.body
    if body is None:
        return None
    if request.body_type != "auto":
        return request.body_type
    if isinstance(body, str):
        return "text"  # sent as written, e.g. JSON or a form the caller serialized already
    content_type = (_header(request.headers, "content-type") or "").lower()
    if content_type.startswith("application/x-www-form-urlencoded"):
        return "form"
    return "json"


def _is_flat_form(body: JsonValue) -> bool:
    if not isinstance(body, dict):
        return False
    for value in body.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict | list):
                return False
    return True


def _encode_body(request: HttpRequest) -> tuple[bytes | None, str | None]:
    """Return the body's bytes and the Content-Type they need (None: no body)."""
    body = request.body
    kind = _body_kind(request)
    if body is None or kind is None:
        return None, None
    if kind == "form":
        assert isinstance(body, dict)  # checked when the input was validated
        pairs = [
            (name, _scalar_text(item))
            for name, value in body.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        return urlencode(pairs).encode("utf-8"), "application/x-www-form-urlencoded"
    if kind == "text":
        return str(body).encode("utf-8"), "text/plain; charset=utf-8"
    return json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json"


def _decode_body(response: httpx.Response, content: bytes) -> Any:
    if not content:
        return None
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return json.loads(content)
        except (ValueError, RecursionError):
            pass  # the server's Content-Type lied; the text is still worth having
    try:
        return content.decode(response.charset_encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return content.decode("utf-8", errors="replace")
