"""Cues that a statement is reported, conditional, planned, denied or negated."""

from __future__ import annotations

import re

_HEDGE = re.compile(
    r"\b(?:reportedly|according to (?:people|sources|a (?:report|person)|reports)|people "
    r"(?:familiar|with knowledge|who have knowledge)|sources? (?:said|say|close)|is said to"
    r"|are said to|rumou?r(?:s|ed)?|unconfirmed|allegedly|would have|could have"
    r"|selon (?:des|nos|plusieurs) sources|selon (?:plusieurs|des) médias|d'après des sources"
    r"|de source proche|rumeurs?)\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"\b\w{2,}(?:rait|raient)\b", re.IGNORECASE)
_NOT_CONDITIONAL = frozenset(
    "portrait retrait trait extrait abstrait attrait distrait soustrait parfait".split()
)
_PENDING = re.compile(
    r"\b(?:in (?:advanced |early |final )?talks|in discussions?|negotiat\w+|about to raise"
    r"|(?:is|are) raising|seeks? to raise|seeking|looking to raise|plans? to raise|aims? to raise"
    r"|set to raise|expected to raise|would raise|could raise|in the process of raising"
    r"|en discussions?"
    r"|en négociations?|négocie|s'apprête à lever|s’apprête à lever|cherche à lever|chercherait"
    r"|en passe de lever|serait en train de lever|pourrait lever|envisage de lever|compte lever"
    r"|discussing|discute)\b",
    re.IGNORECASE,
)
_DENIAL = re.compile(
    r"\b(?:denie[sd]|deny|denying|not accurate|inaccurate|untrue|false report|was not raising"
    r"|is not raising|isn't raising|wasn't raising|no plans to raise|dément|démenti|démentent"
    r"|a démenti|dément(?:i|ent)?|pas exact|inexact|infond[ée]|n'est pas en train de lever"
    r"|ne lève pas|n'a pas levé|did not raise|didn't raise|has not raised|hasn't raised)\b",
    re.IGNORECASE,
)


def lowercase_pattern(p: re.Pattern[str]) -> re.Pattern[str]:
    """``p`` without IGNORECASE, to search lowercased text: the same matches, two to three
    times faster in ``re``. A capital letter in ``p`` would then never match: refused."""
    if any(c.isupper() for c in re.sub(r"\\.", "", p.pattern)):
        raise ValueError(f"capital letter in {p.pattern!r}")
    return re.compile(p.pattern)


def lowered(text: str) -> str | None:
    """``text`` lowercased for a :func:`lowercase_pattern` search at the same offsets, or None
    when lowering changes a length or a letter IGNORECASE folds otherwise ("ı", "ſ")."""
    low = text.lower()
    if len(low) != len(text) or "ı" in low or "ſ" in low:
        return None
    return low


_HEDGE_LOW, _PENDING_LOW, _DENIAL_LOW = (lowercase_pattern(p) for p in (_HEDGE, _PENDING, _DENIAL))


def is_hedged(sentence: str, start: int = 0, end: int | None = None) -> bool:
    """Reported speech or rumour in the sentence ("reportedly", "selon des sources"), or a
    conditional verb ("auraient chuté") near the span ``start:end`` (the whole sentence by default).
    """
    if _HEDGE_LOW.search(sentence.lower()):
        return True
    stop = len(sentence) if end is None else end
    window = sentence[max(0, start - 80) : min(len(sentence), stop + 15)]
    return any(m.group().lower() not in _NOT_CONDITIONAL for m in _CONDITIONAL.finditer(window))


def is_pending(sentence: str) -> bool:
    """A round in talks or about to happen ("in talks to raise", "s'apprête à lever")."""
    return _PENDING_LOW.search(sentence.lower()) is not None


def is_denied(text: str) -> bool:
    """A denial or negation of a raise ("denies", "not accurate", "dément")."""
    return _DENIAL_LOW.search(text.lower()) is not None
