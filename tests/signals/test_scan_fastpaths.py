"""The scans that skip to where a match can start find what the plain regex scans find."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from signals.document import _CLAUSE, clause_ends
from signals.entities import _PERSON_BEFORE, _TOKEN, _person_before, _tokens
from signals.numbers import _spots

# the definitions the fast paths replace
_SPOT = re.compile(
    r"\d+|[$€£¥]|illi|mille|moiti|half|halv|par deux|doubl|tripl|quadrupl|thousand|usd|eur|gbp"
)
_PERSON = re.compile(
    r"(?:\b(?:CEO|PDG|DG|CFO|CTO|founder|co-founder|fondateur|cofondateur|co-fondateur|Mr\.?|"
    r"Mrs\.?|Ms\.?|M\.|Mme|président|president|chairman|analyst|analyste|directeur|director|"
    r"patron|investor|investisseur|billionaire|milliardaire|officer|executive|spokesperson|"
    r"spokesman|spokeswoman|porte-parole|dirigeant|dirigeante|directrice|présidente|"
    r"fondatrice|cofondatrice|co-fondatrice|economist|économiste|partner|associé|associée)\s)$"
)


def _texts(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=30).map("".join)


_SPOT_PIECES = [
    "1", "22", "٣", "$", "€", "illi", "mille", "moiti", "half", "halv", "par deux", "doubl",
    "tripl", "quadrupl", "thousand", "usd", "eur", "gbp", "m", "i", "l", "t", "d", "p", " ", "e",
]  # fmt: skip
_TOKEN_PIECES = [
    "A", "É", "Z", "a", "x", "é", "-", ".", "&", "'", "’", " ", "@", "/", "1", "_", "iP", "xAI",
    "abcD", "abcdE", "ab", "z",
]  # fmt: skip
_CLAUSE_PIECES = [
    "Selon", "selon", "According to", "d'après", "D’après", "après", ",", ";", "tandis qu'",
    "alors que", "while", "whereas", "mais", "but", " : ", " – ", " — ", " - ", ":", "-", " ",
    "x", "elon", "\n",
]  # fmt: skip
_PERSON_PIECES = ["CEO ", "Mr.", "Mr", "M.", "co-founder", "founder", " ", "\n", "x", "-", "é"]


@settings(max_examples=400, deadline=None)
@given(_texts(_SPOT_PIECES))
def test_figure_spots_are_those_of_the_alternation(text: str) -> None:
    assert _spots(text) == [m.start() for m in _SPOT.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(_texts(_TOKEN_PIECES))
def test_name_tokens_are_those_of_the_token_pattern(text: str) -> None:
    assert [m.span() for m in _tokens(text)] == [m.span() for m in _TOKEN.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(_texts(_CLAUSE_PIECES))
def test_clause_ends_are_those_of_the_clause_pattern(text: str) -> None:
    assert clause_ends(text) == [m.end() for m in _CLAUSE.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(_texts(_PERSON_PIECES))
def test_a_title_before_a_name_is_found_as_by_the_plain_pattern(text: str) -> None:
    text += "Name"
    start = len(text) - 4
    window = text[max(0, start - 16) : start]
    expected = _PERSON.search(window) is not None
    assert (_PERSON_BEFORE.search(window) is not None) is expected
    assert _person_before(text, start) is expected
