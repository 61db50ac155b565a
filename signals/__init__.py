"""market-signals detection library: text in, typed signals out. Pure: no I/O, no env, no clock."""

from __future__ import annotations

from signals.errors import ConfigError, ParseError, SignalsError
from signals.models import (
    KINDS,
    SCHEMA_VERSION,
    Alert,
    Evidence,
    NewsEvent,
    RejectedMessage,
    Signal,
    WindowFigures,
)

__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "Alert",
    "ConfigError",
    "Evidence",
    "NewsEvent",
    "ParseError",
    "RejectedMessage",
    "Signal",
    "SignalsError",
    "WindowFigures",
    "detect",
]


def __getattr__(name: str) -> object:
    # detect pulls in the detectors and their tables; load them on first use, not at import
    if name == "detect":
        from signals.detect import detect

        return detect
    raise AttributeError(name)
