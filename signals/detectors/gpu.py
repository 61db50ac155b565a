"""GPU procurement: a count of GPUs or accelerators tied to a buyer or operator, with a verb."""

from __future__ import annotations

import re
from typing import Final

from signals.build import Finding, unify_names
from signals.cues import Cue, by_first_letter, lowered
from signals.document import Document
from signals.entities import Mention
from signals.numbers import Figure
from signals.text import is_word_char

_NOUN: Final = (
    r"(?:gpus?|puces?(?: (?:ia|d['’]ia|graphiques))?|(?:ai )?chips?|accelerators?|accélérateurs?"
    r"|processeurs graphiques|cartes graphiques|superchips?|graphics cards?|graphics processors?"
    r"|tpus?|[hbal]\d{2,3}s?|gb\d{3}s?|gh\d{3}s?|mi\d{3}x?s?|blackwell|hopper|rubin|instinct"
    r"|gaudi ?\d?s?|ascend(?: \d+\w?)?|trainium\d?s?|inferentia\d?s?|maia|mtia)"
)
# a name right before a GPU noun names the product, not the buyer ("Trainium chips")
_MODIFIER: Final = re.compile(rf"\s+(?:[\w\-]+\s+)?{_NOUN}(?![\w])", re.IGNORECASE)
_ELLIPSIS_VERBS: Final = (
    "opère exploite possède détient compte utilise a aurait dispose achète commande veut vise"
)
_ELLIPSIS: Final = re.compile(
    rf"\b(?:n['’]en|en) (?:{'|'.join(_ELLIPSIS_VERBS.split())})\b"
    r"|\b(?:les|the) \d[\d  .,]* (?:de|of) [A-Z]|\d[\d  .,]* of (?:them|those|these)\b",
)
# _ELLIPSIS's three forms, each searched alone and only when the text holds what it needs:
# "en opère" (a word "en", then a verb: "n'en" ends with one), "les 30 000 de Nvidia" (a digit,
# "les "/"the " and " de "/" of "), "350,000 of them" (a digit and " of th"). The first two
# open with a literal or two, which ``re`` finds fast; the word boundary before them is
# checked on each match (see _at_word_start).
_EN_VERB: Final = re.compile(f"en (?:{'|'.join(_ELLIPSIS_VERBS.split())})\\b")
_LES_THE: Final = re.compile(r"(?:les|the) \d[\d  .,]* (?:de|of) [A-Z]")
_OF_THEM: Final = re.compile(r"\d[\d  .,]* of (?:them|those|these)\b")
_DIGIT: Final = re.compile(r"\d")
_UNITS: Final = r"(?:units?|unités?|exemplaires|pieces)"
_BASE_BEFORE: Final = re.compile(
    r"\b(?:up from|compared with|contre|from|de|depuis)\s+(?:about |roughly |around |some "
    r"|nearly |environ |quelque |près de |à peine )?$",
    re.IGNORECASE,
)
# a bare count followed by a time (or nothing): no other unit is named
_BASE_AFTER: Final = re.compile(
    r"^\s*(?:[,.;:)]|$|today|now|currently|at present|at the moment|a year (?:ago|earlier)"
    r"|last year|aujourd['’]hui|actuellement|à ce jour|il y a|l['’]an dernier|in 20\d\d"
    r"|en 20\d\d)",
    re.IGNORECASE,
)
_COUNTED: Final = re.compile(
    rf"^\s*(?:(?:{_UNITS}\s+)?(?:of|de|d['’])\s*)?(?:[\w’'\-]+\s+){{0,3}}?{_NOUN}(?![\w])"
    rf"|^\s*(?:d['’]|de\s+|of\s+)?{_UNITS}\b",
    re.IGNORECASE,
)
# "50,000 GPU hours", "200 000 heures GPU": compute time (a prize, a grant), not chips
_HOURS: Final = re.compile(
    rf"^\s*(?:(?:[\w\-]+\s+){{0,2}}?{_NOUN}[\s\-]*hours?\b|(?:d['’])?heures?\b)",
    re.IGNORECASE,
)
# "son supercalculateur Orion", "its Colossus supercomputer": a machine's name, not its operator
_MACHINE_NOUN: Final = (
    r"(?:supercalculateur|supercomputer|superordinateur|cluster|grappe|machine|system|système"
    r"|calculateur|ordinateur|computer|data ?cent(?:er|re)|campus|installation)s?"
)
_MACHINE_BEFORE: Final = re.compile(
    rf"\b(?:son|sa|ses|leur|its|their|the|le|la|l['’]|un|une|a|new|nouveau|nouvelle)\s+"
    rf"(?:[\w\-]+\s+){{0,2}}?{_MACHINE_NOUN}\s*$",
    re.IGNORECASE,
)
_MACHINE_AFTER: Final = re.compile(
    rf"(?:\s*,\s*(?:un|une|a|an|the|le|la|son|sa|its|their)\s+(?:[\w\-]+\s+){{0,2}}?|\s+)"
    rf"{_MACHINE_NOUN}\b",
    re.IGNORECASE,
)
# "300 MW, enough for 100,000 GPUs": a capacity, not GPUs bought or run. The look-ahead for
# a letter, tested before ``\b``, turns spaces and marks away at once (a quarter of the cost)
_CAPACITY_BEFORE: Final = re.compile(
    r"(?=[a-z])\b(?:enough (?:for|to (?:power|run|host))|room for|space for"
    r"|capable of (?:hosting|housing|powering)|could (?:host|house|power)|assez pour"
    r"|de quoi (?:alimenter|accueillir)"
    r"|capable d['’](?:accueillir|alimenter|héberger)|pourrait (?:accueillir|héberger))\s+"
    r"(?:up to |jusqu['’]à |about |around |environ |some )?$",
    re.IGNORECASE,
)
_EQUIVALENT: Final = re.compile(r"^[^,;.]{0,40}\b(?:equivalents?|équivalents?)\b", re.IGNORECASE)
_OTHER_UNIT: Final = re.compile(
    r"\b(?:servers?|serveurs?|nodes?|nœuds?|racks?|clusters?|systems?|systèmes?|machines?|pods?"
    r"|baies|boards?|cartes mères|data ?centers?|centres?|with|avec|each|chacun\w*|per|par)\b",
    re.IGNORECASE,
)
_EQUIVALENT_BEFORE: Final = re.compile(
    r"\b(?:equivalent of|l['’]équivalent de|équivalent à|equivalent to)\s*(?:\w+\s+)?$",
    re.IGNORECASE,
)
_BARE: Final = re.compile(
    r"^\s*(?:[,.;:)]|$|(?:de|of|chez|at)\s+[A-Z]|\s*(?:et|and|,)\s|of (?:them|those|these)\b)"
)
_OWNER_AFTER: Final = re.compile(r"^\s*(?:de|d['’]|of|chez|for|pour|at|to|à)\s*(?:la |le |l['’])?$")
_INDEFINITE: Final = re.compile(
    rf"\b(?:des|de|several|plusieurs|hundreds of|thousands of|millions of|tens of thousands of"
    rf"|des centaines de milliers de|des dizaines de milliers de|des milliers de|des millions de"
    rf"|de milliers de|de millions de)\s+(?:de\s+|d['’]|of\s+)?(?:[\w’'\-]+\s+){{0,2}}?{_NOUN}\b",
    re.IGNORECASE,
)
_MANY_WORDS: Final = frozenset(
    "millions milliers thousands hundreds dizaines centaines tens several plusieurs".split()
)
_PURCHASE: Final = re.compile(
    r"\b(?:achat|acheter|achète|acquérir|acquiert|acquis|commande\w*|order\w*|buy\w*|bought"
    r"|purchas\w*|deal|accord|contrat|contract|supply)\b",
    re.IGNORECASE,
)
_SHIP: Final = Cue(
    r"\b(?:ship\w*|sold|sells?|sell|livr\w*|vend\w*|produc\w*|fabriqu\w*|manufactur\w*)\b"
)
_STATUS: Final = (
    (
        "ordered",
        Cue(
            r"\b(?:order\w*|command\w*|supply deal|deal to buy|agreed to buy|accord|contrat"
            r"|contract|réserv\w*)\b"
        ),
    ),
    (
        "acquired",
        Cue(
            r"\b(?:bought|purchased|acquired|acquis|acheté|a acheté|received|reçu|took delivery"
            r"|a acquis|snapped up)\b"
        ),
    ),
    (
        "targets",
        Cue(
            r"\b(?:"
            + by_first_letter(
                r"prévoi\w*|vise\w*|viser|atteindre|objectif|plan\w*|aim\w*|expects?|expected"
                r"|will|would|to (?:field|operate|deploy|reach|have|buy|acquire)|by (?:the )?end of"
                r"|by year[- ]end|d['’]ici|veut|souhaite|ambitionne"
                r"|compte (?:acheter|acquérir|déployer)"
                r"|hopes?|intends?|goal|target\w*|could|pourrait|devrait"
            )
            + r")\b"
        ),
    ),
)
_MODEL: Final = re.compile(
    r"\b(?:[HBAL]\d{2,3}|GB\d{3}|GH\d{3}|MI\d{3}X?|TPU ?v?\d*\w?|Blackwell|Hopper|Rubin|Gaudi ?\d?"
    r"|Ascend ?\d+\w?)(?=s?\b)"
)
_MODEL_VENDOR: Final = (
    (re.compile(r"^(?:[HBAL]\d|GB|GH|Blackwell|Hopper|Rubin)"), "Nvidia"),
    (re.compile(r"^MI\d"), "AMD"),
    (re.compile(r"^Gaudi"), "Intel"),
    (re.compile(r"^TPU"), "Google"),
    (re.compile(r"^Ascend"), "Huawei"),
)
_GPU_CONTEXT_BACK: Final = 2


MAX_PER_DOCUMENT: Final = 64  # findings per article: past this, the text is a list or a table
MAX_PER_SENTENCE: Final = 16  # counts read per sentence: a longer list is a table, not prose


def detect(doc: Document) -> list[Finding]:
    """GPU procurement findings of a document (one per count, or per deal without a count)."""
    out: list[Finding] = []
    nouns = doc.triggered("gpu_procurement")
    elliptic: dict[int, bool] = {}

    def is_elliptic(j: int) -> bool:
        found = elliptic.get(j)
        if found is None:
            found = elliptic[j] = _elliptic(doc.sentences[j].text)
        return found

    # a sentence naming GPUs may also count them elliptically ("350,000 of them")
    todo: dict[int, bool] = {i: is_elliptic(i) for i in nouns}
    for i in nouns:
        # "xAI n'en opère que 30 000": "en" stands for the GPUs of a sentence just before
        for j in range(i + 1, min(i + 1 + _GPU_CONTEXT_BACK, len(doc.sentences))):
            if (j < doc.n_title) == (i < doc.n_title) and is_elliptic(j):
                todo[j] = True
    for i in sorted(todo):
        out.extend(_sentence(doc, i, todo[i]))
        if len(out) >= MAX_PER_DOCUMENT or doc.exhausted:
            break
    return unify_names(out)


def _elliptic(text: str) -> bool:
    """Whether a sentence counts GPUs named elsewhere ("n'en opère que", "350,000 of them")."""
    # ``_ELLIPSIS.search(text) is not None``, one form at a time: most sentences hold none of
    # the strings a form needs, and skip its regex (the full alternation costs tens of
    # instructions at every position)
    if "en " in text and _at_word_start(text, _EN_VERB):
        return True
    if _DIGIT.search(text) is None:
        return False
    if " of th" in text and _OF_THEM.search(text) is not None:
        return True
    return (
        ("les " in text or "the " in text)
        and (" de " in text or " of " in text)
        and _at_word_start(text, _LES_THE)
    )


def _at_word_start(text: str, pattern: re.Pattern[str]) -> bool:
    """Whether ``\\b`` + ``pattern`` matches in ``text``: a match of ``pattern`` (which opens
    with a word) right after a non-word character. No match can open inside another one."""
    for m in pattern.finditer(text):
        s = m.start()
        if s == 0 or not is_word_char(text[s - 1]):
            return True
    return False


def _sentence(doc: Document, i: int, elliptic: bool) -> list[Finding]:
    v = doc.view(i)
    text = v.text
    out: list[Finding] = []
    counts = [f for f in v.figures if f.kind == "count" and not f.signed][:MAX_PER_SENTENCE]
    accepted_any = False
    for fig in counts:
        if fig.value < 100 or (1900 <= fig.value <= 2100 and text[fig.start : fig.end].isdigit()):
            continue
        after = text[fig.end : fig.end + 80]
        hit = _COUNTED.search(after)
        # "5,000 servers with 8 GPUs each": the count is of servers, not of GPUs
        counted = hit is not None and _OTHER_UNIT.search(after, 0, hit.end()) is None
        # "50,000 GPUs by 2026, up from roughly 8,000 today": the same unit, counted now
        base = (
            not counted
            and accepted_any
            and _BASE_BEFORE.search(text, max(0, fig.start - 30), fig.start) is not None
            and _BASE_AFTER.match(after) is not None
        )
        if not counted and not base and not ((elliptic or accepted_any) and _BARE.search(after)):
            continue
        if _HOURS.search(after) or _CAPACITY_BEFORE.search(text, max(0, fig.start - 40), fig.start):
            continue
        if _EQUIVALENT.search(after) or _EQUIVALENT_BEFORE.search(
            text, max(0, fig.start - 40), fig.start
        ):
            continue
        finding = _finding(doc, i, fig)
        if finding is not None:
            if base:
                finding.fields["status"] = "operates"
            accepted_any = True
            out.append(finding)
    if not out and not _MANY_WORDS.isdisjoint(doc.words(i)):
        m = _INDEFINITE.search(text)
        if m and _PURCHASE.search(text):
            actor, how = doc.actor_before(i, m.start(), not_before=_MODIFIER)
            if actor is not None and not _vendor_ships(doc, i, m.start()):
                out.append(_make(doc, i, actor, how, None, m.start(), m.end(), 0.6))
    return out


def _finding(doc: Document, i: int, fig: Figure) -> Finding | None:
    v = doc.view(i)
    owner = doc.actor_after(i, fig.end, _OWNER_AFTER, vendors=False, limit=12)
    how = "pattern"
    actor: Mention | None = owner
    if actor is None:
        if _vendor_ships(doc, i, fig.start):
            return None
        actor, how = doc.actor_before(i, fig.start, not_before=_MODIFIER)
        if actor is not None and _is_machine(v.text, actor):
            machine = actor
            actor, how = doc.actor_before(i, machine.start, not_before=_MODIFIER)
            if actor is not None and (actor.name == machine.name or _is_machine(v.text, actor)):
                actor = None
    if actor is None:
        return None
    finding = _make(doc, i, actor, how, fig, fig.start, fig.end, 0.85)
    finding.figures = [fig]
    del v
    return finding


def _is_machine(text: str, m: Mention) -> bool:
    """Whether the name ``m`` names a machine ("son supercalculateur Orion")."""
    return (
        _MACHINE_BEFORE.search(text[max(0, m.start - 60) : m.start]) is not None
        or _MACHINE_AFTER.match(text, m.end) is not None
    )


# "Le fabricant américain, qui revendique avoir livré 500 000 accélérateurs": a maker's output
_MAKER: Final = Cue(
    r"\b(?:(?:le|the|ce|this) (?:fabricant|fondeur|concepteur|chipmaker|chip maker|manufacturer"
    r"|vendor|supplier|chip designer))\b"
)


def _vendor_ships(doc: Document, i: int, pos: int) -> bool:
    """The nearest name before ``pos`` is a GPU vendor that ships or sells: not procurement."""
    v = doc.view(i)
    lowered_text = doc.lowered(i)
    low = lowered_text is not None
    text = v.text if lowered_text is None else lowered_text
    maker = _MAKER.search(text, low, 0, pos)
    if maker is not None and _SHIP.search(text, low, maker.end(), pos) is not None:
        return True
    before = [m for m in v.mentions if m.end <= pos and m.role in ("company", "vendor")]
    if not before or before[-1].role != "vendor":
        return False
    return _SHIP.search(text[before[-1].end : pos], low) is not None


def _make(
    doc: Document,
    i: int,
    actor: Mention,
    how: str,
    fig: Figure | None,
    start: int,
    end: int,
    confidence: float,
) -> Finding:
    text = doc.view(i).text
    lo, hi = max(0, start - 90), min(len(text), end + 60)
    window = text[lo:hi]
    low_text = doc.lowered(i)
    # a slice of the lowered sentence is the lowered window (when lowering keeps offsets)
    low = lowered(window) if low_text is None else low_text[lo:hi]
    status = "operates"
    for name, pattern in _STATUS:
        if pattern.search(window if low is None else low, low is not None):
            status = name
            break
    model_m = None
    for m in _MODEL.finditer(text):
        if model_m is None or abs(m.start() - end) < abs(model_m.start() - end):
            model_m = m
    model = model_m.group() if model_m else None
    vendor = None
    vendors = [m for m in doc.view(i).mentions if m.role == "vendor"]
    if vendors:
        vendor = min(vendors, key=lambda m: abs(m.start - end)).name
    elif model:
        vendor = next((name for p, name in _MODEL_VENDOR if p.match(model)), None)
    quantity = int(fig.value) if fig is not None else None
    return Finding(
        kind="gpu_procurement",
        sentence=i,
        company=actor,
        how=how,
        fields={"quantity": quantity, "vendor": vendor, "model": model, "status": status},
        confidence=confidence if quantity is not None else confidence - 0.2,
        sentence_values=frozenset(f.value for f in doc.view(i).figures if f.kind == "count"),
    )
