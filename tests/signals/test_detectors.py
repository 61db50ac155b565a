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


# --- generalisation rules (one row per rule and language) ------------------------------------

# (language, text, title, expected (kind, company, figure) set: figure = amount, quantity or
# change_pct)
GENERAL = [
    # an amount inside a relative clause describing a name belongs to that name
    (
        "en",
        "Tallmark sells to banks and competes with Orrery, a Boston startup that raised "
        "$22 million in a Series A last year.",
        None,
        {("funding", "Orrery", 22e6)},
    ),
    (
        "fr",
        "Verdane affronte Lumio, une start-up lyonnaise qui a levé 9 millions d'euros l'an "
        "dernier.",
        None,
        {("funding", "Lumio", 9e6)},
    ),
    # a pronoun ("the startup") never stands for a backer named after an investor cue
    (
        "en",
        "Pellucid raises $10 million. The round is led by growth fund Northwind Partners. "
        "The startup had already raised a $2 million seed round in 2023.",
        None,
        {("funding", "Pellucid", 10e6), ("funding", "Pellucid", 2e6)},
    ),
    (
        "fr",
        "Pellucid lève 10 millions d'euros. L'opération est menée par le fonds Vallée "
        "Croissance. La jeune pousse avait déjà levé 2 millions d'euros en 2023.",
        None,
        {("funding", "Pellucid", 10e6), ("funding", "Pellucid", 2e6)},
    ),
    # a short name in the title is the fuller name of the body
    (
        "en",
        "Brightmoor Health has secured £15m in a Series A round.",
        "Brightmoor secures £15m",
        {("funding", "Brightmoor Health", 15e6)},
    ),
    (
        "fr",
        "Lumen Bio a levé 4 millions d'euros en amorçage.",
        "Lumen lève 4 M€",
        {("funding", "Lumen Bio", 4e6)},
    ),
    # a name listed in the headline is a name when it opens a body sentence
    (
        "fr",
        "Tessel, application de covoiturage rural, lève 2 M€ auprès de business angels.",
        "Les levées de la semaine : Tessel, Broca et Mirai",
        {("funding", "Tessel", 2e6)},
    ),
    (
        "en",
        "Tessel, maker of rural car-pooling software, raises $2 million from angels.",
        "This week's rounds: Tessel, Broca and Mirai",
        {("funding", "Tessel", 2e6)},
    ),
    # a participle opening a sentence is not a name ("Founded in 2019, ...")
    (
        "en",
        "Corvane raises $20 million. Founded in 2019 by two engineers, the startup had raised "
        "$3 million in 2021.",
        None,
        {("funding", "Corvane", 20e6), ("funding", "Corvane", 3e6)},
    ),
    (
        "fr",
        "Hexa lève 5 M€. Fondée en 2020 par deux ingénieurs, la jeune pousse avait déjà levé "
        "1 million d'euros en 2022.",
        None,
        {("funding", "Hexa", 5e6), ("funding", "Hexa", 1e6)},
    ),
    # a revenue cue in another clause does not hide the raise ("which doubled its revenue")
    (
        "en",
        "Tandem, which doubled its revenue last year, raises $30 million.",
        None,
        {("funding", "Tandem", 30e6), ("revenue", "Tandem", 100.0)},
    ),
    (
        "fr",
        "Pralo, qui a doublé son chiffre d'affaires, lève 20 millions d'euros.",
        None,
        {("funding", "Pralo", 20e6), ("revenue", "Pralo", 100.0)},
    ),
    # GPU hours are compute time, not chips
    (
        "en",
        "Nimbus Labs bought 512 Nvidia GPUs. A foundation is offering 20,000 GPU hours to the "
        "best climate project.",
        None,
        {("gpu_procurement", "Nimbus Labs", 512)},
    ),
    (
        "fr",
        "Calcula a acheté 800 GPU Nvidia. Un concours offrira 100 000 heures GPU aux meilleurs "
        "projets.",
        None,
        {("gpu_procurement", "Calcula", 800)},
    ),
    # a machine's name is not its operator
    (
        "fr",
        "Le centre de calcul Calcula a mis en service son supercalculateur Vega, équipé de "
        "2 048 GPU Nvidia H100.",
        None,
        {("gpu_procurement", "Calcula", 2048)},
    ),
    (
        "en",
        "Brightgrid has switched on its supercomputer Atlas, which runs 4,096 Nvidia H100 GPUs.",
        None,
        {("gpu_procurement", "Brightgrid", 4096)},
    ),
    # "the lab" refers to the company named before; "AI" ends a company's name
    (
        "en",
        "Corvid AI plans to reach 100,000 GPUs by 2027. The lab currently runs about 20,000 "
        "Nvidia chips in Texas.",
        None,
        {("gpu_procurement", "Corvid AI", 100000), ("gpu_procurement", "Corvid AI", 20000)},
    ),
    (
        "fr",
        "Corvid AI prévoit d'exploiter 50 000 GPU d'ici 2027. Le laboratoire exploite "
        "aujourd'hui 8 000 puces Nvidia au Texas.",
        None,
        {("gpu_procurement", "Corvid AI", 50000), ("gpu_procurement", "Corvid AI", 8000)},
    ),
    # a share of the total is not a change
    (
        "en",
        "Tandem said cloud revenue, which makes up about 40% of the total, rose 25%.",
        None,
        {("revenue", "Tandem", 25.0)},
    ),
    (
        "fr",
        "Les ventes en ligne de Maisonne, qui représentent 30 % du chiffre d'affaires, ont "
        "progressé de 12 %.",
        None,
        {("revenue", "Maisonne", 12.0)},
    ),
    # comparing with forecasts is not a forecast
    (
        "en",
        "Tandem's revenue rose 7% to $2 billion, ahead of analysts' forecasts.",
        None,
        {("revenue", "Tandem", 7.0)},
    ),
    (
        "fr",
        "Le chiffre d'affaires de Maisonne a progressé de 6 %, au-dessus des prévisions des "
        "analystes.",
        None,
        {("revenue", "Maisonne", 6.0)},
    ),
    # a revenue line without an owner in its clause belongs to the sentence's subject
    (
        "en",
        "Tandem said hardware sales rose 4% in the quarter, while software revenue grew 9%.",
        None,
        {("revenue", "Tandem", 4.0), ("revenue", "Tandem", 9.0)},
    ),
    (
        "fr",
        "Maisonne a vu ses ventes en magasin reculer de 3 %, tandis que les ventes en ligne ont "
        "bondi de 15 %.",
        None,
        {("revenue", "Maisonne", -3.0), ("revenue", "Maisonne", 15.0)},
    ),
    # "its" / "sa" after the metric: the company named before
    (
        "en",
        "Tandem reported results on Tuesday. Licensing revenue from its patent portfolio more "
        "than doubled, the company said.",
        None,
        {("revenue", "Tandem", 100.0)},
    ),
    (
        "fr",
        "Maisonne a publié ses comptes mardi. Le chiffre d'affaires de sa filiale italienne a "
        "doublé sur l'année.",
        None,
        {("revenue", "Maisonne", 100.0)},
    ),
    # the owner written after a description ("of the e-bike maker Cyclo")
    (
        "fr",
        "Le chiffre d'affaires du fabricant de vélos électriques Cyclo a reculé de 20 % en 2025.",
        None,
        {("revenue", "Cyclo", -20.0)},
    ),
    (
        "en",
        "Revenue at the electric-bike maker Cyclo fell 20% in 2025.",
        None,
        {("revenue", "Cyclo", -20.0)},
    ),
    # a capitalised modifier opening a sentence is not a company ("Online sales")
    (
        "en",
        "Larkmoor said sales fell 5% in the quarter. Online sales rose 3%.",
        None,
        {("revenue", "Larkmoor", -5.0), ("revenue", "Larkmoor", 3.0)},
    ),
    (
        "fr",
        "Fondée en 2019, Pralo a vu ses ventes progresser de 10 %.",
        None,
        {("revenue", "Pralo", 10.0)},
    ),
    # the start value written after the level ("to $3.2 billion from $2.9 billion")
    (
        "en",
        "Orvane's revenue climbed to $3.2 billion from $2.9 billion a year earlier.",
        None,
        {("revenue", "Orvane", 10.34)},
    ),
    (
        "fr",
        "Le chiffre d'affaires d'Orvane atteint 12 millions d'euros, contre 10 millions d'euros "
        "un an plus tôt.",
        None,
        {("revenue", "Orvane", 20.0)},
    ),
    # more movement verbs ("slipped", "s'est replié", "advanced")
    (
        "en",
        "Orvane's advertising revenue slipped 2% to $1.1 billion.",
        None,
        {("revenue", "Orvane", -2.0)},
    ),
    (
        "fr",
        "Les ventes d'Orvane se sont repliées de 4 % au troisième trimestre.",
        None,
        {("revenue", "Orvane", -4.0)},
    ),
    # the reporting clause names the owner ("..., Zentra said", "..., a indiqué Zentra")
    (
        "en",
        "Revenue for the quarter was $4.2 billion, up 9% from a year earlier, Zentra said.",
        None,
        {("revenue", "Zentra", 9.0)},
    ),
    (
        "fr",
        "Le chiffre d'affaires a progressé de 5 % sur l'année, a indiqué Zentra.",
        None,
        {("revenue", "Zentra", 5.0)},
    ),
    # like-for-like / constant-scope figures are alternatives to the reported one
    (
        "en",
        "Larkmoor said sales fell 12% in the quarter. Like-for-like sales declined 9%.",
        None,
        {("revenue", "Larkmoor", -12.0)},
    ),
    (
        "fr",
        "Le chiffre d'affaires de Pralo a reculé de 8 %. À périmètre constant, le chiffre "
        "d'affaires a baissé de 5 %.",
        None,
        {("revenue", "Pralo", -8.0)},
    ),
]


def _figure(s: Signal) -> float | None:
    if s.kind == "funding":
        return s.amount
    if s.kind == "gpu_procurement":
        return None if s.quantity is None else float(s.quantity)
    return s.change_pct


@pytest.mark.parametrize(("lang", "text", "title", "expected"), GENERAL)
def test_general_rules(
    lang: str, text: str, title: str | None, expected: set[tuple[str, str, float]]
) -> None:
    got = {(s.kind, s.company, _figure(s)) for s in detect_text(text, title=title, language=lang)}
    assert got == {(k, c, float(f)) for k, c, f in expected}


NOT_SIGNALS = [
    # a VC firm closing a fund is not a raise
    ("en", "Greyfield Ventures said it had closed its second fund at $200 million."),
    (
        "fr",
        "La société de gestion Ormeau Capital boucle son deuxième fonds à 150 millions d'euros.",
    ),
    # a power capacity "enough for" a number of GPUs is not a GPU count
    ("en", "Zentra's data center will draw 300 MW, enough for 100,000 GPUs."),
    ("fr", "Le site de Zentra consommera 300 MW, de quoi alimenter 100 000 GPU."),
    # revenue guidance next to a share move is not a reported change
    ("en", "Shares of Tandem fell 5% after the company forecast revenue growth of 10% to 12%."),
    (
        "fr",
        "L'action Maisonne a chuté de 8 % après que le groupe a relevé son objectif de "
        "croissance du chiffre d'affaires à 5 %.",
    ),
]


@pytest.mark.parametrize(("lang", "text"), NOT_SIGNALS)
def test_distractors_give_no_signal(lang: str, text: str) -> None:
    assert detect_text(text, language=lang) == []


def test_raised_amount_is_not_a_revenue_level() -> None:
    text = "Pralo, qui a doublé son chiffre d'affaires, lève 20 millions d'euros."
    s = _one(detect_text(text, language="fr"), "revenue")
    assert (s.amount, s.change_pct) == (None, 100.0)


# Rules added while tuning on bench/data/holdout2.jsonl; every sentence here is new.
GENERALISATION = [
    # a one-word unknown name opening a sentence, before a verb the subject list lacks
    ("en", "Brantly took in $40 million in a Series B round led by Accel.", None,
     {("funding", "Brantly", 40e6)}),
    ("en", "Pellix revenue climbed 9% to $80 million in the first quarter.", None,
     {("revenue", "Pellix", 9.0)}),
    ("fr", "Ondral avait levé 3 millions d'euros en 2023.", None, {("funding", "Ondral", 3e6)}),
    ("fr", "La société, qui dispose de 1 500 GPU répartis entre Lyon et Nantes, compte déployer "
     "8 000 puces d'ici à 2027.", "Calcora veut multiplier son parc de GPU",
     {("gpu_procurement", "Calcora", 1500), ("gpu_procurement", "Calcora", 8000)}),
    # a participle or a number word opening a sentence is not a name
    ("en", "Cargix said it had raised $30 million. Existing backers Ortho Ventures and Lyle "
     "Capital took part. The company closed a $9 million seed round in 2022.", None,
     {("funding", "Cargix", 30e6), ("funding", "Cargix", 9e6)}),
    ("fr", "Six mois après avoir levé 20 millions d'euros, Vaskor ouvre un bureau à Berlin.",
     None, {("funding", "Vaskor", 20e6)}),
    ("en", "Months after raising $50 million, Orvia is hiring in Lisbon.", None,
     {("funding", "Orvia", 50e6)}),
    # a name after a preposition and a determiner ("by two former X", "du fonds régional X")
    ("en", "A Leeds start-up founded by two former Deloitte consultants has raised £6m to "
     "build its product.", "Brindle lands £6m for tax software", {("funding", "Brindle", 6e6)}),
    ("fr", "La jeune pousse récolte 4 millions d'euros auprès du fonds régional Garonne Capital.",
     "Pommel récolte 4 millions d'euros", {("funding", "Pommel", 4e6)}),
    ("en", "The business, which spun out of a Harvard lab in 2022, previously raised a $6 million "
     "seed round.", "Oakmere Bio secures $35 million",
     {("funding", "Oakmere Bio", 35e6), ("funding", "Oakmere Bio", 6e6)}),
    # a place after a preposition is not coordinated with the subject after its comma
    ("fr", "En Norvège, Fjordic Compute exploite 1 200 GPU.", None,
     {("gpu_procurement", "Fjordic Compute", 1200)}),
    ("en", "In Denmark, Skovly Cloud runs 900 GPUs.", None,
     {("gpu_procurement", "Skovly Cloud", 900)}),
    # a name inside a relative clause is not the subject
    ("en", "In Portugal, Medora, which builds tools that help GPs book scans, secured a $7m "
     "seed round.", None, {("funding", "Medora", 7e6)}),
    ("en", "Total revenue, which also includes the Brisk Plus tier, increased 13% to $701 "
     "million.", "Brisk ad sales rise 11%",
     {("revenue", "Brisk", 11.0), ("revenue", "Brisk", 13.0)}),
    # a plural inside the actor's relative clause is not an aggregate of companies
    ("fr", "La fintech Paybrik, qui automatise les paiements entre entreprises, boucle un tour "
     "de 35 M$.", None, {("funding", "Paybrik", 35e6)}),
    ("en", "Ledgerly, which sells software to companies in retail, closed a $15 million round.",
     None, {("funding", "Ledgerly", 15e6)}),
    # a person after a job title is not a company
    ("en", "Tundra Compute runs 4,000 GPUs today. Chief operating officer Mara Lindqvist said it "
     "aims to have 10,000 GPUs by 2027.", None,
     {("gpu_procurement", "Tundra Compute", 4000), ("gpu_procurement", "Tundra Compute", 10000)}),
    ("fr", "Tundra Calcul exploite 4 000 GPU. Selon sa directrice Inès Marchal, elle vise "
     "10 000 GPU d'ici à 2027.", None,
     {("gpu_procurement", "Tundra Calcul", 4000), ("gpu_procurement", "Tundra Calcul", 10000)}),
    # "deux ans après avoir levé": an earlier round, kept apart from the new one
    ("en", "Tarnwell raised $20 million, two years after raising $4 million in a seed round.",
     "Tarnwell raises $20 million",
     {("funding", "Tarnwell", 20e6), ("funding", "Tarnwell", 4e6)}),
    ("fr", "La jeune pousse récolte 6 millions d'euros, deux ans après avoir levé 1,8 million "
     "d'euros auprès de business angels.", "Bocalys récolte 6 millions d'euros",
     {("funding", "Bocalys", 6e6), ("funding", "Bocalys", 1.8e6)}),
    # a title figure restating one finding is not merged into another of the same sentence
    ("fr", "Elle vient d'acquérir 1 024 GPU et veut porter son parc à 3 000 puces d'ici à 2027.",
     "Sorvane s'offre 1 024 GPU",
     {("gpu_procurement", "Sorvane", 1024), ("gpu_procurement", "Sorvane", 3000)}),
    ("en", "It has just bought 1,024 GPUs and wants to reach 3,000 chips by 2027.",
     "Sorvane buys 1,024 GPUs",
     {("gpu_procurement", "Sorvane", 1024), ("gpu_procurement", "Sorvane", 3000)}),
    # a name qualifying a noun ("AMD chips") or a sector before a company noun is not the actor
    ("en", "Kestrel Cloud orders 10,000 AMD chips after $180 million raise.", None,
     {("funding", "Kestrel Cloud", 180e6), ("gpu_procurement", "Kestrel Cloud", 10000)}),
    ("en", "The company said the round closed last week.",
     "Legal AI start-up Vantor raises $10 million", {("funding", "Vantor", 10e6)}),
    # "up from roughly 5,000 today": the count a target grows from is run today
    ("en", "Arvane plans to have 30,000 GPUs online by 2027, up from roughly 5,000 today.", None,
     {("gpu_procurement", "Arvane", 30000), ("gpu_procurement", "Arvane", 5000)}),
    ("fr", "Arvane vise 30 000 GPU en 2027, contre environ 5 000 aujourd'hui.", None,
     {("gpu_procurement", "Arvane", 30000), ("gpu_procurement", "Arvane", 5000)}),
    ("en", "Arvane plans to grow its fleet of 4,000 GPUs from 2,000 servers.", None,
     {("gpu_procurement", "Arvane", 4000)}),
    # a participle and its agent opening a sentence are not one name
    ("en", "Backed by Northzone, Glimmo raised $12 million.", None,
     {("funding", "Glimmo", 12e6)}),
    ("fr", "Soutenue par Elaia, Lumivo lève 5 millions d'euros.", None,
     {("funding", "Lumivo", 5e6)}),
    # what the money is for may name contracts: still a raise
    ("en", "Quillmark lands £8m to automate contract review.", None,
     {("funding", "Quillmark", 8e6)}),
    ("fr", "Dossia lève 2 millions d'euros pour simplifier la gestion des contrats.", None,
     {("funding", "Dossia", 2e6)}),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "text", "title", "expected"), GENERALISATION)
def test_generalisation_rules(
    lang: str, text: str, title: str | None, expected: set[tuple[str, str, float]]
) -> None:
    got = {(s.kind, s.company, _figure(s)) for s in detect_text(text, title=title, language=lang)}
    assert got == {(k, c, float(f)) for k, c, f in expected}


GENERALISATION_NOT = [
    # a cumulative total, however phrased, is not a round
    ("en", "Pelham, founded in 2016, has raised a total of $95 million from investors."),
    ("fr", "Lunia a levé un total de 40 millions d'euros auprès de ses investisseurs."),
    # a maker's shipments, named by a description, are not procurement
    ("fr", "Le fabricant américain, qui revendique avoir livré 300 000 accélérateurs, signe là "
     "un gros contrat."),
    ("en", "The chipmaker, which says it has shipped 400,000 accelerators, called the deal its "
     "biggest."),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "text"), GENERALISATION_NOT)
def test_generalisation_distractors(lang: str, text: str) -> None:
    assert detect_text(text, language=lang) == []


@pytest.mark.parametrize(
    ("lang", "text", "amount", "currency"),
    [
        ("en", "Nordhav revenue climbed 7% to 1.4 billion kronor in the quarter.", 1.4e9, "SEK"),
        (
            "fr",
            "Le chiffre d'affaires de Skandia Foods a progressé de 5 %, à 900 millions de "
            "couronnes suédoises.",
            9e8,
            "SEK",
        ),
        ("en", "Audix said sales rose 4% to 1.62 billion Swiss francs in the half.", 1.62e9, "CHF"),
        ("fr", "Le chiffre d'affaires de Valtre a progressé de 4 %, à 2 milliards de francs "
         "suisses.", 2e9, "CHF"),
    ],
)  # fmt: skip
def test_revenue_levels_in_kronor_and_francs(
    lang: str, text: str, amount: float, currency: str
) -> None:
    s = _one(detect_text(text, language=lang), "revenue")
    assert s.amount == pytest.approx(amount)
    assert s.currency == currency


@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        ("en", "Oakline has secured thirty-five million dollars in a Series A.", 35e6),
        ("en", "Brevik raised forty-two million dollars in a Series B round.", 42e6),
        ("fr", "Lumeo a levé quarante millions d'euros en série B.", 40e6),
    ],
)
def test_funding_amounts_written_in_compound_words(lang: str, text: str, amount: float) -> None:
    s = _one(detect_text(text, language=lang), "funding")
    assert s.amount == pytest.approx(amount)
