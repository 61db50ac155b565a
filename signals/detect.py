"""Entry point of the detection library: one news event in, its signals out."""

from __future__ import annotations

import re

from signals.models import Evidence, Kind, NewsEvent, Signal, stable_id

_FR_WORDS = frozenset(
    "le la les des une du est et pour dans qui sur avec par pas au aux ces".split()
)
_EN_WORDS = frozenset("the and of to is for in that with on by was its has are from".split())
_WORD = re.compile(r"[a-zà-ÿ]+")


def detect_language(text: str) -> str:
    """Guess 'fr' or 'en' from stopword counts (cheap, good enough for news prose)."""
    fr = en = 0
    for m in _WORD.finditer(text[:4000].lower()):
        w = m.group()
        fr += w in _FR_WORDS
        en += w in _EN_WORDS
    return "fr" if fr > en else "en"


_SENT = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_MONEY = re.compile(
    r"(?:\$\s?(\d+(?:[.,]\d+)?)\s?(billion|bn|b|million|m)\b)"
    r"|(?:(\d+(?:[.,]\d+)?)\s(milliards?|millions?)\sde\s(dollars|d'euros|d’euros|euros))",
    re.IGNORECASE,
)
_FUND = re.compile(r"\b(raised|raises|raise|lève|levé|lever|secured|closed)\b", re.IGNORECASE)


def detect(event: NewsEvent) -> list[Signal]:
    """Detect the market signals of one news event (pure: no I/O, no clock)."""
    language = event.language or detect_language(f"{event.title or ''} {event.body}")
    out: list[Signal] = []
    for field, text in (("title", event.title or ""), ("body", event.body)):
        for sm in _SENT.finditer(text):
            sentence = sm.group()
            if not _FUND.search(sentence):
                continue
            mm = _MONEY.search(sentence)
            if mm is None:
                continue
            out.append(_crude_funding(event, language, field, sm.start(), sm.end(), sentence, mm))
    return out


def _crude_funding(
    event: NewsEvent,
    language: str,
    field: str,
    start: int,
    end: int,
    sentence: str,
    mm: re.Match[str],
) -> Signal:
    if mm.group(1):
        value = float(mm.group(1).replace(",", "."))
        scale = 1e9 if mm.group(2).lower() in ("billion", "bn", "b") else 1e6
        currency = "USD"
    else:
        value = float(mm.group(3).replace(",", "."))
        scale = 1e9 if mm.group(4).lower().startswith("milliard") else 1e6
        currency = "USD" if mm.group(5).lower() == "dollars" else "EUR"
    amount = value * scale
    company = sentence.strip().split()[0]
    kind: Kind = "funding"
    return Signal(
        signal_id=stable_id(event.id, kind, company, amount, currency, field, start, end),
        article_id=event.id,
        kind=kind,
        company=company,
        company_mention=company,
        language=language,
        confidence=0.3,
        evidence=Evidence(
            field="title" if field == "title" else "body", start=start, end=end, sentence=sentence
        ),
        amount=amount,
        currency=currency,
    )
