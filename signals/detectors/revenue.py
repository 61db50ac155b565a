"""Revenue: a reported rise or fall of revenue or of a revenue line, for a period.

Profit, EBITDA, EPS, capex, guidance, share prices, valuations and user counts are not revenue:
they split the sentence so their figures are never read as revenue figures.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal
from typing import Final

from signals.actors import in_relative, is_oblique
from signals.build import Finding, as_float, unify_names
from signals.cues import Cue, by_first_letter
from signals.document import Document
from signals.entities import Mention
from signals.numbers import Figure

_AD: Final = (
    r"advertising revenues?|ad revenues?|ad sales|advertising sales|revenus publicitaires"
    r"|recettes publicitaires|chiffre d['’]affaires publicitaire|activité publicitaire"
    r"|ventes publicitaires|marché publicitaire"
)
# "CA" (chiffre d'affaires) counts only in capitals: checked on the text as written
_METRIC: Final = Cue(
    rf"(?P<ad>{by_first_letter(_AD)})"
    r"|(?P<rev>\b(?:revenues?|sales|turnover|top[- ]line|chiffre d['’]affaires|recettes|revenus"
    r"|ventes)\b)|(?P<ca>\bca\b)"
)
_OTHER: Final = Cue(
    r"\b(?:"
    + by_first_letter(
        r"profits?|earnings|ebitda|ebita|ebit|eps|net income|operating income|income|margins?"
        r"|bénéfices?|résultats?|marges?|capex|dépenses|spending|guidance|outlook|forecasts?"
        r"|prévisions?|objectifs?|share price|shares|stocks?|actions?|cours|valuation|valorisation"
        r"|users|utilisateurs|abonnés|subscribers|employees|salariés|effectifs|dividends?|dividende"
        r"|cash flow|debt|dette|market share|part de marché|costs?|coûts?|charges|pertes?"
        r"|loss(?:es)?|deals?|investments?|funding|levées?"
    )
    + r")\b"
)
# the first words of every _OTHER alternative: the regex only runs when one of them is there
_OTHER_WORDS: Final = frozenset(
    """profit profits earnings ebitda ebita ebit eps net operating income margin margins bénéfice
    bénéfices résultat résultats marge marges capex dépenses spending guidance outlook forecast
    forecasts prévision prévisions objectif objectifs share shares stock stocks action actions
    cours valuation valorisation users utilisateurs abonnés subscribers employees salariés
    effectifs dividend dividends dividende cash debt dette market part cost costs coût coûts
    charges perte pertes loss losses deal deals investment investments funding levée
    levées""".split()
)
_HAS_FIGURE: Final = re.compile(r"\d\s?(?:%|p)")
_MOVE_WORDS: Final = frozenset(
    """down fell fall falls falling drop drops dropped decline declined declines declining decrease
    decreased decreases lower slump slumped plunge plunged
    plonge plongé plonger dégringole cède glisse shrank shrink shrinks slid slide
    tumble tumbled sank halved contracted dipped dip baisse recul recule reculé reculer repli
    chute chuté chuter diminue diminué diminution décroissance fléchi effondré contraction perd
    perdu up rose rise rises risen rising grew grow grows growing growth increase increased
    increases gain gained gains jump jumped jumps climb climbed higher surge surged soar soared
    doubled record rebound rebounded moitié half tripled triplé passe passé passant from hausse
    slipped slip slips slipping eased eases retreated sagged weakened replié repliés repliées
    retrait contracté contractés fondu advanced advance advances expanded expand expands swelled
    boosted accelerated crû grossi gonflé contre versus vs
    croissance progresse progressé progression augmente augmenté augmentation bond bondi grimpe
    grimpé envolé doublé amélioré accéléré""".split()
)
_FORWARD: Final = Cue(
    r"\b(?:"
    + by_first_letter(
        r"expects?|expected|forecasts?|projects?|anticipates?|guid\w*|outlook|targets?|aims?"
        r"|should|will|would grow|prévoit|vise|anticipe|table sur|attend|devrai(?:en)?t|objectif"
    )
    + r")\b"
)
_DOWN: Final = Cue(
    r"\b(?:"
    + by_first_letter(
        r"down|fell|fall(?:s|ing)?|drop(?:s|ped)?|declin\w*|decreas\w*|lower|slump\w*|plung\w*"
        r"|shrank|shrink\w*|slid|slide|tumbl\w*|sank|halved|contract\w*|dipped|dip"
        r"|baisse|recul\w*|repli|chut\w*|diminu\w*|décroissance|fléchi\w*|recule|reculé|effondr\w*"
        r"|moitié|contraction|régress\w*|perd\w*|perte|plong\w*|dégringol\w*|cède|cédé|glisse\w*"
        r"|s['’]effrit\w*|décroch\w*|slip\w*|eased|retreat\w*|sagg?ed|weaken\w*|repli\w*|retrait"
        r"|fondu"
    )
    + r")\b"
)
_UP: Final = Cue(
    r"\b(?:"
    + by_first_letter(
        r"up|rose|rise[sn]?|rising|grew|grow(?:s|ing|th)?|increas\w*|gain\w*|jump\w*|climb\w*"
        r"|higher|surg\w*|soar\w*|doubled|record|rebound\w*|hausse|croissance|progress\w*|augment\w*"
        r"|bond\w*|grimp\w*|envol\w*|doublé|amélior\w*|accélér\w*|advanc\w*|expand\w*|swell\w*"
        r"|boost\w*|crû|grossi|gonfl\w*"
    )
    + r")\b"
)
_ORGANIC: Final = Cue(
    r"(?:interne|organique|organic|like-for-like|comparable|constant|à taux de change constants"
    r"|à périmètre constant|currency-neutral)\W*(?:de\s*)?$"
)
# "like-for-like sales", "organic revenue growth": the alternative basis of a revenue line
_ORGANIC_METRIC: Final = Cue(
    r"\b(?:organic|like-for-like|comparable|same-store|constant[- ]currency|underlying"
    r"|à périmètre constant|en données comparables|à taux de change constants?|organique"
    r"|interne)\W*(?:\w+\W+)?$"
)
_PRONOUN_AFTER: Final = re.compile(
    r"\b(?:its|their|the company|the group|sa|son|ses|leur|leurs|la société|le groupe"
    r"|l['’]entreprise)\b",
    re.IGNORECASE,
)
_FROM_AFTER: Final = re.compile(
    r"\s*,?\s*(?:from|contre|versus|vs\.?|compared with|compared to|against|up from|down from"
    r"|après|in the year-?earlier period,? from)\s*",
    re.IGNORECASE,
)
_REPORTER: Final = re.compile(
    r"\s+(?:said|says|reported|announced|added|a (?:indiqué|annoncé|précisé|déclaré)|indique"
    r"|annonce|précise)\b",
)
_REPORTER_BEFORE: Final = re.compile(r"[,(]\s*$")
_REPORTER_INVERTED: Final = re.compile(
    r"[,(]\s*(?:a (?:indiqué|annoncé|précisé|déclaré|expliqué)|indique|annonce|précise"
    r"|explique|said|says)\s+(?:la société |le groupe |l['’]entreprise |the company )?$",
)
_NOT_LEVEL: Final = re.compile(
    r"(?:\b(?:down|up|from|since|contre|depuis|versus|vs|compared|par rapport|by)\s*(?:\w+\s+)?$"
    r"|\b(?:hausse|baisse|croissance|progression|recul|augmentation|diminution|increase|decrease"
    r"|gain|drop|fell|rose|grew|jump|decline)\w*\s*(?:de|of|by)?\s*$|\(\s*$)",
    re.IGNORECASE,
)
_OWNER_AFTER: Final = re.compile(
    r"^\s*(?:consolidée? )?(?:de|d['’]|du|of|chez|at)\s*(?:la |le |l['’])?"
    r"(?:(?:groupe|group|société|company|firm|géant|constructeur|éditeur|opérateur|chaîne"
    r"|enseigne|fabricant|maker|giant)\s+)?$",
    re.IGNORECASE,
)
# "le chiffre d'affaires de l'installateur de panneaux solaires Solévia": a lowercase
# description between the metric and the owner's name (no verb, no comma)
_OWNER_DESCRIBED: Final = re.compile(
    r"^\s*(?:de|d['’]|du|of|at)\s*(?:la |le |l['’]|the )?"
    r"[a-zà-ÿ][\w\-]*(?:\s+(?:[a-zà-ÿ][\w\-]*|d['’][a-zà-ÿ][\w\-]*)){0,5}\s+$"
)
# a percentage that is a share of a whole, not a change ("90% of the total", "40 % des ventes")
_SHARE_AFTER: Final = re.compile(
    r"^\s*(?:of|du|des|de la|de l['’]|de son|de ses|de sa)\s+(?:the |its |their |group |total )?"
    r"(?:total|revenues?|sales|turnover|business|group|chiffre|ventes|activité|groupe|mix)\b",
    re.IGNORECASE,
)
_SHARE_BEFORE: Final = re.compile(
    r"\b(?:makes? up|made up|accounts? for|accounted for|represents?|represented|share of"
    r"|représente\w*|part de|pèse|pesant|soit)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# forward-looking words that only compare a reported figure ("ahead of forecasts")
_COMPARED_FORWARD: Final = Cue(
    r"\b(?:beat\w*|ahead of|above|below|topp\w*|miss\w*|than|exceed\w*|surpass\w*|dépass\w*"
    r"|au-dessus d\w*|en dessous d\w*|supérieure?s? (?:aux?|à)|inférieure?s? (?:aux?|à)"
    r"|conformes? (?:aux?|à)|in line with)\s+(?:[\w'’]+\s+){0,3}?(?:forecasts?|expectations"
    r"|estimates|prévisions|attentes|consensus|guidance|objectifs?|expected|attendu\w*)\b"
)
# an amount right after a raise verb is money raised, not a revenue level
_RAISED_BEFORE: Final = re.compile(
    r"\b(?:rais(?:es|ed|ing)|secur(?:es|ed)|lève|lèvent|levé|lever|levée de|récolte\w*"
    r"|boucle\w*)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_POSSESSIVE: Final = re.compile(r"^['’]s?\s+(?:[\w\-]+\s+){0,3}$")
_PERIOD: Final = Cue(
    r"\b(?:q[1-4](?: 20\d\d)?|t[1-4](?: 20\d\d)?|h[12](?: 20\d\d)?|s[12](?: 20\d\d)?"
    r"|(?:first|second|third|fourth) (?:fiscal )?quarter(?: of (?:fiscal )?20\d\d)?"
    r"|(?:1er|premier|2e|2ème|deuxième|3e|3ème|troisième|4e|4ème|quatrième) trimestre(?: 20\d\d)?"
    r"|(?:neuf|9|six|6) premiers mois(?: de l['’]année)?(?: 20\d\d)?|nine months|first half"
    r"|premier semestre|fiscal (?:year )?20\d\d|fy ?\d{2,4}|exercice 20\d\d(?:/\d\d)?)"
)


MAX_PER_DOCUMENT: Final = 64  # findings per article: past this, the text is a list or a table
MAX_PER_SENTENCE: Final = 16  # a sentence naming more revenue lines than this is a table, not prose


def detect(doc: Document) -> list[Finding]:
    """Revenue findings of a document (one per revenue line that rose or fell)."""
    out: list[Finding] = []
    for i in doc.triggered("revenue"):
        out.extend(_sentence(doc, i))
        if len(out) >= MAX_PER_DOCUMENT or doc.exhausted:
            break
    unify_names(out)
    headline = {(f.company.name, f.fields["metric"]) for f in out if not f.alternative}
    return [
        f for f in out if not f.alternative or (f.company.name, f.fields["metric"]) not in headline
    ]


def _segments(
    text: str, src: str, low: bool, words: Collection[str]
) -> list[tuple[re.Match[str], int, int, int]]:
    """(metric match, pre-region start, region end) for each metric keyword of the sentence
    (``src``: the sentence lowered when ``low``, else ``text``)."""
    marks: list[tuple[int, int, re.Match[str] | None]] = []
    for m in _METRIC.finditer(src, low):
        if m.group("ca") and not text[m.start() : m.end()].isupper():
            continue
        marks.append((m.start(), m.end(), m))
    if not _OTHER_WORDS.isdisjoint(words):
        covered = {k for s, e, _ in marks for k in range(s, e)}
        for o in _OTHER.finditer(src, low):
            if o.start() not in covered:
                marks.append((o.start(), o.end(), None))
    marks.sort(key=lambda t: t[0])
    out: list[tuple[re.Match[str], int, int, int]] = []
    for k, (_s, e, metric) in enumerate(marks):
        if metric is None:
            continue
        pre_start = marks[k - 1][1] if k > 0 else 0
        region_end = marks[k + 1][0] if k + 1 < len(marks) else len(text)
        out.append((metric, pre_start, e, region_end))
    return out


def _sentence(doc: Document, i: int) -> list[Finding]:
    v = doc.view(i)
    text = v.text
    out: list[Finding] = []
    words = doc.words(i)
    if _MOVE_WORDS.isdisjoint(words) and ("%" not in text or not _HAS_FIGURE.search(text)):
        return []  # no change stated: nothing rose or fell
    # the cues search the lowered sentence when lowering keeps every offset
    lowered_text = doc.lowered(i)
    low = lowered_text is not None
    src = text if lowered_text is None else lowered_text
    segments = _segments(text, src, low, words)[:MAX_PER_SENTENCE]
    for metric, pre_start, post_start, region_end in segments:
        post = src[post_start:region_end]
        pre = src[pre_start : metric.start()]
        # the words right before the metric, even across another metric ("forecast revenue")
        near = src[max(0, metric.start() - 40) : metric.start()] + " " + post[:60]
        if _FORWARD.search(_COMPARED_FORWARD.on(low).sub(" ", near), low):
            continue
        figs_post = [f for f in v.figures if post_start <= f.start and f.end <= region_end]
        figs_pre = [f for f in v.figures if pre_start <= f.start and f.end <= metric.start()]
        found = _read(
            doc, i, metric, post_start, region_end, figs_post, figs_pre, pre, post, (src, low)
        )
        if found is not None:
            out.append(found)
    return out


def _read(
    doc: Document,
    i: int,
    metric: re.Match[str],
    post_start: int,
    region_end: int,
    figs_post: list[Figure],
    figs_pre: list[Figure],
    pre: str,
    post: str,
    cues: tuple[str, bool],
) -> Finding | None:
    """``cues``: the sentence for the cue searches and whether it is lowered (``pre`` and
    ``post`` are cut from it)."""
    text = doc.view(i).text
    src, low = cues
    pcts = [f for f in figs_post if f.kind == "percent" and not _is_share(text, f)]
    region_text = post
    if not pcts:
        pre_pcts = [f for f in figs_pre if f.kind == "percent" and not _is_share(text, f)]
        if pre_pcts:
            pcts = pre_pcts[-1:]
            region_text = pre + " " + post
    pct_fig = _pick_pct(src, low, pcts)
    money = [f for f in figs_post if f.kind == "money"]
    amount_fig = _level(text, money)
    change: Decimal | None = None
    direction: str | None = None
    start = _start_value(text, amount_fig, money)
    if amount_fig is not None and start:
        change = (amount_fig.value - start) / start * 100
        direction = "up" if change > 0 else "down" if change < 0 else None
    if pct_fig is not None:
        change = pct_fig.value
        if not pct_fig.signed:
            word = _nearest_direction(src, low, pct_fig)
            if word is None:
                return None  # a percentage with no rise or fall stated: not a change we can read
            if word == "down":
                change = -change
        direction = "up" if change > 0 else "down" if change < 0 else None
    if direction is None:
        direction = _word_direction(region_text[:120], low)
        if direction is None:
            return None
        change = None
    actor, how = _owner(doc, i, metric, post_start)
    if actor is None:
        return None
    figures = [f for f in (amount_fig, pct_fig) if f is not None]
    period_m = _PERIOD.search(
        src, low, max(0, metric.start() - 120), min(len(text), region_end + 60)
    )
    name = "ad revenue" if metric.group("ad") else "revenue"
    fields: dict[str, object] = {
        "metric": name,
        "direction": direction,
        "change_pct": None if change is None else round(float(change), 2),
        "amount": as_float(amount_fig.value) if amount_fig else None,
        "currency": amount_fig.currency if amount_fig else None,
        "period": text[period_m.start() : period_m.end()] if period_m else None,
    }
    values = frozenset(f.value for f in doc.view(i).figures if f.kind == "percent")
    basis = src[max(0, metric.start() - 40) : metric.start()]
    return Finding(
        alternative=_ORGANIC_METRIC.search(basis, low) is not None,
        kind="revenue",
        sentence=i,
        company=actor,
        how=how,
        figures=figures,
        fields=fields,
        confidence=0.85 if pct_fig or amount_fig else 0.65,
        sentence_values=values,
    )


def _is_share(text: str, f: Figure) -> bool:
    """A percentage that is a part of a whole ("makes up 90% of the total"), not a change."""
    if f.signed:
        return False
    return (
        _SHARE_AFTER.search(text[f.end : f.end + 60]) is not None
        or _SHARE_BEFORE.search(text[max(0, f.start - 40) : f.start]) is not None
    )


def _pick_pct(src: str, low: bool, pcts: list[Figure]) -> Figure | None:
    if not pcts:
        return None
    reported = [f for f in pcts if not _ORGANIC.search(src[max(0, f.start - 40) : f.start], low)]
    return (reported or pcts)[0]


def _start_value(text: str, level: Figure | None, money: list[Figure]) -> Decimal | None:
    """The value a revenue level moved from: "from 10 to 12 million", or written after it
    ("climbed to $3.2 billion from $2.9 billion", "à 12 M€, contre 10 M€")."""
    if level is None:
        return None
    if level.from_value is not None:
        return level.from_value
    later = [f for f in money if f.start >= level.end]
    if later and _FROM_AFTER.fullmatch(text[level.end : later[0].start]):
        if later[0].currency in (None, level.currency):
            return later[0].value
    return None


def _level(text: str, money: list[Figure]) -> Figure | None:
    for f in money:
        if f.signed:
            continue
        if _NOT_LEVEL.search(text[max(0, f.start - 25) : f.start]):
            if f.from_value is None:
                continue
        if _RAISED_BEFORE.search(text[max(0, f.start - 40) : f.start]):
            continue
        return f
    return None


def _nearest_direction(src: str, low: bool, fig: Figure) -> str | None:
    """The direction word closest to a percentage ("fell 7%", "a 38 percent decrease")."""
    lo, hi = max(0, fig.start - 50), min(len(src), fig.end + 30)
    best: tuple[int, str] | None = None
    for pattern, name in ((_DOWN, "down"), (_UP, "up")):
        for m in pattern.finditer(src, low, lo, hi):
            dist = fig.start - m.end() if m.end() <= fig.start else m.start() - fig.end
            if best is None or max(dist, 0) < best[0]:
                best = (max(dist, 0), name)
    return best[1] if best else None


def _word_direction(text: str, low: bool) -> str | None:
    down = _DOWN.search(text, low)
    up = _UP.search(text, low)
    if down and (not up or down.start() < up.start()):
        return "down"
    if up:
        return "up"
    return None


def _owner(
    doc: Document, i: int, metric: re.Match[str], post_start: int
) -> tuple[Mention | None, str]:
    v = doc.view(i)
    owner = doc.actor_after(i, post_start, _OWNER_AFTER, vendors=True, limit=30)
    if owner is None:
        owner = doc.actor_after(i, post_start, _OWNER_DESCRIBED, vendors=True, limit=70)
    if owner is not None:
        return owner, "pattern"
    for m in reversed(v.mentions):
        if m.end <= metric.start() and doc.eligible(m, True):
            if _POSSESSIVE.match(v.text[m.end : metric.start()]):
                return m, "pattern"
            break
    actor, how = doc.actor_before(i, metric.start(), vendors=True)
    if actor is None:
        # "X said ad revenue rose 9%, while total revenue grew 8%": a revenue line with no
        # owner in its own clause belongs to the sentence's subject
        subjects = [
            m
            for m in v.mentions
            if m.end <= metric.start()
            and doc.eligible(m, True)
            and not v.in_appositive(m)
            and not is_oblique(v.text, m)
            and not in_relative(v.text, m)
        ]
        if subjects:
            return subjects[0], "subject"
        for m in v.mentions:
            # "Revenue was $4.2 billion, up 9%, Zentra said": the reporting clause's subject
            if m.start <= metric.end() or not doc.eligible(m, True):
                continue
            lead = v.text[max(0, m.start - 40) : m.start]
            if (_REPORTER.match(v.text, m.end) and _REPORTER_BEFORE.search(lead)) or (
                _REPORTER_INVERTED.search(lead)
            ):
                return m, "subject"
        if _PRONOUN_AFTER.search(v.text, metric.end(), min(len(v.text), metric.end() + 100)):
            # "Subscription revenue from its paid tier doubled, the company said"
            prev = doc.previous_actor(i, True)
            if prev is not None:
                return prev, "pronoun"
    return actor, how
