"""The keyword prefilter: which sentences hold a trigger word of each kind.

One regex alternation of every trigger word (and GPU model code), matched only as a whole word,
scans the lowercased text in C: an article with no trigger word costs about as much as
tokenising it, an article with one stops at the first, and sentences without a trigger are
never parsed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from itertools import filterfalse
from typing import Any, Final

from signals.models import Kind

_WORD: Final = re.compile(r"\w+")
# GPU and accelerator model codes ("h100s", "mi300x", "gb200")
_MODEL_WORD: Final = re.compile(
    r"(?:[hbal]\d{2,3}|gb\d{3}|gh\d{3}|mi\d{3}x?|gaudi\d|trainium\d|tpuv?\d+)s?"
)

_MODEL_FIRST: Final = "hbalgmt"  # the letters a _MODEL_WORD match can open with
_MODEL_SCAN: Final = re.compile(rf"\b{_MODEL_WORD.pattern}\b")

TRIGGER_WORDS: Final[dict[Kind, frozenset[str]]] = {
    "funding": frozenset(
        """
        raise raises raised raising secure secures secured securing close closes closed closing
        land lands landed bag bags bagged nets netted funding financing round rounds series
        seed investment lève lèvent levé levée levés levées lever levant récolte récoltent
        récolté récoltée récoltés récoltées récolter récoltant boucle bouclé bouclée bouclent
        boucler tour série serie amorçage financement obtient obtenu obtenue obtiennent décroche
        décroché décrochent sécurise sécurisé sécurisée collecte collecté collectés invests
        invested investit investi injecte injecté injected pours poured
        """.split()
    ),
    "gpu_procurement": frozenset(
        """
        gpu gpus puce puces chip chips accelerator accelerators accélérateur accélérateurs
        graphiques graphics superchip superchips tpu tpus blackwell hopper rubin instinct gaudi
        ascend trainium inferentia maia mtia
        """.split()
    ),
    "revenue": frozenset(
        """
        revenue revenues sales turnover chiffre recettes revenus ventes ca publicitaire
        """.split()
    ),
}
_ALL: Final = frozenset().union(*TRIGGER_WORDS.values())
# in the order of TRIGGER_WORDS, which sentence_kinds keeps
_FUNDING: Final = TRIGGER_WORDS["funding"]
_GPU: Final = TRIGGER_WORDS["gpu_procurement"]
_REVENUE: Final = TRIGGER_WORDS["revenue"]


def _trie(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` factored by common prefixes, so the engine tries a few
    letters at each position instead of every word."""
    tree: dict[str, dict[str, Any]] = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(c) + emit(sub) for c, sub in sorted(node.items()) if c]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


# Any trigger word or model code as a whole token: the same test as "is one of the ``\\w+``
# tokens of the lowercased text", without building the token set (the article gate). The word
# is matched with the character before it (``\\W``) rather than after a look-behind: a pattern
# opening with a class lets ``re`` skip over word characters in C. Searched on " " + the text.
_TRIGGER: Final = re.compile(rf"\W(?:{_trie(_ALL)}|{_MODEL_WORD.pattern})(?!\w)")


# characters that are never part of a word, stripped from the ends of a whitespace token
_PUNCTUATION: Final = ".,;:!?()[]\"'«»“”’‘%$€"
# non-word characters frequent in news prose: each one a sentence holds is replaced by a
# space before splitting it into words. Those past U+00FF come first: once they are replaced
# the text is usually stored one byte per character again, where ``in`` is cheapest.
_SEPARATORS: Final = (
    "’", "“", "”", "–", "—", "€", ".", ",", "-", "$", "'", "(", ")", "%", ":", "+", "«", "?",
    "»", '"', "/", "&", "£", "!", "=", ";",
)  # fmt: skip


def words_of(text: str) -> set[str]:
    """The distinct lowercased words of ``text``: the ``\\w+`` tokens of ``text.lower()``."""
    # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
    return words_of_lower(str.lower(text))


def words_of_lower(low: str) -> set[str]:
    """:func:`words_of` a text whose ``lower()`` is ``low`` (already lowered by the caller).

    ``re`` pays about a thousand instructions per match, and a Python call per token costs
    as much, so the text is split in C: the non-word characters news prose writes most are
    replaced by spaces (``str.replace``, at memchr speed), and when every whitespace token
    left is all letters and digits they are the words. Otherwise (an underscore, a rarer
    mark) :func:`_words_by_token` reads the text token by token.
    """
    return set(tokens_of_spaced(space_marks(low), low))


def space_marks(low: str) -> str:
    """``low`` with each non-word mark of ``_SEPARATORS`` replaced by a space: same length and
    offsets, so a slice of the result is the same replacement of the slice (a document spaces
    its whole text once, then slices each sentence's words out of it)."""
    text = low
    for mark in _SEPARATORS:
        if mark in text:  # most sentences hold a few of them: ``in`` costs less than replace
            text = text.replace(mark, " ")
    return text


def tokens_of_spaced(spaced: str, low: str) -> list[str]:
    """The words of ``low``, whose :func:`space_marks` is ``spaced``, as a list that may repeat
    a word: what a keyword gate (``frozenset.isdisjoint``) needs, without building a set."""
    tokens = spaced.split()
    if "".join(tokens).isalnum():
        return tokens
    return list(_words_by_token(low))


def _words_by_token(low: str) -> set[str]:
    """:func:`words_of_lower`, token by token: a whitespace token that is not all letters and
    digits ("reuters,", "l'ia", "12,5") keeps its words once its punctuation ends are
    stripped, and the few left go through ``\\w+``."""
    words = set(low.split())
    odd = set(filterfalse(str.isalnum, words))
    if odd:
        words -= odd
        rest = []
        for w in odd:
            core = w.strip(_PUNCTUATION)
            if core.isalnum():
                words.add(core)
            elif core:
                rest.append(core)
        if rest:
            words.update(_WORD.findall(" ".join(rest)))
    return words


def kinds_in(words: Iterable[str]) -> set[Kind]:
    """The kinds whose trigger words occur among ``words``."""
    ws = words if isinstance(words, (set, frozenset)) else set(words)
    found: set[Kind] = {k for k, trig in TRIGGER_WORDS.items() if not trig.isdisjoint(ws)}
    if "gpu_procurement" not in found and any(
        w[0] in _MODEL_FIRST and _MODEL_WORD.fullmatch(w) for w in ws
    ):
        found.add("gpu_procurement")
    return found


def any_trigger(text: str, words: set[str] | None = None) -> bool:
    """Whether ``text`` holds any trigger word at all (the article gate); ``words``: its
    lowercased words when already known."""
    if words is None:
        return has_trigger(str.lower(text))
    return not _ALL.isdisjoint(words) or _MODEL_SCAN.search(str.lower(text)) is not None


def has_trigger(low: str) -> bool:
    """:func:`any_trigger` of a text whose ``lower()`` is ``low``."""
    return _TRIGGER.search(" " + low) is not None


def sentence_kinds(text: str, words: Collection[str]) -> list[Kind]:
    """The kinds with a trigger word among ``words`` (the lowercased words of the sentence
    ``text``, repeats allowed) or, for GPUs, a model code in it."""
    found: list[Kind] = []
    gpu = False
    hits = _ALL.intersection(words)  # one pass over the words; most sentences hold none
    if hits:
        if not _FUNDING.isdisjoint(hits):
            found.append("funding")
        gpu = not _GPU.isdisjoint(hits)
        if gpu:
            found.append("gpu_procurement")
        if not _REVENUE.isdisjoint(hits):
            found.append("revenue")
    if not gpu:
        # a model code holds a digit and opens with one of _MODEL_FIRST: the regex is tried
        # only on such words (not years, amounts or "l'ia")
        for w in filterfalse(str.isalpha, words):
            if w[0] in _MODEL_FIRST and _MODEL_WORD.fullmatch(w):
                found.append("gpu_procurement")
                break
    return found
