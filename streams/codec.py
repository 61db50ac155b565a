"""Bytes on a topic <-> the models of :mod:`signals.models`.

:func:`decode_event` turns a ``news.raw`` message value into a validated :class:`NewsEvent` or
raises :class:`~streams.errors.DecodeError` whose ``reason`` is one of :data:`REASONS` (a bounded
metric label). :func:`dead_letter` builds the ``news.rejected`` payload.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from signals.models import NewsEvent, RejectedMessage
from streams.errors import DecodeError

REASONS = ("not_utf8", "not_json", "not_object", "invalid_event", "too_large", "processing_error")
_DETAIL_MAX = 300


def decode_event(value: bytes | None, max_body_bytes: int = 1_000_000) -> NewsEvent:
    """Decode and validate one input event.

    ``too_large``: the message or the event's body is over ``max_body_bytes`` bytes.
    """
    if value is None:
        raise DecodeError("not_json", "empty message (tombstone)")
    # A message holds a body plus a few short fields; anything much larger cannot be valid.
    if len(value) > max_body_bytes + 64 * 1024:
        raise DecodeError("too_large", f"message of {len(value)} bytes")
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError("not_utf8", f"invalid byte at offset {exc.start}") from None
    try:
        data: Any = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise DecodeError("not_json", _short(str(exc))) from None
    if not isinstance(data, dict):
        raise DecodeError("not_object", f"a JSON {type(data).__name__}, not an object")
    body = data.get("body")
    if isinstance(body, str) and len(body) > max_body_bytes // 4:
        size = len(body.encode("utf-8"))
        if size > max_body_bytes:
            raise DecodeError("too_large", f"body of {size} bytes > {max_body_bytes}")
    try:
        return NewsEvent.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "event"
        raise DecodeError(
            "invalid_event", _short(f"{where}: {first['msg']} ({exc.error_count()} errors)")
        ) from None


def encode(model: BaseModel) -> bytes:
    """JSON bytes of a model (the wire format of every output topic)."""
    return model.model_dump_json(exclude_none=False).encode("utf-8")


def encode_event(event: NewsEvent) -> bytes:
    """JSON bytes of an input event, as ``signals publish`` sends them."""
    return event.model_dump_json(exclude_none=True).encode("utf-8")


def dead_letter(
    *,
    reason: str,
    stage: str,
    detail: str,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
) -> RejectedMessage:
    """The ``news.rejected`` payload: the original bytes (base64) and why they were refused."""
    return RejectedMessage(
        reason=reason,
        stage=stage,
        detail=_short(detail),
        topic=topic,
        partition=partition,
        offset=offset,
        key_b64=base64.b64encode(key).decode("ascii") if key is not None else None,
        value_b64=base64.b64encode(value or b"").decode("ascii"),
    )


def _short(text: str) -> str:
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 3] + "..."
