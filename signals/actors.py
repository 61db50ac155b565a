"""Who did it: the subject of a clause, the company a pronoun stands for, the name after a cue.

Functions of a :class:`signals.document.Document` (which keeps their per-article answers);
the detectors call them through its methods.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING, Final

from signals.cues import Cue
from signals.entities import Mention

if TYPE_CHECKING:
    from signals.document import Document, SentenceView

# the words an alternative of _OBLIQUE opens with (followed by a space or an apostrophe),
# grouped by first letter: ``re`` tries one group at a word, not some ninety alternatives
_OBLIQUE_FIRST: Final = (
    r"a(?:t|s|u|ux|vec|mong|cross|round|nd|uprès)|b(?:y|etween)|c(?:omme|ontre)"
    r"|d(?:e|es|u|ans|ont)?|e(?:n|ntre|t)|f(?:rom|or)|i(?:n|nto|ncluding|nside)|like"
    r"|n(?:otamment|ear)|o(?:f|n|r|u|utside)|p(?:ar|our|armi)|s(?:ur|uch)|t(?:han|o)"
    r"|v(?:ia|ersus|s|ers)|with|à|A(?:t|u|ux)?|D(?:e|ans)?|En|From|In|Near|Outside|À"
)
# a preposition (plus article) right before a name: the name is not the subject. Every
# alternative opens with ``\b`` and a letter: the look-ahead for that letter, tested first,
# turns away the spaces and marks at once (a third of the instructions of the plain form);
# the look-ahead for an opening word then turns away most words (a quarter of the rest)
_OBLIQUE: Final = re.compile(
    r"(?=[a-zA-Zà-ÿÀ])\b(?=(?:" + _OBLIQUE_FIRST + r")[\s'’])"
    r"(?:(?:of|by|from|with|than|at|in|on|to|for|into|via|versus|vs|avec|par"
    r"|pour|sur|dans|vers|contre|à|au|aux|de|des|du|as|comme|including|like|such as|notamment"
    r"|dont|parmi|among"
    r"|en|entre|between|outside|near|inside|across|around|and|et|or|ou)\s+(?:(?:la|le|les|the|l['’]|ses|son|sa|its|their)\s*)?"
    r"|[dD]['’]|[dD]e\s+l['’]|(?:In|En|At|From|Dans|Au|Aux|À|A|Outside|Near)\s+"
    # a determiner and up to two lowercase words between the preposition and the name:
    # "of a Harvard lab", "by two former X associates", "du fonds régional X"
    r"|(?:of|by|from|with|at|in|into|for|par|avec|pour|dans|auprès|aux|au|du|des)\s+"
    r"(?:a|an|the|its|their|two|three|several|un|une|le|la|les|l['’]|son|sa|ses|deux|trois"
    r"|plusieurs)\s*(?:[a-zà-ÿ][\w\-]*\s+){0,2}"
    r"|(?:du|des|aux|au)\s+(?:[a-zà-ÿ][\w\-]*\s+){1,2})$"
)
_PRONOUN: Final = Cue(
    r"(?:\b(?:it|its|we|our|they|their|il|elle|ils|elles|nous|on|son|sa|ses|leur|leurs)\b"
    r"|\b(?:the|this|our|la|cette|notre|l['’]|le)\s*(?:\w+\s+){0,3}?"
    r"(?:company|startup|start-up|firm|group|business|société|entreprise|groupe|jeune pousse"
    r"|pépite|licorne|unicorn|maker|platform|plateforme|opérateur|operator|giant|géant"
    r"|lab|labo|laboratoire|laboratory)\b)"
)
# a name inside a relative clause that describes an earlier name is not the subject:
# "Fernleaf, which helps GPs triage patients, secured ..."
_INSIDE_RELATIVE: Final = re.compile(r",\s*(?:which|who|whose|qui|dont)\b[^,;()]*$", re.IGNORECASE)
# "A London start-up founded by ... has raised": an unnamed description of the article's company
_INDEFINITE: Final = re.compile(
    r"^\W*(?:A|An|Une?)\s+(?:[\w\-]+\s+){0,3}?(?:company|start-?up|firm|business|société"
    r"|entreprise|jeune pousse|scale-?up|maker|developer|provider|fabricant|éditeur)\b"
)
_COORDINATION: Final = re.compile(r"\s*(?:et|and|&|,)\s*")
_RELATIVE_AFTER: Final = re.compile(r"[,)]\s*(?:qui|which|who)\b", re.IGNORECASE)
_RELATIVE: Final = re.compile(r"^\s*(?:[,(]\s*)?(?:qui|which|who|that)\b", re.IGNORECASE)


def previous_actor(doc: Document, i: int, vendors: bool) -> Mention | None:
    """The company a pronoun or "the company" most likely refers to in sentence ``i`` of
    ``doc`` (:meth:`Document.previous_actor` keeps the answer)."""
    first = doc.n_title if i >= doc.n_title else 0
    for j in range(i - 1, max(first, i - 2) - 1, -1):
        v = doc.view(j)
        for m in v.mentions:
            # the sentence's subject (its first eligible name after no preposition and outside
            # an appositive), not a name in a clause after it
            if doc.eligible(m, vendors) and not is_oblique(v.text, m) and not v.in_appositive(m):
                return m
    main = doc.main_company()
    if main is not None and (vendors or main.role == "company"):
        return main
    return None


def actor_before(
    doc: Document,
    i: int,
    pos: int,
    vendors: bool = False,
    not_before: re.Pattern[str] | None = None,
) -> tuple[Mention | None, str]:
    """The subject of the clause ending at ``pos`` in sentence ``i``.

    Returns (mention, how): how is "subject", "pronoun" (resolved from context) or "none".
    ``not_before``: names followed by text matching it are modifiers, not subjects
    ("Trainium chips").
    """
    v = doc.view(i)
    text = v.text
    ends = v.clause_ends()
    k = bisect_right(ends, pos) - 1
    clause_start = ends[k] if k >= 0 else 0
    # clause marks are found once per sentence; a mark ending after pos does not count
    while k >= 0 and ends[k] > pos:
        k -= 1
        clause_start = ends[k] if k >= 0 else 0
    before = [m for m in v.mentions if clause_start <= m.start and m.end <= pos]
    relative = False
    cands: list[Mention] = []
    for m in before:
        if not doc.eligible(m, vendors) and m.role != "generic":
            continue
        if m.role == "generic":
            continue
        if v.in_appositive(m):
            continue
        if not_before is not None and not_before.match(text, m.end):
            continue
        if in_relative(text, m, clause_start):
            continue
        cands.append(m)
    chosen: Mention | None = None
    for m in reversed(cands[-8:]):
        tail = text[m.end : min(pos, m.end + 80)]
        if _RELATIVE.match(tail) or _relative_after(tail):
            relative = True
        if relative or not _OBLIQUE.search(text[max(clause_start, m.start - 40) : m.start]):
            chosen = m
            break
    if chosen is not None:
        return _first_of_coordination(v, cands, chosen), "subject"
    segment = text[clause_start:pos]
    if i < doc.n_title and chosen is None:
        # a headline's subject is the company it names ("M6 : hausse de ..."), if any
        main = doc.title_company()
        if main is not None and doc.eligible(main, vendors):
            return main, "pronoun"
        return None, "none"
    low = doc.lowered(i)
    if (
        _PRONOUN.search(segment if low is None else low[clause_start:pos], low is not None)
        or (clause_start == 0 and _INDEFINITE.match(segment))
        # no name that could be the subject: only names after a preposition or inside a
        # relative clause ("Total revenue, which includes the X tier, rose 13%")
        or not _may_be_subject(doc, v, vendors)
    ):
        prev = doc.previous_actor(i, vendors)
        if prev is not None:
            return prev, "pronoun"
    return None, "none"


def _may_be_subject(doc: Document, v: SentenceView, vendors: bool) -> bool:
    """Some eligible name of ``v`` follows no preposition and no relative pronoun."""
    for m in v.mentions:
        if doc.eligible(m, vendors) and not is_oblique(v.text, m) and not in_relative(v.text, m):
            return True
    return False


def _first_of_coordination(v: SentenceView, cands: list[Mention], m: Mention) -> Mention:
    idx = cands.index(m)
    while idx > 0:
        prev = cands[idx - 1]
        gap = v.text[prev.end : cands[idx].start]
        # "En Finlande, Polaris Cloud": a name after a preposition is not coordinated
        if _COORDINATION.fullmatch(gap) and not is_oblique(v.text, prev):
            idx -= 1
        else:
            break
    return cands[idx]


def actor_after(
    doc: Document,
    i: int,
    pos: int,
    pattern: re.Pattern[str],
    vendors: bool = False,
    limit: int = 90,
) -> Mention | None:
    """The first eligible name after ``pos`` whose preceding text matches ``pattern``."""
    v = doc.view(i)
    for m in v.mentions:
        if m.start < pos:
            continue
        if m.start - pos > limit:
            break
        if not doc.eligible(m, vendors):
            continue
        if pattern.search(v.text[pos : m.start]):
            return m
        break
    return None


def _relative_after(tail: str) -> bool:
    """``_RELATIVE_AFTER.search(tail)`` found something: tried only when ``tail`` holds the
    comma or parenthesis every match opens with."""
    return ("," in tail or ")" in tail) and _RELATIVE_AFTER.search(tail) is not None


def in_relative(text: str, m: Mention, lo: int = 0) -> bool:
    """Whether the name ``m`` is inside a relative clause (", which helps GPs triage ...")."""
    lo = max(lo, m.start - 120)
    # every match opens with a comma: without one before the name, no search
    return (
        text.find(",", lo, m.start) >= 0 and _INSIDE_RELATIVE.search(text, lo, m.start) is not None
    )


def is_oblique(text: str, m: Mention) -> bool:
    """Whether the name ``m`` follows a preposition ("of Meta", "par xAI", "d'X")."""
    return _OBLIQUE.search(text[max(0, m.start - 40) : m.start]) is not None
