"""Kafka client options from Settings, shared by every client the service builds."""

from __future__ import annotations

import ssl
from typing import Any

from streams.settings import Settings


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """An SSL context for SSL and SASL_SSL, else None."""
    if "SSL" not in settings.security_protocol:
        return None
    cafile = str(settings.ssl_cafile) if settings.ssl_cafile else None
    return ssl.create_default_context(cafile=cafile)


def sasl_mechanism(settings: Settings) -> str | None:
    """The SASL mechanism in force: the configured one, PLAIN for a SASL protocol without one."""
    if settings.sasl_mechanism:
        return settings.sasl_mechanism
    return "PLAIN" if settings.security_protocol.startswith("SASL") else None


def aiokafka_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for aiokafka producers, consumers and the admin client."""
    opts: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers(),
        "security_protocol": settings.security_protocol,
    }
    context = ssl_context(settings)
    if context is not None:
        opts["ssl_context"] = context
    mechanism = sasl_mechanism(settings)
    if mechanism:
        opts["sasl_mechanism"] = mechanism
        opts["sasl_plain_username"] = settings.sasl_username
        opts["sasl_plain_password"] = (
            settings.sasl_password.get_secret_value() if settings.sasl_password else None
        )
    return opts


def faust_credentials(settings: Settings) -> Any:
    """``broker_credentials`` for faust, or None for PLAINTEXT."""
    import faust

    context = ssl_context(settings)
    mechanism = sasl_mechanism(settings)
    if mechanism:
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password.get_secret_value() if settings.sasl_password else None,
            mechanism=mechanism,
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None
