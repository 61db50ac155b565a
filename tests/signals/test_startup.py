"""Start-up and Signal building: what the detect process builds at import, and the Signal
validation of :func:`signals.build._validate` against the plain form it replaces."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import signals
from signals import NewsEvent, detect
from signals.build import _validate
from signals.cues import _no_capital, _refuse_capitals
from signals.document import Document
from signals.entities import load_table
from signals.hedging import may_be_reported, reported
from signals.models import (
    Alert,
    DeadWebhook,
    Evidence,
    RejectedMessage,
    Signal,
    WebhookMessage,
    WindowFigures,
)
from signals.triggers import words_of_lower

SITE = Path(signals.__file__).resolve().parents[1]  # where the signals under test come from
REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "eval" / "dev_news.jsonl"
DEFERRED: tuple[type[BaseModel], ...] = (
    Alert,
    WindowFigures,
    RejectedMessage,
    WebhookMessage,
    DeadWebhook,
)


def _child(code: str) -> dict[str, Any]:
    """What a fresh interpreter importing this test run's build of ``signals`` prints (JSON)."""
    env = dict(os.environ, PYTHONPATH=str(SITE))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def test_detect_process_builds_only_the_models_it_uses() -> None:
    # detect() validates NewsEvent and builds Signal (with Evidence): the service's models are
    # built on their first use, and TypeAdapter's module is never imported
    code = """
import json, sys
from signals import NewsEvent, detect
from signals import models
detect(NewsEvent(id="a", body="Acme raised $5 million in a Series A round led by Foo."))
names = ["NewsEvent", "Signal", "Evidence", "Alert", "WindowFigures", "RejectedMessage",
         "WebhookMessage", "DeadWebhook"]
print(json.dumps({
    "complete": {n: getattr(models, n).__pydantic_complete__ for n in names},
    "type_adapter": "pydantic.type_adapter" in sys.modules,
}))
"""
    out = _child(code)
    assert out["complete"] == {
        "NewsEvent": True,
        "Signal": True,
        "Evidence": True,
        "Alert": False,
        "WindowFigures": False,
        "RejectedMessage": False,
        "WebhookMessage": False,
        "DeadWebhook": False,
    }
    assert out["type_adapter"] is False


def _signal() -> Signal:
    found = detect(NewsEvent(id="a", body="Acme raised $5 million in a Series A round."))
    assert found
    return found[0]


def _alert() -> Alert:
    return Alert(
        alert_id="x",
        rule="funding_threshold",
        severity="warning",
        kind="funding",
        company="Acme",
        article_id="a",
        summary="Acme raised $5 million",
        signals=[_signal()],
        windows=[
            WindowFigures(
                window="1d",
                start=datetime(2024, 1, 1, tzinfo=UTC),
                end=datetime(2024, 1, 2, tzinfo=UTC),
                count=1,
                amount_usd=5e6,
            )
        ],
    )


def test_deferred_models_validate_and_round_trip() -> None:
    alert = _alert()
    now = datetime(2024, 1, 2, tzinfo=UTC)
    messages: list[BaseModel] = [
        alert,
        alert.windows[0],
        WebhookMessage(timestamp=now, data=alert),
        RejectedMessage(
            reason="not_json", stage="decode", topic="news.raw", partition=0, offset=1, value_b64=""
        ),
        DeadWebhook(
            webhook_id="w",
            subscription_id="s",
            target="https://example.org/hook",
            reason="gone",
            attempts=1,
            first_attempt_at=now,
            failed_at=now,
            alert=alert,
        ),
    ]
    for message in messages:
        again = type(message).model_validate_json(message.model_dump_json())
        assert again == message
        assert type(message).model_json_schema()["title"] == type(message).__name__
    assert all(model.__pydantic_complete__ for model in DEFERRED)


def test_deferred_models_still_refuse_bad_values() -> None:
    with pytest.raises(ValidationError):
        WindowFigures.model_validate({"window": "2h", "start": "x", "end": "y"})
    with pytest.raises(ValidationError):
        Alert.model_validate({"alert_id": "x", "severity": "loud"})


def _plain(data: dict[str, Any]) -> Signal:
    """The form ``_validate`` replaces: strict validation first, lax when strict refuses."""
    try:
        return Signal.model_validate(data, strict=True)
    except ValidationError:
        return Signal.model_validate(data)


def _same(data: dict[str, Any]) -> None:
    """``_validate`` and the plain form agree: the same Signal (the same JSON), or both refuse."""
    try:
        expected = _plain(dict(data))
    except ValidationError:
        with pytest.raises(ValidationError):
            _validate(dict(data))
        return
    got = _validate(dict(data))
    assert got == expected
    assert got.model_dump_json() == expected.model_dump_json()


def test_validate_agrees_with_the_plain_form_on_detected_signals() -> None:
    lines = [line for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    checked = 0
    for line in lines:
        for signal in detect(NewsEvent.model_validate(json.loads(line))):
            data = signal.model_dump()
            assert _validate(dict(data)) == signal
            _same(data)
            checked += 1
    assert checked > 30


_NUMBERS = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.sampled_from(["12", "1.5", "many", "", "1e3"]),
    st.booleans(),
)
_DATES = st.one_of(
    st.none(),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),
    st.dates(),
    st.sampled_from(["2024-05-01", "2024-05-01T10:00:00Z", "2024-13-01", "soon"]),
)
_TEXTS = st.one_of(st.none(), st.text(max_size=8), st.integers(0, 9))
_SPANS = st.lists(
    st.one_of(
        st.tuples(st.integers(0, 99), st.integers(0, 99)),
        st.lists(st.integers(0, 99), min_size=2, max_size=2),
        st.tuples(st.sampled_from(["1", 1.0, True]), st.integers(0, 99)),
    ),
    max_size=3,
)


@st.composite
def _signal_data(draw: st.DrawFn) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "field": draw(st.sampled_from(["title", "body", "head", 1])),
        "start": draw(st.one_of(st.integers(-2, 999), st.sampled_from(["3", 3.0, 3.5]))),
        "end": draw(st.one_of(st.integers(0, 999), st.sampled_from(["9", 9.0]))),
        "sentence": draw(st.one_of(st.text(max_size=20), st.integers(0, 5))),
        "highlights": draw(_SPANS),
    }
    data: dict[str, Any] = {
        "signal_id": draw(st.one_of(st.text(max_size=24), st.integers(0, 9))),
        "article_id": draw(st.text(max_size=10)),
        "kind": draw(st.sampled_from(["funding", "gpu_procurement", "revenue", "other"])),
        "company": draw(st.text(max_size=10)),
        "company_mention": draw(st.text(max_size=10)),
        "language": draw(st.sampled_from(["fr", "en"])),
        "confidence": draw(_NUMBERS),
        "hedged": draw(st.one_of(st.booleans(), st.sampled_from([0, 1, "yes", "true", None]))),
        "evidence": draw(st.one_of(st.just(evidence), st.builds(Evidence, **_EVIDENCE))),
        "source": draw(_TEXTS),
        "published_at": draw(_DATES),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "amount": _NUMBERS,
        "currency": _TEXTS,
        "amount_usd": _NUMBERS,
        "fx_date": _DATES,
        "round": _TEXTS,
        "valuation": _NUMBERS,
        "investors": st.one_of(st.lists(st.text(max_size=5), max_size=2), st.just(("A", "B"))),
        "status": st.sampled_from(["completed", "pending", "acquired", "ordered", "bad", None]),
        "quantity": _NUMBERS,
        "vendor": _TEXTS,
        "model": _TEXTS,
        "metric": _TEXTS,
        "direction": st.sampled_from(["up", "down", "flat", None]),
        "change_pct": _NUMBERS,
        "period": _TEXTS,
        "sources": _NUMBERS,
    }
    for key in draw(st.sets(st.sampled_from(sorted(optional)))):
        data[key] = draw(optional[key])
    return data


_EVIDENCE: dict[str, st.SearchStrategy[Any]] = {
    "field": st.sampled_from(["title", "body"]),
    "start": st.integers(0, 99),
    "end": st.integers(0, 99),
    "sentence": st.text(max_size=10),
}


@settings(max_examples=600, deadline=None)
@given(_signal_data())
def test_validate_agrees_with_the_plain_form(data: dict[str, Any]) -> None:
    _same(data)


def test_validate_refuses_like_the_plain_form() -> None:
    data = _signal().model_dump()
    for key, bad in [("kind", "other"), ("confidence", 1.5), ("quantity", "many")]:
        with pytest.raises(ValidationError):
            _validate({**data, key: bad})
    assert _validate({**data, "fx_date": date(2024, 1, 1), "amount": Decimal("2.5")}).amount == 2.5


# --- the hedging gate of to_signal: HEDGE_WORDS against the sentence's words -----------------

_HEDGE_PHRASES = [
    "reportedly", "according to people", "according to sources", "according to a report",
    "according to a person", "according to reports", "people familiar", "people with knowledge",
    "people who have knowledge", "source said", "sources say", "sources close", "is said to",
    "are said to", "rumor", "rumour", "rumors", "rumours", "rumored", "rumoured", "unconfirmed",
    "allegedly", "would have", "could have", "selon des sources", "selon nos sources",
    "selon plusieurs sources", "selon plusieurs médias", "selon des médias",
    "d'après des sources", "de source proche", "rumeur", "rumeurs",
]  # fmt: skip
_NOISE = st.sampled_from(
    [" ", ", ", ". ", "-", "'", "’", "«", "»", "(", ")", "_", "x", "l'", "2", "é", "\n", "/"]
)


@given(
    st.lists(
        st.one_of(st.sampled_from(_HEDGE_PHRASES), _NOISE, st.text(max_size=6)),
        max_size=8,
    )
)
@settings(max_examples=800, deadline=None)
def test_a_reported_sentence_holds_a_hedge_word(parts: list[str]) -> None:
    low = str.lower("".join(parts))
    if reported(low):
        assert may_be_reported(words_of_lower(low)), low


@pytest.mark.parametrize("phrase", _HEDGE_PHRASES)
def test_each_hedge_phrase_passes_the_gate(phrase: str) -> None:
    low = f"acme, {phrase} (x), raised $5 million."
    assert reported(low)
    assert may_be_reported(words_of_lower(low))


def test_the_gate_agrees_with_reported_on_the_corpora() -> None:
    # every sentence of the eval sets, through the document's own words and lowering
    table = load_table()
    names = ("tests/samples/holdout.jsonl", "bench/data/holdout2.jsonl", "docs/eval/holdout3.jsonl")
    files = [DEV] + [REPO / name for name in names]
    said = checked = 0
    for path in files:
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            event = NewsEvent.model_validate(json.loads(line))
            doc = Document(event, table)
            for i in range(len(doc.sentences)):
                if reported(doc.lower(i)):
                    assert may_be_reported(doc.words(i)), doc.sentences[i].text
                    said += 1
                checked += 1
    assert said > 5 and checked > 700


# --- Cue's capital check: the C fast path against the plain loop -----------------------------


def _refuses_plainly(pattern: str) -> bool:
    stripped = re.sub(r"\\.|\(\?P<\w+>|\(\?P=\w+\)", "", pattern)
    return any(c.isupper() for c in stripped)


_PATTERN_PARTS = st.one_of(
    st.text(max_size=6),
    st.sampled_from(
        ["\\S", "\\W", "\\b", "(?P<Name>", "(?P=Name)", "(?:", ")", "ϒ", "ǅ", "ℂ", "Ⅰ", "ß", "É"]
    ),
)


@given(st.lists(_PATTERN_PARTS, max_size=6))
@settings(max_examples=1000, deadline=None)
def test_refuse_capitals_refuses_what_the_plain_loop_refuses(parts: list[str]) -> None:
    pattern = "".join(parts)
    try:
        _refuse_capitals(pattern)
    except ValueError:
        assert _refuses_plainly(pattern), pattern
    else:
        assert not _refuses_plainly(pattern), pattern


def test_no_capital_is_never_true_of_a_capital() -> None:
    # a sufficient test: a titlecase letter ("ǅ") is no capital but takes the plain loop
    skipped = 0
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        if c.isupper():
            assert not _no_capital(c), hex(code)
        elif not _no_capital(c):
            skipped += 1
    assert skipped < 50  # the titlecase letters
    assert _no_capital("ab\\w+ é") and not _no_capital("(?P<A>x)")
