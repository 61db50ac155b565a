"""One news event prepared for the detectors: sentences, names, figures, and who the actor is.

Everything is computed lazily, so an article whose sentences hold no trigger costs one scan.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable

from signals.cues import Cue, holds_any, lowered, lowerings
from signals.entities import AliasTable, Mention, find_mentions
from signals.hedging import is_denied
from signals.models import NewsEvent
from signals.numbers import Figure, find_figures_lowered
from signals.text import Sentence, detect_language, split_sentences
from signals.triggers import sentence_kinds, words_of_lower

# a preposition (plus article) right before a name: the name is not the subject
_OBLIQUE = re.compile(
    r"(?:\b(?:of|by|from|with|than|at|in|on|to|for|into|via|versus|vs|avec|par|pour|sur|dans|vers"
    r"|contre|à|au|aux|de|des|du|as|comme|including|like|such as|notamment|dont|parmi|among"
    r"|en|entre|between|outside|near|inside|across|around|and|et|or|ou)\s+(?:(?:la|le|les|the|l['’]|ses|son|sa|its|their)\s*)?"
    r"|\b[dD]['’]|\b[dD]e\s+l['’]|\b(?:In|En|At|From|Dans|Au|Aux|À|A|Outside|Near)\s+"
    # a determiner and up to two lowercase words between the preposition and the name:
    # "of a Harvard lab", "by two former X associates", "du fonds régional X"
    r"|\b(?:of|by|from|with|at|in|into|for|par|avec|pour|dans|auprès|aux|au|du|des)\s+"
    r"(?:a|an|the|its|their|two|three|several|un|une|le|la|les|l['’]|son|sa|ses|deux|trois"
    r"|plusieurs)\s*(?:[a-zà-ÿ][\w\-]*\s+){0,2}"
    r"|\b(?:du|des|aux|au)\s+(?:[a-zà-ÿ][\w\-]*\s+){1,2})$"
)
_CLAUSE = re.compile(
    r"\b(?:[Ss]elon|[Aa]ccording to|[Dd]['’]après)\b[^,;]{0,60},|;|\btandis qu['’e]"
    r"|\balors qu['’e]|\bwhile\b|\bwhereas\b|\bmais\b|\bbut\b|\s[:–—]\s|\s-\s"
)
# every clause mark holds one of these strings, at this offset from the mark's start
_CLAUSE_KEYS = (
    ("elon", 1), ("ccording to", 1), ("près", 3), (";", 0), ("tandis qu", 0), ("alors qu", 0),
    ("while", 0), ("whereas", 0), ("mais", 0), ("but", 0), (":", 1), ("–", 1), ("—", 1),
    ("-", 1),
)  # fmt: skip
_PRONOUN = Cue(
    r"(?:\b(?:it|its|we|our|they|their|il|elle|ils|elles|nous|on|son|sa|ses|leur|leurs)\b"
    r"|\b(?:the|this|our|la|cette|notre|l['’]|le)\s*(?:\w+\s+){0,3}?"
    r"(?:company|startup|start-up|firm|group|business|société|entreprise|groupe|jeune pousse"
    r"|pépite|licorne|unicorn|maker|platform|plateforme|opérateur|operator|giant|géant"
    r"|lab|labo|laboratoire|laboratory)\b)"
)
# a name inside a relative clause that describes an earlier name is not the subject:
# "Fernleaf, which helps GPs triage patients, secured ..."
_INSIDE_RELATIVE = re.compile(r",\s*(?:which|who|whose|qui|dont)\b[^,;()]*$", re.IGNORECASE)
# "A London start-up founded by ... has raised": an unnamed description of the article's company
_INDEFINITE = re.compile(
    r"^\W*(?:A|An|Une?)\s+(?:[\w\-]+\s+){0,3}?(?:company|start-?up|firm|business|société"
    r"|entreprise|jeune pousse|scale-?up|maker|developer|provider|fabricant|éditeur)\b"
)
_COORDINATION = re.compile(r"\s*(?:et|and|&|,)\s*")
_RELATIVE_AFTER = re.compile(r"[,)]\s*(?:qui|which|who)\b", re.IGNORECASE)
_RELATIVE = re.compile(r"^\s*(?:[,(]\s*)?(?:qui|which|who|that)\b", re.IGNORECASE)
_APPOSITIVE = re.compile(
    r"(?<=[\w)]), (?:the|a|an|la|le|l['’]|les|un|une|son|sa|ses|its|his|her|their|former|ancien"
    r"|ancienne|filiale|spécialiste|leader|owner|propriétaire|maker|fabricant)\b[^,;]{0,160},"
)
_SUBJECT_VERB = re.compile(
    r"['’]?s?\s+(?:says|said|reports?|reported|posts?|posted|announce[sd]?|rais(?:es|ed)"
    r"|has|had|have|is|was|sees|saw|expects|plans|operates|runs|bought|buys|orders?|ordered"
    r"|clos(?:es|ed)|secur(?:es|ed)|lands|landed|bags|nets|gets|got|wins|won|completes|completed"
    r"|unveils|signs|signed|deploys|deployed|jumps|jumped|falls|fell|rises|rose|grows|grew"
    r"|lève|a|annonce|vient|récolte|boucle|obtient|finalise|décroche|sécurise|enregistre|réalise"
    r"|publie|affiche|prévoit|vise|voit|dépasse|atteint|recrute|rachète|conclut|lance|présente"
    r"|accélère|bondit|grimpe|exploite|opère|dispose|possède|est|va|compte|acquiert"
    r"|achète|commande|déploie|signe|double|triple|recule|progresse|chute|augmente|baisse)\b"
    r"|\s*:|,\s+(?:a|an|the|la|le|l['’]|un|une|which|qui)\b|['’]s\b"
    r"|\s+(?:n['’]|ne\s|se\s|s['’]|l['’]|y\s|en\s|lui\s|has\s|have\s|will\s|would\s|could\s)",
    re.IGNORECASE,
)
# "Quantix closes", "Felt raises": an English verb in the third person right after the name
_THIRD_PERSON = re.compile(r" [a-z]{2,}[^su\W]s\b")
# a word opening a sentence that is a number or a participle, not a name
_NOT_A_NAME = re.compile(
    r"^(?:[A-Z][a-z]+(?:ing|ed)|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Twelve|Twenty"
    r"|Thirty|Fifty|Hundred|Deux|Trois|Quatre|Cinq|Sept|Huit|Neuf|Dix|Douze|Quinze|Vingt"
    r"|Trente|Cinquante|Cent)$"
)
# "Kestrel took", "Zentra revenue rose": a past-tense verb or a revenue noun right after a
# one-word name opening a sentence (verbs _SUBJECT_VERB does not list)
_OPENING_VERB = re.compile(
    r" (?:[a-z]{2,}ed|took|made|won|sold|bought|built|began|brought|led|cut|hit|set|put|spent"
    r"|told|got|gave|grew|rose|fell|paid|sent|drew|became|kept|ran|chose|struck|swung|slid"
    r"|revenue|revenues|sales|turnover|chiffre|ventes|recettes|a|avait|aura|veut|souhaite|mise"
    r"|table|ouvre|gagne|perd|passe|devient|muscle|s['’]offre|s['’]équipe|s['’]appuie)\b"
)
# a capitalised phrase, a company noun, then a name: the phrase describes the name
_DESCRIPTOR_NEXT = re.compile(
    r"\s+(?:start-?ups?|firm|company|group|maker|developer|provider|unicorn|scale-?up|fintech"
    r"|lab|operator|specialist)\s+[A-Z]"
)
_COMMON_SUFFIX = re.compile(
    r"(?:tion|tions|ment|ments|ité|té|ée|ées|és|ing|ed|ly|age|ure|eur|eurs|ance|ence|isme|ique"
    r"|iques|able|ible|ness|ship|s)$"
)
_ELIGIBLE = ("company", "vendor")
_LEAD = 8  # body sentences read to find an article's company when its title names none
MAX_FIGURES = 3000  # figures read per article; news prose holds a few dozen
_DIGIT = re.compile(r"\d")
NUMBER_WORDS = frozenset(
    """million millions milliard milliards billion billions trillion trillions thousand
    thousands mille millier milliers moitié half halved doublé doubled triplé tripled quadruplé
    quadrupled""".split()
)
_HAS_CURRENCY = re.compile(r"[$€£¥]|dollar|euro|USD|EUR|GBP|\dE\b|ME\b", re.IGNORECASE)
# _HAS_CURRENCY on lowered() text: one of these strings, else "e" closing a word after a digit
# or an "m" (a pattern opening with a class, which ``re`` skips to in C)
_CURRENCY_KEYS = ("$", "€", "£", "¥", "dollar", "eur", "usd", "gbp")
_E_CLOSING = re.compile(r"[\dm]e\b")


class SentenceView:
    """A sentence of a :class:`Document` with its names and figures (offsets relative to the
    sentence), each computed on first use."""

    __slots__ = (
        "_appositives", "_clauses", "_doc", "_figures", "_i", "_mentions", "sentence", "text",
    )  # fmt: skip

    def __init__(self, doc: Document, i: int) -> None:
        self._doc = doc
        self._i = i
        self.sentence: Sentence = doc.sentences[i]
        self.text: str = self.sentence.text
        self._mentions: list[Mention] | None = None
        self._figures: list[Figure] | None = None
        self._appositives: list[tuple[int, int]] | None = None
        self._clauses: list[int] | None = None

    @property
    def mentions(self) -> list[Mention]:
        if self._mentions is None:
            self._mentions = self._doc.plausible_mentions(self._i)
        return self._mentions

    @property
    def figures(self) -> list[Figure]:
        if self._figures is None:
            budget = self._doc.figure_budget
            if budget[0] <= 0:
                self._figures = []  # the article's figure budget is spent: a table, not prose
            else:
                doc, i = self._doc, self._i
                self._figures = (
                    find_figures_lowered(self.sentence.text, doc.lowered(i))
                    if doc.may_count(i)
                    else []
                )
                budget[0] -= len(self._figures)
        return self._figures

    def clause_ends(self) -> list[int]:
        if self._clauses is None:
            self._clauses = clause_ends(self.text)
        return self._clauses

    def in_appositive(self, m: Mention) -> bool:
        if self._appositives is None:
            text = self.text
            ends = {n.end for n in self.mentions}
            # ", the ... ," right after a name: a description of that name, not a new subject
            # (every match opens with ", ": without one right after a name, none is kept)
            if any(text.startswith(", ", e) for e in ends):
                self._appositives = [
                    a.span() for a in _APPOSITIVE.finditer(text) if a.start() in ends
                ]
            else:
                self._appositives = []
        for s, e in self._appositives:
            if s <= m.start and m.end <= e:
                return True
        return False


class Document:
    """The sentences of one event (title first), with lazily computed names and figures."""

    def __init__(self, event: NewsEvent, table: AliasTable) -> None:
        self.event = event
        self.table = table
        title = event.title or ""
        self.language = event.language or detect_language(f"{title} {event.body}")
        self.sentences: list[Sentence] = split_sentences(title, "title")
        self.n_title = len(self.sentences)
        self.sentences += split_sentences(event.body, "body", first_index=self.n_title)
        self._views: dict[int, SentenceView] = {}
        self._raw: dict[int, list[Mention]] = {}
        self._hits: dict[str, list[int]] | None = None
        self._words: dict[int, set[str]] = {}
        self.figure_budget = [MAX_FIGURES]  # figures left to read in the article
        self._main: Mention | None | bool = False
        self._title_company: Mention | None | bool = False
        self._previous: dict[tuple[int, bool], Mention | None] = {}
        self._denied: bool | None = None
        self._inside: dict[str, bool] = {}
        self._lows: dict[int, tuple[str, str | None]] = {}
        self._cues: dict[tuple[Callable[[str], bool], int], bool] = {}
        self._text_lowered: tuple[str | None] | None = None
        self._title_case: bool | None = None
        # whole-article answers a detector computed once (keyed by the detector's own tag)
        self.memo: dict[tuple[str, str], bool] = {}

    @property
    def title_case(self) -> bool:
        """Whether the title is written in Title Case (most of its long words capitalised)."""
        if self._title_case is None:
            self._title_case = _is_title_case(self.event.title or "")
        return self._title_case

    @property
    def text(self) -> str:
        """The title and the body, one line break apart."""
        return f"{self.event.title or ''}\n{self.event.body}"

    def text_lowered(self) -> str | None:
        """:func:`signals.cues.lowered` of :attr:`text`, computed once."""
        if self._text_lowered is None:
            self._text_lowered = (lowered(self.text),)
        return self._text_lowered[0]

    def _lowered_pair(self, i: int) -> tuple[str, str | None]:
        pair = self._lows.get(i)
        if pair is None:
            pair = self._lows[i] = lowerings(self.sentences[i].text)
        return pair

    def lower(self, i: int) -> str:
        """``text.lower()`` of sentence ``i``, computed once per article."""
        return self._lowered_pair(i)[0]

    def cue(self, i: int, test: Callable[[str], bool]) -> bool:
        """``test(self.lower(i))``: a sentence-wide cue (hedging, pending, denial) of sentence
        ``i``, answered once per sentence and test."""
        key = (test, i)
        found = self._cues.get(key)
        if found is None:
            found = self._cues[key] = test(self.lower(i))
        return found

    def lowered(self, i: int) -> str | None:
        """:func:`signals.cues.lowered` of sentence ``i`` (the lowered text at the same offsets,
        or None), computed once per article."""
        return self._lowered_pair(i)[1]

    @property
    def exhausted(self) -> bool:
        """The figure budget is spent: the rest of the text is a table, not prose."""
        return self.figure_budget[0] <= 0

    def words(self, i: int) -> set[str]:
        """The lowercased words of sentence ``i`` (for cheap keyword gates)."""
        ws = self._words.get(i)
        if ws is None:
            ws = words_of_lower(self.lower(i))
            self._words[i] = ws
        return ws

    def triggered(self, kind: str) -> list[int]:
        """Indices of the sentences holding a trigger word of ``kind``."""
        if self._hits is None:
            hits: dict[str, list[int]] = {}
            for i, s in enumerate(self.sentences):
                for found in sentence_kinds(s.text, self.words(i)):
                    hits.setdefault(found, []).append(i)
            self._hits = hits
        return self._hits.get(kind, [])

    # --- names ----------------------------------------------------------------------------
    def view(self, i: int) -> SentenceView:
        v = self._views.get(i)
        if v is None:
            v = self._views[i] = SentenceView(self, i)
        return v

    def plausible_mentions(self, i: int) -> list[Mention]:
        """The names of sentence ``i`` that pass the plausibility checks."""
        s = self.sentences[i]
        return [m for m in self.raw_mentions(i) if self._plausible(i, s, m)]

    def may_count(self, i: int) -> bool:
        """Whether sentence ``i`` may hold a figure: a digit or a number word."""
        return not NUMBER_WORDS.isdisjoint(self.words(i)) or (
            _DIGIT.search(self.sentences[i].text) is not None
        )

    def raw_mentions(self, i: int) -> list[Mention]:
        raw = self._raw.get(i)
        if raw is None:
            raw = find_mentions(self.sentences[i].text, self.table)
            self._raw[i] = raw
        return raw

    def _plausible(self, i: int, s: Sentence, m: Mention) -> bool:
        if m.known:
            return True
        if _DESCRIPTOR_NEXT.match(s.text, m.end):
            return False  # "Insurance AI start-up Solvane": a sector, then the name
        if i < self.n_title and self.title_case:
            return self.named_inside(m.text)
        lead = s.text[: m.start].strip(" \"'«“‘-–—•(")
        if lead:
            return True
        # a capitalised word opening a sentence is a name only if the text confirms it
        if " " not in m.text and _NOT_A_NAME.search(m.text) is not None:
            return self.named_inside(m.text)  # "Existing backers", "Six mois après"
        return (
            " " in m.text
            or _OPENING_VERB.match(s.text, m.end) is not None
            or _SUBJECT_VERB.match(s.text, m.end) is not None
            or self.named_inside(m.text)
            or _THIRD_PERSON.match(s.text, m.end) is not None
        )

    def named_inside(self, name: str) -> bool:
        """Whether ``name`` is written in the body after a word (not opening a sentence)."""
        hit = self._inside.get(name)
        if hit is None:
            # in the title, a name after a word (or, in a Title Case title, after a list mark)
            hit = _written_after(self.event.body, name, _AFTER_WORD) or _written_after(
                self.event.title or "", name, _AFTER_LIST if self.title_case else _AFTER_WORD
            )
            self._inside[name] = hit
        return hit

    def eligible(self, m: Mention, vendors: bool) -> bool:
        return m.role == "company" or (vendors and m.role == "vendor")

    def main_company(self) -> Mention | None:
        """The article's company: the first one in the title, else the one named most often in
        the lead (the first sentences of the body, where news names its subject)."""
        if self._main is False:
            found = self.title_company()
            if found is None:
                counts: Counter[str] = Counter()
                first: dict[str, Mention] = {}
                for i in range(self.n_title, min(len(self.sentences), self.n_title + _LEAD)):
                    for m in self.view(i).mentions:
                        if m.role == "company":
                            counts[m.name] += 1
                            first.setdefault(m.name, m)
                if counts:
                    found = first[counts.most_common(1)[0][0]]
            self._main = found
        return self._main if isinstance(self._main, Mention) else None

    def title_company(self) -> Mention | None:
        """The first company the title names, if any."""
        if self._title_company is False:
            self._title_company = self._first_title_company()
        return self._title_company if isinstance(self._title_company, Mention) else None

    def _first_title_company(self) -> Mention | None:
        for i in range(self.n_title):
            for m in self.view(i).mentions:
                if m.role in _ELIGIBLE:
                    return m
        return None

    def previous_actor(self, i: int, vendors: bool = False) -> Mention | None:
        """The company a pronoun or "the company" most likely refers to in sentence ``i``."""
        key = (i, vendors)
        if key not in self._previous:
            self._previous[key] = self._previous_actor(i, vendors)
        return self._previous[key]

    def _previous_actor(self, i: int, vendors: bool) -> Mention | None:
        first = self.n_title if i >= self.n_title else 0
        for j in range(i - 1, max(first, i - 2) - 1, -1):
            v = self.view(j)
            cands = [m for m in v.mentions if self.eligible(m, vendors)]
            subjects = [m for m in cands if not is_oblique(v.text, m) and not v.in_appositive(m)]
            if subjects:
                return subjects[0]  # the sentence's subject, not a name in a clause after it
        main = self.main_company()
        if main is not None and (vendors or main.role == "company"):
            return main
        return None

    def actor_before(
        self, i: int, pos: int, vendors: bool = False, not_before: re.Pattern[str] | None = None
    ) -> tuple[Mention | None, str]:
        """The subject of the clause ending at ``pos`` in sentence ``i``.

        Returns (mention, how): how is "subject", "pronoun" (resolved from context) or "none".
        ``not_before``: names followed by text matching it are modifiers, not subjects
        ("Trainium chips").
        """
        v = self.view(i)
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
            if not self.eligible(m, vendors) and m.role != "generic":
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
            if _RELATIVE.match(tail) or _RELATIVE_AFTER.search(tail):
                relative = True
            if relative or not _OBLIQUE.search(text[max(clause_start, m.start - 40) : m.start]):
                chosen = m
                break
        if chosen is not None:
            return self._first_of_coordination(v, cands, chosen), "subject"
        segment = text[clause_start:pos]
        if i < self.n_title and chosen is None:
            # a headline's subject is the company it names ("M6 : hausse de ..."), if any
            main = self.title_company()
            if main is not None and self.eligible(main, vendors):
                return main, "pronoun"
            return None, "none"
        low = self.lowered(i)
        if (
            _PRONOUN.search(segment if low is None else low[clause_start:pos], low is not None)
            or (clause_start == 0 and _INDEFINITE.match(segment))
            # no name that could be the subject: only names after a preposition or inside a
            # relative clause ("Total revenue, which includes the X tier, rose 13%")
            or not self._may_be_subject(v, vendors)
        ):
            prev = self.previous_actor(i, vendors)
            if prev is not None:
                return prev, "pronoun"
        return None, "none"

    def _may_be_subject(self, v: SentenceView, vendors: bool) -> bool:
        """Some eligible name of ``v`` follows no preposition and no relative pronoun."""
        for m in v.mentions:
            if (
                self.eligible(m, vendors)
                and not is_oblique(v.text, m)
                and not in_relative(v.text, m)
            ):
                return True
        return False

    @staticmethod
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
        self, i: int, pos: int, pattern: re.Pattern[str], vendors: bool = False, limit: int = 90
    ) -> Mention | None:
        """The first eligible name after ``pos`` whose preceding text matches ``pattern``."""
        v = self.view(i)
        for m in v.mentions:
            if m.start < pos:
                continue
            if m.start - pos > limit:
                break
            if not self.eligible(m, vendors):
                continue
            if pattern.search(v.text[pos : m.start]):
                return m
            break
        return None

    # --- document-wide facts --------------------------------------------------------------
    @property
    def denied(self) -> bool:
        if self._denied is None:
            self._denied = is_denied(self.text, self.text_lowered())
        return self._denied

    def currency_of(self, value: object) -> str | None:
        """The currency written with the same amount in the title or the lead, if any."""
        for j in range(min(len(self.sentences), self.n_title + _LEAD)):
            if not has_currency(self.sentences[j].text, self.lowered(j)):
                continue
            for f in self.view(j).figures:
                if f.currency and f.value == value:
                    return f.currency
        return None

    def currency_before(self, i: int, pos: int) -> str:
        """The currency last written before (sentence ``i``, ``pos``): for "40,5 millions"."""
        for j in range(i, max(-1, i - _LEAD), -1):
            figs = self.view(j).figures
            for f in reversed(figs):
                if f.currency and (j < i or f.end <= pos):
                    return f.currency
        return "EUR" if self.language == "fr" else "USD"


def has_currency(text: str, low: str | None = None) -> bool:
    """Whether ``text`` may write a currency: ``_HAS_CURRENCY.search(text)`` found something.
    ``low``: ``lowered(text)`` when already known."""
    if low is None:
        low = lowered(text)
    if low is None:
        return _HAS_CURRENCY.search(text) is not None
    return holds_any(low, _CURRENCY_KEYS) or _E_CLOSING.search(low) is not None


def clause_ends(text: str) -> list[int]:
    """Where the clause marks of ``text`` end: ``[c.end() for c in _CLAUSE.finditer(text)]``,
    with the pattern tried only where a mark can start (found by ``str.find`` of its keys)."""
    starts: set[int] = set()
    for key, offset in _CLAUSE_KEYS:
        p = text.find(key)
        while p >= 0:
            if p >= offset:
                starts.add(p - offset)
            p = text.find(key, p + 1)
    ends: list[int] = []
    cursor = 0
    for start in sorted(starts):
        if start >= cursor:
            m = _CLAUSE.match(text, start)
            if m is not None:
                cursor = m.end()
                ends.append(cursor)
    return ends


def in_relative(text: str, m: Mention, lo: int = 0) -> bool:
    """Whether the name ``m`` is inside a relative clause (", which helps GPs triage ...")."""
    return _INSIDE_RELATIVE.search(text, max(lo, m.start - 120), m.start) is not None


def is_oblique(text: str, m: Mention) -> bool:
    """Whether the name ``m`` follows a preposition ("of Meta", "par xAI", "d'X")."""
    return _OBLIQUE.search(text[max(0, m.start - 40) : m.start]) is not None


_TITLE_WORD = re.compile(r"[^\W\d_][\w’']*")
_AFTER_LIST = frozenset(",;:")
_AFTER_WORD = frozenset(",;:)_")  # or any letter or digit


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _written_after(text: str, name: str, marks: frozenset[str]) -> bool:
    """Whether ``name`` occurs in ``text`` as a whole word right after a space that follows a
    character of ``marks`` (or, when ``marks`` is ``_AFTER_WORD``, a letter or digit): the
    regex ``(?<=[\\w,;:)] )name(?!\\w)`` without compiling one pattern per name."""
    word = marks is _AFTER_WORD
    p = text.find(name, 2)
    while p >= 0:
        e = p + len(name)
        c = text[p - 2]
        if (
            text[p - 1] == " "
            and (c in marks or (word and c.isalnum()))
            and (e == len(text) or not _is_word_char(text[e]))
        ):
            return True
        p = text.find(name, p + 1)
    return False


def _is_title_case(title: str) -> bool:
    words = [w for w in _TITLE_WORD.findall(title) if len(w) > 3]
    if len(words) < 4:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.6
