"""The seed article (read from ../shared/seed at run time): exactly the expected signals."""

from __future__ import annotations

from pathlib import Path

import pytest

from signals import NewsEvent, detect

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "xai-funding-fr.txt"


@pytest.fixture(scope="module")
def seed_signals() -> list:  # type: ignore[type-arg]
    return detect(NewsEvent(id="seed", body=SEED.read_text("utf-8")))


def test_funding_is_xai_not_x(seed_signals: list) -> None:  # type: ignore[type-arg]
    (f,) = [s for s in seed_signals if s.kind == "funding"]
    assert (f.company, f.amount, f.currency, f.status) == ("xAI", 6e9, "USD", "completed")
    assert (f.valuation, f.valuation_currency) == (18e9, "USD")
    assert f.investors == ["Lightspeed Venture Partners", "Andreessen Horowitz", "Sequoia Capital"]
    assert f.company_mention == "X"
    assert f.amount_usd == 6e9 and f.fx_date is not None


def test_gpu_counts(seed_signals: list) -> None:  # type: ignore[type-arg]
    gpus = {(s.company, s.quantity, s.status) for s in seed_signals if s.kind == "gpu_procurement"}
    assert gpus == {
        ("Meta", 350_000, "targets"),
        ("Meta", 1_000_000, "targets"),
        ("OpenAI", 10_000_000, "targets"),
        ("xAI", 30_000, "operates"),
        ("Tesla", 300_000, "operates"),
    }
    tesla = next(s for s in seed_signals if s.company == "Tesla")
    assert tesla.hedged


def test_x_ad_revenue_halved(seed_signals: list) -> None:  # type: ignore[type-arg]
    (r,) = [s for s in seed_signals if s.kind == "revenue"]
    assert (r.company, r.metric, r.direction, r.change_pct, r.hedged) == (
        "X",
        "ad revenue",
        "down",
        -50.0,
        True,
    )


def test_nothing_else(seed_signals: list) -> None:  # type: ignore[type-arg]
    assert len(seed_signals) == 7


def test_ids_are_deterministic_and_offsets_point_at_the_evidence(
    seed_signals: list,  # type: ignore[type-arg]
) -> None:
    body = SEED.read_text("utf-8")
    again = detect(NewsEvent(id="seed", body=body))
    assert [s.signal_id for s in again] == [s.signal_id for s in seed_signals]
    assert len({s.signal_id for s in seed_signals}) == len(seed_signals)
    for s in seed_signals:
        assert body[s.evidence.start : s.evidence.end] == s.evidence.sentence
        for a, b in s.evidence.highlights:
            assert 0 <= a < b <= len(s.evidence.sentence)
