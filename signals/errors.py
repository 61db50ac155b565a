"""The one error root of the signals library."""

from __future__ import annotations


class SignalsError(Exception):
    """Root of every error raised by :mod:`signals`."""


class ParseError(SignalsError, ValueError):
    """Text or data that cannot be parsed (a number, an amount, an event)."""


class ConfigError(SignalsError, ValueError):
    """Bad alias table or other data handed to the library."""
