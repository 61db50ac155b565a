"""Cues that a statement is reported, conditional, planned, denied or negated."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

from signals.cues import Cue, holds_any, lowercase_pattern, lowered

__all__ = [
    "Cue",
    "denial_cue",
    "is_denied",
    "is_hedged",
    "is_pending",
    "lowercase_pattern",
    "lowered",
    "may_be_reported",
    "pending_cue",
    "reported",
]

_HEDGE: Final = Cue(
    r"\b(?:reportedly|according to (?:people|sources|a (?:report|person)|reports)|people "
    r"(?:familiar|with knowledge|who have knowledge)|sources? (?:said|say|close)|is said to"
    r"|are said to|rumou?r(?:s|ed)?|unconfirmed|allegedly|would have|could have"
    r"|selon (?:des|nos|plusieurs) sources|selon (?:plusieurs|des) médias|d'après des sources"
    r"|de source proche|rumeurs?)\b"
)
_CONDITIONAL: Final = re.compile(r"\b\w{2,}(?:rait|raient)\b", re.IGNORECASE)
_NOT_CONDITIONAL: Final = frozenset(
    "portrait retrait trait extrait abstrait attrait distrait soustrait parfait".split()
)
_PENDING: Final = Cue(
    r"\b(?:in (?:advanced |early |final )?talks|in discussions?|negotiat\w+|about to raise"
    r"|(?:is|are) raising|seeks? to raise|seeking|looking to raise|plans? to raise|aims? to raise"
    r"|set to raise|expected to raise|would raise|could raise|in the process of raising"
    r"|en discussions?"
    r"|en négociations?|négocie|s'apprête à lever|s’apprête à lever|cherche à lever|chercherait"
    r"|en passe de lever|serait en train de lever|pourrait lever|envisage de lever|compte lever"
    r"|discussing|discute)\b"
)
_DENIAL: Final = Cue(
    r"\b(?:denie[sd]|deny|denying|not accurate|inaccurate|untrue|false report|was not raising"
    r"|is not raising|isn't raising|wasn't raising|no plans to raise|dément|démenti|démentent"
    r"|a démenti|dément(?:i|ent)?|pas exact|inexact|infond[ée]|n'est pas en train de lever"
    r"|ne lève pas|n'a pas levé|did not raise|didn't raise|has not raised|hasn't raised)\b"
)


# Every match of each cue pattern (in lowercased text) holds one of these strings: a text
# holding none of them skips the regex, which costs a few microseconds per sentence.
HEDGE_KEYS: Final = (
    "reportedly", "according to", "people ", "source", "said to", "rumo", "rumeur",
    "unconfirmed", "allegedly", "would have", "could have", "médias",
)  # fmt: skip
PENDING_KEYS: Final = (
    "talks", "discussi", "negotiat", "to raise", "is raising", "are raising", "seeking",
    "would raise", "could raise", "of raising", "négoci", "à lever", "de lever", "chercherait",
    "pourrait lever", "compte lever", "discute",
)  # fmt: skip
DENIAL_KEYS: Final = (
    "deni", "deny", "accurate", "untrue", "false report", "not rais", "n't rais",
    "no plans to raise", "dément", "exact", "infond", "train de lever", "ne lève pas",
    "pas levé",
)  # fmt: skip


# Every match of _HEDGE is whole words (it opens and ends at \b), one of which is in HEDGE_WORDS:
# a sentence whose words hold none of them is not reported speech, told by a few set lookups
# where HEDGE_KEYS costs a dozen scans of the sentence.
HEDGE_WORDS: Final = frozenset(
    "reportedly according people source sources said rumor rumour rumors rumours rumored"
    " rumoured unconfirmed allegedly would could selon rumeur rumeurs".split()
)


def may_be_reported(words: Collection[str]) -> bool:
    """False when a sentence whose lowercased words (:func:`signals.triggers.words_of_lower`)
    are ``words`` cannot be :func:`reported` speech; True when it may be."""
    return not HEDGE_WORDS.isdisjoint(words)


def reported(low: str) -> bool:
    """Reported speech or rumour ("reportedly", "selon des sources") in ``low``, a lowercased
    sentence."""
    return holds_any(low, HEDGE_KEYS) and _HEDGE.low.search(low) is not None


def pending_cue(low: str) -> bool:
    """A round in talks or about to happen, in ``low``, a lowercased sentence."""
    return holds_any(low, PENDING_KEYS) and _PENDING.low.search(low) is not None


def denial_cue(low: str) -> bool:
    """A denial or negation of a raise, in ``low``, a lowercased text."""
    return holds_any(low, DENIAL_KEYS) and _DENIAL.low.search(low) is not None


def is_hedged(
    sentence: str,
    start: int = 0,
    end: int | None = None,
    low: str | None = None,
    said: bool | None = None,
) -> bool:
    """Reported speech or rumour in the sentence ("reportedly", "selon des sources"), or a
    conditional verb ("auraient chuté") near the span ``start:end`` (the whole sentence by default).
    ``low``: ``lowered(sentence)`` and ``said``: ``reported(sentence.lower())``, when known.
    """
    if said is None:
        # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
        said = reported(str.lower(sentence) if low is None else low)
    if said:
        return True
    stop = len(sentence) if end is None else end
    lo, hi = max(0, start - 80), min(len(sentence), stop + 15)
    window = sentence[lo:hi]
    # a match ends in "rait" or "raient", which lowered() text holds as written (English
    # "raised" holds "rai" but neither): most windows skip the regex
    folded = lowered(window) if low is None else low[lo:hi]
    if folded is not None and "rait" not in folded and "raient" not in folded:
        return False
    return any(str.lower(m.group()) not in _NOT_CONDITIONAL for m in _CONDITIONAL.finditer(window))


def is_pending(sentence: str) -> bool:
    """A round in talks or about to happen ("in talks to raise", "s'apprête à lever")."""
    return pending_cue(str.lower(sentence))


def is_denied(text: str, low: str | None = None) -> bool:
    """A denial or negation of a raise ("denies", "not accurate", "dément").
    ``low``: ``text.lower()`` when already known."""
    return denial_cue(str.lower(text) if low is None else low)
