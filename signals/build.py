"""Turning a detector's finding into a :class:`Signal` with a deterministic id."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from signals.document import Document
from signals.entities import Mention
from signals.fx import to_usd
from signals.hedging import is_hedged
from signals.ids import stable_id
from signals.models import Kind, Signal
from signals.numbers import Figure


@dataclass
class Finding:
    """What a detector read in one sentence, before it becomes a Signal."""

    kind: Kind
    sentence: int
    company: Mention
    how: str  # "subject", "pattern", "pronoun"
    figures: list[Figure] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    earlier: bool = False
    confidence: float = 0.8
    sentence_values: frozenset[Decimal] = frozenset()
    company_override: str | None = None
    # an alternative reading of a figure the article also reports as headline (organic,
    # like-for-like, constant currency): kept only when no headline finding exists
    alternative: bool = False


def unify_names(findings: list[Finding]) -> list[Finding]:
    """Name each unknown company by its fullest form among ``findings``: a headline's
    "Brightwell" is the body's "Brightwell Pay" (the short name's words lead the long one)."""
    names = {f.company.name for f in findings if not f.company.known}
    for f in findings:
        if f.company.known or f.company_override is not None:
            continue
        words = f.company.name.split()
        longer = [
            n for n in names if len(n.split()) > len(words) and n.split()[: len(words)] == words
        ]
        if len(longer) == 1:
            f.company_override = longer[0]
    return findings


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def stated(f: Finding) -> dict[str, Any]:
    """The figures a finding states, as the scorer compares them."""
    keys = ("amount", "currency", "quantity", "direction", "change_pct")
    return {k: f.fields.get(k) for k in keys if f.fields.get(k) is not None}


def to_signal(doc: Document, f: Finding) -> Signal:
    """The Signal of a finding: evidence, highlights, USD amount, confidence and stable id."""
    s = doc.sentences[f.sentence]
    # locals: each read of a named tuple's field or a pydantic model's attribute is a lookup
    text, event, mention = s.text, doc.event, f.company
    company = f.company_override or mention.name
    low = doc.lowered(f.sentence)
    said = doc.reported(f.sentence)
    if f.figures:
        start, end = min(g.start for g in f.figures), max(g.end for g in f.figures)
        hedged = is_hedged(text, start, end, low, said)
    else:
        hedged = is_hedged(text, low=low, said=said)
    spans: list[tuple[int, int]] = []
    if mention.start < len(text) and text[mention.start : mention.end] == mention.text:
        spans.append((mention.start, mention.end))
    spans += [(g.start, g.end) for g in f.figures]
    fields = dict(f.fields)
    amount = fields.get("amount")
    published = event.published_at
    if amount is not None and fields.get("currency"):
        day = published.date() if published else None
        usd = to_usd(Decimal(str(amount)), str(fields["currency"]), day)
        if usd is not None:
            fields["amount_usd"] = float(usd[0])
            fields["fx_date"] = usd[1]
    confidence = f.confidence
    if hedged:
        confidence -= 0.15
    if f.how == "pronoun":
        confidence -= 0.2
    confidence = max(0.05, min(0.99, round(confidence, 2)))
    key = [fields.get(k) for k in ("amount", "currency", "quantity", "direction", "change_pct")]
    field, start_at, end_at = s.field, s.start, s.end
    signal_id = stable_id(event.id, f.kind, company, *key, field, start_at, end_at)
    evidence = {
        "field": field,
        "start": start_at,
        "end": end_at,
        "sentence": text,
        "highlights": sorted(set(spans)),
    }
    data = {
        "signal_id": signal_id,
        "article_id": event.id,
        "kind": f.kind,
        "company": company,
        "company_mention": mention.text,
        "language": doc.language,
        "confidence": confidence,
        "hedged": hedged,
        "evidence": evidence,
        "source": event.source,
        "published_at": published,
        **fields,
    }
    return _validate(data)


# the model's own pydantic-core validator: Signal is built at import (not deferred)
_SIGNAL_VALIDATOR: Final = Signal.__pydantic_validator__


def _validate(data: dict[str, Any]) -> Signal:
    """``Signal(**data)``, cheaper: one validation of a plain dict (the nested Evidence
    included) by the model's pydantic-core validator, without the Python layers of
    ``Signal(**data)``, ``model_validate`` or a ``TypeAdapter`` (whose module the detect
    process then never imports). Lax mode: the detectors give every field its exact type,
    which lax mode takes as strict mode would (tests/signals/test_startup.py checks that the
    old strict-then-lax form gives the same Signals), and it costs fewer instructions than
    strict mode with this pydantic-core (about 35k a signal against 38k)."""
    signal: Signal = _SIGNAL_VALIDATOR.validate_python(data)
    return signal


def as_float(value: Decimal | None) -> float | None:
    """Decimal -> float for the Signal's JSON figures."""
    return _num(value)
