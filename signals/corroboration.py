"""Corroboration: one fact reported by several outlets in one story is one signal, more trusted.

Pure. A *claim* is what a signal asserts (kind, company, figures); signals of one story with the
same claim key are the same fact. The first signal of a claim is the one published; each new
outlet that reports it re-publishes that signal (same ``signal_id``) with ``sources`` counted and
its confidence raised, so consumers that keep the latest version per ``signal_id`` see one signal.
"""

from __future__ import annotations

from collections.abc import Mapping

from signals.models import Signal, stable_id
from signals.stories import fold

MAX_CONFIDENCE = 0.99  # corroboration makes a fact likelier, never certain
UNKNOWN_SOURCE = "unknown"


def _figure(value: float | None) -> str:
    # two significant digits: "$6bn" and "6,0 milliards de dollars" state the same figure
    return "" if value is None else f"{value:.2g}"


def claim_key(signal: Signal) -> str:
    """What a signal asserts, independent of wording, language, article and outlet."""
    amount = signal.amount_usd if signal.amount_usd is not None else signal.amount
    currency = "USD" if signal.amount_usd is not None else (signal.currency or "")
    return stable_id(
        signal.kind,
        " ".join(fold(signal.company).split()),
        _figure(amount),
        currency.upper() if amount is not None else "",
        _figure(float(signal.quantity)) if signal.quantity is not None else "",
        signal.direction or "",
        _figure(signal.change_pct),
    )


def source_of(signal: Signal) -> str:
    """The outlet a signal counts for (articles without a source all count as one outlet)."""
    return signal.source or UNKNOWN_SOURCE


def noisy_or(confidences: list[float]) -> float:
    """Probability that at least one of independent reports is right."""
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - min(max(c, 0.0), 1.0)
    return 1.0 - miss


def corroborate(first: Signal, confidences: Mapping[str, float], story_id: str | None) -> Signal:
    """The story's version of ``first`` given each outlet's best confidence for the claim.

    ``corroboration`` is the noisy-OR of the *other* outlets' confidences and the confidence
    becomes ``1 - (1 - c_first)(1 - corroboration)``, capped at :data:`MAX_CONFIDENCE`. One
    outlet: the signal unchanged but for ``story_id``.
    """
    own = source_of(first)
    others = [c for source, c in confidences.items() if source != own]
    sources = len(set(confidences) | {own})
    corroboration = noisy_or(others)
    if sources == 1:
        return first.model_copy(update={"story_id": story_id, "sources": 1, "corroboration": 0.0})
    confidence = 1.0 - (1.0 - first.confidence) * (1.0 - corroboration)
    return first.model_copy(
        update={
            "story_id": story_id,
            "sources": sources,
            "corroboration": round(corroboration, 4),
            "confidence": round(max(first.confidence, min(MAX_CONFIDENCE, confidence)), 4),
        }
    )
