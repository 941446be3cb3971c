"""The built-in connectors: REST (HTTP/JSON) and email (SMTP).

Each is a plain ``@connector`` function with a typed input model; ``BUILTIN_CONNECTORS``
lists them for the runtime to register. The HTTP connectors share pooled clients: the
runtime closes them at shutdown with :func:`aclose_http_clients`. What they may reach is
the operator's :class:`HttpPolicy` (see ``docs/security.md``), put in force with
:func:`set_http_policy`.
"""

from collections.abc import Callable as _Callable
from typing import Any as _Any

from bpmn_bridge.connectors._http_clients import aclose_http_clients
from bpmn_bridge.connectors._http_policy import (
    EgressRefusedError,
    HttpPolicy,
    http_policy,
    set_http_policy,
)
from bpmn_bridge.connectors.email import (
    EmailRequest,
    EmailSent,
    NoSmtpAuthentication,
    SmtpPasswordAuthentication,
    send_email,
)
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
    "EgressRefusedError",
    "EmailRequest",
    "EmailSent",
    "HttpPolicy",
    "HttpRequest",
    "HttpResponse",
    "NoAuthentication",
    "NoSmtpAuthentication",
    "OAuthClientCredentials",
    "SmtpPasswordAuthentication",
    "aclose_http_clients",
    "http_json",
    "http_policy",
    "send_email",
    "set_http_policy",
]

BUILTIN_CONNECTORS: list[_Callable[..., _Any]] = [http_json, send_email]
"""Every built-in connector function, for the runtime to register."""
