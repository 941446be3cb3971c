"""The boundary between httpx and the project's errors, for the HTTP connectors.

Every httpx exception the connectors can meet is translated here, once::

    httpx exception                         project error
    ---------------------------------------------------------------------------------
    ConnectTimeout, ReadTimeout,            RetryableError   the next attempt may succeed
      WriteTimeout, PoolTimeout
    ConnectError (refused, DNS, reset),     RetryableError
      ReadError, WriteError, ProxyError,
      RemoteProtocolError, other NetworkError
    ConnectError from certificate checks    ConnectorError "TLS_VERIFICATION_FAILED"
    ConnectError from another TLS problem   ConnectorError "TLS_ERROR"
    TooManyRedirects                        ConnectorError "TOO_MANY_REDIRECTS"
    UnsupportedProtocol, InvalidURL         ConnectorError "INVALID_URL"
    LocalProtocolError                      ConnectorError "INVALID_REQUEST"
    DecodingError                           ConnectorError "INVALID_RESPONSE"

Messages name the action and the server's origin (scheme, host, port) only: a URL's path,
query and user info, headers and bodies may carry secrets, so they never appear. As a second
line of defence every message passes through a :class:`~bpmn_bridge.SecretMasker` that
knows the job's secret-bearing values.
"""

from __future__ import annotations

import ssl

import httpx

from bpmn_bridge import ConnectorError, RetryableError, SecretMasker

__all__ = ["origin_of", "translate_transport_error"]


def origin_of(url: httpx.URL | str) -> str:
    """Return ``scheme://host[:port]`` of a URL: safe to show, unlike its path or query.

    Args:
        url: An absolute URL.

    Returns:
        The origin, or ``"<invalid URL>"`` when the URL cannot be parsed.
    """
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except httpx.InvalidURL:
        return "<invalid URL>"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}"


def translate_transport_error(
    exc: httpx.HTTPError | httpx.InvalidURL,
    *,
    action: str,
    timeouts: httpx.Timeout,
    redact: SecretMasker,
) -> ConnectorError | RetryableError:
    """Translate an httpx exception into the project's error for it.

    Args:
        exc: What httpx raised.
        action: What was being done, e.g. ``"GET https://api.example.com"``; must be safe
            to show.
        timeouts: The timeouts in force, named in timeout messages.
        redact: Removes the job's secret values from the message.

    Returns:
        The error to raise (``from exc``).
    """
    reason = redact.mask(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return RetryableError(f"{action}: no connection within {timeouts.connect} s")
    if isinstance(exc, httpx.ReadTimeout):
        return RetryableError(f"{action}: no response within the {timeouts.read} s read timeout")
    if isinstance(exc, httpx.WriteTimeout):
        return RetryableError(f"{action}: sending the request took over {timeouts.write} s")
    if isinstance(exc, httpx.PoolTimeout):
        return RetryableError(f"{action}: no free connection within {timeouts.pool} s")
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(exc, action=action, reason=reason)
    if isinstance(exc, httpx.TooManyRedirects):
        return ConnectorError("TOO_MANY_REDIRECTS", f"{action}: too many redirects")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConnectorError("INVALID_URL", f"{action}: the URL is not a valid http(s) URL")
    if isinstance(exc, httpx.LocalProtocolError):
        # h11 quotes the offending header value, which may be a secret: say only what.
        return ConnectorError(
            "INVALID_REQUEST",
            f"{action}: the request cannot be sent as given (an invalid header name or value)",
        )
    if isinstance(exc, httpx.DecodingError):
        return ConnectorError("INVALID_RESPONSE", f"{action}: the response could not be decoded")
    return RetryableError(f"{action}: {reason}")


def _connect_error(
    exc: httpx.ConnectError, *, action: str, reason: str
) -> ConnectorError | RetryableError:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return ConnectorError(
                "TLS_VERIFICATION_FAILED",
                f"{action}: the server's TLS certificate could not be verified "
                f"({cause.verify_message}); trust its CA with a CA bundle, or turn TLS "
                "verification off for this server",
            )
        if isinstance(cause, ssl.SSLError):
            return ConnectorError("TLS_ERROR", f"{action}: TLS handshake failed: {reason}")
        cause = cause.__cause__ or cause.__context__
    return RetryableError(f"{action}: could not connect: {reason}")
