"""The per-article memos of :class:`Document` and the shortcuts that use them (lowered sentences,
sentence-wide cues, strict Signal validation, the appositive gate) give the answers of the
plain computations they replace."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from signals.build import Finding, _validate, to_signal
from signals.cues import lowered
from signals.document import _APPOSITIVE, Document, has_currency
from signals.entities import Mention, load_table
from signals.fx import parse_rates, to_usd
from signals.hedging import denial_cue, is_hedged, pending_cue, reported
from signals.models import NewsEvent, Signal

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_news.jsonl"
TABLE = load_table()

_PIECES = st.sampled_from(
    ["Acme", "reportedly", "selon des sources", "auraient", "portrait", "in talks",
     "denies", "dément", "$", "€", "5 M", "10 millions d'euros", "USD", "secteur", " dollars",
     "3e", "İ", "ı", "ſ", "Σ", "’", ", the maker of chips,", ", a startup,", "Nvidia", " ",
     ". ", "\n", "x", "7", "raised", "lève"]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=20).map("".join)


def _dev_events() -> list[NewsEvent]:
    events = []
    for line in DEV.read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            events.append(NewsEvent(id=d["id"], title=d.get("title"), body=d["body"]))
    return events


def _doc(body: str, title: str | None = None) -> Document:
    return Document(NewsEvent(id="t", title=title, body=body), TABLE)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.one_of(st.none(), _TEXTS))
def test_sentence_words_sliced_from_the_spaced_text_are_the_word_tokens(
    body: str, title: str | None
) -> None:
    doc = _doc(body, title)
    for i, s in enumerate(doc.sentences):
        assert set(doc.words(i)) == set(re.findall(r"\w+", s.text.lower()))


def test_dev_sentence_words_are_the_word_tokens() -> None:
    for event in _dev_events():
        doc = Document(event, TABLE)
        doc.triggered("funding")  # the words of every sentence, in one pass
        for i, s in enumerate(doc.sentences):
            assert set(doc.words(i)) == set(re.findall(r"\w+", s.text.lower())), s.text


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_lowered_sentences_are_str_lower_and_cues_lowered(body: str) -> None:
    doc = _doc(body)
    for i, s in enumerate(doc.sentences):
        assert doc.lower(i) == s.text.lower()
        assert doc.lowered(i) == lowered(s.text)
    assert doc.text_lowered() == lowered(doc.text)


@settings(max_examples=200, deadline=None)
@given(_TEXTS, _TEXTS)
def test_sentences_sliced_from_the_lowered_article_are_those_lowered_alone(
    title: str, body: str
) -> None:
    doc = _doc(body, title or None)
    for i, s in enumerate(doc.sentences):
        assert doc.lower(i) == s.text.lower()
        assert doc.lowered(i) == lowered(s.text)
    assert doc.text_lower() == doc.text.lower()


def test_a_sentence_cut_inside_a_word_is_lowered_on_its_own() -> None:
    # a stretch without a space is cut at a fixed length, here between "Σ" and "B": alone,
    # the "Σ" ends its sentence (a final sigma), in the article it does not
    body = "A" * 1199 + "ΣB raised $5 million."
    doc = _doc(body)
    first = doc.sentences[0]
    assert first.text.endswith("Σ")
    assert doc.text.lower()[1 + first.start : 1 + first.end] != first.text.lower()
    for i, s in enumerate(doc.sentences):
        assert doc.lower(i) == s.text.lower()
        assert doc.lowered(i) == lowered(s.text)


def test_lowered_is_none_when_lowering_moves_offsets_or_folds_otherwise() -> None:
    doc = _doc("İstanbul raised 5 million. Kızılay raised 6 million. Acme raised 7 million.")
    assert [doc.lowered(i) is None for i in range(3)] == [True, True, False]
    assert doc.lower(0) == "İstanbul raised 5 million.".lower()


def test_cue_is_answered_once_per_sentence_and_test() -> None:
    calls: list[str] = []

    def test(low: str) -> bool:
        calls.append(low)
        return "talks" in low

    doc = _doc("Acme is In Talks to raise. Beta raised 5 million.")
    assert [doc.cue(i, test) for i in (0, 1, 0, 1)] == [True, False, True, False]
    assert calls == ["acme is in talks to raise.", "beta raised 5 million."]
    assert doc.cue(0, pending_cue) is True
    assert doc.cue(1, denial_cue) is False


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.integers(0, 40), st.integers(0, 60))
def test_hedged_with_known_lowering_matches_plain(text: str, start: int, length: int) -> None:
    end = start + length
    plain = is_hedged(text, start, end)
    low = lowered(text)
    assert is_hedged(text, start, end, low, reported(text.lower())) is plain
    assert is_hedged(text, start, end, low) is plain
    assert is_hedged(text, low=low, said=reported(text.lower())) is is_hedged(text)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_has_currency_with_known_lowering_matches_plain(text: str) -> None:
    assert has_currency(text, lowered(text)) is has_currency(text)


def test_previous_actor_and_title_company_memos_match_a_fresh_document() -> None:
    events = _dev_events()[:40]
    for event in events:
        warm = Document(event, TABLE)
        for i in range(len(warm.sentences)):
            for vendors in (False, True):
                first = warm.previous_actor(i, vendors)
                assert warm.previous_actor(i, vendors) is first
                assert Document(event, TABLE).previous_actor(i, vendors) == first
        assert warm.title_company() == Document(event, TABLE).title_company()


def test_appositive_gate_keeps_the_finditer_answer() -> None:
    events = _dev_events()
    checked = 0
    for event in events:
        doc = Document(event, TABLE)
        for i in range(len(doc.sentences)):
            v = doc.view(i)
            ends = {n.end for n in v.mentions}
            spans = [a.span() for a in _APPOSITIVE.finditer(v.text) if a.start() in ends]
            for m in v.mentions:
                expected = any(s <= m.start and m.end <= e for s, e in spans)
                assert v.in_appositive(m) is expected
                checked += 1
    assert checked > 100


def _finding(doc: Document, **fields: object) -> Finding:
    text = doc.sentences[0].text
    start = text.index("Acme")
    company = Mention("Acme", "Acme", start, start + 4, "company", False)
    return Finding("gpu_procurement", 0, company, "subject", fields=dict(fields))


def test_to_signal_validates_like_the_model() -> None:
    doc = _doc("Acme bought 5,000 H100 GPUs from Nvidia.")
    signal = to_signal(doc, _finding(doc, quantity=5000, vendor="Nvidia", status="acquired"))
    data = signal.model_dump()
    assert Signal(**data) == signal
    assert signal.evidence.highlights == [(0, 4)]


def test_validate_converts_like_the_model() -> None:
    doc = _doc("Acme bought 5,000 H100 GPUs from Nvidia.")
    data = to_signal(doc, _finding(doc, quantity=5000)).model_dump()
    # strict mode refuses a Decimal for a float and a whole float for an int: lax converts them
    data.update(amount=Decimal("1.5"), quantity=5000.0)
    with pytest.raises(ValidationError):
        Signal.model_validate(data, strict=True)
    assert _validate(dict(data)) == Signal(**data)
    assert _validate(dict(data)).quantity == 5000
    data["quantity"] = "many"
    with pytest.raises(ValueError):
        _validate(dict(data))


def test_appositive_pattern_opens_with_a_comma_and_space() -> None:
    # the gate in SentenceView.in_appositive relies on it
    assert _APPOSITIVE.pattern.startswith(r"(?<=[\w)]), ")
    assert re.compile(_APPOSITIVE.pattern[len(r"(?<=[\w)])") :]).pattern.startswith(", ")


def test_fx_lookup_picks_the_row_the_plain_scan_picks() -> None:
    rates = parse_rates(
        {
            "rates": [
                {"date": "2024-01-02", "usd_per_unit": {"EUR": "1.10"}},
                {"date": "2024-07-01", "usd_per_unit": {"EUR": "1.07"}},
                {"date": "2024-07-01", "usd_per_unit": {"EUR": "1.08"}},
                {"date": "2025-01-02", "usd_per_unit": {"EUR": "1.03"}},
            ]
        }
    )
    for day in (date(2023, 5, 1), date(2024, 1, 2), date(2024, 6, 30), date(2024, 7, 1),
                date(2024, 12, 31), date(2025, 1, 2), date(2026, 1, 1)):  # fmt: skip
        earlier = [row for row in rates if row[0] <= day]
        chosen = earlier[-1] if earlier else rates[0]
        expected = ((Decimal(100) * chosen[1]["EUR"]).quantize(Decimal("0.01")), chosen[0])
        assert to_usd(Decimal(100), "EUR", day, rates) == expected
