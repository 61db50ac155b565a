"""The sentence breaks, name tokens and actor look-ups read without generators or ``re`` find
what the plain forms they replace find."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from signals.actors import (
    _INSIDE_RELATIVE,
    _OBLIQUE,
    _OBLIQUE_FIRST,
    _RELATIVE_AFTER,
    _relative_after,
    in_relative,
)
from signals.entities import _TOKEN, Mention, _tokens, default_table, find_mentions
from signals.text import (
    _BOUNDARY,
    _RUN,
    Field,
    Sentence,
    _break_spans,
    _emit,
    _run_spans,
    split_sentences,
)

_DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_news.jsonl"

_BREAK_PIECES = [
    "a", "x", "Mr", "Ms", "St", "Dr", "Inc", "vs", "U.S", "A.B", "Co", "_", "1", "3", "é", "ß",
    "×", "À", "Ö", "Ø", "Þ", "É", "Z", ".", ".", "..", "!", "?", "…", "?!", "\n", "\n\n", " ",
    " ", "\u00a0", "\t", '"', "»", "”", "’", ")", "(", "«", "“", "‘", "-", "–", "—", "•", "iP",
    "abcD", "abcdE", "ab", "Nvidia", "raised",
]  # fmt: skip


def _texts(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=40).map("".join)


def _plain_split(text: str, field: Field, first_index: int = 0) -> list[Sentence]:
    """``split_sentences`` as written before: every match of ``_BOUNDARY`` ends a sentence."""
    out: list[Sentence] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        _emit(text, pos, m.start() + len(m.group().rstrip()), field, out, first_index)
        pos = m.end()
    _emit(text, pos, len(text), field, out, first_index)
    return out


@example("He met Mr. Smith. Then Inc. rose... « Yes »! x.\n\nU.S. A. iPhone.  abcD")
@example("Acme vs. Beta. Co. Ltd. É. ß. 3. (x) — y. ‘z’. … Ø")
@example("Acme Inc. Nvidia, XInc. Beta, Apple vs. Meta, Avs. Meta, U.S. Army, AU.S. Navy")
@example("Mr. Smith, iMr. Jones, Ab.. Cd, Inc!? Ef, _Inc. Gh, Mr.\u00a0Ij")
@settings(max_examples=800, deadline=None)
@given(_texts(_BREAK_PIECES))
def test_breaks_read_without_re_are_those_of_the_boundary_pattern(text: str) -> None:
    assert _break_spans(text) == [m.span() for m in _BOUNDARY.finditer(text)]
    assert _run_spans(text) == [m.span() for m in _RUN.finditer(text)]
    assert split_sentences(text, "body", 2) == _plain_split(text, "body", 2)


@pytest.mark.skipif(not _DEV.exists(), reason="dev set not present")
def test_dev_articles_split_as_by_the_boundary_pattern() -> None:
    for line in _DEV.read_text("utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            for text in (doc.get("title") or "", doc["body"]):
                assert split_sentences(text, "body") == _plain_split(text, "body")


_TOKEN_PIECES = [
    "A", "É", "Z", "a", "x", "é", "-", ".", "&", "'", "’", " ", "@", "/", "1", "_", "iP", "xAI",
    "abcD", "abcdE", "ab", "z", "iPhone-", "eBay", "Mc", "Donald", "-Pro", "1-P",
]  # fmt: skip


@example("xAI-Abc iPhone1-Pro eBay.com abcDefGhi McDonald")
@example("ab" + "c" * 45 + "xD" + "e" * 45 + "F")
@settings(max_examples=800, deadline=None)
@given(_texts(_TOKEN_PIECES))
def test_name_tokens_read_by_finditer_are_those_of_the_token_pattern(text: str) -> None:
    assert [m.span() for m in _tokens(text)] == [m.span() for m in _TOKEN.finditer(text)]


_NAME_PIECES = [
    "Nvidia", "Mistral", "AI", "Le", "Groupe", "of", "by", "Backed", "&", "Co", "Inc", "’s", "'s",
    "L'", "d’", "xAI", "iPhone", "H100s", "Paris-based", "CEO", "Jean", "Dupont", "Selon", "Les",
    "Echos", " ", " ", ", ", ". ", "\u00a0", "raised", "the", "Online", "sales",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_texts(_NAME_PIECES))
def test_mentions_are_found_in_order_and_inside_the_text(text: str) -> None:
    found = find_mentions(text, default_table())
    assert [m.start for m in found] == sorted(m.start for m in found)
    for m in found:
        assert text[m.start : m.end] == m.text
        assert re.fullmatch(r"\S(?:.*\S)?", m.text, re.DOTALL)


_CLAUSE_PIECES = [
    ", which", ", who", ",whose", ", qui", ", dont", ") which", ")who", "WHICH", "Qui", ",", ")",
    "(", ";", " ", "x", "that", "Acme", "helps", "\n",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(_texts(_CLAUSE_PIECES), st.integers(0, 30), st.integers(0, 60))
def test_relative_clause_gates_answer_as_the_plain_patterns(text: str, lo: int, at: int) -> None:
    at = min(at, len(text))
    name = Mention("Name", "Name", at, at + 4, "company", False)
    plain = _INSIDE_RELATIVE.search(text, max(lo, at - 120), at) is not None
    assert in_relative(text, name, lo) is plain
    assert _relative_after(text) is (_RELATIVE_AFTER.search(text) is not None)


# actors._OBLIQUE without the look-ahead for its opening words
_GATE = r"(?=(?:" + _OBLIQUE_FIRST + r")[\s'’])"
_UNGATED_OBLIQUE = re.compile(_OBLIQUE.pattern.replace(_GATE, ""))
_OBLIQUE_PIECES = sorted(set(re.findall(r"[A-Za-zà-ÿÀ]+", _UNGATED_OBLIQUE.pattern))) + [
    "d", "D", "De", "l", " ", " ", "  ", "\n", "\u00a0", "'", "’", "-", ",", "(", "Acme",
    "régional", "x-ray", "7",
]  # fmt: skip


def test_the_ungated_oblique_form_is_another_pattern() -> None:
    assert _GATE in _OBLIQUE.pattern
    assert _UNGATED_OBLIQUE.pattern != _OBLIQUE.pattern


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_OBLIQUE_PIECES), max_size=12).map("".join))
def test_the_opening_word_gate_keeps_every_oblique_match(text: str) -> None:
    for k in range(len(text) + 1):
        new, old = _OBLIQUE.search(text, k), _UNGATED_OBLIQUE.search(text, k)
        assert (new and new.span()) == (old and old.span()), (text, k)


@pytest.mark.parametrize("word", _OBLIQUE_PIECES)
def test_each_word_of_the_pattern_before_a_name(word: str) -> None:
    for text in (f"x {word} ", f"x {word}'", f"({word} the ", f"x {word} a big ", f"{word}’"):
        new, old = _OBLIQUE.search(text), _UNGATED_OBLIQUE.search(text)
        assert (new and new.span()) == (old and old.span()), text
