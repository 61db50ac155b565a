"""The scans that skip to where a match can start find what the plain regex scans find."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from signals.cues import lowered
from signals.document import _CLAUSE, _HAS_CURRENCY, clause_ends, has_currency
from signals.entities import _PERSON_BEFORE, _TOKEN, _person_before, _tokens
from signals.numbers import _FIGURE, _candidates, _lower_in_place, _spots, _starts
from signals.text import _RUN, _run_spans

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
_CURRENCY_PIECES = [
    "$", "€", "£", "¥", "Dollar", "EURO", "eur", "Usd", "GBP", "uſd", "3", "E", "e", "M", "m", "ME",
    "me", "some", "İ", "ı", "ß", "é", "x", "_", " ", ".", "\n",
]  # fmt: skip
_CODE_PIECES = [
    "5", "12", "3,5", " ", "\u00a0", "eur", "EUR", "euros", "Euro", "leur", "secteur", "à", "À",
    "-", "–", "d'", "de ", "millions", "mds", "M", "m", "k", "usd", "USD", "gbp", "GBP", "deux",
    "milliards", "€", "$", "x", "é", "'", ".", ",", "ß", "İ", "ı", "ſ", "K", "MILLIONS", "Md$",
]  # fmt: skip
_PERSON_PIECES = [
    "CEO ", "Mr.", "Mr", "M.", "co-founder", "founder", " ", "\n", "x", "-", "é", "\t", "O",
]  # fmt: skip


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


@settings(max_examples=400, deadline=None)
@given(_texts(_CURRENCY_PIECES))
def test_the_currency_gate_answers_as_the_plain_pattern(text: str) -> None:
    assert has_currency(text) is (_HAS_CURRENCY.search(text) is not None)


def _plain_candidates(text: str) -> list[tuple[int, int]]:
    """The figure scan without the skip of currency codes inside words."""
    out: list[tuple[int, int]] = []
    cursor = 0
    for p in _spots(_lower_in_place(text)):
        if p < cursor:
            continue
        c = text[p]
        for start in _starts(text, p, c.isdigit() or c in "$€£¥"):
            m = _FIGURE.folded.match(text, start) if start >= cursor else None
            if m is not None and m.end() > p:
                out.append(m.span())
                cursor = max(m.end(), p + 1)
                break
    return out


@example("le fonds leur apporte eur 5 millions, le secteur USD 3 et 4 gbp")
@example("de 5 àEUR6 millions, leur 7 M€")
@settings(max_examples=600, deadline=None)
@given(_texts(_CODE_PIECES))
def test_codes_inside_words_are_skipped_without_losing_a_figure(text: str) -> None:
    assert [m.span() for m in _candidates(text, lowered(text))] == _plain_candidates(text)


_RUN_PIECES = [
    "a", "Mr", ".", "..", "...", "!", "?", "…", "?!", "\n", "\n\n", " ", '"', "»", "”", "’",
    ")", "\u00a0", "\t", "x", "3", "U.S", "É",
]  # fmt: skip


@example("Acme raised $6 billion... Then\n\nIt grew!? « Yes »… no.")
@example("....\n.\n" + "." * 50 + " x")
@settings(max_examples=600, deadline=None)
@given(_texts(_RUN_PIECES))
def test_sentence_end_runs_are_those_of_the_run_pattern(text: str) -> None:
    assert _run_spans(text) == [m.span() for m in _RUN.finditer(text)]
