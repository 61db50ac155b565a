"""Turning a detector's finding into a :class:`Signal` with a deterministic id."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from signals.document import Document
from signals.entities import Mention
from signals.fx import to_usd
from signals.hedging import is_hedged, reported
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
    company = f.company_override or f.company.name
    low, said = doc.lowered(f.sentence), doc.cue(f.sentence, reported)
    if f.figures:
        start, end = min(g.start for g in f.figures), max(g.end for g in f.figures)
        hedged = is_hedged(s.text, start, end, low, said)
    else:
        hedged = is_hedged(s.text, low=low, said=said)
    spans: list[tuple[int, int]] = []
    if f.company.start < len(s.text) and s.text[f.company.start : f.company.end] == f.company.text:
        spans.append((f.company.start, f.company.end))
    spans += [(g.start, g.end) for g in f.figures]
    fields = dict(f.fields)
    amount = fields.get("amount")
    if amount is not None and fields.get("currency"):
        day = doc.event.published_at.date() if doc.event.published_at else None
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
    signal_id = stable_id(doc.event.id, f.kind, company, *key, s.field, s.start, s.end)
    evidence = {
        "field": s.field,
        "start": s.start,
        "end": s.end,
        "sentence": s.text,
        "highlights": sorted(set(spans)),
    }
    data = {
        "signal_id": signal_id,
        "article_id": doc.event.id,
        "kind": f.kind,
        "company": company,
        "company_mention": f.company.text,
        "language": doc.language,
        "confidence": confidence,
        "hedged": hedged,
        "evidence": evidence,
        "source": doc.event.source,
        "published_at": doc.event.published_at,
        **fields,
    }
    return _validate(data)


def _validate(data: dict[str, Any]) -> Signal:
    """``Signal(**data)``, cheaper: one validation of a plain dict (the nested Evidence
    included) in pydantic-core, strict first (the detectors give every field its exact type;
    a third fewer instructions than lax mode), lax when strict refuses a value."""
    adapter = _signal_adapter()
    try:
        return adapter.validate_python(data, strict=True)
    except ValidationError:
        return adapter.validate_python(data)


@cache
def _signal_adapter() -> TypeAdapter[Signal]:
    return TypeAdapter(Signal)


def as_float(value: Decimal | None) -> float | None:
    """Decimal -> float for the Signal's JSON figures."""
    return _num(value)
