"""What the rest of an article says about a round: valuation, investors, and which entity raised.

A valuation is never a round on its own; it belongs on the round of the company it values. When
a parent company is said to raise and the article values its subsidiary ("Valorisée 18 milliards,
xAI, la filiale IA de X"), the valued subsidiary is the one that raised.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from signals.actors import is_oblique
from signals.build import Finding, as_float
from signals.cues import Cue
from signals.document import Document
from signals.entities import Mention

_VALUATION: Final = re.compile(
    r"\b(?:valued at|valuation of|valuing (?:it|the company) at|valorisée?s?|valoris\w+ à"
    r"|valorisation de|évaluée?s? à|à une valorisation de|post-money valuation of|worth)\b",
    re.IGNORECASE,
)
_VALUATION_AFTER: Final = re.compile(r"^\s*(?:post-money |pre-money )?valuation\b", re.IGNORECASE)
_SUBSIDIARY: Final = re.compile(
    r"^\s*,\s*(?:la |l['’]|une |the |a |its |sa |son )?(?:[\w\-]+\s+){0,2}?"
    r"(?:filiale|subsidiary|unit|division|branche|spin-?off)\b[^,;.]{0,30}?\b(?:de|d['’]|du|of)\s*$",
    re.IGNORECASE,
)
_INVESTOR_AFTER: Final = Cue(
    r"\b(?:led by|co-led by|menée? par|emmenée? par|conduite? par|pilotée? par|with participation"
    r"|avec la participation|backed by|soutenue? par|investors? (?:include|included|including)"
    r"|investisseurs (?:figurent|comme|dont|incluant)|parmi les investisseurs|auprès d['’e]"
    r"|from investors|participation (?:from|of|de)|(?:round|investors|backers) included)\b"
)
_VALUATION_WORDS: Final = frozenset(
    """valued valuation valuing valorisé valorisée valorisés valorisées valorisation évaluée
    évalué évaluées évalués worth""".split()
)
_INVESTOR_WORDS: Final = frozenset(
    """by par participation participated part joined participé investi backed soutenu soutenue
    investors investor included include including investisseurs auprès""".split()
)
# a word every match of _INVESTOR_AFTER (resp. _INVESTOR_BEFORE) in lowered() text holds as a
# whole token: a sentence holding none of them skips that regex ("par", "by" are not cues)
_INVESTOR_AFTER_WORDS: Final = frozenset(
    """led mené menée emmené emmenée conduit conduite piloté pilotée participation backed
    soutenu soutenue investor investors investisseurs auprès included""".split()
)
_INVESTOR_BEFORE_WORDS: Final = frozenset("participated part joined participé investi".split())
_INVESTOR_BEFORE: Final = Cue(
    r"\b(?:participated|took part|joined the round|ont participé|y ont participé|ont investi"
    r"|ont également participé)\b"
)


def enrich(doc: Document, findings: list[Finding]) -> None:
    """Attach valuations and investors to the funding findings, and pick the raising entity."""
    rounds = [f for f in findings if f.kind == "funding"]
    if not rounds:
        return
    # each reader skips the sentences without one of its words (no article-wide word set)
    valuations = _valuations(doc)
    parents = _subsidiaries(doc) if valuations else {}
    primary = next((f for f in rounds if not f.earlier), rounds[0])
    for f in rounds:
        name = f.company.name
        value = valuations.get(name)
        if value is None and f is primary:
            for child, parent in parents.items():
                if parent == name and child in valuations:
                    f.company_override = child
                    value = valuations[child]
                    break
        if value is not None and not f.earlier:
            f.fields["valuation"] = as_float(value[0])
            f.fields["valuation_currency"] = value[1]
    investors = _investors(doc)
    for f in rounds:
        own = investors.get(f.sentence)
        if own is None and f is primary:
            own = [n for names in investors.values() for n in names]
        if own:
            company = f.company_override or f.company.name
            f.fields["investors"] = list(dict.fromkeys(n for n in own if n != company))


def _valuations(doc: Document) -> dict[str, tuple[Decimal, str]]:
    out: dict[str, tuple[Decimal, str]] = {}
    for i in range(len(doc.sentences)):
        if _VALUATION_WORDS.isdisjoint(doc.words(i)):
            continue
        v = doc.view(i)
        for fig in v.figures:
            if fig.kind != "money" or fig.currency is None:
                continue
            cue = None
            for m in _VALUATION.finditer(v.text, max(0, fig.start - 40), fig.start):
                cue = m
            if cue is None and not _VALUATION_AFTER.search(v.text[fig.end :]):
                continue
            anchor = cue.start() if cue is not None else fig.start
            names = [m for m in v.mentions if doc.eligible(m, True) and not v.in_appositive(m)]
            if not names:
                prev = doc.previous_actor(i, True)
                names = [prev] if prev is not None else []
            if names:
                # the sentence's subject is the valued company; else the name nearest the cue
                subjects = [m for m in names if not is_oblique(v.text, m)]
                best = subjects[0] if subjects else min(names, key=lambda m: _distance(m, anchor))
                out.setdefault(best.name, (fig.value, fig.currency))
    return out


def _distance(m: Mention, pos: int) -> int:
    return m.start - pos if m.start >= pos else pos - m.end


def _subsidiaries(doc: Document) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(len(doc.sentences)):
        low = doc.lower(i)
        if not any(w in low for w in ("filiale", "subsidiary", "unit", "division", "branche")):
            continue
        v = doc.view(i)
        names = [m for m in v.mentions if doc.eligible(m, True)]
        for a, b in zip(names, names[1:], strict=False):
            if _SUBSIDIARY.search(v.text[a.end : b.start]) and a.name != b.name:
                out[a.name] = b.name
    return out


def _investors(doc: Document) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for i, s in enumerate(doc.sentences):
        words = doc.words(i)
        if _INVESTOR_WORDS.isdisjoint(words):
            continue
        low = doc.lowered(i)
        if low is not None:
            after = None
            if not _INVESTOR_AFTER_WORDS.isdisjoint(words):
                after = _INVESTOR_AFTER.low.search(low)
            before = None
            if not _INVESTOR_BEFORE_WORDS.isdisjoint(words):
                before = _INVESTOR_BEFORE.low.search(low)
        else:
            after = _INVESTOR_AFTER.folded.search(s.text)
            before = _INVESTOR_BEFORE.folded.search(s.text)
        if after is None and before is None:
            continue
        v = doc.view(i)
        names: list[str] = []
        for m in v.mentions:
            if not doc.eligible(m, True):
                continue
            if (after is not None and m.start >= after.end()) or (
                before is not None and m.end <= before.start()
            ):
                names.append(m.name)
        if names:
            out[i] = names
    return out
