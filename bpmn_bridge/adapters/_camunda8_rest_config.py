"""How to reach a Camunda 8 Orchestration Cluster REST API (``/v2``): :class:`Camunda8RestConfig`.

Three ways to authenticate, chosen by which fields are set (Camunda's ``CAMUNDA_AUTH_STRATEGY``
picks one explicitly):

* none: local development, the embedded dev engine (``CAMUNDA_AUTH_STRATEGY=NONE``);
* basic auth (``username``, ``password``): self-managed clusters with basic authentication;
* OAuth client credentials (``client_id``, ``client_secret``, ``oauth_url``): self-managed
  with an identity provider, or Camunda SaaS (``cluster_id``; address and token endpoint
  derive from the cluster id and region).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bpmn_bridge.adapters._env_config import InvalidField, construct, env_reader, parse_tenant_ids
from bpmn_bridge.core import ConfigurationError

__all__ = ["Camunda8RestConfig"]

SAAS_TOKEN_URL = "https://login.cloud.camunda.io/oauth/token"
SAAS_AUDIENCE = "zeebe.camunda.io"
SAAS_DEFAULT_REGION = "bru-2"

# Field name -> the Camunda environment variable that sets it, so errors found while
# validating a config built by from_env name the variable the operator has to fix.
_ENV_NAMES = {
    "rest_address": "CAMUNDA_REST_ADDRESS",
    "auth_strategy": "CAMUNDA_AUTH_STRATEGY",
    "client_id": "CAMUNDA_CLIENT_ID",
    "client_secret": "CAMUNDA_CLIENT_SECRET",
    "oauth_url": "CAMUNDA_OAUTH_URL",
    "audience": "CAMUNDA_TOKEN_AUDIENCE",
    "scope": "CAMUNDA_TOKEN_SCOPE",
    "username": "CAMUNDA_BASIC_AUTH_USERNAME",
    "password": "CAMUNDA_BASIC_AUTH_PASSWORD",
    "cluster_id": "CAMUNDA_CLUSTER_ID",
    "cluster_region": "CAMUNDA_CLUSTER_REGION",
    "tenant_ids": "CAMUNDA_TENANT_IDS",
}
_STRATEGIES = ("NONE", "BASIC", "OAUTH")


class _InvalidField(InvalidField):
    config_name = "Camunda8RestConfig"


@dataclass(frozen=True, slots=True, kw_only=True)
class Camunda8RestConfig:
    """Where the Orchestration Cluster REST API is and how to authenticate to it.

    Validated on construction.

    Attributes:
        rest_address: The API's root URL, e.g. ``http://localhost:8080`` (``/v2`` is added).
            Derived from ``cluster_id`` for SaaS.
        client_id: OAuth client id; with ``client_secret`` it switches on OAuth.
        client_secret: OAuth client secret (kept out of ``repr``).
        oauth_url: The OAuth token endpoint; SaaS defaults to Camunda's login server.
        audience: The token audience, if the authorization server wants one (SaaS:
            ``zeebe.camunda.io``).
        scope: The token scope, if the authorization server wants one.
        username: Basic-auth user; with ``password`` it switches on basic auth.
        password: Basic-auth password (kept out of ``repr``).
        cluster_id: The Camunda SaaS cluster id; switches on SaaS.
        cluster_region: The SaaS cluster's region (default ``bru-2``).
        tenant_ids: Tenants to fetch jobs for when a request names none.
        connect_timeout: How long to wait for a connection.
        request_timeout: How long to wait for an answer; a long poll gets this on top.
        max_connections: Pooled connections at most.
        name: The engine's name in logs, metrics and ``JobInfo.engine``.
    """

    rest_address: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    oauth_url: str | None = None
    audience: str | None = None
    scope: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cluster_id: str | None = None
    cluster_region: str | None = None
    tenant_ids: tuple[str, ...] = ()
    connect_timeout: timedelta = timedelta(seconds=10)
    request_timeout: timedelta = timedelta(seconds=30)
    max_connections: int = 100
    name: str = "camunda8-rest"

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise _InvalidField("name", "must not be empty")
        if (self.client_id is None) != (self.client_secret is None):
            missing = "client_secret" if self.client_secret is None else "client_id"
            raise _InvalidField(missing, "is required with the other OAuth client credential")
        if (self.username is None) != (self.password is None):
            missing = "password" if self.password is None else "username"
            raise _InvalidField(missing, "is required with the other basic-auth credential")
        if self.username is not None and self.client_id is not None:
            raise _InvalidField("username", "basic auth and OAuth cannot both be set")
        if self.cluster_id is not None:
            if self.client_id is None:
                raise _InvalidField("client_id", "is required for a Camunda SaaS cluster")
        else:
            if self.cluster_region is not None:
                raise _InvalidField("cluster_id", "is required when a cluster region is set")
            if self.rest_address is None:
                raise _InvalidField(
                    "rest_address", "is required (the REST API's URL, e.g. http://host:8080)"
                )
            if self.client_id is not None and self.oauth_url is None:
                raise _InvalidField(
                    "oauth_url", "is required with OAuth client credentials (the token URL)"
                )
        for name in ("rest_address", "oauth_url"):
            value = getattr(self, name)
            if value is not None:
                url = urlsplit(value)
                if url.scheme not in ("http", "https") or not url.netloc:
                    raise _InvalidField(name, f"{value!r} is not an http(s) URL")
        if self.max_connections < 1:
            raise _InvalidField(
                "max_connections", f"must be at least 1, not {self.max_connections}"
            )
        for timeout in ("connect_timeout", "request_timeout"):
            if getattr(self, timeout) <= timedelta(0):
                raise _InvalidField(timeout, "must be positive")
        for tenant in self.tenant_ids:
            if not tenant or tenant != tenant.strip():
                raise _InvalidField("tenant_ids", f"{tenant!r} is not a valid tenant id")

    @property
    def uses_oauth(self) -> bool:
        """Whether calls carry an OAuth bearer token."""
        return self.client_id is not None

    @property
    def token_url(self) -> str | None:
        """The OAuth token endpoint, defaulted for SaaS."""
        if self.oauth_url is not None:
            return self.oauth_url
        return SAAS_TOKEN_URL if self.cluster_id is not None else None

    @property
    def token_audience(self) -> str | None:
        """The token audience, defaulted for SaaS."""
        if self.audience is not None:
            return self.audience
        return SAAS_AUDIENCE if self.cluster_id is not None else None

    @property
    def base_url(self) -> str:
        """The ``/v2`` root every call is made under."""
        if self.rest_address is not None:
            return self.rest_address.rstrip("/") + "/v2"
        region = self.cluster_region or SAAS_DEFAULT_REGION
        return f"https://{region}.zeebe.camunda.io/{self.cluster_id}/v2"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, name: str = "camunda8-rest"
    ) -> Camunda8RestConfig:
        """Read the configuration from Camunda's environment variables.

        Reads ``CAMUNDA_REST_ADDRESS``, ``CAMUNDA_AUTH_STRATEGY`` (``NONE``, ``BASIC`` or
        ``OAUTH``; chosen from the credentials when unset), ``CAMUNDA_CLIENT_ID``,
        ``CAMUNDA_CLIENT_SECRET``, ``CAMUNDA_OAUTH_URL``, ``CAMUNDA_TOKEN_AUDIENCE``,
        ``CAMUNDA_TOKEN_SCOPE``, ``CAMUNDA_BASIC_AUTH_USERNAME``,
        ``CAMUNDA_BASIC_AUTH_PASSWORD``, ``CAMUNDA_CLUSTER_ID``, ``CAMUNDA_CLUSTER_REGION``
        and ``CAMUNDA_TENANT_IDS`` (comma-separated). Empty values count as unset.

        Args:
            environ: The environment to read; ``os.environ`` when None.
            name: The engine's name in logs, metrics and ``JobInfo.engine``.

        Returns:
            The validated configuration.

        Raises:
            ConfigurationError: A variable is missing, malformed or contradicts another;
                the message names the variable.
        """
        env = os.environ if environ is None else environ

        get = env_reader(env, _ENV_NAMES)

        strategy = (get("auth_strategy") or "").upper() or None
        if strategy is not None and strategy not in _STRATEGIES:
            raise ConfigurationError(
                f"CAMUNDA_AUTH_STRATEGY: {strategy!r} is not one of {', '.join(_STRATEGIES)}"
            )
        kwargs: dict[str, Any] = {
            "rest_address": get("rest_address"),
            "cluster_id": get("cluster_id"),
            "cluster_region": get("cluster_region"),
            "tenant_ids": parse_tenant_ids("CAMUNDA_TENANT_IDS", get("tenant_ids")),
            "name": name,
        }
        if strategy in (None, "OAUTH"):
            kwargs.update(
                client_id=get("client_id"),
                client_secret=get("client_secret"),
                oauth_url=get("oauth_url"),
                audience=get("audience"),
                scope=get("scope"),
            )
            if strategy == "OAUTH" and kwargs["client_id"] is None:
                raise ConfigurationError("CAMUNDA_CLIENT_ID: is required with OAUTH")
        if strategy in (None, "BASIC"):
            kwargs.update(username=get("username"), password=get("password"))
            if strategy == "BASIC" and kwargs["username"] is None:
                raise ConfigurationError("CAMUNDA_BASIC_AUTH_USERNAME: is required with BASIC")
        return construct(cls, kwargs, _ENV_NAMES)
