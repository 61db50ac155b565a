"""Table-driven detector tests: sentences written for these tests, in French and English."""

from __future__ import annotations

from typing import Any

import pytest

from signals import Signal
from signals.detect import detect_text


def _one(signals: list[Signal], kind: str) -> Signal:
    mine = [s for s in signals if s.kind == kind]
    assert len(mine) == 1, [(s.kind, s.company, s.amount, s.quantity) for s in signals]
    return mine[0]


def _check(signal: Signal, expected: dict[str, Any]) -> None:
    for key, value in expected.items():
        got = getattr(signal, key)
        if isinstance(value, float) and got is not None:
            assert got == pytest.approx(value), key
        else:
            assert got == value, key


FUNDING = [
    # (language, text, company, amount, currency, extra expectations)
    (
        "en",
        "Acme Robotics, a Berlin-based startup, has raised $40 million in a Series B round "
        "led by Index Ventures.",
        "Acme Robotics",
        40e6,
        "USD",
        {"round": "Series B"},
    ),
    (
        "en",
        "Nimbus Labs raised €12m in seed funding from a group of angel investors.",
        "Nimbus Labs",
        12e6,
        "EUR",
        {"round": "Seed"},
    ),
    (
        "en",
        "Quantix closes $250M Series C at a $2.1 billion valuation.",
        "Quantix",
        250e6,
        "USD",
        {"valuation": 2.1e9, "valuation_currency": "USD", "round": "Series C"},
    ),
    ("en", "Vireo secured £8m to expand into new markets.", "Vireo", 8e6, "GBP", {}),
    ("en", "Index led a $50 million investment in Corvex.", "Corvex", 50e6, "USD", {}),
    (
        "en",
        "Investors led by Sequoia poured $100 million into Fernway.",
        "Fernway",
        100e6,
        "USD",
        {"confidence": 0.7},
    ),
    (
        "fr",
        "Bpifrance a investi 5 millions d'euros dans la start-up Kolibri.",
        "Kolibri",
        5e6,
        "EUR",
        {},
    ),
    (
        "en",
        "Paris-based Kairos has landed $30M in Series A financing.",
        "Kairos",
        30e6,
        "USD",
        {"round": "Series A"},
    ),
    (
        "en",
        "Orbitly, which makes satellite software, raised $6.5 billion from sovereign funds.",
        "Orbitly",
        6.5e9,
        "USD",
        {},
    ),
    (
        "en",
        "Helio is in talks to raise $500 million, according to people familiar with the matter.",
        "Helio",
        500e6,
        "USD",
        {"status": "pending", "hedged": True},
    ),
    (
        "fr",
        "La start-up lyonnaise Bioxal lève 15 millions d'euros auprès de Bpifrance et de Eurazeo.",
        "Bioxal",
        15e6,
        "EUR",
        {"investors": ["Bpifrance", "Eurazeo"]},
    ),
    (
        "fr",
        "Spendy a bouclé un tour de table de 20 M€ mené par Partech.",
        "Spendy",
        20e6,
        "EUR",
        {"investors": ["Partech"]},
    ),
    (
        "fr",
        "Numéo annonce une levée de fonds de 7,5 millions d’euros en série A.",
        "Numéo",
        7.5e6,
        "EUR",
        {"round": "Series A"},
    ),
    ("fr", "Chez Pennylane, on a récolté 40 M€ pour accélérer.", "Pennylane", 40e6, "EUR", {}),
    (
        "fr",
        "Dans un communiqué, Verdane a levé six milliards de dollars pour son expansion.",
        "Verdane",
        6e9,
        "USD",
        {},
    ),
    (
        "fr",
        "Selon Les Echos, Hexa serait en discussions pour lever 100 millions d'euros.",
        "Hexa",
        100e6,
        "EUR",
        {"status": "pending", "hedged": True},
    ),
    (
        "fr",
        "Le fabricant de drones Skyla obtient 3,2 Md$ pour construire son usine.",
        "Skyla",
        3.2e9,
        "USD",
        {},
    ),
]


@pytest.mark.parametrize(("lang", "text", "company", "amount", "currency", "extra"), FUNDING)
def test_funding(
    lang: str, text: str, company: str, amount: float, currency: str, extra: dict[str, Any]
) -> None:
    s = _one(detect_text(text, language=lang), "funding")
    _check(s, {"company": company, "amount": amount, "currency": currency, **extra})
    assert s.amount_usd is not None and s.fx_date is not None


NOT_FUNDING = [
    # valuation is not a round
    ("en", "Helix Bio, which was valued at $3 billion last year, did not comment."),
    ("fr", "Valorisée 1,2 milliard d'euros, la licorne Qonto n'a pas levé de fonds cette année."),
    # one investor's ticket is not a round
    ("en", "Sequoia invested $20 million in the round."),
    ("fr", "Le fonds Elaia a investi 3 millions d'euros dans ce tour de table."),
    # denied rumours are not signals
    ("en", "Orbital denied reports that it had raised $100 million."),
    (
        "en",
        "A report that Zentro has secured $300 million is inaccurate, its chief executive said.",
    ),
    # market-wide totals are not a company's raise
    ("en", "European AI startups raised a record $12bn in 2024, according to Dealroom."),
    ("fr", "Les start-up de la French Tech ont levé 8 milliards d'euros en 2023."),
    # cumulative totals are not rounds
    ("en", "Boltwise has now raised $85 million in total since its founding."),
    ("fr", "Le total des fonds levés par Alan atteint désormais 500 millions d'euros."),
    # a VC fund closing and an acquisition price are not raises
    ("en", "Lumen Capital closed a new $400 million fund to back early-stage founders."),
    ("en", "Microsoft agreed to acquire Fieldstone for $1.2 billion."),
    # spending, contracts and public investment are not raises
    ("en", "Corvex announced a $500 million investment in a new factory in Ohio."),
    ("en", "Corvex secured a $2 billion contract with the Army."),
    ("fr", "Le gouvernement va investir 2 milliards d'euros dans les semi-conducteurs."),
    # profit is not a raise
    ("en", "Net income rose 35% to $15.7 billion in the quarter."),
    # a plural group raising in a sentence that cites a source
    ("fr", "Selon le baromètre EY, les start-up françaises ont levé 7 milliards d'euros."),
    # spending plans are not funding
    ("fr", "Le groupe va dépenser 2 milliards d'euros dans ses centres de données."),
]


@pytest.mark.parametrize(("lang", "text"), NOT_FUNDING)
def test_not_funding(lang: str, text: str) -> None:
    assert [s for s in detect_text(text, language=lang) if s.kind == "funding"] == []


GPU = [
    (
        "en",
        "Microsoft bought 485,000 Nvidia Hopper chips this year, analysts estimate.",
        "Microsoft",
        485_000,
        {"status": "acquired", "vendor": "Nvidia", "model": "Hopper"},
    ),
    (
        "en",
        "CoreWeave operates more than 250,000 GPUs across 32 data centers.",
        "CoreWeave",
        250_000,
        {"status": "operates"},
    ),
    (
        "en",
        "Lambda has ordered 20,000 B200 GPUs for delivery next year.",
        "Lambda",
        20_000,
        {"status": "ordered", "model": "B200", "vendor": "Nvidia"},
    ),
    (
        "en",
        "Oracle plans to deploy 50,000 units of AMD's MI450 accelerators next year.",
        "Oracle",
        50_000,
        {"status": "targets", "vendor": "AMD", "model": "MI450"},
    ),
    (
        "fr",
        "Mistral AI va déployer 18 000 puces Grace Blackwell dans son centre de données.",
        "Mistral AI",
        18_000,
        {},
    ),
    (
        "fr",
        "Iliad a commandé 5\u202f000 GPU supplémentaires auprès de Nvidia.",
        "Iliad",
        5_000,
        {"status": "ordered"},
    ),
    (
        "fr",
        "Le groupe Kalima vise 10 millions de GPU d'ici 2030.",
        "Kalima",
        10_000_000,
        {"status": "targets"},
    ),
    (
        "fr",
        "Tessar exploite déjà 12\u00a0000 processeurs graphiques.",
        "Tessar",
        12_000,
        {"status": "operates"},
    ),
]


@pytest.mark.parametrize(("lang", "text", "company", "quantity", "extra"), GPU)
def test_gpu(lang: str, text: str, company: str, quantity: int, extra: dict[str, Any]) -> None:
    s = _one(detect_text(text, language=lang), "gpu_procurement")
    _check(s, {"company": company, "quantity": quantity, **extra})


def test_gpu_deal_without_a_count() -> None:
    text = "Brava a signé un accord avec Nvidia pour l'achat de millions de puces."
    s = _one(detect_text(text, language="fr"), "gpu_procurement")
    assert (s.company, s.quantity, s.vendor) == ("Brava", None, "Nvidia")


def test_gpu_elliptic_count_refers_to_the_previous_sentence() -> None:
    text = (
        "Les GPU sont rares. Zephyr n'en opère que 8 000, auxquels s'ajouteraient "
        "les 2 000 de Kora."
    )
    found = {(s.company, s.quantity) for s in detect_text(text, language="fr")}
    assert found == {("Zephyr", 8_000), ("Kora", 2_000)}


NOT_GPU = [
    # vendor shipments and sales are not procurement
    ("en", "Nvidia shipped 3.76 million data center GPUs in 2023."),
    ("fr", "Nvidia a vendu 500 000 H100 au troisième trimestre."),
    # reviews and retail prices
    ("en", "We tested the RTX 4090, which sells for $1,599."),
    # prizes in GPU hours, megawatts, servers
    ("fr", "Le concours est doté d'un million d'euros de puissance de calcul GPU."),
    ("en", "The cluster will draw 150 MW and house 5,000 servers."),
    ("en", "Lumen operates 5,000 servers with 8 GPUs each."),
    # H100-equivalents of compute are not a GPU count
    ("en", "Vesta will operate 600,000 H100 equivalents of compute."),
    ("en", "The automaker plans to have the equivalent of 85,000 H100 GPUs by year end."),
]


@pytest.mark.parametrize(("lang", "text"), NOT_GPU)
def test_not_gpu(lang: str, text: str) -> None:
    assert [s for s in detect_text(text, language=lang) if s.kind == "gpu_procurement"] == []


REVENUE = [
    (
        "en",
        "Nvidia's revenue jumped 122% to $30 billion in the second quarter.",
        "Nvidia",
        {"direction": "up", "change_pct": 122.0, "amount": 30e9, "currency": "USD"},
    ),
    (
        "en",
        "Spotify reported quarterly revenue of €3.8 billion, up 21% year over year.",
        "Spotify",
        {"direction": "up", "change_pct": 21.0, "amount": 3.8e9, "currency": "EUR"},
    ),
    (
        "en",
        "Lumio's advertising revenue halved in the region.",
        "Lumio",
        {"direction": "down", "change_pct": -50.0, "metric": "ad revenue"},
    ),
    (
        "en",
        "Sales at Tesla fell for the first time in a decade.",
        "Tesla",
        {"direction": "down", "change_pct": None},
    ),
    (
        "en",
        "Cygnet said revenue was down 20% year over year.",
        "Cygnet",
        {"direction": "down", "change_pct": -20.0},
    ),
    (
        "fr",
        "Ubisoft voit son chiffre d'affaires reculer de 12,5 % au premier semestre.",
        "Ubisoft",
        {"direction": "down", "change_pct": -12.5},
    ),
    (
        "fr",
        "Le chiffre d'affaires de Capgemini passe de 10 à 12 milliards d'euros.",
        "Capgemini",
        {"direction": "up", "change_pct": 20.0, "amount": 12e9, "currency": "EUR"},
    ),
    (
        "fr",
        "Les ventes de Renault ont doublé en Inde.",
        "Renault",
        {"direction": "up", "change_pct": 100.0},
    ),
    (
        "fr",
        "TF1 a vu ses recettes publicitaires baisser de moitié pendant le confinement.",
        "TF1",
        {"direction": "down", "change_pct": -50.0, "metric": "ad revenue"},
    ),
    (
        "fr",
        "Orane enregistre un chiffre d'affaires de 308,0 ME, en hausse de +3,1 %.",
        "Orane",
        {"direction": "up", "change_pct": 3.1, "amount": 308e6, "currency": "EUR"},
    ),
]


@pytest.mark.parametrize(("lang", "text", "company", "extra"), REVENUE)
def test_revenue(lang: str, text: str, company: str, extra: dict[str, Any]) -> None:
    s = _one(detect_text(text, language=lang), "revenue")
    _check(s, {"company": company, **extra})


NOT_REVENUE = [
    ("en", "Snap's net income fell 20% in the quarter."),
    ("en", "Alphabet expects revenue to grow 10% next year."),
    ("en", "Intel shares dropped 26% after the report."),
    ("en", "Valdo's EBITDA rose 8% to $2 billion."),
    ("fr", "Le bénéfice net de LVMH a baissé de 14 %."),
    ("fr", "Le groupe vise une croissance de son résultat opérationnel d'environ 10 %."),
    ("fr", "Elle a licencié la moitié de ses 7 500 salariés."),
    ("fr", "Le cours de l'action a chuté de 12 % en séance."),
]


@pytest.mark.parametrize(("lang", "text"), NOT_REVENUE)
def test_not_revenue(lang: str, text: str) -> None:
    assert [s for s in detect_text(text, language=lang) if s.kind == "revenue"] == []


def test_two_clauses_two_directions() -> None:
    text = "Orvane's cloud revenue grew 20% while its gaming revenue fell 7%."
    found = [(s.company, s.direction, s.change_pct) for s in detect_text(text, language="en")]
    assert found == [("Orvane", "up", 20.0), ("Orvane", "down", -7.0)]


def test_rounds_in_one_sentence_keep_their_own_series() -> None:
    text = (
        "Meanwhile, Berlin's Parloa closed a $120 million Series C, and Lisbon-based Sword "
        "Health secured $40 million."
    )
    found = [(s.company, s.amount, s.round) for s in detect_text(text, language="en")]
    assert found == [("Parloa", 120e6, "Series C"), ("Sword Health", 40e6, None)]


def test_background_round_named_by_possessive_belongs_to_the_company() -> None:
    body = (
        "Berlin-based Tacto has raised €50 million in a Series B. The round was led by "
        "Sequoia, which also backed its €20 million Series A last year."
    )
    found = [(s.company, s.amount, s.round) for s in detect_text(body, language="en")]
    assert found == [("Tacto", 50e6, "Series B"), ("Tacto", 20e6, "Series A")]


def test_an_earlier_cumulative_investment_is_not_a_new_raise() -> None:
    body = (
        "Verano said it had closed a $600 million funding round. Quorix, which has already "
        "invested $1 billion in Verano, participated."
    )
    found = [(s.company, s.amount) for s in detect_text(body, language="en")]
    assert found == [("Verano", 600e6)]


def test_french_plunge_is_down() -> None:
    (s,) = detect_text("Lumière a vu ses ventes plonger de 25 %.", language="fr")
    assert (s.company, s.direction, s.change_pct) == ("Lumière", "down", -25.0)


def test_count_of_them_refers_to_gpus_named_before() -> None:
    text = (
        "Orvane and Kelda are among the largest buyers of H100 chips; Kelda said it would have "
        "about 90,000 of them by year end."
    )
    found = [(s.company, s.quantity) for s in detect_text(text, language="en")]
    assert found == [("Kelda", 90_000)]


def test_the_company_means_the_previous_subject_not_a_name_in_its_apposition() -> None:
    text = (
        "Verity, the startup behind the Lumo assistant, said it raised $80 million. "
        "The company is building a cluster of 12,000 H100 GPUs."
    )
    found = {(s.kind, s.company) for s in detect_text(text, language="en")}
    assert found == {("funding", "Verity"), ("gpu_procurement", "Verity")}


def test_headline_without_a_company_gives_no_signal() -> None:
    body = "Selon le baromètre EY, les jeunes pousses ont connu un semestre difficile."
    assert detect_text(body, title="La French Tech a levé 7 milliards", language="fr") == []


def test_pronoun_subject_resolves_to_the_company_named_before() -> None:
    text = (
        "Corvel builds tools for dentists. Today the startup said it had raised $9 million "
        "in a seed round."
    )
    s = _one(detect_text(text, language="en"), "funding")
    assert (s.company, s.amount, s.round) == ("Corvel", 9e6, "Seed")
    assert s.confidence < 0.85


def test_title_and_body_restating_the_same_round_give_one_signal() -> None:
    title = "Kestrel lève 12 millions d'euros"
    body = "La start-up Kestrel a levé 12 millions d'euros en série A auprès de Serena."
    (s,) = detect_text(body, title=title, language="fr")
    assert (s.company, s.amount, s.round, s.evidence.field) == ("Kestrel", 12e6, "Series A", "body")


def test_valued_subsidiary_is_the_one_that_raised() -> None:
    body = (
        "Le groupe Altara vient de lever 2 milliards de dollars pour ses projets. "
        "Valorisée 9 milliards de dollars, Altara Labs, la filiale IA d'Altara, recrute."
    )
    s = _one(detect_text(body, language="fr"), "funding")
    assert (s.company, s.company_mention, s.valuation) == ("Altara Labs", "Altara", 9e9)


def test_user_alias_data_maps_names_to_canonical() -> None:
    extra = {"companies": [{"name": "Kestrel Systems", "aliases": ["Kestrel"]}]}
    (s,) = detect_text("Kestrel raised $5 million.", language="en", aliases=extra)
    assert (s.company, s.company_mention) == ("Kestrel Systems", "Kestrel")
