"""Funding rounds: money a company raised (not a valuation, a ticket, a total or a fund)."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Final

from signals.actors import is_oblique
from signals.build import Finding, as_float, unify_names
from signals.cues import Cue, by_first_letter, holds_any
from signals.detectors.backers import is_backer
from signals.document import Document
from signals.entities import Mention
from signals.hedging import denial_cue, is_hedged, pending_cue
from signals.numbers import Figure

# cue right before the amount: the amount is money raised
_RAISE_BEFORE: Final = re.compile(
    r"\b(?:"
    + by_first_letter(
        r"rais(?:e|es|ed|ing)|secur(?:e|es|ed|ing)|clos(?:e|es|ed|ing)|lands?|landed|bag(?:s|ged)"
        r"|nets|netted|pulls? in|pulled in|lève|lèvent|levé|lever|levée de fonds de|levée de"
        r"|levant|récolt\w*|boucl\w*|obten\w*|obtient|décroch\w*|sécuris\w*|collect\w*"
        r"|tour de table de|tour de financement de|un tour de|round of|funding of|financing of"
        r"|financement de|investment of|injection of|a (?:raise|round) of"
    )
    # the text searched is lowercased, unless lowering moved its offsets
    + r"|Rais(?:e|es|ed|ing)|Lève)\b[^.;]{0,28}$"
)
# cue right after the amount: "$15 million Series A", "6 milliards levés", "$450m deal"
_RAISE_AFTER: Final = re.compile(
    r"^[^.;]{0,22}?\b(?:series [a-h]|série [a-h]|serie [a-h]|seed|pre-seed|amorçage|round|funding"
    r"|financing|investment|raised|raise|fundraise|fundraising|levée?s?|récoltée?s?|bouclée?s?"
    r"|tour de table|tour|[a-h] round"
    r"|en série|venture)\b",
)
_DEAL_AFTER: Final = re.compile(r"^\s*(?:\w+\s+){0,2}?deals?\b")
_NOT_RAISE_BEFORE: Final = re.compile(
    r"\b(?:"
    + by_first_letter(
        r"valu(?:ed|ation|ing)|valoris\w*|évalué\w*|estim\w*|worth|vaut|vaudrait|capitalis\w*"
        r"|market cap\w*|total(?! of)\w*|cumul\w*|to date|bringing|portant|portent|porte|dont"
        r"|of which|including|invest\w*|injecte\w*|contribu\w*|particip\w*|spend\w*|spent"
        r"|dépens\w*|budget|capex|rach[ae]t\w*|acqui\w*|buy\w*|bought|achat|achet\w*|ach[eè]te\w*"
        r"|prices?|prix|goal|objectif|target\w*|toward|towards|vers|up to|jusqu['’]à|revenues?"
        r"|chiffre d['’]affaires|sales|ventes|pledg\w*|promis|commit\w*|fund of"
        r"|in addition to|en plus d\w*"
    )
    + r")\b|\b(?<!levée de )fonds de\b"
    r"|\b(?:fund|fonds|véhicule|vehicle)\s+(?:at|à)\b(?!\s*hauteur)",
)
# every alternative is anchored at the start: one "^" in front lets re stop after position 0
_NOT_RAISE_AFTER: Final = re.compile(
    r"^(?:\s*(?:post-money |pre-money )?(?:valuation|valorisation)"
    r"|[^.;]{0,30}?\b(?:"
    + by_first_letter(
        r"in commitments|fund\b|fonds d['’]investissement"
        r"|en \w+ (?:opérations|tours|levées)|in \w+ (?:deals|rounds|transactions)|across|par an"
        r"|a year|per year|de dépenses|of spending|in revenue|de chiffre|in sales"
        r"|in funding across|to (?:buy|acquire)|pour (?:racheter|acquérir)|in total|au total"
        r"|to date|so far|à ce jour|jusqu['’]ici|en tout"
        r"|since (?:its )?(?:founding|inception|launch|creation)|depuis sa (?:création|fondation)"
    )
    + r")\b"
    # "$4m in contracts", "3 M€ de subventions", "a $10m order": not equity raised; a verb
    # after the amount ("£8m to automate contract review") is what the money is for
    r"|[^.;]{0,30}?\b(?:in|en|of|de|d['’]|as|worth of|sous forme de)\s+(?:[\w\-]+\s+){0,2}?"
    r"(?:contracts?|contrats?|orders?|commandes?|grants?|subventions?|prize|prix)\b"
    r"|\s*(?:[\w\-]+\s+)?(?:contracts?|contrats?|orders?|commandes?|grants?|subventions?"
    r"|prize|prix)\b"
    r"|\s*(?:\w+\s+)?(?:investment|investissement)s? (?:in|into|dans|en) (?:a|an|the|its|new"
    r"|un|une|le|la|les|l['’]|de|des|son|sa|ses|their)\b"
    r"|\+)",
)
_AGGREGATE: Final = re.compile(
    r"\bles start-?up\b|\b(?:start-?ups|startups|fintechs|companies|entreprises|sociétés"
    r"|jeunes pousses|founders"
    r"|deals|rounds|opérations|tours de table|levées de fonds|transactions|unicorns|licornes)\b",
)
# a word each _AGGREGATE match holds (as a whole token): most sentences skip the regex
_AGGREGATE_WORDS: Final = frozenset(
    """start startup startups fintechs companies entreprises sociétés jeunes founders deals
    rounds opérations tours levées transactions unicorns licornes""".split()
)
_DEAL_CONTEXT: Final = frozenset(
    "funding round rounds financing venture vc series série tour levée".split()
)
# a name right before a common noun qualifies it ("AMD chips", "Clifford Chance associates")
_NOUN_MODIFIER: Final = re.compile(
    r"\s+(?:chips|gpus|accelerators|processors|shares|stock|servers|products|hardware|software"
    r"|customers|clients|users|investors|backers|associates|alumni|executives|employees"
    r"|engineers|researchers|lab|labs|team|puces|actions|clients|salariés|ingénieurs)\b"
)
_RELATIVE_OPEN: Final = re.compile(r"\s*,\s*(?:qui|which|who|that|dont)\b[^,;]*$", re.IGNORECASE)
_TOTAL_OF: Final = re.compile(r"\b(?:a total of|un total de|au total|in all|en tout)\s*$")
_TOTAL_OF_KEYS: Final = ("total", "in all", "en tout")  # one of them is in every _TOTAL_OF match
_CUMULATIVE: Final = re.compile(
    r"\b(?:already|déjà|so far|to date|in total|au total|cumul\w*|total)\b"
)
_INVEST_BEFORE: Final = re.compile(
    r"\b(?:invest(?:s|ed|ing)?|investit|a investi|ont investi|va investir|injecte\w*|injected"
    r"|pour(?:s|ed|ing)|a injecté)\b[^.;]{0,16}$"
)
_INVEST_KEYS: Final = ("invest", "inject", "pour")  # one of them is in every _INVEST_BEFORE match
_INTO: Final = re.compile(
    r"^\s*(?:in|into|dans|au capital d['’e]|in the capital of)\s*(?:la |le |l['’]|the )?"
    r"(?:[a-zé\-]+\s+){0,2}$"
)
_THRESHOLD: Final = re.compile(r"(?:over|above|plus de|more than|supérieure? à|de plus de)\s*$")
_PASSIVE_ACTOR: Final = re.compile(
    r"^\s*(?:\w+\s+){0,1}?(?:levée?s? par|raised by|secured by|obtenue?s? par|récoltée?s? par)\s+$",
    re.IGNORECASE,
)
_FOR_ACTOR: Final = re.compile(
    r"\b(?:round|deal|funding|financing|investment|raise|levée|tour de table|tour de financement"
    r"|financement)\b[^,;.]{0,50}?\b(?:for|pour|in|into|dans|de)\s+(?:(?:la|le|l['’]|the)\s*)?"
    r"(?:[a-zà-ÿ][\w\-’']*\s+){0,4}$",
    re.IGNORECASE,
)
_ROUND: Final = Cue(
    r"\b(?:(?P<preseed>pre-?seed|pré-amorçage)|(?P<seed>seed|amorçage)"
    r"|(?:series|série|serie)\s(?P<series>[a-h])\b|(?P<letter>[a-h])[ -]round\b"
    r"|(?P<bridge>bridge))"
)
# a string every _ROUND match holds, once lowered
_ROUND_KEYS: Final = ("seed", "amorçage", "seri", "séri", "round", "bridge")
_EARLIER: Final = Cue(
    r"\b(?:"
    + by_first_letter(
        r"last year|previous|precedent|earlier|précédente?|dernier|dernière|since its|depuis sa"
        r"|après (?:les|un|une|sa|son)|after (?:its|a|an)"
        r"|in (?:january|february|march|april|may|june|july|august|september|october|november"
        r"|december) 20\d\d|in 20\d\d|en 20\d\d|déjà"
        r"|already|l['’]an dernier|l['’]année dernière|a year ago|il y a \w+ ans?"
    )
    + r")\b"
)
# before the amount only: "deux ans après avoir levé 1,8 million", "months after raising $5m"
_EARLIER_BEFORE: Final = Cue(
    r"\b(?:après avoir|after (?:raising|having|closing|securing)"
    r"|(?:ans|années|mois|years|months) (?:après|after))\b[^.;]{0,40}$"
)
_EARLIER_BEFORE_KEYS: Final = ("après", "after")  # one of them is in every lowered match
# a sentence opening on a time clause ("Six mois après avoir levé ...,", "Months after ...,")
_FRONTED: Final = re.compile(
    r"^\W*(?:[\w\-]+\s+){0,3}?(?:après|after|since|depuis|avant|before|following|having)\b",
    re.IGNORECASE,
)
_INTRO_NEXT: Final = re.compile(
    r"(?:[\s,;(]*\b(?:après|after|avant|before|dont|including|contre|versus|vs|plus|and|et|with"
    r"|avec|de|des|du|les|the|a|an|un|une|of|from|to|à|sur|over|soit|ou|or|puis|then)\b)+[\s(]*$"
)
# "Parsel, a New York startup that pulled in $30 million": the amount is inside a relative
# clause describing the name just before it
_DESCRIBED_BY: Final = re.compile(
    r"^\s*,\s*(?:a|an|the|one of|une?|la|le|l['’]|les)\s[^,;.()]{0,80}?"
    r"\b(?:that|which|who|qui|dont)\b[^,;.()]{0,60}$",
    re.IGNORECASE,
)
_OWN_ROUND: Final = Cue(r"\b(?:its|their|sa|son|ses|leur)\s+(?:[\w\-]+\s+){0,2}$")
_OWN_ROUND_KEYS: Final = ("its", "their", "sa", "son", "ses", "leur")  # one is in every match
_POSSESSIVE: Final = Cue(r"\b(?:its|their|sa|son|ses|leur)\b")
_NEGATED: Final = re.compile(
    r"\b(?:not|never|pas|jamais|n['’]a pas|ne \w+ pas|no longer|plus de levée)\b"
)
_NEGATED_KEYS: Final = ("not", "never", "pas", "jamais", "no longer", "plus de levée")


MAX_PER_DOCUMENT: Final = 64  # findings per article: past this, the text is a list or a table
MAX_PER_SENTENCE: Final = 16  # amounts read per sentence: a longer list is a table, not prose


def detect(doc: Document) -> list[Finding]:
    """Funding findings of a document (one per amount raised)."""
    out: list[Finding] = []
    for i in doc.triggered("funding"):
        out.extend(_sentence(doc, i))
        if len(out) >= MAX_PER_DOCUMENT or doc.exhausted:
            break
    return unify_names(out)


def _sentence(doc: Document, i: int) -> list[Finding]:
    v = doc.view(i)
    text = v.text
    figures = [f for f in v.figures if f.kind != "percent" and not f.signed][:MAX_PER_SENTENCE]
    if not figures:
        return []
    low = doc.lower(i)
    if len(low) != len(text):
        low = text  # a rare character changed length when lowered: keep offsets exact
    # the case-insensitive cues (Cue) search ``low`` when it is lowered() text, else ``text``
    folded = doc.lowered(i) is not None
    src = low if folded else text
    aggregate = not _AGGREGATE_WORDS.isdisjoint(doc.words(i)) and _AGGREGATE.search(low) is not None
    deal_ok = not _DEAL_CONTEXT.isdisjoint(doc.words(i))
    out: list[Finding] = []
    prev_end = 0
    for k, fig in enumerate(figures):
        if fig.kind == "count" and not fig.scaled:
            prev_end = fig.end
            continue
        next_start = figures[k + 1].start if k + 1 < len(figures) else len(text)
        lo = max(prev_end, fig.start - 60)
        before = low[lo : fig.start]
        after = low[fig.end : next_start]
        prev_end = fig.end
        if fig.value < 10_000:
            continue
        verb = _RAISE_BEFORE.search(before)
        positive = verb is not None or _RAISE_AFTER.search(after) is not None
        if not positive and deal_ok and _DEAL_AFTER.search(after):
            positive = True
        if (
            not aggregate
            and not deal_ok
            and holds_any(before, _INVEST_KEYS)
            and _INVEST_BEFORE.search(before)
            and not _CUMULATIVE.search(low, max(0, fig.start - 60), min(len(low), fig.end + 40))
        ):
            # "Amazon invested $4 billion in Anthropic": a raise by the company invested in
            # (when no round is mentioned, so it is not one investor's ticket in a round)
            target = doc.actor_after(i, fig.end, _INTO, vendors=True, limit=40)
            if target is not None:
                around = (src[lo : fig.start], src[fig.end : next_start], folded)
                found = _finding(doc, i, fig, around, False, k > 0, known=target)
                if found is not None:
                    found.confidence = 0.7
                    out.append(found)
                continue
        if not positive or _negative_before(before, text[lo : fig.start], verb):
            continue
        if _NOT_RAISE_AFTER.search(after):
            continue
        if (
            holds_any(before, _TOTAL_OF_KEYS)
            and _TOTAL_OF.search(before)
            and not _ROUND.search(src[fig.end : next_start][:40], folded)
        ):
            continue  # "has raised a total of $95 million": a cumulative total
        near = low[max(0, fig.start - 40) : fig.start]
        if holds_any(near, _NEGATED_KEYS) and _NEGATED.search(
            low, max(0, fig.start - 40), fig.start
        ):
            continue
        if aggregate and _THRESHOLD.search(before):
            continue
        if before.endswith("(") or before.endswith("( "):
            continue  # "($7.2bn)": a conversion or an aside, not the round itself
        # the last words before the next amount introduce that amount ("après les 105 M€")
        own_after = _INTRO_NEXT.sub("", after) if k + 1 < len(figures) else after
        around = (src[lo : fig.start], src[fig.end : fig.end + len(own_after)], folded)
        finding = _finding(doc, i, fig, around, aggregate, k > 0)
        if finding is not None:
            out.append(finding)
    if out and _doubted(doc, i):
        return []  # a denied report, or a rumour in an article that carries a denial
    return out


def _negative_before(before: str, raw: str, verb: re.Match[str] | None) -> bool:
    """A cue in the last words before the amount: valued at, a total of, invested, spent...

    ``before`` is lowercased; ``raw`` is the same text as written; ``verb``: the raise verb
    ``_RAISE_BEFORE`` finds in ``before``, if any.
    """
    cut = max(0, len(before) - 30)
    for m in _NOT_RAISE_BEFORE.finditer(before, max(0, cut - 30)):
        # a cue inside a capitalised name ("Bought by Many") is not a cue
        if m.end() < cut or raw[m.start()].isupper() or "." in before[m.end() :]:
            continue
        if verb is not None and "," in before[m.end() : verb.start()]:
            # "X, which doubled its revenue, raises $30 million": the cue is in another clause
            continue
        return True
    return False


def _finding(
    doc: Document,
    i: int,
    fig: Figure,
    around: tuple[str, str, bool],
    aggregate: bool,
    after_figure: bool = False,
    known: Mention | None = None,
) -> Finding | None:
    """``around``: the words before and after the amount, and whether they are lowered."""
    v = doc.view(i)
    text = v.text
    before, after, low = around
    how = "pattern"
    actor = known or doc.actor_after(i, fig.end, _PASSIVE_ACTOR, vendors=True, limit=40)
    if actor is None:
        actor = _described(doc, i, fig)
    if (
        actor is None
        and (not low or holds_any(before, _OWN_ROUND_KEYS))
        and _OWN_ROUND.search(before, low)
    ):
        # "Sequoia, which also backed its €20 million Series A": "its" is the article's company
        actor = doc.previous_actor(i, vendors=True)
        how = "pronoun"
    if actor is None:
        actor = doc.actor_after(i, fig.end, _FOR_ACTOR, vendors=True, limit=80)
    if actor is None:
        actor, how = doc.actor_before(i, fig.start, vendors=True, not_before=_NOUN_MODIFIER)
        # "Six mois après avoir levé 600 M€, Orbis IA ...": a fronted clause, subject after
        fronted = (
            actor is None
            and "," not in text[: fig.start]
            and "," in text[fig.end :]
            and _FRONTED.match(text) is not None
        )
        if how != "subject" and (fronted or _possessive_before(doc, i, fig.start, low)):
            # "Since its seed round, a $4.5 million investment ..., Felt has grown"
            after_names = [
                m
                for m in v.mentions
                if m.start >= fig.end
                and doc.eligible(m, True)
                and not v.in_appositive(m)
                and not is_oblique(text, m)
            ]
            if after_names:
                actor, how = after_names[0], "subject"
    # a name written after an investor cue is a backer, not the company a pronoun stands for
    if actor is not None and how == "pronoun" and is_backer(doc, actor):
        actor = doc.main_company()
    if actor is None or (aggregate and how == "pronoun"):
        return None
    if aggregate and actor.end <= fig.start:
        # "Selon EY, les start-up françaises ont levé 7 milliards": the plural group raised
        # str.lower(x), not x.lower(): compiled by mypyc, x.lower() lowers a final Σ to σ, not ς
        group = _AGGREGATE.search(str.lower(text), actor.end, fig.start)
        # a plural inside a relative clause describing the actor ("X, qui automatise les
        # paiements entre entreprises, boucle ...") is not the group that raised
        if group is not None and not _RELATIVE_OPEN.match(text, actor.end, group.start()):
            return None
    currency = fig.currency
    confidence = 0.85 if how != "pronoun" else 0.7
    if currency is None:
        currency = doc.currency_of(fig.value) or doc.currency_before(i, fig.start)
        confidence -= 0.1
    pending = doc.cue(i, pending_cue)
    if pending:
        confidence -= 0.2
    fields: dict[str, object] = {
        "amount": as_float(fig.value),
        "currency": currency,
        "round": _round(after[:90], low) or _round(_own_before(before, after_figure), low),
        "status": "pending" if pending else "completed",
    }
    values = frozenset(f.value for f in v.figures if f.kind != "percent")
    return Finding(
        kind="funding",
        sentence=i,
        company=actor,
        how=how,
        figures=[fig],
        fields=fields,
        earlier=_EARLIER.search(before + " " + after[:90], low) is not None
        or (
            (not low or holds_any(before, _EARLIER_BEFORE_KEYS))
            and _EARLIER_BEFORE.search(before, low) is not None
        ),
        confidence=confidence,
        sentence_values=values,
    )


def _described(doc: Document, i: int, fig: Figure) -> Mention | None:
    """The name an appositive relative clause holding the amount describes, if any."""
    v = doc.view(i)
    mentions = v.mentions
    k = bisect_left([m.start for m in mentions], fig.start)
    for m in reversed(mentions[max(0, k - 6) : k]):
        if fig.start - m.end > 150:
            return None
        if m.end <= fig.start and doc.eligible(m, True):
            if _DESCRIBED_BY.match(v.text[m.end : fig.start]):
                return m
    return None


def _own_before(before: str, after_figure: bool) -> str:
    """The words before an amount that belong to it: after another amount, what directly
    follows that amount ("$120 million Series C, and ...") is the other amount's."""
    if not after_figure:
        return before
    cut = before.find(",")
    return before[cut + 1 :] if cut >= 0 else ""


def _possessive_before(doc: Document, i: int, pos: int, low: bool) -> bool:
    """A possessive ("its", "sa") in sentence ``i`` before ``pos`` (``low``: search it lowered)."""
    return _POSSESSIVE.search(doc.lower(i) if low else doc.view(i).text, low, 0, pos) is not None


def _doubted(doc: Document, i: int) -> bool:
    """Sentence ``i`` is denied, or a rumour (hedged or pending) in an article carrying a denial."""
    if doc.cue(i, denial_cue):
        return True
    hedged = is_hedged(doc.view(i).text, low=doc.lowered(i), said=doc.reported(i))
    return (hedged or doc.cue(i, pending_cue)) and doc.denied


def _round(around: str, low: bool) -> str | None:
    """The round named next to the amount ("$15 million Series A", "tour d'amorçage");
    ``low``: ``around`` is lowered."""
    if low and not any(k in around for k in _ROUND_KEYS):
        return None
    m = _ROUND.search(around, low)
    if m is None:
        return None
    if m.group("preseed"):
        return "Pre-seed"
    if m.group("seed"):
        return "Seed"
    if m.group("series"):
        return "Series " + m.group("series").upper()
    if m.group("letter"):
        return "Series " + m.group("letter").upper()
    return "Bridge"
