"""The built-in connectors: REST (HTTP/JSON) and email (SMTP).

Each is a plain ``@connector`` function with a typed input model; ``BUILTIN_CONNECTORS``
lists them for the runtime to register. The HTTP connectors share pooled clients: the
runtime closes them at shutdown with :func:`aclose_http_clients`.
"""

from collections.abc import Callable
from typing import Any

from bpmn_bridge.connectors._http_clients import aclose_http_clients
from bpmn_bridge.connectors.http import (
    BasicAuthentication,
    BearerAuthentication,
    HttpRequest,
    HttpResponse,
    NoAuthentication,
    OAuthClientCredentials,
    http_json,
)

__all__ = [
    "BUILTIN_CONNECTORS",
    "BasicAuthentication",
    "BearerAuthentication",
    "HttpRequest",
    "HttpResponse",
    "NoAuthentication",
    "OAuthClientCredentials",
    "aclose_http_clients",
    "http_json",
]

BUILTIN_CONNECTORS: list[Callable[..., Any]] = [http_json]
"""Every built-in connector function, for the runtime to register."""
