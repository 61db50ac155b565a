"""Sentences with offsets, and a cheap language guess. Linear scans only."""

from __future__ import annotations

import re
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
    for start, stop in _break_spans(text):
        # the break without its trailing spaces: m.start() + len(m.group().rstrip())
        end = stop
        while end > start and text[end - 1].isspace():
            end -= 1
        _emit(text, pos, end, field, out, first_index)
        pos = stop
    _emit(text, pos, len(text), field, out, first_index)
    return out


_MARKS: Final = ".!?…"  # the end marks: a run of them is one candidate break
_CLOSERS: Final = '"»”’)'  # closing quotes after the marks of a break
_GAPS: Final = " \t\u00a0"  # the spaces of a break
_UPPER: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # [A-Z]
_LOWER: Final = frozenset("abcdefghijklmnopqrstuvwxyz")  # [a-z]
# what opens the next sentence: [A-ZÀ-ÖØ-Þ0-9\"«“‘(\-–—•]
_OPENERS: Final = frozenset(
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"«“‘(-–—•'
    + "".join(map(chr, range(0xC0, 0xD7)))  # À-Ö
    + "".join(map(chr, range(0xD8, 0xDF)))  # Ø-Þ
)


def _break_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``_BOUNDARY.finditer(text)``, found without ``re``.

    Compiled, a ``re`` call costs thousands of instructions and ``_BOUNDARY`` opens with seven
    look-behinds; a break is read here from a few characters instead: the runs of end marks
    and line breaks (:func:`_run_spans`), then the closing quotes, the spaces and the opening
    of the next sentence after a run of marks, and the look-behinds at its start
    (:func:`_may_break_at`; when they rule the first mark out, a break may still start at the
    second, where they all pass).
    """
    out: list[tuple[int, int]] = []
    n = len(text)
    for a, b in _run_spans(text):
        if text[a] == "\n":
            out.append((a, b))  # _BOUNDARY's "\n+"
            continue
        k = b
        while k < n and text[k] in _CLOSERS:
            k += 1
        gap = k
        while k < n and text[k] in _GAPS:
            k += 1
        if k == gap or not _opens_sentence(text, k):
            continue
        if _may_break_at(text, a):
            out.append((a, k))
        elif b - a > 1:
            out.append((a + 1, k))
    return out


def _opens_sentence(text: str, k: int) -> bool:
    """Whether ``_BOUNDARY``'s closing look-ahead holds at ``k``:
    ``(?=[A-ZÀ-ÖØ-Þ0-9\"«“‘(\-–—•]|[a-z]{1,3}[A-Z])``."""
    n = len(text)
    if k >= n:
        return False
    if text[k] in _OPENERS:
        return True
    j = k
    while j < n and j - k < 3 and text[j] in _LOWER:
        j += 1
    return k < j < n and text[j] in _UPPER


def _may_break_at(text: str, a: int) -> bool:
    """Whether ``_BOUNDARY``'s look-behinds pass at ``a``: no initials before it ("U.S"), and
    no capitalised two-letter word ("Mr", "St", "Dr"), "vs" or "Inc" ending there."""
    if a >= 3 and text[a - 3] in _UPPER and text[a - 2] == "." and text[a - 1] in _UPPER:
        return False
    # "\b" before a word of two letters ending at a, then one of three letters
    if a >= 2 and (a == 2 or not is_word_char(text[a - 3])):
        if (text[a - 2] in _UPPER and text[a - 1] in _LOWER) or text[a - 2 : a] == "vs":
            return False
    return not (a >= 3 and (a == 3 or not is_word_char(text[a - 4])) and text[a - 3 : a] == "Inc")


def is_word_char(c: str) -> bool:
    """``re``'s ``\\w`` for one character of a ``str``."""
    return c.isalnum() or c == "_"


def _run_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``_RUN.finditer(text)``: runs of line breaks, and whole runs of end marks
    followed by a space or a closing quote, found by ``str.find`` and character tests (``re``
    reads a class holding "…" at tens of instructions per character; ``find`` at a few).
    A mark right after another mark is inside a run: skipped."""
    spots: list[int] = []
    for mark in ".!?…\n":
        p = text.find(mark)
        while p >= 0:
            spots.append(p)
            p = text.find(mark, p + 1)
    spots.sort()
    out: list[tuple[int, int]] = []
    n = len(text)
    cursor = 0
    for p in spots:
        if p < cursor:
            continue
        q = p + 1
        if text[p] == "\n":
            while q < n and text[q] == "\n":
                q += 1
        elif p > 0 and text[p - 1] in _MARKS:
            continue
        else:
            while q < n and text[q] in _MARKS:
                q += 1
            if q == n or (text[q] not in _CLOSERS and text[q] not in _GAPS):
                continue
        out.append((p, q))
        cursor = q
    return out


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
