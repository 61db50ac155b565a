"""Claims and corroboration: several outlets reporting one fact raise its confidence."""

from __future__ import annotations

import pytest

from signals.corroboration import MAX_CONFIDENCE, claim_key, corroborate, noisy_or
from signals.models import Evidence, Signal


def make_signal(**fields: object) -> Signal:
    data: dict[str, object] = {
        "signal_id": "s1",
        "article_id": "a1",
        "kind": "funding",
        "company": "Mistral AI",
        "company_mention": "Mistral AI",
        "language": "fr",
        "confidence": 0.6,
        "evidence": Evidence(field="body", start=0, end=10, sentence="Mistral AI a levé"),
        "source": "Le Quotidien Tech",
        "amount": 600_000_000.0,
        "currency": "EUR",
    }
    data.update(fields)
    return Signal.model_validate(data)


def test_the_same_fact_in_two_languages_is_one_claim() -> None:
    fr = make_signal()
    en = make_signal(
        signal_id="s2", article_id="b", language="en", source="Tech Wire", amount=6.0e8
    )
    assert claim_key(fr) == claim_key(en)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 700_000_000.0},
        {"currency": "USD"},
        {"company": "Helsing"},
        {"kind": "revenue", "amount": None, "currency": None, "change_pct": 12.0},
    ],
)
def test_another_fact_is_another_claim(change: dict[str, object]) -> None:
    assert claim_key(make_signal()) != claim_key(make_signal(**change))


def test_one_source_leaves_the_signal_alone() -> None:
    first = make_signal()
    out = corroborate(first, {"Le Quotidien Tech": 0.6}, "story-1")
    assert (out.sources, out.corroboration, out.confidence) == (1, 0.0, 0.6)
    assert out.story_id == "story-1"
    assert out.signal_id == first.signal_id


def test_more_sources_raise_confidence() -> None:
    first = make_signal()
    two = corroborate(first, {"Le Quotidien Tech": 0.6, "Tech Wire": 0.5}, "st")
    three = corroborate(first, {"Le Quotidien Tech": 0.6, "Tech Wire": 0.5, "MD": 0.5}, "st")
    assert (two.sources, three.sources) == (2, 3)
    assert two.corroboration == 0.5
    assert two.confidence == pytest.approx(0.8)
    assert first.confidence < two.confidence < three.confidence <= MAX_CONFIDENCE
    assert three.signal_id == first.signal_id  # one signal per story, updated


def test_confidence_never_reaches_certainty() -> None:
    out = corroborate(make_signal(confidence=0.99), {"a": 1.0, "b": 1.0}, "st")
    assert out.confidence <= MAX_CONFIDENCE


def test_noisy_or() -> None:
    assert noisy_or([]) == 0.0
    assert noisy_or([0.5, 0.5]) == pytest.approx(0.75)
