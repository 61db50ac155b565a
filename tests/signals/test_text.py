"""Sentence splitting with offsets, language guess, fx table, explanation and evaluation lines."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal

import pytest

from signals.detect import detect_text
from signals.errors import ConfigError
from signals.evaluation import predictions_for
from signals.explain import explain
from signals.fx import parse_rates, to_usd
from signals.models import Signal
from signals.text import detect_language, split_sentences


def test_sentences_keep_offsets_and_do_not_split_decimals_or_initials() -> None:
    text = "Revenue was $83.0 billion in the U.S. market. Apple grew 2 %!\nNew line here"
    sents = split_sentences(text, "body")
    assert [s.text for s in sents] == [
        "Revenue was $83.0 billion in the U.S. market.",
        "Apple grew 2 %!",
        "New line here",
    ]
    for s in sents:
        assert text[s.start : s.end] == s.text


def test_a_long_text_without_breaks_is_cut_into_bounded_pieces() -> None:
    text = "mot " * 10_000
    sents = split_sentences(text, "body")
    assert max(len(s.text) for s in sents) <= 1200
    assert "".join(text[s.start : s.end] for s in sents).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("La start-up a levé des fonds pour son expansion dans la région.", "fr"),
        ("The startup has raised money for its expansion in the region.", "en"),
    ],
)
def test_language_guess(text: str, lang: str) -> None:
    assert detect_language(text) == lang
    assert detect_text(text)[:0] == []


def test_fx_uses_the_latest_rate_on_or_before_the_date() -> None:
    rates = parse_rates(
        {
            "rates": [
                {"date": "2024-01-02", "usd_per_unit": {"EUR": "1.10"}},
                {"date": "2025-01-02", "usd_per_unit": {"EUR": "1.03"}},
            ]
        }
    )
    assert to_usd(Decimal(100), "EUR", date(2024, 6, 1), rates) == (
        Decimal("110.00"),
        date(2024, 1, 2),
    )
    assert to_usd(Decimal(100), "EUR", None, rates) == (Decimal("103.00"), date(2025, 1, 2))
    assert to_usd(Decimal(100), "XYZ", None, rates) is None
    with pytest.raises(ConfigError):
        parse_rates({"rates": [{"date": "nope", "usd_per_unit": {}}]})


def _signal() -> Signal:
    (s,) = detect_text("Kestrel raised $5 million in a seed round.", language="en")
    return s


def test_explain_returns_spans_on_company_and_figures() -> None:
    e = explain(_signal())
    styled = {(e.text[a:b], style) for a, b, style in e.spans}
    assert ("Kestrel", "company") in styled
    assert ("$5 million", "figure") in styled
    assert ("funding", "kind") in styled
    assert "Kestrel raised $5 million in a seed round." in e.text


def test_signal_is_json_serialisable_and_round_trips() -> None:
    s = _signal()
    again = Signal.model_validate_json(s.model_dump_json())
    assert again == s


def test_predictions_have_the_scorer_fields() -> None:
    lines = predictions_for(
        [
            {
                "id": "a1",
                "language": "en",
                "title": None,
                "body": "Kestrel raised $5 million.",
                "gold": [],
            }
        ]
    )
    assert lines == [
        {
            "article_id": "a1",
            "kind": "funding",
            "company": "Kestrel",
            "amount": 5e6,
            "currency": "USD",
            "quantity": None,
            "direction": None,
            "change_pct": None,
            "signal_id": lines[0]["signal_id"],
        }
    ]


def test_readme_example_signal() -> None:
    from datetime import datetime

    from signals import NewsEvent, detect

    body = (
        "Kestrel Systems, a Lyon-based startup, has raised €12 million in a Series A round led "
        "by Serena Capital, at a valuation of €80 million."
    )
    event = NewsEvent(
        id="demo-42",
        body=body,
        language="en",
        source="example-feed",
        published_at=datetime(2025, 3, 4, 9, 30, tzinfo=UTC),
    )
    (s,) = detect(event)
    assert s.signal_id == "b2535656b5f4250f8febab71"
    assert (s.amount, s.currency, s.amount_usd, str(s.fx_date)) == (
        12e6,
        "EUR",
        12385200.0,
        "2025-01-02",
    )
    assert (s.valuation, s.investors, s.evidence.highlights) == (
        80e6,
        ["Serena Capital"],
        [(0, 15), (50, 61)],
    )
