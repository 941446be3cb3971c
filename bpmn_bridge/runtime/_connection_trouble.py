"""What a WARNING says while an engine cannot be reached: where, and the likely cause."""

from __future__ import annotations

from typing import Any

__all__ = ["address_of", "likely_cause"]

_CREDENTIALS = {
    "zeebe": "ZEEBE_CLIENT_ID / ZEEBE_CLIENT_SECRET (and ZEEBE_AUTHORIZATION_SERVER_URL)",
    "camunda7": "CAMUNDA7_USERNAME / CAMUNDA7_PASSWORD or CAMUNDA7_TOKEN",
    "camunda8-rest": "the Camunda 8 REST API's client credentials",
}


def address_of(adapter: Any) -> str:
    """The address an adapter talks to, as its configuration names it."""
    config = getattr(adapter, "config", None)
    for attribute in ("target", "base_url", "rest_address"):
        value = getattr(config, attribute, None)
        if isinstance(value, str) and value:
            return value
    return "its configured address"


def _kind(adapter: Any) -> str:
    name = type(adapter).__name__
    if name.startswith("Zeebe"):
        return "zeebe"
    if name.startswith("Camunda8Rest"):
        return "camunda8-rest"
    return "camunda7"


def likely_cause(adapter: Any, error: str) -> str:
    """The most likely cause of ``error`` (an unavailable engine's message), as advice."""
    kind = _kind(adapter)
    text = error.lower()
    insecure = getattr(getattr(adapter, "config", None), "tls", True) is False
    # not a bare "ssl": aiohttp says "ssl:default" in every connection error
    if any(k in text for k in ("ssl_error", "sslerror", "handshake", "wrong_version", "certif")):
        if kind == "zeebe":
            return (
                "the TLS handshake failed: a local gateway usually speaks plaintext, set "
                "ZEEBE_INSECURE_CONNECTION=true (or check ZEEBE_CA_CERTIFICATE_PATH)"
            )
        return "the TLS handshake failed: check the URL's scheme (http or https) and certificate"
    if " 401" in text or " 403" in text or "unauthenticated" in text or "permission_denied" in text:
        return f"the engine refused the credentials: check {_CREDENTIALS[kind]}"
    if any(k in text for k in ("name or service not known", "dns", "nodename", "getaddrinfo")):
        return "the host name does not resolve (DNS): check the address"
    if any(k in text for k in ("refused", "failed to connect", "cannot connect")):
        advice = "nothing accepts connections there: is the engine running at that address?"
        if kind == "zeebe" and insecure:
            advice += " (if the gateway uses TLS, unset ZEEBE_INSECURE_CONNECTION)"
        return advice
    if "http1" in text or "http/1" in text or "socket closed" in text:
        return (
            "the other side does not speak gRPC as configured: a TLS gateway needs "
            "ZEEBE_INSECURE_CONNECTION unset, a plaintext one needs it true"
        )
    return "see the error above"
