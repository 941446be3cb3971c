"""How to reach a Zeebe gateway: the frozen :class:`ZeebeConfig` and the channel it opens.

Four shapes, chosen by which fields are set:

* plaintext (``tls=False``): local development, the embedded dev engine;
* TLS (``tls=True``, optionally ``ca_certificate_path`` for a private CA);
* OAuth client credentials, self-managed (``client_id``, ``client_secret``,
  ``authorization_server_url``): always over TLS, since gRPC sends call credentials only on
  secure channels;
* Camunda SaaS (``cluster_id``, ``client_id``, ``client_secret``): address and token
  endpoint derive from the cluster id and region.

Channels come from pyzeebe's channel factories. Every argument is passed explicitly: left
out, those factories fall back to reading ``os.environ`` at call time, and configuration
must come from one place only (:meth:`ZeebeConfig.from_env` reads the environment, once,
where the caller decides).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import grpc  # type: ignore[import-untyped]  # grpcio ships no type stubs
from pyzeebe.channel import (
    create_camunda_cloud_channel,
    create_insecure_channel,
    create_oauth2_client_credentials_channel,
    create_secure_channel,
)

from bpmn_bridge.adapters._env_config import InvalidField, construct, env_reader, parse_tenant_ids
from bpmn_bridge.core import ConfigurationError

__all__ = ["ZeebeConfig", "open_channel"]

SAAS_TOKEN_URL = "https://login.cloud.camunda.io/oauth/token"
SAAS_AUDIENCE = "zeebe.camunda.io"
SAAS_DEFAULT_REGION = "bru-2"

# Field name -> the Camunda environment variable that sets it, so that an error found while
# validating a config built by from_env names the variable the operator has to fix.
_ENV_NAMES = {
    "address": "ZEEBE_ADDRESS",
    "tls": "ZEEBE_INSECURE_CONNECTION",
    "ca_certificate_path": "ZEEBE_CA_CERTIFICATE_PATH",
    "client_id": "ZEEBE_CLIENT_ID",
    "client_secret": "ZEEBE_CLIENT_SECRET",
    "authorization_server_url": "ZEEBE_AUTHORIZATION_SERVER_URL",
    "audience": "ZEEBE_TOKEN_AUDIENCE",
    "scope": "ZEEBE_TOKEN_SCOPE",
    "cluster_id": "CAMUNDA_CLUSTER_ID",
    "cluster_region": "CAMUNDA_CLUSTER_REGION",
    "tenant_ids": "ZEEBE_TENANT_IDS",
}

_HOST_PORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>\d{1,5})$")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class _InvalidField(InvalidField):
    config_name = "ZeebeConfig"


@dataclass(frozen=True, slots=True, kw_only=True)
class ZeebeConfig:
    """Where the Zeebe gateway is and how to authenticate to it.

    Validated on construction. Secure by default, as Camunda's own clients are: plaintext
    needs ``tls=False`` (``ZEEBE_INSECURE_CONNECTION=true``).

    Attributes:
        address: The gateway as ``host:port``. Derived from ``cluster_id`` for SaaS.
        tls: Whether to use TLS. OAuth and SaaS need it.
        ca_certificate_path: A PEM file of CA certificates to trust instead of the system's.
        client_id: OAuth client id; with ``client_secret`` it switches on OAuth.
        client_secret: OAuth client secret (kept out of ``repr``).
        authorization_server_url: The OAuth token endpoint. Required for self-managed
            OAuth; SaaS defaults to Camunda's login server.
        audience: The token audience, if the authorization server wants one.
        scope: The token scope, if the authorization server wants one.
        cluster_id: The Camunda SaaS cluster id; switches on SaaS.
        cluster_region: The SaaS cluster's region (default ``bru-2``).
        tenant_ids: Tenants to fetch jobs for when a request names none; empty means the
            gateway's default tenant.
        name: The engine's name in logs, metrics and ``JobInfo.engine``.
    """

    address: str | None = None
    tls: bool = True
    ca_certificate_path: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    authorization_server_url: str | None = None
    audience: str | None = None
    scope: str | None = None
    cluster_id: str | None = None
    cluster_region: str | None = None
    tenant_ids: tuple[str, ...] = ()
    name: str = "zeebe"

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise _InvalidField("name", "must not be empty")
        if self.client_id is not None and self.client_secret is None:
            raise _InvalidField("client_secret", "is required when a client id is set")
        if self.client_secret is not None and self.client_id is None:
            raise _InvalidField("client_id", "is required when a client secret is set")
        if self.cluster_id is not None:
            self._check_saas()
        else:
            if self.cluster_region is not None:
                raise _InvalidField("cluster_id", "is required when a cluster region is set")
            if self.address is None:
                raise _InvalidField("address", "is required (host:port of the Zeebe gateway)")
            _check_address(self.address)
            if self.client_id is not None and self.authorization_server_url is None:
                raise _InvalidField(
                    "authorization_server_url",
                    "is required with OAuth client credentials (the token endpoint URL)",
                )
        if self.authorization_server_url is not None:
            url = urlsplit(self.authorization_server_url)
            if url.scheme not in ("http", "https") or not url.netloc:
                raise _InvalidField(
                    "authorization_server_url",
                    f"{self.authorization_server_url!r} is not an http(s) URL",
                )
        if self.uses_oauth and not self.tls:
            raise _InvalidField(
                "tls",
                "OAuth client credentials need TLS: gRPC sends tokens only over secure channels",
            )
        if self.ca_certificate_path is not None:
            if not self.tls:
                raise _InvalidField("tls", "a CA certificate path needs TLS")
            if not Path(self.ca_certificate_path).is_file():
                raise _InvalidField(
                    "ca_certificate_path", f"{self.ca_certificate_path!r} is not a readable file"
                )
        for tenant in self.tenant_ids:
            if not tenant or tenant != tenant.strip():
                raise _InvalidField("tenant_ids", f"{tenant!r} is not a valid tenant id")

    def _check_saas(self) -> None:
        if self.client_id is None:
            raise _InvalidField("client_id", "is required for a Camunda SaaS cluster")
        if not self.tls:
            raise _InvalidField("tls", "Camunda SaaS accepts TLS connections only")
        if self.address is not None and self.address != self.target:
            raise _InvalidField(
                "address",
                f"{self.address!r} does not match cluster {self.cluster_id!r} in region "
                f"{self.region!r} ({self.target}); set one or make them agree",
            )

    @property
    def uses_oauth(self) -> bool:
        """Whether calls carry an OAuth token (client credentials are set)."""
        return self.client_id is not None

    @property
    def region(self) -> str:
        """The SaaS region, defaulted."""
        return self.cluster_region or SAAS_DEFAULT_REGION

    @property
    def target(self) -> str:
        """The gRPC target the channel connects to."""
        if self.cluster_id is not None:
            return f"{self.cluster_id}.{self.region}.zeebe.camunda.io:443"
        assert self.address is not None  # checked in __post_init__
        return self.address

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, name: str = "zeebe"
    ) -> ZeebeConfig:
        """Read the configuration from Camunda's environment variables.

        Reads ``ZEEBE_ADDRESS``, ``ZEEBE_INSECURE_CONNECTION``, ``ZEEBE_CA_CERTIFICATE_PATH``,
        ``ZEEBE_CLIENT_ID``, ``ZEEBE_CLIENT_SECRET``, ``ZEEBE_AUTHORIZATION_SERVER_URL``,
        ``ZEEBE_TOKEN_AUDIENCE``, ``ZEEBE_TOKEN_SCOPE``, ``CAMUNDA_CLUSTER_ID``,
        ``CAMUNDA_CLUSTER_REGION`` and ``ZEEBE_TENANT_IDS`` (comma-separated). Empty values
        count as unset.

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

        insecure_text = get("tls")
        tls = True
        if insecure_text is not None:
            lowered = insecure_text.lower()
            if lowered not in _TRUE | _FALSE:
                raise ConfigurationError(
                    f"ZEEBE_INSECURE_CONNECTION: {insecure_text!r} is not a boolean "
                    "(use true or false)"
                )
            tls = lowered in _FALSE
        kwargs: dict[str, Any] = {
            "address": get("address"),
            "tls": tls,
            "ca_certificate_path": get("ca_certificate_path"),
            "client_id": get("client_id"),
            "client_secret": get("client_secret"),
            "authorization_server_url": get("authorization_server_url"),
            "audience": get("audience"),
            "scope": get("scope"),
            "cluster_id": get("cluster_id"),
            "cluster_region": get("cluster_region"),
            "tenant_ids": parse_tenant_ids("ZEEBE_TENANT_IDS", get("tenant_ids")),
            "name": name,
        }
        return construct(cls, kwargs, _ENV_NAMES)


def _check_address(address: str) -> None:
    if "://" in address:
        raise _InvalidField(
            "address", f"{address!r} must be host:port, without a scheme such as http://"
        )
    match = _HOST_PORT.match(address)
    if match is None:
        raise _InvalidField("address", f"{address!r} is not host:port")
    if not 0 < int(match["port"]) < 65536:
        raise _InvalidField("address", f"{address!r} has port out of range")


# gRPC's own reconnect backoff grows to two minutes by default, and while it waits every
# call fails at once: after the gateway comes back the runtime's retries would keep failing
# for up to that long. The runtime owns backoff, so gRPC's is capped low.
_CHANNEL_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 500),
    ("grpc.min_reconnect_backoff_ms", 500),
    ("grpc.max_reconnect_backoff_ms", 5_000),
)


def open_channel(
    config: ZeebeConfig, *, options: Sequence[tuple[str, Any]] = ()
) -> grpc.aio.Channel:
    """Open (lazily: gRPC connects on first call) the channel ``config`` describes.

    Args:
        config: The validated configuration.
        options: Extra gRPC channel arguments; they win over the defaults.

    Returns:
        A grpc.aio channel to the gateway.
    """
    given = {name for name, _ in options}
    channel_options = (*options, *(o for o in _CHANNEL_OPTIONS if o[0] not in given))
    credentials: grpc.ChannelCredentials | None = None
    if config.tls:
        root = Path(config.ca_certificate_path).read_bytes() if config.ca_certificate_path else None
        credentials = grpc.ssl_channel_credentials(root_certificates=root)
    if config.cluster_id is not None:
        assert config.client_id is not None and config.client_secret is not None
        return create_camunda_cloud_channel(
            client_id=config.client_id,
            client_secret=config.client_secret,
            cluster_id=config.cluster_id,
            region=config.region,
            authorization_server=config.authorization_server_url or SAAS_TOKEN_URL,
            scope=config.scope,
            audience=config.audience or SAAS_AUDIENCE,
            channel_credentials=credentials,
            channel_options=channel_options,
        )
    if config.uses_oauth:
        assert config.client_id is not None and config.client_secret is not None
        assert config.authorization_server_url is not None
        return create_oauth2_client_credentials_channel(
            grpc_address=config.target,
            client_id=config.client_id,
            client_secret=config.client_secret,
            authorization_server=config.authorization_server_url,
            scope=config.scope,
            audience=config.audience,
            channel_credentials=credentials,
            channel_options=channel_options,
        )
    if credentials is not None:
        return create_secure_channel(
            grpc_address=config.target,
            channel_credentials=credentials,
            channel_options=channel_options,
        )
    return create_insecure_channel(grpc_address=config.target, channel_options=channel_options)
