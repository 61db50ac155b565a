"""Webhook subscriptions: read from a YAML or JSON file, checked against SSRF, listed safely.

The file (``SIGNALS_WEBHOOKS_CONFIG``)::

    allow_private_targets: false      # true only for tests and trusted networks
    subscriptions:
      - id: research-desk
        url: https://hooks.example.com/market-signals
        secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
        filters: {kinds: [funding], min_severity: warning, companies: [Mistral AI]}

A secret is a :class:`~pydantic.SecretStr`: it never appears in ``repr``, logs, errors or the
listing. URLs are limited to http(s); loopback, private, link-local and other non-global
targets are refused unless ``allow_private_targets`` is true. Host names are checked again on
every attempt, after DNS resolution (see :func:`check_resolved`).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from signals.models import SEVERITIES, Alert, Kind, Severity
from streams.errors import StreamsError

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SECRET_PREFIX = "whsec_"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class SubscriptionError(StreamsError, ValueError):
    """A subscriptions file that cannot be used. The message never contains a secret."""


class TargetRefused(StreamsError, ValueError):
    """A webhook URL whose scheme or address is not allowed (SSRF protection)."""


class Filters(BaseModel):
    """Which alerts a subscription receives. An empty list means "any"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: tuple[Kind, ...] = ()
    min_severity: Severity = "info"
    companies: tuple[str, ...] = Field(default=(), description="Canonical names, any case")

    def matches(self, alert: Alert) -> bool:
        if self.kinds and alert.kind not in self.kinds:
            return False
        if SEVERITIES.index(alert.severity) < SEVERITIES.index(self.min_severity):
            return False
        if self.companies:
            wanted = {c.casefold() for c in self.companies}
            return alert.company.casefold() in wanted
        return True


class Subscription(BaseModel):
    """One webhook endpoint, its signing secret and its filters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="Stable id: part of every webhook-id sent to this endpoint")
    url: str
    secret: SecretStr = Field(description="whsec_ followed by base64 of 24 to 64 random bytes")
    filters: Filters = Filters()

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("id must be 1-64 of A-Z a-z 0-9 . _ - and start alphanumeric")
        return value

    @field_validator("secret")
    @classmethod
    def _check_secret(cls, value: SecretStr) -> SecretStr:
        secret_key(value)  # raises ValueError without echoing the value
        return value

    def matches(self, alert: Alert) -> bool:
        return self.filters.matches(alert)

    def key(self) -> bytes:
        """The HMAC key: the base64-decoded part of the secret after ``whsec_``."""
        return secret_key(self.secret)


class SubscriptionsConfig(BaseModel):
    """The whole subscriptions file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    allow_private_targets: bool = Field(
        default=False, description="Allow loopback/private/link-local URLs (tests, trusted nets)"
    )
    subscriptions: tuple[Subscription, ...] = ()

    def by_id(self) -> dict[str, Subscription]:
        return {s.id: s for s in self.subscriptions}

    def matching(self, alert: Alert) -> list[Subscription]:
        return [s for s in self.subscriptions if s.matches(alert)]


def secret_key(secret: SecretStr | str) -> bytes:
    """Decode a ``whsec_`` secret to its key bytes; ValueError (without the secret) if bad."""
    raw = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if not raw.startswith(_SECRET_PREFIX):
        raise ValueError("secret must start with whsec_")
    try:
        key = base64.b64decode(raw[len(_SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("secret must be whsec_ followed by base64") from None
    if not 24 <= len(key) <= 64:
        raise ValueError("secret must decode to 24-64 bytes")
    return key


def refused_address(ip: IPAddress) -> bool:
    """True for addresses a webhook may not reach by default (non-global, multicast...)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless allowed, literal non-global addresses and localhost.

    Host names are not resolved here (the file may be loaded where DNS is not reachable): the
    addresses they resolve to are checked before every attempt by :func:`check_resolved`.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("webhook URLs must be http or https")
    host = parts.hostname
    if not host:
        raise TargetRefused("webhook URL has no host")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise TargetRefused("webhook URL has a bad port") from None
    if allow_private:
        return
    lowered = host.rstrip(".").lower()
    if lowered == "localhost" or lowered.endswith(".localhost"):
        raise TargetRefused("loopback targets are refused (allow_private_targets is false)")
    try:
        ip = ipaddress.ip_address(lowered)
    except ValueError:
        return
    if refused_address(ip):
        raise TargetRefused(f"target address {ip} is not public (allow_private_targets is false)")


def check_resolved(addresses: Iterable[str], allow_private: bool) -> None:
    """Refuse a host whose resolved addresses include a non-global one (DNS-based SSRF)."""
    if allow_private:
        return
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if refused_address(ip):
            raise TargetRefused(f"target resolves to {ip}, not public")


def public_target(url: str) -> str:
    """The URL without credentials, query or fragment: safe to log, list and dead-letter."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{netloc}{parts.path}"


def parse_subscriptions(data: Any) -> SubscriptionsConfig:
    """Validate parsed YAML/JSON; SubscriptionError names the problem, never a secret."""
    if data is None:
        data = {}
    if isinstance(data, list):
        data = {"subscriptions": data}
    try:
        config = SubscriptionsConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SubscriptionError(f"invalid subscriptions: {problems}") from None
    seen: set[str] = set()
    for sub in config.subscriptions:
        if sub.id in seen:
            raise SubscriptionError(f"duplicate subscription id {sub.id!r}")
        seen.add(sub.id)
        try:
            check_url(sub.url, config.allow_private_targets)
        except TargetRefused as exc:
            raise SubscriptionError(f"subscription {sub.id!r}: {exc}") from None
    return config


def load_subscriptions(path: Path | None) -> SubscriptionsConfig:
    """Read the subscriptions file (``.json``, else YAML). No file: no subscriptions."""
    if path is None:
        return SubscriptionsConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SubscriptionError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        # the parsers' messages quote the offending line, which may hold a secret
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise SubscriptionError(f"{path} is not valid {kind}") from None
    return parse_subscriptions(data)


def list_subscriptions(
    config: SubscriptionsConfig, disabled: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """The subscriptions as JSON-ready dicts for ``GET`` endpoints: no secrets, no credentials."""
    off = set(disabled)
    return [
        {
            "id": s.id,
            "target": public_target(s.url),
            "filters": {
                "kinds": list(s.filters.kinds),
                "min_severity": s.filters.min_severity,
                "companies": list(s.filters.companies),
            },
            "enabled": s.id not in off,
        }
        for s in config.subscriptions
    ]
