from __future__ import annotations

import base64

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from signals.models import NewsEvent
from streams.codec import dead_letter, decode_event, encode, encode_event
from streams.errors import DecodeError, StreamsError


def test_decodes_a_valid_event() -> None:
    raw = b'{"id": "a1", "title": "T", "body": "B", "published_at": "2026-01-02T03:04:05Z"}'
    event = decode_event(raw)
    assert event.id == "a1"
    assert event.body == "B"
    assert event.published_at is not None and event.published_at.year == 2026


def test_unknown_fields_are_ignored() -> None:
    assert decode_event(b'{"id": "a", "gold": [], "notes": "x"}').id == "a"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe not utf-8", "not_utf8"),
        (b'{"id": "x", "body": "caf\xe9"}', "not_utf8"),
        (b"plain text", "not_json"),
        (b'{"id": "x",', "not_json"),
        (b"", "not_json"),
        (b"[1, 2]", "not_object"),
        (b'"a string"', "not_object"),
        (b"42", "not_object"),
        (b"null", "not_object"),
        (b'{"title": "no id"}', "invalid_event"),
        (b'{"id": ""}', "invalid_event"),
        (b'{"id": 42}', "invalid_event"),
        (b'{"id": "x", "body": ["list"]}', "invalid_event"),
        (b'{"id": "x", "published_at": "not a date"}', "invalid_event"),
    ],
)
def test_malformed_input_has_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_event(raw)
    assert info.value.reason == reason
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, StreamsError)


def test_tombstone_is_rejected() -> None:
    with pytest.raises(DecodeError) as info:
        decode_event(None)
    assert info.value.reason == "not_json"


def test_body_over_the_limit_is_too_large() -> None:
    raw = orjson.dumps({"id": "big", "body": "é" * 600})  # 1200 bytes of body
    with pytest.raises(DecodeError) as info:
        decode_event(raw, max_body_bytes=1000)
    assert info.value.reason == "too_large"
    assert decode_event(raw, max_body_bytes=1200).id == "big"


def test_huge_message_is_too_large_before_parsing() -> None:
    raw = b"x" * (1000 + 64 * 1024 + 1)
    with pytest.raises(DecodeError) as info:
        decode_event(raw, max_body_bytes=1000)
    assert info.value.reason == "too_large"


def test_default_limit_is_one_megabyte() -> None:
    ok = orjson.dumps({"id": "a", "body": "x" * 1_000_000})
    assert decode_event(ok).id == "a"
    with pytest.raises(DecodeError):
        decode_event(orjson.dumps({"id": "a", "body": "x" * 1_000_001}))


def test_dead_letter_keeps_the_original_bytes() -> None:
    letter = dead_letter(
        reason="not_utf8",
        stage="decode",
        detail="bad byte",
        topic="news.raw",
        partition=3,
        offset=17,
        key=b"k",
        value=b"\xff\x00",
    )
    assert base64.b64decode(letter.value_b64) == b"\xff\x00"
    assert letter.key_b64 is not None and base64.b64decode(letter.key_b64) == b"k"
    data = orjson.loads(encode(letter))
    assert (data["topic"], data["partition"], data["offset"]) == ("news.raw", 3, 17)
    assert data["schema_version"] == 1


@given(
    st.builds(
        NewsEvent,
        id=st.text(min_size=1, max_size=40),
        title=st.none() | st.text(max_size=50),
        body=st.text(max_size=200),
        source=st.none() | st.text(max_size=20),
    )
)
def test_encode_then_decode_round_trips(event: NewsEvent) -> None:
    assert decode_event(encode_event(event)) == event


@given(st.binary(max_size=200))
def test_any_bytes_either_decode_or_raise_decode_error(raw: bytes) -> None:
    try:
        decode_event(raw)
    except DecodeError as exc:
        assert exc.reason in ("not_utf8", "not_json", "not_object", "invalid_event")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2021-10", "2021-10-01T00:00:00+00:00"),
        ("2024", "2024-01-01T00:00:00+00:00"),
        ("2024-02-26", "2024-02-26T00:00:00+00:00"),
        ("2024-02-26T10:00:00+02:00", "2024-02-26T10:00:00+02:00"),
    ],
)
def test_partial_and_naive_dates_are_accepted(given: str, expected: str) -> None:
    event = decode_event(orjson.dumps({"id": "d", "published_at": given}))
    assert event.published_at is not None
    assert event.published_at.isoformat() == expected
