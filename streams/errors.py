"""The one error root of the streams service."""

from __future__ import annotations


class StreamsError(Exception):
    """Root of every error raised by :mod:`streams`."""


class BrokerError(StreamsError):
    """The broker cannot be started, reached or used."""


class DecodeError(StreamsError, ValueError):
    """A message that cannot become a NewsEvent; ``reason`` is the bounded metric label."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
