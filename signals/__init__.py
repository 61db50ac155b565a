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
    "build",
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


def build() -> str:
    """Which build of the detection modules runs: "compiled" (mypyc: ``make compiled``,
    ``SIGNALS_COMPILE=1``, see setup.py) or "pure" (Python)."""
    from signals import document

    return "pure" if str(document.__file__).endswith(".py") else "compiled"
