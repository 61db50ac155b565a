"""market-signals detection library: text in, typed signals out. Pure: no I/O, no env, no clock."""

from __future__ import annotations

from signals.detect import detect, detect_language, detect_text
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
    "detect_language",
    "detect_text",
]
