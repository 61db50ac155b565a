"""A signal told for a person reading in a terminal: headline, evidence, highlighted spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from signals.models import Signal

SpanStyle = Literal["kind", "company", "figure", "hedge"]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Plain text plus (start, end, style) spans into it, ready to colour (e.g. with rich)."""

    text: str
    spans: tuple[tuple[int, int, SpanStyle], ...]


def _money(value: float | None, currency: str | None) -> str:
    if value is None:
        return ""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return f"{value / scale:,.2f}".rstrip("0").rstrip(".") + f"{suffix} {currency or ''}"
    return f"{value:,.0f} {currency or ''}".strip()


def headline(signal: Signal) -> str:
    """One line: what, who, how much."""
    s = signal
    if s.kind == "funding":
        parts = [_money(s.amount, s.currency)]
        if s.round:
            parts.append(s.round)
        if s.valuation:
            parts.append(f"valuation {_money(s.valuation, s.valuation_currency)}")
        if s.amount_usd is not None and s.currency != "USD":
            parts.append(f"≈ {_money(s.amount_usd, 'USD')} (rate of {s.fx_date})")
        parts.append(s.status or "")
    elif s.kind == "gpu_procurement":
        qty = f"{s.quantity:,} GPUs" if s.quantity is not None else "GPUs (count not stated)"
        parts = [qty, " ".join(p for p in (s.vendor, s.model) if p), s.status or ""]
    else:
        change = f"{s.change_pct:+g} %" if s.change_pct is not None else ""
        parts = [s.metric or "revenue", s.direction or "", change, _money(s.amount, s.currency)]
        parts.append(s.period or "")
    return " · ".join(p.strip() for p in parts if p and p.strip())


def explain(signal: Signal) -> Explanation:
    """The signal's headline and its evidence sentence, with company and figures as spans."""
    kind = signal.kind
    company = signal.company
    if signal.company_mention != signal.company:
        company += f" (written “{signal.company_mention}”)"
    first = f"{kind}  {company}  {headline(signal)}"
    spans: list[tuple[int, int, SpanStyle]] = [(0, len(kind), "kind")]
    c0 = len(kind) + 2
    spans.append((c0, c0 + len(signal.company), "company"))
    flags = f"confidence {signal.confidence:.2f}" + ("  hedged" if signal.hedged else "")
    ev = signal.evidence
    where = f"{ev.field}[{ev.start}:{ev.end}]"
    second = f"  {where}  {flags}"
    if signal.hedged:
        h = len(first) + 1 + second.index("hedged")
        spans.append((h, h + len("hedged"), "hedge"))
    prefix = "  « "
    body_start = len(first) + 1 + len(second) + 1 + len(prefix)
    text = f"{first}\n{second}\n{prefix}{ev.sentence} »"
    mention = signal.company_mention
    for start, end in ev.highlights:
        style: SpanStyle = "company" if ev.sentence[start:end] == mention else "figure"
        spans.append((body_start + start, body_start + end, style))
    return Explanation(text, tuple(sorted(spans)))
