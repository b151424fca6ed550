"""Regenerate the committed sample documents and their ground truth.

    python samples/generate.py            # from the repo root, with the project's venv

Writes, next to this file, each sample and its `<name>.expected.json`. Everything is
deterministic (fixed seeds; reportlab in invariant mode), so running it again gives the
same bytes.
"""

from __future__ import annotations

import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


from samples.render import (
    DEJAVU_SANS,
    DEJAVU_SANS_CONDENSED,
    LIBERATION_SANS,
    LIBERATION_SERIF,
    PALETTE_BLUES,
    PALETTE_GREENS,
    LetterSpec,
    ReportSpec,
    ResultsSpec,
    degrade,
    jpeg_bytes,
    layout_measures_page,
    render_letter_page,
    render_measures_page,
    render_results_page,
    write_born_digital_pdf,
    write_image_pdf,
)

STATUS_DIR = os.path.join(HERE, "status")

# ---------------------------------------------------------------------------------------
# reference content (domain.md)

MEASURES = [
    (1, "Rendre immédiatement accessible l'existant pour agir dès à présent", "operationnelle"),
    (
        2,
        (
            "Favoriser la convergence entre la diversité des outils pour les organisations et "
            "les territoires"
        ),
        "operationnelle",
    ),
    (
        3,
        "Faciliter l'usage des données pour mieux cibler les priorités stratégiques",
        "operationnelle",
    ),
    (
        4,
        "Valoriser les alliances stratégiques au travers des événements de référence",
        "operationnelle",
    ),
    (
        5,
        "Organiser une démarche de dialogue actif entre les dynamiques du « jouer collectif »",
        "operationnelle",
    ),
    (
        6,
        (
            "Articuler les complémentarités entre les acteurs de l'ingénierie nationale & "
            "territoriale, en croisant les connaissances sectorielles et territoriales"
        ),
        "operationnelle",
    ),
    (
        7,
        (
            "Faire des ODD l'occasion d'expérimentations d'alliance en territoire pour agir "
            "concrètement là où aucun acteur ne peut répondre seul"
        ),
        "operationnelle",
    ),
    (
        8,
        "Promouvoir et valoriser l'investissement dans l'innovation sociétale partenariale",
        "strategique",
    ),
    (9, "Accompagner les alliances stratégiques", "strategique"),
    (10, "Structurer une réflexion partagée sur l'évaluation partenariale", "strategique"),
    (11, "Inciter à un État exemplaire en matière d'alliances innovantes", "strategique"),
    (
        12,
        (
            "Positionner les services de l'État comme « médiateurs » des dynamiques d'alliances "
            "stratégiques"
        ),
        "strategique",
    ),
    (
        13,
        (
            "Structurer une capacité collective de R&D partenariale pour anticiper les besoins "
            "et suivre les expérimentations innovantes"
        ),
        "strategique",
    ),
    (
        14,
        ("Piloter une recherche-action collective sur l'hybridation des modèles socio-économiques"),
        "strategique",
    ),
    (
        15,
        (
            "Inscrire les « alliances stratégiques » aux agendas des instances des différents "
            "« mondes »"
        ),
        "politique",
    ),
    (
        16,
        (
            "Créer une Conférence des alliances stratégiques au service des défis communs, "
            "déclinée localement"
        ),
        "politique",
    ),
    (
        17,
        (
            "Inciter à croiser « espaces de dialogue », « compétences de catalyseurs » et "
            "« pédagogie des alliances »"
        ),
        "politique",
    ),
    (18, "Créer un « droit d'expérimentation partenariale »", "politique"),
    (19, "Instruire l'opportunité d'un nouveau statut de « société de bien commun »", "politique"),
    (20, "Développer notre capacité collective à « apprendre à faire alliance »", "politique"),
    (
        21,
        (
            "Inscrire les nouvelles formes d'alliance et de partenariats aux programmes de "
            "formation, de l'éducation des plus jeunes à la formation continue"
        ),
        "politique",
    ),
]
HORIZONS = {"operationnelle": (3, 9), "strategique": (6, 12), "politique": (12, 18)}
HEADINGS = {
    "operationnelle": "7 mesures opérationnelles, aux premiers effets à 3/9 mois",
    "strategique": "7 mesures stratégiques, aux effets à 6/12 mois",
    "politique": "7 mesures politiques, aux effets mesurables à 12/18 mois",
}
CHANTIERS = [
    "Plateforme de mobilisation de l'engagement",
    "Fonds d'ingénierie pour le développement des alliances",
    "Légaliser : PPL sur l'expérimentation du « droit de l'alliance »",
    "Développer l'apprentissage du « faire alliance »",
]
OUTILS = [
    "Un centre de ressources en ligne qui rassemble les guides et retours d'expérience",
    "Un kit de sensibilisation pour ouvrir le dialogue entre acteurs d'un territoire",
    "Un programme de webinaires mensuels pour partager les pratiques d'alliance",
]
LEGEND_LABELS = {
    "tres_satisfaisant": "Très satisfaisant",
    "satisfaisant": "Satisfaisant",
    "retard_explique": "Retard expliqué",
    "remis_en_cause": "Remis en cause",
}
STATUS_ORDER = list(LEGEND_LABELS)


def statuses(groups: dict) -> dict:
    out = {n: s for s, ns in groups.items() for n in ns}
    assert sorted(out) == list(range(1, 22)), sorted(out)
    return out


STATUS_2020 = statuses(
    {
        "tres_satisfaisant": [1, 3, 7, 9, 15, 20],
        "satisfaisant": [2, 5, 6, 8, 11, 13, 16, 18, 21],
        "retard_explique": [4, 10, 12, 14, 17, 19],
        "remis_en_cause": [],
    }
)
COUNTS_2020 = {"tres_satisfaisant": 6, "satisfaisant": 9, "retard_explique": 6, "remis_en_cause": 0}
SUMMARY_2020 = (
    "6 mesures à l'avancement très satisfaisant, 9 au rythme satisfaisant, "
    "6 en retard en raison de la situation actuelle, aucune des mesures remises "
    "en cause à date."
)

STATUS_2021 = statuses(
    {
        "tres_satisfaisant": [1, 2, 3, 7, 9, 11, 15, 18, 20],
        "satisfaisant": [4, 5, 6, 8, 13, 16, 19, 21],
        "retard_explique": [10, 12, 17],
        "remis_en_cause": [14],
    }
)
COUNTS_2021 = {"tres_satisfaisant": 9, "satisfaisant": 8, "retard_explique": 3, "remis_en_cause": 1}
SUMMARY_2021 = (
    "9 mesures à l'avancement très satisfaisant, 8 au rythme satisfaisant, "
    "3 en retard en raison de la situation sanitaire, 1 mesure remise en cause."
)

# ---------------------------------------------------------------------------------------
# cover letters

RECIPIENT_2020 = [
    "Madame la Secrétaire d'État",
    "chargée de la Jeunesse et de l'Engagement",
    "Ministère de l'Éducation Nationale, de la Jeunesse et des Sports",
    "110, rue de Grenelle",
    "75357 PARIS Cedex",
]
SUBJECT_2020 = "Rapport d'étape à 6 mois de la mission « Accélérer les alliances stratégiques »"
LETTER_COUNTS_2020 = (
    "À date, 6 mesures présentent un avancement très satisfaisant, 9 "
    "avancent à un rythme satisfaisant, 6 sont en retard en raison de la "
    "situation actuelle, et aucune n'est remise en cause."
)
LETTER_2020 = LetterSpec(
    letterhead="Le RAMEAU",
    sender_address="12, avenue de Paris – 94300 Vincennes",
    recipient_lines=RECIPIENT_2020,
    place_date="Vincennes, le 17 octobre 2020",
    subject=SUBJECT_2020,
    salutation="Madame la Ministre,",
    paragraphs=[
        (
            "J'ai l'honneur de vous adresser le rapport d'étape à 6 mois de la mission que vous "
            "avez bien voulu nous confier. Il présente l'état d'avancement des 21 mesures "
            "proposées, organisées autour de 3 dimensions et 3 temporalités."
        ),
        "La mission a poursuivi ses travaux malgré un contexte particulièrement difficile. "
        + LETTER_COUNTS_2020,
        (
            "Les équipes du RAMEAU restent pleinement mobilisées pour accompagner la mise en "
            "œuvre des 4 chantiers à conduire collectivement, et se tiennent à votre disposition "
            "pour vous présenter ces résultats."
        ),
    ],
    closing="Je vous prie d'agréer, Madame la Ministre, l'expression de ma haute considération.",
    signature_role="Le Président-Fondateur",
    signature_name="Charles-Benoît HEIDSIECK",
)

RECIPIENT_2021 = [
    "Madame la Secrétaire d'État chargée de l'Économie sociale, solidaire et responsable",
    "Ministère de l'Économie, des Finances et de la Relance",
    "139, rue de Bercy",
    "75572 PARIS Cedex 12",
]
SUBJECT_2021 = "Suivi à un an de la mission « Accélérer les alliances stratégiques »"
LETTER_2021 = LetterSpec(
    letterhead="Le RAMEAU",
    sender_address="12, avenue de Paris – 94300 Vincennes",
    recipient_lines=RECIPIENT_2021,
    place_date="Paris, le 1er juin 2021",
    subject=SUBJECT_2021,
    salutation="Madame la Secrétaire d'État,",
    paragraphs=[
        (
            "Un an après la remise de nos propositions, j'ai le plaisir de vous transmettre le "
            "point de suivi de la mise en œuvre des 21 mesures de la mission."
        ),
        (
            "La dynamique engagée se confirme : la plupart des mesures opérationnelles sont "
            "désormais déployées, et les mesures politiques font l'objet de travaux avec les "
            "parlementaires et les réseaux territoriaux."
        ),
        (
            "Je reste à votre disposition, avec l'ensemble des équipes du RAMEAU, pour échanger "
            "sur les prochaines étapes."
        ),
    ],
    closing="Je vous prie d'agréer, Madame la Secrétaire d'État, l'expression de ma haute "
    "considération.",
    signature_role="Le Président-Fondateur",
    signature_name="Charles-Benoît HEIDSIECK",
)

RESULTS_2020 = ResultsSpec(
    title="Accélérer les alliances stratégiques",
    subtitle="Mission confiée au RAMEAU — rapport d'étape à 6 mois, octobre 2020",
    lead="21 mesures autour de 3 dimensions et 3 temporalités",
    paragraphs=[
        (
            "Les propositions de la mission s'articulent entre des mesures opérationnelles, "
            "stratégiques et politiques, dont les effets sont attendus à court, moyen et long "
            "terme. Leur mise en œuvre s'appuie sur des chantiers collectifs et sur des outils "
            "déjà disponibles."
        ),
    ],
    sections=[
        ("4 chantiers à conduire collectivement", CHANTIERS, "numbered"),
        ("3 outils pour agir dès aujourd'hui", OUTILS, "bullet"),
    ],
)


def typographic(s: str) -> str:
    return s.replace("'", "’")


# ---------------------------------------------------------------------------------------
# specs of the measures pages

DESC_OPERATIONNELLE = "qui permettent de valoriser l'existant et d'agir dès à présent en territoire"


def spec_2020(font, numbering, shape, tinted) -> ReportSpec:
    headings = dict(HEADINGS)
    headings["operationnelle"] = HEADINGS["operationnelle"] + ", " + DESC_OPERATIONNELLE
    return ReportSpec(
        measures=[(n, t, d, STATUS_2020[n]) for n, t, d in MEASURES],
        dimension_headings=headings,
        title="Rapport d'étape à 6 mois : avancement des mesures",
        numbering=numbering,
        font=font,
        palette=dict(PALETTE_GREENS),
        mark_layout="line",
        mark_shape=shape,
        tinted_headings=tinted,
        summary=SUMMARY_2020,
        legend=[(s, LEGEND_LABELS[s]) for s in STATUS_ORDER],
    )


def spec_2021() -> ReportSpec:
    headings = {k: typographic(v) for k, v in HEADINGS.items()}
    headings["politique"] += typographic(
        ", pour inscrire durablement les alliances dans le cadre de l'action publique"
    )
    return ReportSpec(
        measures=[(n, typographic(t), d, STATUS_2021[n]) for n, t, d in MEASURES],
        dimension_headings=headings,
        title=typographic("Suivi à un an : niveau d'avancement des mesures"),
        numbering="paren",
        font=LIBERATION_SANS,
        palette=dict(PALETTE_BLUES),
        mark_layout="table",
        mark_shape="square",
        tinted_headings=True,
        tint=(222, 233, 247),
        summary=typographic(SUMMARY_2021),
        legend_title=typographic("Légende du niveau d'avancement"),
        legend=[(s, LEGEND_LABELS[s]) for s in STATUS_ORDER],
        body_pt=10.0,
        heading_pt=10.5,
        heading_color=(18, 52, 120),
    )


def letter_2021() -> LetterSpec:
    spec = LETTER_2021
    return LetterSpec(
        **{
            **spec.__dict__,
            "recipient_lines": [typographic(x) for x in spec.recipient_lines],
            "subject": typographic(spec.subject),
            "salutation": typographic(spec.salutation),
            "paragraphs": [typographic(x) for x in spec.paragraphs],
            "closing": typographic(spec.closing),
            "letterhead_color": (18, 52, 120),
        }
    )


# ---------------------------------------------------------------------------------------
# ground truth


def measures_truth(page, status_map, inferred=(), form=str):
    """`form`: the titles as the page prints them (`typographic` where it prints ’)."""
    return [
        {
            "page": page,
            "number": n,
            "title": form(t),
            "dimension": d,
            "horizon_min_months": HORIZONS[d][0],
            "horizon_max_months": HORIZONS[d][1],
            "status": status_map[n],
            "number_inferred": n in inferred,
        }
        for n, t, d in MEASURES
    ]


def summary_truth(page, counts):
    return [{"page": page, "status": s, "count": counts[s]} for s in STATUS_ORDER]


def legend_truth(page):
    return [{"page": page, "status": s, "label": LEGEND_LABELS[s]} for s in STATUS_ORDER]


def letter_2020_truth(page):
    return {
        "page": page,
        "place": "Vincennes",
        "date": "2020-10-17",
        "sender_org": "Le RAMEAU",
        "sender_role": "Le Président-Fondateur",
        "recipient": "Madame la Secrétaire d'État chargée de la Jeunesse et de l'Engagement",
        "recipient_org": "Ministère de l'Éducation Nationale, de la Jeunesse et des Sports",
        "recipient_address": "110, rue de Grenelle 75357 PARIS Cedex",
        "subject": SUBJECT_2020,
        "salutation": "Madame la Ministre,",
    }


def letter_2021_truth(page):
    """As the letter prints it: its apostrophes are all ’ (see letter_2021)."""
    fields = {
        "page": page,
        "place": "Paris",
        "date": "2021-06-01",
        "sender_org": "Le RAMEAU",
        "sender_role": "Le Président-Fondateur",
        "recipient": "Madame la Secrétaire d'État chargée de l'Économie sociale, solidaire "
        "et responsable",
        "recipient_org": "Ministère de l'Économie, des Finances et de la Relance",
        "recipient_address": "139, rue de Bercy 75572 PARIS Cedex 12",
        "subject": SUBJECT_2021,
        "salutation": "Madame la Secrétaire d'État,",
    }
    return {k: typographic(v) if isinstance(v, str) else v for k, v in fields.items()}


def write_truth(name, truth, folder=HERE):
    path = os.path.join(folder, name + ".expected.json")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(truth, f, ensure_ascii=False, indent=2)
        f.write("\n")


def check_wraps(spec):
    wrapped = layout_measures_page(spec).meta["wrapped"]
    assert len(wrapped) >= 4, f"only {len(wrapped)} titles wrap: {wrapped}"


# ---------------------------------------------------------------------------------------
# samples


def make_scan_pdf():
    name = "rapport-2020-scan.pdf"
    dpi = 300
    spec = spec_2020(DEJAVU_SANS, "dot", "square", tinted=True)
    check_wraps(spec)
    pages = [
        render_results_page(RESULTS_2020, dpi, DEJAVU_SANS),
        render_letter_page(LETTER_2020, dpi, DEJAVU_SANS),
        render_measures_page(spec, dpi),
    ]
    skews = [1.2, -0.9, 1.2]
    jpegs = []
    for i, (img, skew) in enumerate(zip(pages, skews)):
        img = degrade(
            img,
            seed=2020_00 + i,
            skew_deg=skew,
            noise_sigma=6.0,
            blur_radius=0.6,
            jpeg_quality=None,
            paper=(250, 248, 242),
        )
        jpegs.append(jpeg_bytes(img, 55, dpi=dpi))  # the single JPEG round-trip
    write_image_pdf(os.path.join(HERE, name), jpegs, dpi)
    write_truth(
        name,
        {
            "source": name,
            "kind": "report+letter",
            "n_pages": 3,
            "measures": measures_truth(3, STATUS_2020),
            "status_summary": summary_truth(2, COUNTS_2020) + summary_truth(3, COUNTS_2020),
            "legend": legend_truth(3),
            "letters": [letter_2020_truth(2)],
        },
    )


def make_tiff():
    name = "rapport-2020-mesures.tif"
    dpi = 200
    spec = spec_2020(LIBERATION_SERIF, "mesure", "disc", tinted=False)
    check_wraps(spec)
    pages = [
        render_letter_page(LETTER_2020, dpi, LIBERATION_SERIF),
        render_measures_page(spec, dpi),
    ]
    frames = [
        degrade(
            img,
            seed=2020_10 + i,
            skew_deg=-0.8,
            noise_sigma=7.0,
            blur_radius=0.4,
            jpeg_quality=None,
            paper=(248, 247, 244),
        )
        for i, img in enumerate(pages)
    ]
    # YCbCr frames: libtiff then writes subsampled YCbCr JPEG (Photometric=6), ~2.5x
    # smaller than RGB JPEG frames; Pillow and tesseract read them back as RGB.
    frames = [f.convert("YCbCr") for f in frames]
    frames[0].save(
        os.path.join(HERE, name),
        format="TIFF",
        save_all=True,
        append_images=frames[1:],
        compression="jpeg",
        quality=55,
        dpi=(dpi, dpi),
    )
    write_truth(
        name,
        {
            "source": name,
            "kind": "report+letter",
            "n_pages": 2,
            "measures": measures_truth(2, STATUS_2020),
            "status_summary": summary_truth(1, COUNTS_2020) + summary_truth(2, COUNTS_2020),
            "legend": legend_truth(2),
            "letters": [letter_2020_truth(1)],
        },
    )


def make_born_digital():
    name = "suivi-2021-born-digital.pdf"
    spec = spec_2021()
    check_wraps(spec)
    write_born_digital_pdf(
        os.path.join(HERE, name),
        spec,
        letter_2021(),
        LIBERATION_SANS,
        title="Accélérer les alliances stratégiques — suivi à un an",
        author="Le RAMEAU",
    )
    write_truth(
        name,
        {
            "source": name,
            "kind": "report+letter",
            "n_pages": 2,
            "measures": measures_truth(1, STATUS_2021, form=typographic),
            "status_summary": summary_truth(1, COUNTS_2021),
            "legend": legend_truth(1),
            "letters": [letter_2021_truth(2)],
        },
    )


# ---------------------------------------------------------------------------------------
# legacy OCR text (as an older OCR system wrote it)

LEGACY_LETTER = """\
Le RAMEAU
12, avenue de Paris – 94300 Vincennes

Madame la Sccrétaire d’État
chargée de la Jeunesse et de I'Engagement
Ministére de l'Éducation Nationale, de la Jeunesse et des Sports
110, rue de Grenelle
75357 PARIS Cedex

Vincennes, le 17 octobre 2020

Objet : Rapport d’étape à 6 mois de la mission « Accélérer les alliances
stratégiques »

Madame la Ministre,

J'ai I'honneur de vous adresser le rapport d’étape à 6 mois de la mission que vous
avez bien voulu nous confier. Il présente l’état d'avancement des 21 mesures
proposées, organisées autour de 3 dimensions et 3 temporalités.

Lamission a poursuivi ses travaux malgré un contexte particulièrement difficile. À
date, 6 mesures présentent un avancement très satisfaisant, 9 avancent à un rythme
satisfaisant, 6 sont en retard en raison de la situation actuelle, et aucune n’est
remise en cause.

Les équipes du RAMEAU restent pleinement mobilisées pour accompagner la mise en
œuvre des 4 chantiers à conduire collectivement, et se tiennent à votre disposition
pour vous présenter ces résultats.

Je vous prie d’agréer, Madame la Ministre, l'expression de ma haute considération.

Le Président-Fondateur

Charles-Benoît HEIDSIECK
"""

LEGACY_MEASURES = """\
Rapport d’étape à 6 mois : avancement des mesures

6 mesures à l’avancement très satisfaisant, 9 au rythme satisfaisant, 6 en retard en
raison de la situation actuelle, aucune des mesures remises en cause à date.

7 MESURES OPÉRATIONNELLES, AUX PREMIERS EFFETS A 3/9 MOIS, QUI PERMETTENT DE
VALORISER L'EXISTANT ET D'AGIR DÈS À PRÉSENT EN TERRITOIRE

1. Rendre immédiatement accessible I'existant pour agir dès à présent
o vhw
2. Favoriser la convergence entre la diversité des outils pour les
organisations et les territoires
. Faciliter l'usage des données pour mieux cibler les priorités stratégiques
4. Valoriser les alliances stratégiques au travers des événements de référence
ajy fou
5. Organiser une démarche de dialogue actif entre les dynamiques du « jouer
collectif »
6. Articuler les complémentarités entre les acteurs de l’ingénierie
nationale & territoriale, en croisant les connaissances sectorielles et
territoriales
7. Faire des ODD l’occasion d'expérimentations d'alliance en territoire pour

agir concrétement là où aucun acteur ne peut répondre seul

7 MESURES STRATÉGIQUES, AUX EFFETS A 6/12 MOIS

8. Promouvoir et valoriser 'investissement dans l'innovation sociétale
partenariale
9. Accompagner les alliances stratégiques
BIR00000 ROCONDO
10. Structurer une réflexion partagée sur I'évaluation partenariale
11. Inciter à un État exemplaire en matière d’alliances innovantes
12. Positionner les services de l'État comme « médiateurs » des dynamiques
d'alliances stratégiques
13. Structurer une capacité collective de R&D partenariale pour anticiper
les besoins et suivre les expérimentations innovantes
14.Piloter une recherche-action collective sur l’hybridation des modèles
socio-économiques

7 MESURES POLITIQUES, AUX EFFETS MESURABLES A 12/18 MOIS

15. Inscrire les « alliances stratégiques » aux agendas des instances des
différents « mondes »
16. Créer une Conférence des alliances stratégiques au service des défis
communs, déclinée localement
ajy fou
17. Inciter à croiser « espaces de dialogue », « compétences de
catalyseurs » et « pédagogie des alliances »
18. Créer un « droit d'expérimentation partenariale »
19. Instruire l’opportunité d'un nouveau statut de « société de bien commun »
20. Développer notre capacité collective à « apprendre à faire alliance »
o vhw
21. Inscrire les nouvelles formes d'alliance et de partenariats aux
programmes de formation, de l'éducation des plus jeunes à la formation
continue

Légende du niveau d'avancement
Hl Très satisfaisant
1 Satisfaisant
[ Retard expliqué
Bl Remis en cause
"""


def make_legacy():
    name = "rapport-2020-legacy.txt"
    text = LEGACY_LETTER + "\f" + LEGACY_MEASURES
    data = text.replace("\n", "\r\n").encode("cp1252")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    write_truth(
        name,
        {
            "source": name,
            "kind": "report+letter",
            "n_pages": 2,
            "measures": measures_truth(2, STATUS_2020, inferred={3}),
            "status_summary": summary_truth(1, COUNTS_2020) + summary_truth(2, COUNTS_2020),
            "legend": legend_truth(2),
            "letters": [letter_2020_truth(1)],

            "statuses_legible": False,  # text only: the marks' colours are not in it
        },
    )


# ---------------------------------------------------------------------------------------
# one-page status samples (samples/status/): mark layouts x palettes, and a grey scan


def random_statuses(seed: int) -> dict:
    """A status per measure, drawn with a fixed seed; every status used at least once."""
    rng = random.Random(seed)
    while True:
        out = {n: rng.choice(STATUS_ORDER) for n, _t, _d in MEASURES}
        if set(out.values()) == set(STATUS_ORDER):
            return out


def count_statuses(status_map: dict) -> dict:
    return {s: sum(1 for v in status_map.values() if v == s) for s in STATUS_ORDER}


def summary_sentence(counts: dict) -> str:
    """The summary sentence of a measures page, in the family's wording, from counts."""
    def n_mesures(n):
        return f"{n} mesure" + ("s" if n > 1 else "")

    remis = counts["remis_en_cause"]
    return (
        f"{n_mesures(counts['tres_satisfaisant'])} à l'avancement très satisfaisant, "
        f"{counts['satisfaisant']} au rythme satisfaisant, "
        f"{counts['retard_explique']} en retard en raison de la situation actuelle, "
        + ("aucune des mesures remises en cause à date." if remis == 0
           else f"{remis} remise{'s' if remis > 1 else ''} en cause.")
    )


# name, layout, palette, shape, numbering, font, seed, skew, cast, grayscale, stated counts
# differing from the marks (the document's own error), file type
STATUS_SAMPLES = [
    ("line-greens.jpg", "line", PALETTE_GREENS, "square", "dot", DEJAVU_SANS, 41, 1.1,
     None, False, None, "jpeg"),
    ("line-blues.pdf", "line", PALETTE_BLUES, "disc", "mesure", LIBERATION_SERIF, 42, -0.9,
     (1.08, 1.0, 0.9), False, None, "pdf"),
    ("table-greens.pdf", "table", PALETTE_GREENS, "square", "paren", LIBERATION_SANS, 43, 0.8,
     (0.92, 1.0, 1.1), False, None, "pdf"),
    ("table-blues.jpg", "table", PALETTE_BLUES, "square", "n", DEJAVU_SANS_CONDENSED, 44, -1.2,
     None, False, None, "jpeg"),
    ("strip-greens.tif", "strip", PALETTE_GREENS, "disc", "M", LIBERATION_SANS, 45, -0.7,
     None, False, None, "tiff"),
    ("strip-blues.jpg", "strip", PALETTE_BLUES, "disc", "dot", DEJAVU_SANS, 46, 1.0,
     (1.0, 0.92, 1.12), False, {"satisfaisant": +1, "retard_explique": -1}, "jpeg"),
    ("line-greens-grayscale.jpg", "line", PALETTE_GREENS, "square", "dot", DEJAVU_SANS, 47,
     0.9, None, True, None, "jpeg"),
]
STATUS_DPI = 200
STATUS_JPEG_QUALITY = 60


def status_spec(layout, palette, shape, numbering, font, status_map, summary) -> ReportSpec:
    return ReportSpec(
        measures=[(n, t, d, status_map[n]) for n, t, d in MEASURES],
        dimension_headings=dict(HEADINGS),
        title="Niveau d'avancement des mesures",
        numbering=numbering,
        font=font,
        palette=dict(palette),
        mark_layout=layout,
        mark_shape=shape,
        tinted_headings=layout != "strip",
        tint=(226, 239, 226) if palette is PALETTE_GREENS else (222, 233, 247),
        summary=summary,
        legend=[(s, LEGEND_LABELS[s]) for s in STATUS_ORDER],
        body_pt=10.5 if layout == "line" else 10.0,
        heading_pt=11.0 if layout == "line" else 10.5,
        measure_gap=3.2 if layout == "line" else 1.5,
    )


def write_scan(path: str, img, kind: str) -> None:
    """One scanned page as a JPEG file, an image-only PDF or a JPEG-compressed TIFF."""
    if kind == "jpeg":
        with open(path, "wb") as f:
            f.write(jpeg_bytes(img, STATUS_JPEG_QUALITY, dpi=STATUS_DPI))
    elif kind == "pdf":
        write_image_pdf(path, [jpeg_bytes(img, STATUS_JPEG_QUALITY, dpi=STATUS_DPI)], STATUS_DPI)
    else:
        img.convert("YCbCr").save(path, format="TIFF", compression="jpeg",
                                  quality=STATUS_JPEG_QUALITY, dpi=(STATUS_DPI, STATUS_DPI))


def make_status_sample(name, layout, palette, shape, numbering, font, seed, skew, cast, gray,
                       misstated, kind) -> None:
    status_map = random_statuses(seed)
    counts = count_statuses(status_map)
    stated = {s: counts[s] + (misstated or {}).get(s, 0) for s in STATUS_ORDER}
    spec = status_spec(layout, palette, shape, numbering, font, status_map,
                       summary_sentence(stated))
    img = degrade(render_measures_page(spec, STATUS_DPI), seed=seed, skew_deg=skew,
                  noise_sigma=4.0, blur_radius=0.4, cast=cast, grayscale=gray,
                  paper=(250, 249, 245))
    write_scan(os.path.join(STATUS_DIR, name), img, kind)
    truth = {
        "source": f"status/{name}",
        "kind": "report",
        "n_pages": 1,
        "layout": layout,
        "measures": measures_truth(1, status_map),
        "status_summary": summary_truth(1, stated),
        "legend": legend_truth(1),
        "letters": [],
    }
    if numbering == "M":  # printed « M7 »: the label carries its letter (« 7. » is label 7)
        for m in truth["measures"]:
            m["label"] = f"M{m['number']}"
    if gray:
        truth["statuses_legible"] = False  # a grey scan: the marks' colours are lost
    write_truth(name, truth, STATUS_DIR)


def make_status_samples() -> None:
    os.makedirs(STATUS_DIR, exist_ok=True)
    for args in STATUS_SAMPLES:
        make_status_sample(*args)


def main():
    make_scan_pdf()
    make_tiff()
    make_born_digital()
    make_legacy()
    make_status_samples()
    for folder in (HERE, STATUS_DIR):
        for f in sorted(os.listdir(folder)):
            p = os.path.join(folder, f)
            if os.path.isfile(p) and not f.endswith(".py"):
                print(f"{os.path.getsize(p):>10,}  {os.path.relpath(p, os.path.dirname(HERE))}")


if __name__ == "__main__":
    main()
