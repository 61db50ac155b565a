"""Entry point of the detection library: one news event in, its signals out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from signals.build import Finding, stated, to_signal
from signals.detectors import funding, gpu, revenue, rounds
from signals.document import Document
from signals.entities import AliasTable, load_table
from signals.models import NewsEvent, Signal
from signals.text import detect_language
from signals.triggers import has_trigger

__all__ = ["detect", "detect_language", "detect_text"]


def detect(event: NewsEvent, aliases: AliasTable | Mapping[str, Any] | None = None) -> list[Signal]:
    """Detect the market signals of one news event (pure: no I/O, no clock).

    ``aliases``: an :class:`AliasTable`, or extra alias data (the JSON shape of
    ``signals/data/companies.json``) added to the packaged table.
    """
    # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
    low = str.lower(f"{event.title or ''}\n{event.body}")
    if not has_trigger(low):
        return []
    table = aliases if isinstance(aliases, AliasTable) else load_table(aliases)
    doc = Document(event, table, low)
    try:
        findings: list[Finding] = []
        findings += funding.detect(doc)
        rounds.enrich(doc, findings)
        findings += gpu.detect(doc)
        findings += revenue.detect(doc)
        kept = _merge(findings, doc.n_title)
        return [to_signal(doc, f) for f in kept]
    finally:
        doc.release()


def detect_text(
    text: str,
    title: str | None = None,
    article_id: str = "text",
    language: str | None = None,
    aliases: AliasTable | Mapping[str, Any] | None = None,
) -> list[Signal]:
    """Detect signals in a plain text (the article id defaults to "text")."""
    event = NewsEvent(id=article_id, title=title, body=text, language=language)
    return detect(event, aliases)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 0.005 * max(abs(a), abs(b), 1e-9)
    return bool(a == b)


def _covers(big: Finding, small: Finding) -> bool:
    """Every figure ``small`` states is stated by ``big`` or written in big's sentence."""
    b, s = stated(big), stated(small)
    for key, value in s.items():
        if key in b and _same(b[key], value):
            continue
        if (
            big.sentence != small.sentence
            and key in ("amount", "quantity", "change_pct")
            and any(
                _same(float(x), float(value)) or _same(float(x), -float(value))
                for x in big.sentence_values
            )
        ):
            continue
        return False
    return True


def _restated_by_other(
    by_sentence: dict[tuple[str, int], list[Finding]], big: Finding, small: Finding
) -> bool:
    """Another finding of big's sentence states small's figure: "1 024 GPU ... porter son parc
    à 3 000": the title's 1 024 restates that finding, not big's 3 000."""
    if big.sentence == small.sentence:
        return False
    s = stated(small)
    b = stated(big)
    keys = [k for k in ("amount", "quantity") if k in s and k in b and not _same(s[k], b[k])]
    if not keys:
        return False
    for o in by_sentence.get((big.kind, big.sentence), []):
        if o is big or o is small:
            continue
        so = stated(o)
        if any(k in so and _same(so[k], s[k]) for k in keys):
            return True
    return False


def _rank(f: Finding, n_title: int) -> tuple[bool, bool, float, bool]:
    """Which of two findings of the same fact to keep: stated actor, round, confidence, body."""
    return (
        f.how != "pronoun",
        f.fields.get("round") is not None,
        f.confidence,
        f.sentence >= n_title,
    )


def _absorb(into: Finding, other: Finding) -> Finding:
    """Fill the fields ``into`` lacks (round, valuation, investors...) from ``other``."""
    for key, value in other.fields.items():
        if into.fields.get(key) in (None, []) and value not in (None, []):
            into.fields[key] = value
    if into.company_override is None:
        into.company_override = other.company_override
    return into


def _merge(findings: list[Finding], n_title: int = 0) -> list[Finding]:
    """Drop restatements: a finding whose figures another one of the same company covers."""
    kept: list[Finding] = []
    by_sentence: dict[tuple[str, int], list[Finding]] = {}
    for f in findings:
        by_sentence.setdefault((f.kind, f.sentence), []).append(f)
    for f in findings:
        name = f.company_override or f.company.name
        placed = False
        for k, g in enumerate(kept):
            if g.kind != f.kind:
                continue
            if (
                f.kind == "funding"
                and f.how == "pronoun"
                and (g.company_override or g.company.name) != name
                and _same(g.fields.get("amount"), f.fields.get("amount"))
            ):
                placed = True  # "the 6 billion raised" said again about an inferred company
                break
            if (g.company_override or g.company.name) != name or g.earlier != f.earlier:
                continue
            if _restated_by_other(by_sentence, g, f) or _restated_by_other(by_sentence, f, g):
                continue
            g_covers, f_covers = _covers(g, f), _covers(f, g)
            if g_covers and (not f_covers or _rank(g, n_title) >= _rank(f, n_title)):
                kept[k] = _absorb(g, f)
                placed = True
                break
            if f_covers:
                kept[k] = _absorb(f, g)
                placed = True
                break
        if not placed:
            kept.append(f)
    return kept
