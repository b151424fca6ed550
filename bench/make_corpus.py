"""Write the damaged-text corpus under tests/corpus/: reports rendered as legacy OCR text, damaged.

    .venv/bin/python bench/make_corpus.py            # rewrites tests/corpus/gen-*.txt (+ .expected.json)

Four missions (the samples' own « Accélérer les alliances » and three unseen ones with other
titles, 12, 14 or 15 measures, other dimension orders and horizons) are rendered in four layouts
(`slides`: headings with counts and descriptions, `1.` numbering; `mesure`: `Mesure 3 —` inline;
`table`: `N° | Mesure` rows in `n°7` / `7)` / `M7` style, no letter; `columns`: two columns read
line by line across the page). Each variant draws its own rendering choices (numbering style,
heading wording and case, horizon form, date form, summary wording) and its damage
(bench/noise.py) from one seed, so the corpus is rebuilt byte for byte. Hand-written cases
(`tests/corpus/hand-*.txt`) are not touched.
"""
from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.noise import Block, damage_pages

CORPUS = ROOT / "tests" / "corpus"
STATUSES = ("tres_satisfaisant", "satisfaisant", "retard_explique", "remis_en_cause")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
DIM_WORDS = {"operationnelle": ("opérationnelles", "opérationnelle"),
             "strategique": ("stratégiques", "stratégique"), "politique": ("politiques", "politique")}
FR_NUMBERS = {0: "aucune", 1: "une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six",
              7: "sept", 8: "huit", 9: "neuf", 10: "dix", 11: "onze", 12: "douze",
              13: "treize", 14: "quatorze", 15: "quinze", 16: "seize", 17: "dix-sept",
              18: "dix-huit", 19: "dix-neuf", 20: "vingt", 21: "vingt et une"}


@dataclass(frozen=True)
class Letter:
    org: str
    address: str
    recipient: list[str]  # addressee lines, then the office, then the postal address
    n_who: int  # how many of `recipient` are the addressee
    n_org: int  # how many are the office
    place: str
    date: tuple[int, int, int]  # year, month, day
    subject: str
    salutation: str
    paragraphs: list[str]
    closing: str
    role: str
    name: str


@dataclass(frozen=True)
class Mission:
    key: str
    title: str
    measures: list[tuple[str, str]]  # (title, dimension) in page order, numbered from 1
    horizons: dict[str, tuple[int, int]]
    counts: dict[str, int]
    descriptions: dict[str, str] = field(default_factory=dict)
    letter: Letter | None = None
    letter_counts: bool = False  # the letter restates the counts
    chantiers: list[str] = field(default_factory=list)


def _alliances() -> Mission:
    from samples.generate import CHANTIERS, DESC_OPERATIONNELLE, LETTER_2020, MEASURES

    lt = LETTER_2020
    return Mission(
        key="alliances", title="Rapport d'étape à 6 mois : avancement des mesures",
        measures=[(t, d) for _n, t, d in MEASURES],
        horizons={"operationnelle": (3, 9), "strategique": (6, 12), "politique": (12, 18)},
        counts={"tres_satisfaisant": 6, "satisfaisant": 9, "retard_explique": 6, "remis_en_cause": 0},
        descriptions={"operationnelle": DESC_OPERATIONNELLE},
        letter=Letter(org=lt.letterhead, address=lt.sender_address, recipient=lt.recipient_lines,
                      n_who=2, n_org=1, place="Vincennes", date=(2020, 10, 17), subject=lt.subject,
                      salutation=lt.salutation, paragraphs=list(lt.paragraphs), closing=lt.closing,
                      role=lt.signature_role, name=lt.signature_name),
        letter_counts=True, chantiers=list(CHANTIERS))


NUMERIQUE = Mission(
    key="numerique", title="Mission « Numérique inclusif et territoires » : suivi à un an",
    measures=[
        ("Recenser les lieux de médiation numérique ouverts au public dans chaque département",
         "operationnelle"),
        ("Former les agents d'accueil des services publics à l'accompagnement des usagers",
         "operationnelle"),
        ("Mettre à disposition un annuaire partagé des aidants numériques", "operationnelle"),
        ("Simplifier l'accès aux démarches en ligne pour les personnes âgées", "operationnelle"),
        ("Créer un fonds d'amorçage pour les tiers-lieux en zone rurale", "strategique"),
        ("Associer les entreprises du territoire à la formation des jeunes éloignés de l'emploi",
         "strategique"),
        ("Évaluer chaque année l'impact des dispositifs d'inclusion numérique", "strategique"),
        ("Développer des partenariats entre les collectivités et les associations de quartier",
         "strategique"),
        ("Inscrire le droit à l'accompagnement numérique dans la loi", "politique"),
        ("Garantir une offre de médiation dans chaque bassin de vie d'ici à 2025", "politique"),
        ("Confier à l'État le pilotage d'une stratégie nationale de l'inclusion numérique",
         "politique"),
        ("Reconnaître le métier de médiateur numérique dans les conventions collectives",
         "politique"),
    ],
    horizons={"operationnelle": (3, 6), "strategique": (6, 12), "politique": (12, 24)},
    counts={"tres_satisfaisant": 3, "satisfaisant": 5, "retard_explique": 3, "remis_en_cause": 1},
    descriptions={"politique": "qui engagent le législateur et les partenaires sociaux"},
    letter=Letter(
        org="Fondation Solidarités Numériques", address="8, rue des Lilas – 69003 Lyon",
        recipient=["Monsieur le Ministre délégué", "chargé de la Transition numérique",
                   "Ministère de l'Économie et des Finances", "139, rue de Bercy",
                   "75572 PARIS Cedex 12"],
        n_who=2, n_org=1, place="Lyon", date=(2021, 2, 3),
        subject="Suivi à un an de la mission « Numérique inclusif et territoires »",
        salutation="Monsieur le Ministre,",
        paragraphs=[("Vous trouverez ci-joint le point de suivi des 12 mesures que la mission "
                     "vous a proposées il y a un an, avec l'état d'avancement de chacune."),
                    "Les équipes de la Fondation se tiennent à votre disposition pour en parler."],
        closing="Je vous prie d'agréer, Monsieur le Ministre, l'expression de ma haute "
                "considération.",
        role="La Déléguée générale", name="Claire DUMONTEIL"))

TRANSITION = Mission(
    key="transition", title="Transition écologique des entreprises : tableau de suivi",
    measures=[
        ("Soutenir la recherche appliquée sur le recyclage des déchets industriels", "strategique"),
        ("Encourager l'économie circulaire au sein des filières agricoles", "strategique"),
        ("Structurer un réseau de conseillers en transition au niveau de chaque région",
         "strategique"),
        ("Intégrer des critères environnementaux dans la commande publique locale", "strategique"),
        ("Mutualiser les achats d'énergie renouvelable entre les zones d'activité", "strategique"),
        ("Faciliter l'accès au crédit pour les projets de décarbonation", "strategique"),
        ("Proposer un diagnostic carbone gratuit aux petites entreprises", "operationnelle"),
        ("Publier un guide pratique de la sobriété énergétique", "operationnelle"),
        ("Ouvrir un guichet unique pour les aides à la rénovation", "operationnelle"),
        ("Valoriser les initiatives exemplaires lors des rencontres régionales", "operationnelle"),
        ("Accompagner les artisans dans le choix de matériaux durables", "operationnelle"),
        ("Adapter la fiscalité locale aux efforts de réduction des émissions", "politique"),
        ("Élaborer une loi de programmation pour la transition des entreprises", "politique"),
        ("Créer un observatoire national des pratiques durables", "politique"),
        ("Associer les partenaires sociaux à la définition des objectifs de transition",
         "politique"),
    ],
    horizons={"strategique": (6, 18), "operationnelle": (1, 6), "politique": (18, 36)},
    counts={"tres_satisfaisant": 5, "satisfaisant": 7, "retard_explique": 2, "remis_en_cause": 1},
    chantiers=["Un observatoire partagé des émissions", "Un réseau d'entreprises pionnières",
               "Une plateforme de financement participatif"])

ENGAGEMENT = Mission(
    key="engagement", title="Engagement des jeunes : état d'avancement des mesures",
    measures=[
        ("Ouvrir les conseils de quartier aux jeunes de seize à vingt-cinq ans", "operationnelle"),
        ("Proposer une mission de service civique dans chaque commune volontaire",
         "operationnelle"),
        ("Faire connaître les dispositifs d'engagement dans les lycées", "operationnelle"),
        ("Reconnaître les compétences acquises au sein des associations", "operationnelle"),
        ("Soutenir les projets collectifs portés par des jeunes", "operationnelle"),
        ("Créer un parcours d'engagement de la sortie du collège à l'entrée dans la vie active",
         "strategique"),
        ("Associer les jeunes à l'évaluation des politiques locales", "strategique"),
        ("Former les encadrants associatifs à l'accueil de nouveaux bénévoles", "strategique"),
        ("Mobiliser les entreprises autour du mécénat de compétences", "strategique"),
        ("Développer les échanges européens pour les jeunes des quartiers prioritaires",
         "strategique"),
        ("Inscrire le bénévolat dans le parcours scolaire", "politique"),
        ("Instituer une journée nationale de l'engagement", "politique"),
        ("Garantir un financement pluriannuel aux associations de jeunesse", "politique"),
        ("Confier au Parlement un rapport annuel sur l'engagement des jeunes", "politique"),
    ],
    horizons={"operationnelle": (3, 9), "strategique": (6, 12), "politique": (12, 18)},
    counts={"tres_satisfaisant": 4, "satisfaisant": 6, "retard_explique": 4, "remis_en_cause": 0},
    letter=Letter(
        org="Association Jeunesse en Action", address="45, boulevard Voltaire – 75011 Paris",
        recipient=["Monsieur le Haut-Commissaire à l'Engagement civique",
                   "Haut-Commissariat à l'Engagement civique", "95, rue de Grenelle",
                   "75007 Paris"],
        n_who=1, n_org=1, place="Paris", date=(2021, 3, 1),
        subject="Rapport sur l'engagement des jeunes",
        salutation="Monsieur le Haut-Commissaire,",
        paragraphs=[("J'ai l'honneur de vous remettre le rapport de la mission sur "
                     "l'engagement des jeunes, qui présente l'état d'avancement de ses 14 mesures."),
                    "Nous restons mobilisés pour la suite des travaux."],
        closing="Je vous prie d'agréer, Monsieur le Haut-Commissaire, l'assurance de ma haute "
                "considération.",
        role="Le Directeur général", name="Karim BENSALEM"),
    letter_counts=True)


def missions() -> dict[str, Mission]:
    return {m.key: m for m in (_alliances(), NUMERIQUE, TRANSITION, ENGAGEMENT)}


# -- rendering choices -------------------------------------------------------------------

def horizon_text(rng: random.Random, lo: int, hi: int) -> str:
    return rng.choice([f"{lo}/{hi} mois", f"{lo} à {hi} mois", f"de {lo} à {hi} mois",
                       f"{lo}-{hi} mois", f"{lo} – {hi} mois", f"{lo} / {hi} mois"])


def date_text(rng: random.Random, year: int, month: int, day: int) -> str:
    d = "1er" if day == 1 else str(day)
    return rng.choice([f"le {d} {MONTHS[month - 1]} {year}", f"{d} {MONTHS[month - 1]} {year}",
                       f"le {day:02d}/{month:02d}/{year}", f"{day:02d}.{month:02d}.{year}",
                       f"le {d} {MONTHS[month - 1]} {year}"])


def prefix_for(style: str, n: int) -> str:
    return {"dot": f"{n}. ", "paren": f"{n}) ", "mesure": f"Mesure {n} — ", "n": f"n°{n} ",
            "M": f"M{n} "}[style]


def heading_text(rng: random.Random, layout: str, m: Mission, dim: str, n: int) -> str:
    plural, singular = DIM_WORDS[dim]
    h = horizon_text(rng, *m.horizons[dim])
    first = dim == m.measures[0][1]
    effets = "aux premiers effets" if first else "aux effets"
    options = {
        "slides": [f"{n} mesures {plural}, {effets} à {h}",
                   f"{n} MESURES {plural.upper()}, {effets.upper()} À {h.upper()}"],
        "mesure": [f"Mesures {plural} — {h}", f"Dimension {singular} : {n} mesures, {h}",
                   f"MESURES {plural.upper()} ({h})"],
        "table": [f"Mesures {plural} : effets à {h}", f"{n} mesures {plural} ({h})"],
        "columns": [f"MESURES {plural.upper()} ({h.upper()})", f"Mesures {plural}, {h}"],
    }[layout]
    text = rng.choice(options)
    if m.descriptions.get(dim) and layout in ("slides", "mesure"):
        desc = m.descriptions[dim]
        text = f"{text}, {desc.upper() if text.isupper() else desc}"
    return text


def summary_text(rng: random.Random, c: dict[str, int], words: bool) -> str:
    def num(k: str, cap: bool = False) -> str:
        v = c[k]
        s = FR_NUMBERS[v] if words else str(v)
        return s.capitalize() if cap else s

    ts, s, r = num("tres_satisfaisant", True), num("satisfaisant"), num("retard_explique")
    zero = c["remis_en_cause"] == 0
    end = rng.choice(["aucune des mesures remises en cause à date", "aucune mesure remise en cause"]
                     ) if zero else (f"{num('remis_en_cause')} mesure remise en cause"
                                     if c["remis_en_cause"] == 1
                                     else f"{num('remis_en_cause')} mesures remises en cause")
    return rng.choice([
        (f"{ts} mesures à l'avancement très satisfaisant, {s} au rythme satisfaisant, {r} en "
         f"retard en raison de la situation actuelle, {end}."),
        f"{ts} mesures très satisfaisantes, {s} satisfaisantes, {r} en retard, {end}.",
    ])


def letter_counts_text(c: dict[str, int]) -> str:
    end = ("et aucune n'est remise en cause" if c["remis_en_cause"] == 0 else
           f"et {FR_NUMBERS[c['remis_en_cause']]} est remise en cause")
    return (f"À date, {c['tres_satisfaisant']} mesures présentent un avancement très "
            f"satisfaisant, {c['satisfaisant']} avancent à un rythme satisfaisant, "
            f"{c['retard_explique']} sont en retard, {end}.")


# -- pages -------------------------------------------------------------------------------

def letter_page(rng: random.Random, m: Mission, width: int) -> list[Block]:
    lt = m.letter
    assert lt is not None
    place = lt.place if rng.random() < 0.8 else f"Fait à {lt.place}"
    blocks = [Block(lt.org, "name"), Block(lt.address, "name")]
    blocks += [Block(x, "letter", para_break=i == 0) for i, x in enumerate(lt.recipient)]
    blocks.append(Block(f"{place}, {date_text(rng, *lt.date)}".replace(", le le", ", le"), "date",
                        para_break=True))
    blocks.append(Block(f"Objet : {lt.subject}", "letter-body", para_break=True, wrap=width))
    blocks.append(Block(lt.salutation, "name", para_break=True))
    paras = list(lt.paragraphs)
    if m.letter_counts and not any("À date" in p for p in paras):
        paras.insert(1, letter_counts_text(m.counts))
    blocks += [Block(p, "letter-body", para_break=True, wrap=width) for p in paras]
    blocks.append(Block(lt.closing, "letter-body", para_break=True, wrap=width))
    blocks += [Block(lt.role, "name", para_break=True), Block(lt.name, "name", para_break=True)]
    return blocks


def measures_blocks(rng: random.Random, layout: str, m: Mission, style: str, width: int,
                    column_dims: tuple[str, ...] = ()) -> list[Block]:
    blocks: list[Block] = []
    dims = list(dict.fromkeys(d for _t, d in m.measures))
    for dim in dims:
        col = {d: c for d, c in zip(column_dims, "AB", strict=False)}.get(dim, "")
        n = sum(1 for _t, d in m.measures if d == dim)
        blocks.append(Block(heading_text(rng, layout, m, dim, n), "heading", para_break=True,
                            wrap=0 if col else width, column=col))
        for i, (title, d) in enumerate(m.measures, start=1):
            if d == dim:
                blocks.append(Block(title, "measure", number=i, prefix=prefix_for(style, i),
                                    style=style, wrap=width, column=col))
    return blocks


def legend_blocks(rng: random.Random) -> list[Block]:
    labels = ["Très satisfaisant", "Satisfaisant", "Retard expliqué", "Remis en cause"]
    return [Block("Légende du niveau d'avancement", "body", para_break=True)] + [
        Block(x, "legend") for x in labels]


@dataclass
class Rendered:
    pages: list[list[Block]]
    measures_page: int
    summary_pages: list[int]
    letter_page: int | None
    style: str = "dot"  # the measures' numbering (prefix_for)


def render(layout: str, m: Mission, rng: random.Random) -> Rendered:
    width = rng.choice([70, 78, 86])
    words = rng.random() < 0.4
    pages: list[list[Block]] = []
    letter_no = None
    summary_pages = []
    if layout in ("slides", "columns") and m.letter:
        pages.append(letter_page(rng, m, width))
        letter_no = 1
        if m.letter_counts:
            summary_pages.append(1)
    page: list[Block] = [Block(m.title, "title")]
    if layout == "table":
        n = len(m.measures)
        page.append(Block(f"{n} mesures autour de 3 dimensions et 3 temporalités", "heading",
                          para_break=True))
        if m.chantiers:
            page.append(Block(f"{len(m.chantiers)} chantiers à conduire collectivement", "heading",
                              para_break=True))
            page += [Block(f"{i}. {c}", "body", wrap=width) for i, c in
                     enumerate(m.chantiers, start=1)]
        page.append(Block("N° Mesure Avancement", "body", para_break=True))
        style = rng.choice(["n", "paren", "M"])
        page += measures_blocks(rng, layout, m, style, width)
        page.append(Block(summary_text(rng, m.counts, words), "summary", para_break=True,
                          wrap=width))
    else:
        page.append(Block(summary_text(rng, m.counts, words), "summary", para_break=True,
                          wrap=width))
        if layout == "columns":
            dims = tuple(dict.fromkeys(d for _t, d in m.measures))[:2]
            style = "dot"
            page += measures_blocks(rng, layout, m, style, 40, column_dims=dims)
        else:
            style = "mesure" if layout == "mesure" else rng.choice(["dot", "dot", "paren"])
            page += measures_blocks(rng, layout, m, style, width)
    page += legend_blocks(rng)
    pages.append(page)
    mp = len(pages)
    summary_pages.append(mp)
    if layout == "mesure" and m.letter:
        pages.append(letter_page(rng, m, width))
        letter_no = len(pages)
    return Rendered(pages, mp, summary_pages, letter_no, style)


def expected(name: str, m: Mission, r: Rendered, lost: set[int]) -> dict:
    statuses = [s for s in STATUSES for _ in range(m.counts[s])]
    truth = {
        "source": name,
        "kind": "report+letter" if r.letter_page else "report",
        "n_pages": len(r.pages),
        "measures": [
            {"page": r.measures_page, "number": i, "title": t, "dimension": d,
             "horizon_min_months": m.horizons[d][0], "horizon_max_months": m.horizons[d][1],
             "status": statuses[i - 1], "number_inferred": i in lost,
             **({"label": f"M{i}"} if r.style == "M" else {})}  # printed « M7 »
            for i, (t, d) in enumerate(m.measures, start=1)],
        "status_summary": [{"page": p, "status": s, "count": m.counts[s]}
                           for p in r.summary_pages for s in STATUSES],
        "legend": [{"page": r.measures_page, "status": s, "label": label} for s, label in zip(
            STATUSES, ["Très satisfaisant", "Satisfaisant", "Retard expliqué", "Remis en cause"],
            strict=True)],
        "letters": [],
    }
    if r.letter_page and m.letter:
        lt = m.letter
        y, mo, d = lt.date
        who, org = lt.recipient[:lt.n_who], lt.recipient[lt.n_who:lt.n_who + lt.n_org]
        truth["letters"].append({
            "page": r.letter_page, "place": lt.place, "date": f"{y:04d}-{mo:02d}-{d:02d}",
            "sender_org": lt.org, "sender_role": lt.role, "recipient": " ".join(who),
            "recipient_org": " ".join(org),
            "recipient_address": " ".join(lt.recipient[lt.n_who + lt.n_org:]),
            "subject": lt.subject, "salutation": lt.salutation})
    return truth


VARIANTS = [("alliances", "slides"), ("alliances", "table"), ("numerique", "mesure"),
            ("numerique", "slides"), ("transition", "table"), ("transition", "mesure"),
            ("engagement", "columns")]
SEEDS_PER_VARIANT = 6


def main() -> int:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for old in CORPUS.glob("gen-*"):
        old.unlink()
    all_missions = missions()
    n = 0
    for key, layout in VARIANTS:
        for k in range(SEEDS_PER_VARIANT):
            seed = 1000 * (VARIANTS.index((key, layout)) + 1) + k
            rng = random.Random(seed)
            m = all_missions[key]
            rendered = render(layout, m, rng)
            damaged = damage_pages(rendered.pages, seed)
            name = f"gen-{key}-{layout}-{k}.txt"
            encoding = "cp1252" if k % 3 == 2 else "utf-8"
            text = damaged.text()
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                data = text.encode("utf-8")
            (CORPUS / name).write_bytes(data)
            truth = expected(name, m, rendered, damaged.lost_numbers)
            truth["damage"] = sorted(damaged.kinds)
            (CORPUS / f"{name}.expected.json").write_text(
                json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            n += 1
    print(f"wrote {n} damaged variants to {CORPUS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
