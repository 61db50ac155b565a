"""The cheaper word sets, trigger kinds and figure matching give what the plain forms give."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from signals.cues import lowered
from signals.numbers import _FIGURE, _candidates, find_figures, find_figures_lowered
from signals.triggers import (
    _ALL,
    _MODEL_WORD,
    TRIGGER_WORDS,
    _trie,
    _words_by_token,
    has_trigger,
    sentence_kinds,
    words_of,
    words_of_lower,
)

_WORD = re.compile(r"\w+")

# pieces that exercise whitespace splitting, stripped punctuation, inner punctuation, digits,
# underscores and letters whose case mapping is unusual
_WORD_PIECES = [
    "Levée", "ARR", "h100s", "l'IA", "d’", "12,5", "3.4", " ", "  ", "\n", "\t", "\u00a0",
    "\u202f", ",", ".", "«", "»", "(", ")", "%", "$", "€", "-", "_", "x_y", "İ", "ß", "ſ", "K",
    "٣", "²", "Σ", "ΣΑ", "—", "…", "'", "’", "\x1c", "a", "É", "round", "GPU", "&", "+", "=",
    "/", "“", "”", "–", "£", "!", "?", ";", ":", "#", "@", "*", "°", "AT&T", "x+y", "é",
]  # fmt: skip


def _texts(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=30).map("".join)


def _plain_kinds(words: set[str]) -> list[str]:
    found = [k for k, trig in TRIGGER_WORDS.items() if not trig.isdisjoint(words)]
    if "gpu_procurement" not in found and any(_MODEL_WORD.fullmatch(w) for w in words):
        found.append("gpu_procurement")
    return found


@example("Reuters, (l'IA) lève 12,5 M€ — « round »; x_y.")
@example("İ ſ K ² ٣ Σ")
@example("“AT&T” – 5 £ / 3+2=5 ; 12 % ! #1 @x *y 30°")
@settings(max_examples=600, deadline=None)
@given(st.one_of(_texts(_WORD_PIECES), st.text(max_size=60)))
def test_words_are_the_word_tokens_of_the_lowered_text(text: str) -> None:
    expected = set(_WORD.findall(text.lower()))
    assert words_of(text) == expected
    assert words_of_lower(text.lower()) == expected
    # the token-by-token path, which the split path falls back on
    assert _words_by_token(text.lower()) == expected


@example("Nvidia H100s and a round")
@example("la levée de fonds et le chiffre d'affaires de 2024")
@settings(max_examples=400, deadline=None)
@given(_texts(["h100", "mi300x", "b200s", "gpu", "funding", "ventes", "2024", "tpu4", " "]))
def test_sentence_kinds_are_those_of_the_plain_test(text: str) -> None:
    words = words_of(text)
    assert sentence_kinds(text, words) == _plain_kinds(words)


_FIGURE_PIECES = [
    "5", "12", "3,5", " ", "\u00a0", "EUR", "eur", "Euros", "USD", "US$", "$", "€", "£", "M",
    "m", "Md$", "milliards", "Millions", "de ", "d'", "DOLLARS", "x", "%", "PERCENT", "-", "à",
    "À", "İ", "ı", "ſ", "K", "Ξ", "half a", "Doubled", "E", "e", "k", "B", "bn", "sept",
]  # fmt: skip


def _folded_spans(text: str) -> list[tuple[int, ...]]:
    """Each candidate's group spans when matched with IGNORECASE on ``text`` as written."""
    out = []
    for m in _candidates(text, lowered(text)):
        again = _FIGURE.folded.match(text, m.start())
        assert again is not None
        out.append(tuple(x for i in range(again.re.groups + 1) for x in again.span(i)))
    return out


@example("US$5 Millions et 3,5 MILLIARDS D'EUROS, +12 PERCENT")
@example("İ 5 M€ ı 5 mıllions ſ 5 Kſ")
@settings(max_examples=600, deadline=None)
@given(_texts(_FIGURE_PIECES))
def test_the_lowercase_figure_pattern_matches_as_the_ignorecase_one(text: str) -> None:
    lowered_spans = [
        tuple(x for i in range(m.re.groups + 1) for x in m.span(i))
        for m in _candidates(text, lowered(text))
    ]
    assert lowered_spans == _folded_spans(text)
    # the figures read on the lowered text are those read with IGNORECASE on the text
    assert find_figures(text) == find_figures_lowered(text, None)
    assert find_figures_lowered(text, lowered(text)) == find_figures(text)


# the article gate as first written: a look-behind instead of the character before the word
_PLAIN_GATE = re.compile(rf"(?<!\w)(?:{_trie(_ALL)}|{_MODEL_WORD.pattern})(?!\w)")


@example("raised")
@example("h100s, _funding; xfunding ventes_ l'ia gpu")
@settings(max_examples=400, deadline=None)
@given(_texts(["raised", "funding", "gpu", "h100", "ventes", "x", "_", "é", " ", "'", ",", "\n"]))
def test_the_article_gate_is_the_look_behind_pattern(text: str) -> None:
    assert has_trigger(text) is (_PLAIN_GATE.search(text) is not None)
