"""Whether an article names a company as an investor ("menée par le fonds X", "led by X").

The definition is one regex per name, ``\\b<cue>\\s+(?:[\\w'’]+\\s+){0,3}?<name>(?!\\w)`` with
IGNORECASE, over the whole article. Compiling it costs about a millisecond per name and each
search scans the article, so the answer is found from the other end instead: at each place the
lowered name is written, walk back over the whitespace and at most three words before it and
test whether a cue ends there. Whitespace and words (``[\\w'’]``) share no character, so the walk
has one path and the test is the regex's. The regex itself is kept for the texts where
lowering would move offsets or fold letters otherwise (see :func:`signals.cues.lowered`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from signals.cues import Cue
from signals.document import Document
from signals.entities import Mention
from signals.text import is_word_char

_BACKER_CUE: Final = (
    r"(?:led by|co-led by|backed by|menée? par|emmenée? par|conduite? par|pilotée? par"
    r"|auprès d['’e]|soutenue? par|fonds|fund|investor|investisseur|backers?|investors"
    r"|investisseurs|alongside|aux côtés d['’eu]\w*|participation from|participation d['’eu]\w*)"
)
# a cue ending exactly where the search stops (endpos)
_CUE_END: Final = Cue(rf"\b{_BACKER_CUE}\Z")
# the longest cue, without the word its "\w*" tail may end in ("participation from")
_CUE_HEAD: Final = 20
_WORDS_BETWEEN: Final = 3  # words allowed between the cue and the name
# past this many occurrences of the name, one regex scan costs less than the walks
_MAX_WALKS: Final = 16


def is_backer(doc: Document, m: Mention) -> bool:
    """Whether the article names ``m`` as an investor (answered once per article and name)."""
    key = ("backer", m.text)
    found = doc.memo.get(key)
    if found is None:
        text = doc.text
        # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
        low, name = doc.text_lowered(), str.lower(m.text)
        if (
            low is None
            or len(name) != len(m.text)
            or not _plain(name)
            or low.count(name) > _MAX_WALKS
        ):
            found = _backer_pattern(m.text).search(text) is not None
        else:
            found = _named_after_cue(low, name)
        doc.memo[key] = found
    return found


def _plain(name: str) -> bool:
    """Latin-1 letters only, where IGNORECASE folds nothing that lowering keeps apart (the
    micro sign folds onto the Greek mu)."""
    return all(c <= "\xff" for c in name) and "µ" not in name


def _named_after_cue(low: str, name: str) -> bool:
    """Whether the lowered ``name`` is written in ``low`` as a whole word after a cue."""
    p = low.find(name)
    while p >= 0:
        end = p + len(name)
        if (end == len(low) or not is_word_char(low[end])) and _cue_before(low, p):
            return True
        p = low.find(name, p + 1)
    return False


def _cue_before(low: str, pos: int) -> bool:
    """Whether ``low[:pos]`` ends with a cue, whitespace, and at most three words each followed
    by whitespace: ``<cue>\\s+(?:[\\w'’]+\\s+){0,3}``."""
    j = pos
    for _ in range(_WORDS_BETWEEN + 1):
        s = j
        while s > 0 and low[s - 1].isspace():
            s -= 1
        if s == j:
            return False
        w = s
        while w > 0 and is_word_char(low[w - 1]):
            w -= 1
        if _CUE_END.low.search(low, max(0, w - _CUE_HEAD), s) is not None:
            return True
        while w > 0 and (is_word_char(low[w - 1]) or low[w - 1] in "'’"):
            w -= 1
        if w == s:
            return False
        j = w
    return False


@lru_cache(maxsize=1024)
def _backer_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"\b{_BACKER_CUE}\s+(?:[\w'’]+\s+){{0,3}}?{re.escape(name)}(?!\w)", re.IGNORECASE
    )
