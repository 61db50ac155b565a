"""Sentences with offsets, and a cheap language guess. Linear scans only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, Literal, NamedTuple

Field = Literal["title", "body"]

# A sentence ends at . ! ? … (plus closing quotes) followed by space and a capital, digit,
# quote or dash, or at a line break. Decimals ("83.0") and "U.S." inside a line do not end it.
_BOUNDARY: Final = re.compile(
    r"(?=[.!?…\n])(?:(?<![A-Z]\.[A-Z])(?<!\b[A-Z][a-z])(?<!\bvs)(?<!\bMr)(?<!\bMs)(?<!\bSt)(?<!\bDr)"
    r"(?<!\bInc)[.!?…]+[\"»”’)]*[ \t\u00a0]+(?=[A-ZÀ-ÖØ-Þ0-9\"«“‘(\-–—•]|[a-z]{1,3}[A-Z])|\n+)"
)
# Where _BOUNDARY can match: runs of line breaks, and whole runs of end marks followed by what
# _BOUNDARY needs right after them (a space or a closing quote: not "83.0", "U.S.",
# "Checkout.com"). The pattern opens with a character class so that ``re`` skips to the next
# mark in C instead of trying every position; inside a run the look-behind fails at once.
_RUN: Final = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<![.!?…][.!?…])[.!?…]*+(?=[\"»”’) \t\u00a0]))")
_MAX_SENTENCE: Final = 1200
_SPACE: Final = re.compile(r"\s")

_FR: Final = frozenset("le la les des une du est et pour dans qui sur avec par au aux ces".split())
_EN: Final = frozenset("the and of to is for in that with on by was its has are from".split())
_WORD: Final = re.compile(r"[a-zà-ÿ]+")


class Sentence(NamedTuple):
    """One sentence of a title or body, with its offsets in that field (a named tuple: as
    immutable as a frozen dataclass, and built about twice as fast)."""

    field: Field
    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing here calls
    start: int
    end: int
    text: str


# A named tuple's ``__new__`` is Python code (written by ``collections.namedtuple``) that
# calls ``tuple.__new__``: calling that directly builds the same tuple without a Python frame
# (about 1.5 times faster, in half the instructions compiled). Used by the builders of
# ``Sentence`` (below), ``numbers.Figure`` and ``entities.Mention``.
new_tuple: Final = tuple.__new__


def _sentence(field: Field, index: int, start: int, end: int, text: str) -> Sentence:
    """``Sentence(field, index, start, end, text)``, built faster."""
    return new_tuple(Sentence, (field, index, start, end, text))


def detect_language(text: str) -> str:
    """Guess 'fr' or 'en' from stopword counts over the first 4,000 characters."""
    fr = en = 0
    # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
    for m in _WORD.finditer(str.lower(text[:4000])):
        w = m.group()
        fr += w in _FR
        en += w in _EN
    return "fr" if fr > en else "en"


def split_sentences(text: str, field: Field, first_index: int = 0) -> list[Sentence]:
    """Split ``text`` into sentences with offsets; very long stretches are cut at spaces."""
    out: list[Sentence] = []
    pos = 0
    for m in _boundaries(text):
        end = m.start() + len(m.group().rstrip())
        _emit(text, pos, end, field, out, first_index)
        pos = m.end()
    _emit(text, pos, len(text), field, out, first_index)
    return out


def _boundaries(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_BOUNDARY.finditer(text)``, tried only where a break can start.

    A break starts in a run of end marks: at its first mark, or (when a look-behind such as
    "Mr" rules that one out) at its second; what follows the run decides the rest, so a run
    is tried at most twice and a long run of dots costs one pass.
    """
    for run in _runs(text):
        a, b = run.span()
        m = _BOUNDARY.match(text, a)
        if m is None and b - a > 1:
            m = _BOUNDARY.match(text, a + 1)
        if m is not None:
            yield m


_MARKS: Final = ".!?…"  # the end marks: a run of them is one candidate break


def _runs(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_RUN.finditer(text)``, with ``_RUN`` tried only at the end marks and
    line breaks that ``str.find`` finds (``re`` reads a class holding "…" at tens of
    instructions per character; ``find`` at a few). A mark right after another mark is inside
    a run, where ``_RUN``'s look-behind fails: it is skipped without calling ``re``."""
    spots: list[int] = []
    for mark in ".!?…\n":
        p = text.find(mark)
        while p >= 0:
            spots.append(p)
            p = text.find(mark, p + 1)
    spots.sort()
    cursor = 0
    for p in spots:
        if p < cursor or (text[p] != "\n" and p > 0 and text[p - 1] in _MARKS):
            continue
        m = _RUN.match(text, p)
        if m is not None:
            cursor = m.end()
            yield m


def _emit(text: str, start: int, end: int, field: Field, out: list[Sentence], base: int) -> None:
    while start < end:
        stop = end
        if stop - start > _MAX_SENTENCE:
            # no sentence break for a long stretch: cut at the last space before the limit
            cut = text.rfind(" ", start + _MAX_SENTENCE // 2, start + _MAX_SENTENCE)
            stop = cut if cut > start else start + _MAX_SENTENCE
        s, e = start, stop
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(_sentence(field, base + len(out), s, e, text[s:e]))
        start = stop
