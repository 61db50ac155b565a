"""Case-insensitive cue patterns that ``re`` runs fast: searched on lowercased text without
IGNORECASE (two to three times faster), and long alternations grouped by first letter."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

__all__ = ["Cue", "by_first_letter", "holds_any", "lowercase_pattern", "lowered"]


def _refuse_capitals(pattern: str) -> None:
    # escapes ("\S") and group names ("(?P<name>") may hold capitals; a letter may not
    if _no_capital(pattern):
        return  # most patterns: told in C, where the loop below costs ~100k instructions
    if any(c.isupper() for c in re.sub(r"\\.|\(\?P<\w+>|\(\?P=\w+\)", "", pattern)):
        raise ValueError(f"capital letter in {pattern!r}")


def _no_capital(text: str) -> bool:
    """No character of ``text`` is ``isupper()``. ``str.islower`` is False on an uppercase (or
    titlecase) character, and needs one lowercase character to be True: "a" is added."""
    return str.islower(text + "a")


def lowercase_pattern(p: re.Pattern[str]) -> re.Pattern[str]:
    """``p`` without IGNORECASE, to search lowercased text: the same matches, two to three
    times faster in ``re``. A capital letter in ``p`` would then never match: refused."""
    _refuse_capitals(p.pattern)
    return re.compile(p.pattern)


def lowered(text: str) -> str | None:
    """``text`` lowercased for a :func:`lowercase_pattern` search at the same offsets, or None
    when lowering changes a length or a letter IGNORECASE folds otherwise ("ı", "ſ")."""
    return lowerings(text)[1]


def lowerings(text: str, low: str | None = None) -> tuple[str, str | None]:
    """``(text.lower(), lowered(text))``, lowering once; ``low``: ``text.lower()`` if known."""
    if low is None:
        # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
        low = str.lower(text)
    if len(low) != len(text) or "ı" in low or "ſ" in low:
        return low, None
    return low, low


def holds_any(text: str, keys: tuple[str, ...]) -> bool:
    """Whether ``text`` holds one of ``keys``: a gate in front of a regex every match of which
    holds one of them (``str.__contains__`` scans at memchr speed; ``re`` pays tens of
    instructions per position for a pattern opening with ``\\b``)."""
    for k in keys:  # a plain loop: a generator in any() costs more than the tests themselves
        if k in text:
            return True
    return False


class Cue:
    """A case-insensitive pattern (written in lowercase) for text lowered by :func:`lowered`:
    compiled without IGNORECASE. The IGNORECASE form, for a text whose lowering would move
    offsets, is compiled on its first use."""

    def __init__(self, pattern: str) -> None:
        _refuse_capitals(pattern)
        self.low = re.compile(pattern)
        self._folded: re.Pattern[str] | None = None

    @property
    def folded(self) -> re.Pattern[str]:
        if self._folded is None:
            self._folded = re.compile(self.low.pattern, re.IGNORECASE)
        return self._folded

    def on(self, low: bool) -> re.Pattern[str]:
        """The pattern for a text that is lowered (``low``) or as written."""
        return self.low if low else self.folded

    def search(
        self, text: str, low: bool, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[str] | None:
        return self.on(low).search(text, pos, endpos)

    def finditer(
        self, text: str, low: bool, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        return self.on(low).finditer(text, pos, endpos)


def by_first_letter(alternatives: str) -> str:
    """The top-level alternation ``alternatives`` ("valu(?:ed|ing)|vaut|worth") regrouped by
    first letter ("v(?:alu(?:ed|ing)|aut)|w(?:orth)"): at each position ``re`` then tries the
    one group that can match instead of every alternative in turn. The matches are the same:
    alternatives opening with different letters never match at the same place, and the order
    within a letter is kept. Each alternative must open with a lowercase letter that no
    quantifier follows."""
    groups: dict[str, list[str]] = {}
    for alt in _top_level(alternatives):
        if not _plain_letter(alt[:1]) or alt[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"alternative {alt!r} does not open with a plain lowercase letter")
        groups.setdefault(alt[0], []).append(alt[1:])
    return "|".join(f"{c}(?:{'|'.join(rest)})" for c, rest in groups.items())


def _plain_letter(c: str) -> bool:
    """A lowercase Latin letter: no two of them are one letter under IGNORECASE."""
    return "a" <= c <= "z" or ("à" <= c <= "ÿ" and c != "÷")


def _top_level(pattern: str) -> list[str]:
    """``pattern`` split at its top-level "|" (outside groups, classes and escapes)."""
    parts: list[str] = []
    depth, start, k, in_class = 0, 0, 0, False
    while k < len(pattern):
        c = pattern[k]
        if c == "\\":
            k += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[k + 1 : k + 2] == "]":
                k += 1  # "[]...]": a leading "]" is a member
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:k])
            start = k + 1
        k += 1
    parts.append(pattern[start:])
    return parts
