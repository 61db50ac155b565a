"""The detectors' fast paths (keyword gates, lowered searches, the backer walk) give the
answers of the plain regexes they stand for."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signals import document
from signals.cues import Cue, by_first_letter, holds_any, lowered
from signals.detectors import backers, funding, gpu, revenue, rounds
from signals.document import Document
from signals.entities import Mention, load_table
from signals.hedging import (
    _CONDITIONAL,
    _DENIAL,
    _HEDGE,
    _NOT_CONDITIONAL,
    _PENDING,
    is_denied,
    is_hedged,
    is_pending,
)
from signals.models import NewsEvent
from signals.triggers import words_of

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev_news.jsonl"

# phrases of every cue family, in both languages and in several cases, with the letters
# IGNORECASE folds differently from str.lower ("ı", "ſ", "İ") and separators
_PIECES = st.sampled_from(
    ["reportedly", "According to sources", "people familiar", "is said to", "rumoured",
     "selon des sources", "selon des médias", "d'après des sources", "rumeurs", "would have",
     "auraient", "pourrait", "portrait", "in talks", "in discussions", "negotiating",
     "plans to raise", "is raising", "en négociations", "s'apprête à lever", "chercherait",
     "en passe de lever", "discute", "denies", "not accurate", "isn't raising", "dément",
     "infondée", "n'a pas levé", "hasn't raised", "led by", "co-led by", "Menée par",
     "auprès d'", "aux côtés du", "participation de", "fonds", "Fund", "investors",
     "alongside", "backed by", "took part", "ont participé", "ont investi", "included",
     "les start-up", "startups", "jeunes pousses", "deals", "tours de table", "n'en opère",
     "en a", "the 3 of", "1 200 of them", "les 500 de", "revenue", "ventes", "CA", "ca",
     "Q3 2024", "premier semestre", "FY24", "organic", "like-for-like", "fell", "hausse",
     "expects", "ahead of forecasts", "Series B", "seed", "B round", "last year",
     "in March 2023", "its", "sa", "ordered", "bought", "will", "the chipmaker", "ships",
     "Acme", "ACME", "Acme Capital", "Zeta", " ", " ", "  ", ", ", ". ", "\n", "'", "’", "-",
     "ı", "ſ", "İ", "Σ", "µ", "x", "7", "de", "of", "by", "the"]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=24).map("".join)


def _dev_sentences() -> list[str]:
    out: list[str] = []
    for line in DEV.read_text("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out += re.split(r"(?<=[.!?])\s+", f"{d.get('title') or ''}\n{d['body']}")
    return [s for s in out if s]


def _variants(text: str) -> list[str]:
    return [text, text.upper(), text.title(), text.lower()]


def _plain_hedged(sentence: str, start: int = 0, end: int | None = None) -> bool:
    if _HEDGE.low.search(sentence.lower()):
        return True
    stop = len(sentence) if end is None else end
    window = sentence[max(0, start - 80) : min(len(sentence), stop + 15)]
    return any(m.group().lower() not in _NOT_CONDITIONAL for m in _CONDITIONAL.finditer(window))


def _check_hedging(text: str) -> None:
    assert is_hedged(text) is _plain_hedged(text)
    assert is_hedged(text, 3, 9) is _plain_hedged(text, 3, 9)
    assert is_pending(text) is (_PENDING.low.search(text.lower()) is not None)
    assert is_denied(text) is (_DENIAL.low.search(text.lower()) is not None)


def _check_elliptic(text: str) -> None:
    assert gpu._elliptic(text) is (gpu._ELLIPSIS.search(text) is not None)


def _check_word_gates(text: str) -> None:
    words = words_of(text)
    low = text.lower()
    if len(low) != len(text):
        low = text
    if funding._AGGREGATE.search(low):
        assert not funding._AGGREGATE_WORDS.isdisjoint(words)
    for pattern, keys in (
        (funding._TOTAL_OF, funding._TOTAL_OF_KEYS),
        (funding._INVEST_BEFORE, funding._INVEST_KEYS),
        (funding._NEGATED, funding._NEGATED_KEYS),
        (funding._EARLIER_BEFORE.low, funding._EARLIER_BEFORE_KEYS),
        (funding._OWN_ROUND.low, funding._OWN_ROUND_KEYS),
    ):
        for candidate in (text, low):
            for m in pattern.finditer(candidate):
                assert holds_any(m.group(), keys), (pattern.pattern, m.group())
    low_ok = lowered(text)
    if low_ok is not None:
        if rounds._INVESTOR_AFTER.low.search(low_ok):
            assert not rounds._INVESTOR_AFTER_WORDS.isdisjoint(words)
        if rounds._INVESTOR_BEFORE.low.search(low_ok):
            assert not rounds._INVESTOR_BEFORE_WORDS.isdisjoint(words)


def _check_backer(text: str, name: str) -> None:
    expected = backers._backer_pattern(name).search(text) is not None
    low = lowered(text)
    if low is not None and len(name.lower()) == len(name) and backers._plain(name.lower()):
        assert backers._named_after_cue(low, name.lower()) is expected


def _cues() -> list[Cue]:
    found: list[Cue] = []
    for module in (funding, gpu, revenue, rounds, document):
        for value in vars(module).values():
            if isinstance(value, Cue):
                found.append(value)
    found += [p for _, p in gpu._STATUS]
    return found


def _check_cues(text: str) -> None:
    low = lowered(text)
    if low is None:
        return
    for cue in _cues():
        lowered_spans = [m.span() for m in cue.finditer(low, True)]
        assert lowered_spans == [m.span() for m in cue.finditer(text, False)], cue.low.pattern
    assert funding._round(low, True) == funding._round(text, False)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_fast_paths_on_generated_text(text: str) -> None:
    _check_hedging(text)
    _check_elliptic(text)
    _check_word_gates(text)
    _check_cues(text)
    for name in ("Acme", "Acme Capital", "Zeta", "fund"):
        _check_backer(text, name)


@pytest.mark.skipif(not DEV.exists(), reason="needs ../shared/eval/dev_news.jsonl")
def test_fast_paths_on_the_dev_sentences() -> None:
    sentences = _dev_sentences()
    assert len(sentences) > 100
    for sentence in sentences:
        for text in _variants(sentence):
            _check_hedging(text)
            _check_elliptic(text)
            _check_word_gates(text)
            _check_cues(text)
    article = " ".join(sentences[:200])
    for name in {w for w in re.findall(r"\b[A-Z][\w\-]+(?: [A-Z][\w\-]+)?", article)}:
        _check_backer(article, name)


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("The round was led by Acme.", "Acme", True),
        ("Menée par le fonds américain Acme Capital, la levée", "Acme Capital", True),
        ("aux côtés du groupe Acme et de Zeta", "Acme", True),
        ("aux côtés d'Acme", "Acme", False),  # the cue needs a space after it
        ("aux côtés d'un fonds, Acme", "Acme", False),  # a comma is not a word
        ("led by two of its historic Acme backers", "Acme", False),  # four words between
        ("led by two of its Acme partners", "Acme", True),
        ("refund Acme", "Acme", False),  # "fund" inside a word is not a cue
        ("investors Acmes", "Acme", False),  # not the whole name
        ("INVESTORS  \n ACME", "acme", True),
    ],
)
def test_backer_examples(text: str, name: str, expected: bool) -> None:
    assert (backers._backer_pattern(name).search(text) is not None) is expected
    _check_backer(text, name)


def test_a_capital_letter_in_a_cue_is_refused() -> None:
    assert Cue(r"(?P<ad>\bad\b)\S").low.search("ad!")
    with pytest.raises(ValueError, match="capital"):
        Cue(r"\bSeries\b")


@pytest.mark.parametrize("verb", gpu._ELLIPSIS_VERBS.split())
def test_each_elliptic_verb_passes_the_gate(verb: str) -> None:
    assert gpu._elliptic(f"Acme n’en {verb} que 30 000.") is True
    assert gpu._elliptic(f"Acme en {verb} déjà 30 000.") is True


@pytest.mark.parametrize(
    "text", ["350,000 of them", "Among the 2 000 of Zeta", "les 3 000 de Meta", "the 24 of Acme"]
)
def test_counted_ellipses_pass_the_gate(text: str) -> None:
    assert gpu._elliptic(text) is True


_ALTERNATIVES = st.lists(
    st.sampled_from(
        [
            "valu(?:ed|ing)",
            "vaut",
            "v",
            "worth",
            "w\\w*",
            "total(?! of)\\w*",
            "to date",
            "t",
            "rach[ae]t\\w*",
            "réserv\\w*",
            "é\\w+",
            "s['’]effrit",
            "sagg?ed",
            "up",
            "up to",
            "u\\b",
        ]
    ),  # fmt: skip
    min_size=1,
    max_size=8,
)
_HAYSTACKS = st.lists(
    st.sampled_from(["valued", "vaut", "worth", "total of", "totals", "to date", "rachète", "up",
                     "up to", "réservé", "sagged", "s’effrite", " ", ", ", "x", "é"]),
    max_size=12,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_ALTERNATIVES, _HAYSTACKS)
def test_grouping_by_first_letter_keeps_every_match(alts: list[str], text: str) -> None:
    flat = re.compile(rf"\b(?:{'|'.join(alts)})")
    grouped = re.compile(rf"\b(?:{by_first_letter('|'.join(alts))})")
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in flat.finditer(text)]
    folded = re.compile(grouped.pattern, re.IGNORECASE)
    upper = text.upper()
    flat_folded = re.compile(flat.pattern, re.IGNORECASE)
    assert [m.span() for m in folded.finditer(upper)] == [
        m.span() for m in flat_folded.finditer(upper)
    ]


@pytest.mark.parametrize("alternatives", ["(?:a|b)", "[ab]c", "a?b", "Abc", "\\bx", ""])
def test_grouping_refuses_an_alternative_without_a_plain_first_letter(alternatives: str) -> None:
    with pytest.raises(ValueError, match="plain lowercase letter"):
        by_first_letter(f"abc|{alternatives}")


@pytest.mark.parametrize(
    "body",
    ["Acme " * 200_000, "led by " + " " * 1_000_000 + "Acme", "fund x " * 150_000 + "Acme"],
)
def test_the_backer_answer_takes_linear_time(body: str) -> None:
    doc = Document(NewsEvent(id="long", body=body), load_table())
    acme = Mention(text="Acme", name="Acme", start=0, end=4, role="company", known=False)
    expected = backers._backer_pattern("Acme").search(f"\n{body}") is not None
    start = time.perf_counter()
    found = backers.is_backer(doc, acme)
    assert time.perf_counter() - start < 1.0
    assert found is expected
