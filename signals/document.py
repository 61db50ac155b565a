"""One news event prepared for the detectors: sentences, names, figures, and who the actor is.

Everything is computed lazily, so an article whose sentences hold no trigger costs one scan.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Final

from signals import actors
from signals.cues import holds_any, lowered, lowerings
from signals.entities import AliasTable, Mention, find_mentions
from signals.hedging import is_denied, may_be_reported, reported
from signals.models import NewsEvent
from signals.numbers import Figure, find_figures_lowered
from signals.text import Sentence, detect_language, is_word_char, split_sentences
from signals.triggers import sentence_kinds, space_marks, tokens_of_spaced

_CLAUSE: Final = re.compile(
    r"\b(?:[Ss]elon|[Aa]ccording to|[Dd]['’]après)\b[^,;]{0,60},|;|\btandis qu['’e]"
    r"|\balors qu['’e]|\bwhile\b|\bwhereas\b|\bmais\b|\bbut\b|\s[:–—]\s|\s-\s"
)
# every clause mark holds one of these strings, at this offset from the mark's start
_CLAUSE_KEYS: Final = (
    ("elon", 1), ("ccording to", 1), ("près", 3), (";", 0), ("tandis qu", 0), ("alors qu", 0),
    ("while", 0), ("whereas", 0), ("mais", 0), ("but", 0), (":", 1), ("–", 1), ("—", 1),
    ("-", 1),
)  # fmt: skip
_APPOSITIVE: Final = re.compile(
    r"(?<=[\w)]), (?:the|a|an|la|le|l['’]|les|un|une|son|sa|ses|its|his|her|their|former|ancien"
    r"|ancienne|filiale|spécialiste|leader|owner|propriétaire|maker|fabricant)\b[^,;]{0,160},"
)
_SUBJECT_VERB: Final = re.compile(
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
_THIRD_PERSON: Final = re.compile(r" [a-z]{2,}[^su\W]s\b")
# a word opening a sentence that is a number or a participle, not a name
_NOT_A_NAME: Final = re.compile(
    r"^(?:[A-Z][a-z]+(?:ing|ed)|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Twelve|Twenty"
    r"|Thirty|Fifty|Hundred|Deux|Trois|Quatre|Cinq|Sept|Huit|Neuf|Dix|Douze|Quinze|Vingt"
    r"|Trente|Cinquante|Cent)$"
)
# "Kestrel took", "Zentra revenue rose": a past-tense verb or a revenue noun right after a
# one-word name opening a sentence (verbs _SUBJECT_VERB does not list)
_OPENING_VERB: Final = re.compile(
    r" (?:[a-z]{2,}ed|took|made|won|sold|bought|built|began|brought|led|cut|hit|set|put|spent"
    r"|told|got|gave|grew|rose|fell|paid|sent|drew|became|kept|ran|chose|struck|swung|slid"
    r"|revenue|revenues|sales|turnover|chiffre|ventes|recettes|a|avait|aura|veut|souhaite|mise"
    r"|table|ouvre|gagne|perd|passe|devient|muscle|s['’]offre|s['’]équipe|s['’]appuie)\b"
)
# a capitalised phrase, a company noun, then a name: the phrase describes the name
_DESCRIPTOR_NEXT: Final = re.compile(
    r"\s+(?:start-?ups?|firm|company|group|maker|developer|provider|unicorn|scale-?up|fintech"
    r"|lab|operator|specialist)\s+[A-Z]"
)
_COMMON_SUFFIX: Final = re.compile(
    r"(?:tion|tions|ment|ments|ité|té|ée|ées|és|ing|ed|ly|age|ure|eur|eurs|ance|ence|isme|ique"
    r"|iques|able|ible|ness|ship|s)$"
)
_ELIGIBLE: Final = ("company", "vendor")
_LEAD: Final = 8  # body sentences read to find an article's company when its title names none
MAX_FIGURES: Final = 3000  # figures read per article; news prose holds a few dozen
_DIGIT: Final = re.compile(r"\d")
NUMBER_WORDS: Final = frozenset(
    """million millions milliard milliards billion billions trillion trillions thousand
    thousands mille millier milliers moitié half halved doublé doubled triplé tripled quadruplé
    quadrupled""".split()
)
_HAS_CURRENCY: Final = re.compile(r"[$€£¥]|dollar|euro|USD|EUR|GBP|\dE\b|ME\b", re.IGNORECASE)
# _HAS_CURRENCY on lowered() text: one of these strings, else "e" closing a word after a digit
# or an "m" (a pattern opening with a class, which ``re`` skips to in C)
_CURRENCY_KEYS: Final = ("$", "€", "£", "¥", "dollar", "eur", "usd", "gbp")
_E_CLOSING: Final = re.compile(r"[\dm]e\b")


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

    def __init__(self, event: NewsEvent, table: AliasTable, text_lower: str | None = None) -> None:
        """``text_lower``: ``self.text.lower()``, when the caller has lowered it already."""
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
        self._words: dict[int, list[str]] = {}
        self.figure_budget = [MAX_FIGURES]  # figures left to read in the article
        self._main: Mention | None | bool = False
        self._title_company: Mention | None | bool = False
        self._previous: dict[tuple[int, bool], Mention | None] = {}
        self._denied: bool | None = None
        self._inside: dict[str, bool] = {}
        self._lows: list[tuple[str, str | None]] | None = None
        # where each sentence's lowering sits in text_lower(), when it is that slice (or None)
        self._spans: list[tuple[int, int] | None] = []
        self._spaced: str | None = None
        self._text_lower = text_lower
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

    def text_lower(self) -> str:
        """``text.lower()``, computed once."""
        if self._text_lower is None:
            # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
            self._text_lower = str.lower(self.text)
        return self._text_lower

    def text_lowered(self) -> str | None:
        """:func:`signals.cues.lowered` of :attr:`text`, computed once."""
        if self._text_lowered is None:
            self._text_lowered = (lowerings(self.text, self.text_lower())[1],)
        return self._text_lowered[0]

    def _lowered_pair(self, i: int) -> tuple[str, str | None]:
        if self._lows is None:
            self._lows = self._lower_sentences()
        return self._lows[i]

    def _lower_sentences(self) -> list[tuple[str, str | None]]:
        """:func:`signals.cues.lowerings` of every sentence, sliced from one lowering of the
        whole text when that gives the same strings."""
        text, low = self.text, self.text_lower()
        if self.text_lowered() is None:  # a letter lowered to two, or "ı", "ſ": one by one
            self._spans = [None] * len(self.sentences)
            return [lowerings(s.text) for s in self.sentences]
        body = len(self.event.title or "") + 1  # where the body starts in ``text``
        end = len(text)
        out: list[tuple[str, str | None]] = []
        spans: list[tuple[int, int] | None] = []
        for s in self.sentences:
            a, b = (s.start, s.end) if s.field == "title" else (body + s.start, body + s.end)
            # a space (or the text's edge) on each side: lowering the sentence alone sees the
            # same context (only a final sigma looks at its neighbours, and a space stops it)
            if (a == 0 or text[a - 1].isspace()) and (b == end or text[b].isspace()):
                piece = low[a:b]
                out.append((piece, piece))
                spans.append((a, b))
            else:
                out.append(lowerings(s.text))
                spans.append(None)
        self._spans = spans
        return out

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

    def reported(self, i: int) -> bool:
        """``reported(self.lower(i))``: sentence ``i`` is reported speech or a rumour. Most
        sentences hold none of its words, which their word list tells without a scan."""
        return may_be_reported(self.words(i)) and self.cue(i, reported)

    def lowered(self, i: int) -> str | None:
        """:func:`signals.cues.lowered` of sentence ``i`` (the lowered text at the same offsets,
        or None), computed once per article."""
        return self._lowered_pair(i)[1]

    @property
    def exhausted(self) -> bool:
        """The figure budget is spent: the rest of the text is a table, not prose."""
        return self.figure_budget[0] <= 0

    def words(self, i: int) -> list[str]:
        """The lowercased words of sentence ``i``, a word repeated as often as it occurs: for
        cheap keyword gates (``frozenset.isdisjoint``), without building a set."""
        ws = self._words.get(i)
        if ws is None:
            ws = self._words[i] = self._words_of(i)
        return ws

    def _words_of(self, i: int) -> list[str]:
        """The words of ``words_of_lower(self.lower(i))``. The marks that separate words are
        spaced out of the whole text once (:func:`space_marks`), and a sentence that is a slice
        of the lowered text takes its words from the same slice of that."""
        if self._lows is None:
            self._lows = self._lower_sentences()
        span = self._spans[i]
        if span is None:
            low = self._lows[i][0]
            return tokens_of_spaced(space_marks(low), low)
        spaced = self._spaced
        if spaced is None:
            spaced = self._spaced = space_marks(self.text_lower())
        return tokens_of_spaced(spaced[span[0] : span[1]], self._lows[i][0])

    def triggered(self, kind: str) -> list[int]:
        """Indices of the sentences holding a trigger word of ``kind``."""
        if self._hits is None:
            hits: dict[str, list[int]] = {}
            words = self._words
            for i, s in enumerate(self.sentences):  # self.words(i) of each, fewer calls
                ws = words.get(i)
                if ws is None:
                    ws = words[i] = self._words_of(i)
                for found in sentence_kinds(s.text, ws):
                    hits.setdefault(found, []).append(i)
            self._hits = hits
        return self._hits.get(kind, [])

    def release(self) -> None:
        """Drop the sentence views, which point back at the document: with that cycle broken,
        the document and all it read are freed as soon as the caller lets go of it, instead of
        by a pass of the cyclic garbage collector (which also walks every object still young)."""
        self._views.clear()

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
            self._previous[key] = actors.previous_actor(self, i, vendors)
        return self._previous[key]

    def actor_before(
        self, i: int, pos: int, vendors: bool = False, not_before: re.Pattern[str] | None = None
    ) -> tuple[Mention | None, str]:
        """The subject of the clause ending at ``pos`` in sentence ``i``: see
        :func:`signals.actors.actor_before`."""
        return actors.actor_before(self, i, pos, vendors, not_before)

    def actor_after(
        self, i: int, pos: int, pattern: re.Pattern[str], vendors: bool = False, limit: int = 90
    ) -> Mention | None:
        """The first eligible name after ``pos`` whose preceding text matches ``pattern``."""
        return actors.actor_after(self, i, pos, pattern, vendors, limit)

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


_TITLE_WORD: Final = re.compile(r"[^\W\d_][\w’']*")
_AFTER_LIST: Final = frozenset(",;:")
_AFTER_WORD: Final = frozenset(",;:)_")  # or any letter or digit


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
            and (e == len(text) or not is_word_char(text[e]))
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
