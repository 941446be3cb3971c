"""What the operator allows the HTTP connectors to reach: the egress policy.

A diagram decides the URL a job calls; the operator decides which URLs may be called at all.
The policy is checked before every request and every redirect hop (URL patterns, host names,
ports), and again when a connection is opened, against every address the host name resolves
to (blocked networks), so a name that resolves to a cloud metadata address is refused as
surely as the address itself. Settings (environment, TOML file or flags of ``bpmn-bridge
run``)::

    BPMN_BRIDGE_HTTP_BLOCKED_URLS          regular expressions (comma-separated) searched in
                                           the full URL; a match refuses the request
    BPMN_BRIDGE_HTTP_BLOCKED_HOSTS         host names (``*.internal`` for a domain and its
                                           sub-domains), IP addresses and CIDR networks
    BPMN_BRIDGE_HTTP_BLOCKED_PORTS         ports and ranges, e.g. ``22,25,6000-6063``
    BPMN_BRIDGE_HTTP_ALLOW_LINK_LOCAL      ``false`` (default): 169.254.0.0/16, fe80::/10
                                           and fd00:ec2::254 (cloud metadata) are refused
    BPMN_BRIDGE_HTTP_ALLOW_INSECURE_TLS    ``true`` (default): a model may set verifyTls=false
    BPMN_BRIDGE_HTTP_ALLOW_CA_BUNDLE_PATH  ``true`` (default): a model may name a CA file
    BPMN_BRIDGE_HTTP_MAX_RESPONSE_BYTES    decoded response size limit, default 10 MiB

A refusal is an :class:`~bpmn_bridge.InputError` (an incident at once: retrying cannot help)
naming the rule, never the secret-bearing parts of the URL.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from bpmn_bridge import ConfigurationError, InputError
from bpmn_bridge.connectors._http_errors import origin_of

__all__ = [
    "METADATA_NETWORKS",
    "EgressRefusedError",
    "HttpPolicy",
    "http_policy",
    "set_http_policy",
]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_NETWORKS: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("169.254.0.0/16"),  # link-local: AWS, GCP, Azure, OpenStack metadata
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS metadata over IPv6
)
"""Refused unless ``BPMN_BRIDGE_HTTP_ALLOW_LINK_LOCAL`` is true."""

DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024


class EgressRefusedError(InputError):
    """The operator's egress policy does not allow this request."""


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """The egress policy of the HTTP connectors.

    Attributes:
        blocked_urls: Patterns searched in the full URL.
        blocked_hosts: Host names, lower-case; ``*.example`` blocks a domain and below.
        blocked_networks: Addresses and networks no connection may reach.
        blocked_ports: Ports no request may use.
        allow_insecure_tls: Whether a model may turn certificate checks off.
        allow_ca_bundle_path: Whether a model may name a CA bundle file on the worker.
        max_response_bytes: The decoded response size limit.
    """

    blocked_urls: tuple[re.Pattern[str], ...] = ()
    blocked_hosts: tuple[str, ...] = ()
    blocked_networks: tuple[IPNetwork, ...] = METADATA_NETWORKS
    blocked_ports: frozenset[int] = field(default_factory=frozenset)
    allow_insecure_tls: bool = True
    allow_ca_bundle_path: bool = True
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HttpPolicy:
        """Read the policy from settings (see the module docstring for the names).

        Args:
            env: Merged settings (file, environment, flags).

        Returns:
            The policy.

        Raises:
            ConfigurationError: A setting is invalid; the message names it.
        """
        urls: list[re.Pattern[str]] = []
        for pattern in _list(env, "BPMN_BRIDGE_HTTP_BLOCKED_URLS"):
            try:
                urls.append(re.compile(pattern))
            except re.error as exc:
                raise ConfigurationError(
                    f"BPMN_BRIDGE_HTTP_BLOCKED_URLS: {pattern!r} is not a regular expression: {exc}"
                ) from None
        hosts: list[str] = []
        networks: list[IPNetwork] = []
        for entry in _list(env, "BPMN_BRIDGE_HTTP_BLOCKED_HOSTS"):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if not re.fullmatch(r"(\*\.)?[A-Za-z0-9_.-]+", entry):
                    raise ConfigurationError(
                        f"BPMN_BRIDGE_HTTP_BLOCKED_HOSTS: {entry!r} is not a host name, "
                        "address or CIDR network"
                    ) from None
                hosts.append(entry.lower().rstrip("."))
        if not _flag(env, "BPMN_BRIDGE_HTTP_ALLOW_LINK_LOCAL", False):
            networks.extend(METADATA_NETWORKS)
        ports: set[int] = set()
        for entry in _list(env, "BPMN_BRIDGE_HTTP_BLOCKED_PORTS"):
            low, _, high = entry.partition("-")
            try:
                first, last = int(low), int(high or low)
            except ValueError:
                first, last = -1, -1
            if not 0 < first <= last < 65536:
                raise ConfigurationError(
                    f"BPMN_BRIDGE_HTTP_BLOCKED_PORTS: {entry!r} is not a port or a range "
                    "of ports (1-65535)"
                )
            ports.update(range(first, last + 1))
        limit_text = env.get("BPMN_BRIDGE_HTTP_MAX_RESPONSE_BYTES", "").strip()
        limit = DEFAULT_MAX_RESPONSE_BYTES
        if limit_text:
            try:
                limit = int(limit_text)
            except ValueError:
                limit = 0
            if limit <= 0:
                raise ConfigurationError(
                    "BPMN_BRIDGE_HTTP_MAX_RESPONSE_BYTES must be a positive number of bytes, "
                    f"got {limit_text!r}"
                )
        return cls(
            blocked_urls=tuple(urls),
            blocked_hosts=tuple(hosts),
            blocked_networks=tuple(networks),
            blocked_ports=frozenset(ports),
            allow_insecure_tls=_flag(env, "BPMN_BRIDGE_HTTP_ALLOW_INSECURE_TLS", True),
            allow_ca_bundle_path=_flag(env, "BPMN_BRIDGE_HTTP_ALLOW_CA_BUNDLE_PATH", True),
            max_response_bytes=limit,
        )

    def check_url(self, url: httpx.URL) -> None:
        """Refuse a URL by pattern, host name, literal address or port.

        Raises:
            EgressRefusedError: The policy blocks it.
        """
        where = origin_of(url)
        text = str(url)
        if any(pattern.search(text) for pattern in self.blocked_urls):
            raise EgressRefusedError(f"{where}: the URL matches a blocked URL pattern")
        host = url.host.lower().rstrip(".")
        for blocked in self.blocked_hosts:
            if host == blocked or (blocked.startswith("*.") and host.endswith(blocked[1:])):
                raise EgressRefusedError(f"{where}: the host is blocked")
            if blocked.startswith("*.") and host == blocked[2:]:
                raise EgressRefusedError(f"{where}: the host is blocked")
        port = url.port or (443 if url.scheme == "https" else 80)
        if port in self.blocked_ports:
            raise EgressRefusedError(f"{where}: port {port} is blocked")
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return  # a name: its addresses are checked when the connection opens
        self.check_address(address, where=where)

    def check_address(
        self, address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, where: str
    ) -> None:
        """Refuse an address inside a blocked network.

        Raises:
            EgressRefusedError: The policy blocks it.
        """
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        for network in self.blocked_networks:
            if address.version == network.version and address in network:
                raise EgressRefusedError(
                    f"{where}: the address {address} is in a blocked network ({network})"
                )


_policy = HttpPolicy()


def http_policy() -> HttpPolicy:
    """The policy in force (the default one until :func:`set_http_policy` is called)."""
    return _policy


def set_http_policy(policy: HttpPolicy) -> None:
    """Put ``policy`` in force for every later request of the built-in HTTP connectors.

    ``bpmn-bridge run`` calls it with :meth:`HttpPolicy.from_env` at start.

    Args:
        policy: The new policy.
    """
    global _policy
    _policy = policy


def _list(env: Mapping[str, str], key: str) -> list[str]:
    return [part.strip() for part in env.get(key, "").split(",") if part.strip()]


def _flag(env: Mapping[str, str], key: str, default: bool) -> bool:
    value = env.get(key, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{key} must be true or false, got {value!r}")
