"""The fast paths give the same answers as the plain definitions they replace."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signals.hedging import is_denied, is_hedged, is_pending, lowercase_pattern
from signals.text import _BOUNDARY, _break_spans, split_sentences
from signals.triggers import _ALL, _MODEL_SCAN, TRIGGER_WORDS, any_trigger, sentence_kinds, words_of

# pieces that exercise the sentence-break rules: initials, "Mr", runs of marks, quotes, breaks
_PIECES = st.sampled_from(
    ["a", "Mr", "U.S", "Inc", "vs", "St", ".", ".", "!", "?", "…", "\n", " ", " ", "\u00a0",
     "\t", "A", "É", "3", '"', "»", ")", "-", "«", "(", "iPhone", "raised", "GPU", "H100s",
     "chiffre", "Revenue", "levé", "_", "x1"]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_breaks_are_those_of_the_boundary_pattern(text: str) -> None:
    assert _break_spans(text) == [m.span() for m in _BOUNDARY.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_the_article_gate_is_the_word_set_test(text: str) -> None:
    words = words_of(text)
    expected = not _ALL.isdisjoint(words) or _MODEL_SCAN.search(text.lower()) is not None
    assert any_trigger(text) is expected
    assert any_trigger(text, words) is expected


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_sentence_kinds_are_the_kinds_of_its_words(text: str) -> None:
    words = words_of(text)
    expected = {k for k, trig in TRIGGER_WORDS.items() if not trig.isdisjoint(words)}
    if _MODEL_SCAN.search(text.lower()):
        expected.add("gpu_procurement")
    assert set(sentence_kinds(text, words)) == expected


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Acme a levé 6 M€ pour acheter des H100", {"funding", "gpu_procurement"}),
        ("Its chiffre d'affaires fell", {"revenue"}),
        ("Nothing to see in 2024", set()),
        ("The mi300x cluster", {"gpu_procurement"}),
        ("Raisers and fundings are not words of the list", set()),
    ],
)
def test_sentence_kinds_examples(text: str, kinds: set[str]) -> None:
    assert set(sentence_kinds(text, words_of(text))) == kinds


def test_a_long_run_of_dots_is_split_in_linear_time() -> None:
    text = "Acme raised $6 billion" + "." * 1_000_000 + " Then"
    start = time.perf_counter()
    sents = split_sentences(text, "body")
    assert time.perf_counter() - start < 1.0
    assert sents[0].text.startswith("Acme raised $6 billion.")
    assert sents[-1].text == "Then"


@pytest.mark.parametrize(
    ("fn", "text"),
    [
        (is_pending, "Acme Is In Talks To Raise"),
        (is_denied, "ACME DÉMENT toute levée"),
        (is_hedged, "Reportedly, Acme raised"),
    ],
)
def test_hedging_cues_ignore_case(fn: Callable[[str], bool], text: str) -> None:
    assert fn(text) is True


def test_a_capital_letter_in_a_lowercased_pattern_is_refused() -> None:
    assert lowercase_pattern(re.compile(r"\bfoo\W+bar\b", re.IGNORECASE)).search("foo bar")
    with pytest.raises(ValueError, match="capital"):
        lowercase_pattern(re.compile(r"\bFoo\b", re.IGNORECASE))
