"""Measures from text: numbering styles, headings, horizons, wrapped titles, junk, lost numbers."""
from __future__ import annotations

from extractors.document import extract_records
from extractors.numbering import Printed, settle_numbers
from models.records import Line, Page


def page_of(text: str, page: int = 1) -> Page:
    lines, blank = [], False
    for raw in text.strip("\n").split("\n"):
        if not raw.strip():
            blank = True
            continue
        lines.append(Line(text=raw.strip(), bbox=None, para_break=blank and bool(lines)))
        blank = False
    return Page(page=page, method="legacy-text", lines=tuple(lines))


def measures(text: str):
    extraction, _pages, _repairs = extract_records([page_of(text)])
    return extraction.measures


def test_dot_numbering_with_wrapped_titles_and_headings() -> None:
    got = measures("""
7 mesures opérationnelles, aux premiers effets à 3/9 mois
1. Rendre immédiatement accessible l'existant
pour agir dès à présent
2. Favoriser la convergence
7 mesures stratégiques, aux effets à 6/12 mois
8. Promouvoir et valoriser l'investissement
""")
    assert [(m.number, m.dimension, m.horizon_min_months, m.horizon_max_months) for m in got] == [
        (1, "operationnelle", 3, 9), (2, "operationnelle", 3, 9), (8, "strategique", 6, 12)]
    assert got[0].title == "Rendre immédiatement accessible l'existant pour agir dès à présent"
    assert not any(m.number_inferred for m in got)
    assert all(m.status is None and m.status_source is None for m in got)


def test_other_numbering_styles() -> None:
    got = measures("""
Mesures politiques, aux effets mesurables de 12 à 18 mois
Mesure 15 — Inscrire les alliances
16) Créer une Conférence
n°17 Inciter à croiser
M18 Créer un droit
19.Instruire l'opportunité
""")
    assert [m.number for m in got] == [15, 16, 17, 18, 19]
    assert [m.title.split()[0] for m in got] == ["Inscrire", "Créer", "Inciter", "Créer", "Instruire"]
    assert {(m.horizon_min_months, m.horizon_max_months) for m in got} == {(12, 18)}


def test_lost_number_is_inferred_and_junk_is_dropped() -> None:
    got = measures("""
7 MESURES OPÉRATIONNELLES, AUX PREMIERS EFFETS A 3/9 MOIS
1. Rendre accessible l'existant
o vhw
2. Favoriser la convergence
BIR00000 ROCONDO
. Faciliter l'usage des données
4. Valoriser les alliances
""")
    assert [m.number for m in got] == [1, 2, 3, 4]
    assert [m.number_inferred for m in got] == [False, False, True, False]
    assert got[1].title == "Favoriser la convergence"
    assert got[2].confidence < got[1].confidence
    assert got[0].dimension == "operationnelle"


def test_other_numbered_lists_are_not_measures() -> None:
    got = measures("""
21 mesures autour de 3 dimensions et 3 temporalités
4 chantiers à conduire collectivement
1. Plateforme de mobilisation de l'engagement
2. Fonds d'ingénierie pour le développement des alliances
3 outils pour agir dès aujourd'hui
1. Un centre de ressources
""")
    assert got == ()


def test_summary_sentence_and_legend_end_a_title() -> None:
    got = measures("""
7 mesures politiques, aux effets à 12/18 mois
21. Inscrire les nouvelles formes d'alliance
Légende du niveau d'avancement
Très satisfaisant Satisfaisant Retard expliqué Remis en cause
""")
    assert len(got) == 1 and got[0].title == "Inscrire les nouvelles formes d'alliance"


def test_heading_with_description_after_horizon() -> None:
    got = measures("""
• 7 mesures stratégiques, aux effets de 6 à 12 mois, qui permettent de valoriser l'existant
9. Accompagner les alliances stratégiques
""")
    assert (got[0].dimension, got[0].horizon_min_months, got[0].horizon_max_months) == (
        "strategique", 6, 12)


def test_misread_and_glued_numbers_confirmed_by_neighbours() -> None:
    got = measures("""
4 mesures opérationnelles, aux premiers effets à 3 à 9 mois
l. Ouvrir des consultations gratuites
2.Former les enseignants au repérage
. Publier un annuaire des lieux d'écoute
4. Renforcer les permanences
Mesures stratégiques — de 6 a 12 mois
S. Associer les associations étudiantes
6) Doubler le nombre de psychologues
7. Créer un numéro d'appel unique
B. Évaluer chaque année les dispositifs
9. Inscrire la santé mentale
1O. Garantir un financement pérenne
l1. Reconnaître le statut de l'étudiant aidant
I2. Confier au Parlement un bilan annuel
""")
    assert [m.number for m in got] == list(range(1, 13))
    assert [m.number for m in got if m.number_inferred] == [3]
    assert got[4].title == "Associer les associations étudiantes"
    assert (got[4].dimension, got[4].horizon_min_months, got[4].horizon_max_months) == (
        "strategique", 6, 12)
    assert got[0].confidence < got[1].confidence  # a misread number costs confidence


def test_a_misread_number_that_does_not_fit_is_inferred() -> None:
    got = measures("""
Mesures politiques, 12-18 mois
9. Inscrire la santé mentale
S. Garantir un financement pérenne
11. Reconnaître le statut
""")
    assert [(m.number, m.number_inferred) for m in got] == [(9, False), (10, True), (11, False)]


def test_lost_numbers_in_other_styles() -> None:
    got = measures("""
MESURES STRATÉGIQUES (DE 6 À 12 MOIS)
Mesure 5 — Créer un fonds d'amorçage
Mesure — Associer les entreprises du territoire
Mesure 7 — Évaluer chaque année l'impact
n°8 Développer des partenariats
n° Inscrire le droit à l'accompagnement
M10 Garantir une offre de médiation
Ml1 Confier à l'État le pilotage
""")
    assert [(m.number, m.number_inferred) for m in got] == [
        (5, False), (6, True), (7, False), (8, False), (9, True), (10, False), (11, False)]
    assert got[1].title == "Associer les entreprises du territoire"


def test_announced_counts_find_titles_whose_number_was_dropped() -> None:
    got = measures("""
3 mesures opérationnelles, aux premiers effets à 3/9 mois
1. Création d'un annuaire national des tiers-lieux
Mise en réseau des animateurs par région
3. Ouverture d'un guichet d'information pour les porteurs de projets
2 mesures stratégiques, aux effets à 6/12 mois
4. Formation des animateurs à la gestion associative
Labellisation des lieux ouverts au public
""")
    assert [(m.number, m.number_inferred) for m in got] == [
        (1, False), (2, True), (3, False), (4, False), (5, True)]
    assert got[1].title == "Mise en réseau des animateurs par région"


def test_title_broken_by_blank_line_junk_and_a_year() -> None:
    got = measures("""
7 mesures stratégiques, aux effets à 6/12 mois
10. Garantir une offre de médiation dans chaque bassin de vie d'ici à

2025
11. Inciter à un

État exemplaire en matière d'alliances innovantes
ajy fou
12. Évaluer chaque année l'efficacité des dispositifs financés par
BIR00000 ROCONDO

I'Etat
13. Piloter une recherche
o vhw
""")
    assert [m.title for m in got] == [
        "Garantir une offre de médiation dans chaque bassin de vie d'ici à 2025",
        "Inciter à un État exemplaire en matière d'alliances innovantes",
        "Évaluer chaque année l'efficacité des dispositifs financés par l'État",
        "Piloter une recherche"]


# Two columns read across the page by an old OCR system: line i of the left column, then
# line i of the right one. Titles must not take lines from the other column.
TWO_COLUMNS = """
Plan vélo régional : avancement des mesures

MESURES OPÉRATIONNELLES (3/9 MOIS)
MESURES STRATÉGIQUES (6/12 MOIS)
1. Cartographier les itinéraires
4. Installer des arceaux dans les
cyclables existants
gares, les lycées et les salles
2. Ouvrir des ateliers de
de sport
réparation solidaires
5. Former les agents des
3. Lancer une campagne de
collectivités aux aménagements
sensibilisation à la sécurité
cyclables
routière
6. Publier chaque trimestre les
chiffres de fréquentation

Mesures politiques, 12/18 mois
7. Inscrire le vélo dans les plans de mobilité
"""


def test_two_columns_read_across_the_page_are_put_back() -> None:
    got = measures(TWO_COLUMNS)
    assert [(m.number, m.dimension) for m in got] == [
        (1, "operationnelle"), (2, "operationnelle"), (3, "operationnelle"),
        (4, "strategique"), (5, "strategique"), (6, "strategique"), (7, "politique")]
    assert [m.title for m in got[:6]] == [
        "Cartographier les itinéraires cyclables existants",
        "Ouvrir des ateliers de réparation solidaires",
        "Lancer une campagne de sensibilisation à la sécurité routière",
        "Installer des arceaux dans les gares, les lycées et les salles de sport",
        "Former les agents des collectivités aux aménagements cyclables",
        "Publier chaque trimestre les chiffres de fréquentation"]
    assert not any(m.number_inferred for m in got)


def test_one_column_is_left_alone() -> None:
    got = measures("""
7 mesures opérationnelles, aux premiers effets à 3/9 mois
1. Rendre accessible l'existant
2. Favoriser la convergence
7 mesures stratégiques, aux effets à 6/12 mois
8. Promouvoir et valoriser
""")
    assert [m.number for m in got] == [1, 2, 8]


def test_heading_wordings_and_horizon_forms() -> None:
    got = measures("""
• 3 MESURES OPÉRATIONNELLES, aux premiers effets a 3 à 9 mois, qui permettent d'agir
1. Rouvrir des commerces de proximité
- dimension stratégique : de 6 & 12 mois
2. Accompagner la reprise des fermes
MESURES POLITIQUES, AUX EFFETS MESURABLES A 12/18 MOIS, POUR INSCRIRE DURABLEMENT
LES ACTIONS DANS LA LOI
3. Adapter la dotation des petites communes
Mesures opérationnelles : 3-9 mois
4. Publier un guide
Mesures stratégiques, aux premiers effets
à 6/12 mois
5. Former les agents
""")
    assert [(m.dimension, m.horizon_min_months, m.horizon_max_months) for m in got] == [
        ("operationnelle", 3, 9), ("strategique", 6, 12), ("politique", 12, 18),
        ("operationnelle", 3, 9), ("strategique", 6, 12)]
    assert got[2].title == "Adapter la dotation des petites communes"


def test_title_repairs_lower_confidence_and_keep_the_raw_title() -> None:
    clean, damaged = measures("""
7 mesures opérationnelles, aux premiers effets à 3/9 mois
1. Rendre immédiatement accessible l'existant pour agir dès à présent
2. Faire des ODD l'occasion d'agir concrétement 1a ot aucun acteur ne peut répondre seul
""")
    assert damaged.title == ("Faire des ODD l'occasion d'agir concrètement là où aucun acteur ne "
                             "peut répondre seul")
    assert "1a ot" in damaged.raw_title
    assert damaged.confidence < clean.confidence


def test_single_horizons_in_months_and_years() -> None:
    got = measures("""
Mesures opérationnelles, aux premiers effets à 6 mois
1. Ouvrir un guichet unique
Mesures stratégiques, aux effets à 1 an
2. Former les agents
Mesures politiques, aux effets mesurables à 3 ans
3. Inscrire le droit à l'essai
Mesures politiques, à 18 mois
4. Adapter la loi
Mesures stratégiques, aux effets de 1 à 2 ans
5. Évaluer les dispositifs
""")
    assert [(m.horizon_min_months, m.horizon_max_months) for m in got] == [
        (6, 6), (12, 12), (36, 36), (18, 18), (12, 24)]


def test_a_heading_wrapped_over_four_lines_of_a_narrow_column_is_one_heading() -> None:
    """Three narrow columns, their headings in capitals wrapped word by word, an icon read as
    « © » or « R » before each: every measure gets its dimension and horizon."""
    got = measures("""
© 5 MESURES
OPÉRATIONNELLES,
AUX PREMIERS
EFFETS À 6 MOIS
M1 Ouvrir dans
chaque canton un point d'accueil
M2 Recenser les lieux
R 4 MESURES
POLITIQUES, AUX
EFFETS MESURABLES
À 18 MOIS
M3 Créer un
observatoire national
Mesures
stratégiques
M4 Former les agents
""")
    assert [(m.label, m.dimension, m.horizon_min_months, m.horizon_max_months) for m in got] == [
        ("M1", "operationnelle", 6, 6), ("M2", "operationnelle", 6, 6), ("M3", "politique", 18, 18),
        ("M4", "strategique", None, None)]
    assert got[2].title == "Créer un observatoire national"


def test_prefixed_labels_are_published_as_printed() -> None:
    got = measures("""
Mesures opérationnelles, aux premiers effets à 3/9 mois
O1. Ouvrir un guichet unique
O2 — Publier un annuaire des lieux
O3) Créer un réseau de référents
Mesures stratégiques, aux effets à 6/12 mois
S1. Former les agents
S2. Associer les entreprises
Mesures politiques, aux effets à 12/18 mois
P1 — Inscrire le droit à l'essai
""")
    assert [(m.label, m.number, m.position) for m in got] == [
        ("O1", 1, 1), ("O2", 2, 2), ("O3", 3, 3), ("S1", 1, 4), ("S2", 2, 5), ("P1", 1, 6)]
    assert not any(m.number_inferred for m in got)
    assert got[3].title == "Former les agents" and got[3].dimension == "strategique"


def test_numbering_that_restarts_per_dimension_is_kept_and_lost_numbers_follow_it() -> None:
    got = measures("""
3 mesures opérationnelles, aux premiers effets à 3/9 mois
1. Ouvrir un guichet unique
2. Publier un annuaire des lieux
3. Créer un réseau de référents
2 mesures stratégiques, aux effets à 6/12 mois
1. Former les agents
. Associer les entreprises du territoire
Mesures politiques, aux effets à 12/18 mois
1. Inscrire le droit à l'essai
""")
    assert [(m.number, m.label, m.number_inferred) for m in got] == [
        (1, "1", False), (2, "2", False), (3, "3", False), (1, "1", False), (2, "2", True),
        (1, "1", False)]
    assert [m.position for m in got] == [1, 2, 3, 4, 5, 6]


def test_a_misread_first_number_of_a_section_is_not_a_restart() -> None:
    got = measures("""
Mesures opérationnelles, aux premiers effets à 3/9 mois
6. Ouvrir un guichet unique
7. Publier un annuaire des lieux
Mesures stratégiques, aux effets à 6/12 mois
3. Former les agents
9. Associer les entreprises
10. Évaluer les dispositifs
""")
    assert [(m.number, m.number_inferred) for m in got] == [
        (6, False), (7, False), (8, True), (9, False), (10, False)]



def test_a_section_whose_numbers_go_on_is_no_restart_for_one_misread_number() -> None:
    """« 9) » read « 2) » in the second section, whose first number OCR lost: « 2 » alone
    would start the section at 1, but « 10. » and « 11. » go on from « 7. ». The lost number
    is 8, the misread one 9 (inferred, as their neighbours place them) — not 1 and 2."""
    got = measures("""
Mesures opérationnelles, aux premiers effets à 3/9 mois
6. Ouvrir un guichet unique
7. Publier un annuaire des lieux
Mesures stratégiques, aux effets à 6/12 mois
Former les agents de l'accueil
2) Associer les entreprises
10. Évaluer les dispositifs
11. Réviser les volumes prélevables
""")
    assert [(m.number, m.number_inferred) for m in got] == [
        (6, False), (7, False), (8, True), (9, True), (10, False), (11, False)]

def test_measures_printed_without_numbers_get_no_number() -> None:
    got = measures("""
3 mesures opérationnelles, aux premiers effets à 3/9 mois
Ouvrir un guichet unique dans chaque département
Publier un annuaire des lieux d'écoute
Créer un réseau de référents
""")
    assert [m.title for m in got] == ["Ouvrir un guichet unique dans chaque département",
                                      "Publier un annuaire des lieux d'écoute",
                                      "Créer un réseau de référents"]
    assert [(m.number, m.label, m.number_inferred) for m in got] == [(None, None, True)] * 3


def test_uppercase_n_degree_and_numbers_glued_to_their_title() -> None:
    got = measures("""
5 mesures opérationnelles, à 3/9 mois
N° 1Élargir la rénovation énergétique des bâtiments
N° 2 — Réviser les démarches d'évaluation partagée
Mesure 3Déployer l'accès des jeunes aux dispositifs
7: Ouvrir la place des habitants
© 8. Consolider les indicateurs d'impact social
""")
    assert [(m.number, m.title) for m in got] == [
        (1, "Élargir la rénovation énergétique des bâtiments"),
        (2, "Réviser les démarches d'évaluation partagée"),
        (3, "Déployer l'accès des jeunes aux dispositifs"),
        (7, "Ouvrir la place des habitants"),
        (8, "Consolider les indicateurs d'impact social")]


def scanned_measures(text: str):
    """Measures of a page read by OCR: each line with its box, one under the other (legacy
    text's own repair for columns read across the page does not apply)."""
    lines = tuple(Line(text=raw.strip(), bbox=(100.0, 100.0 + 40 * k, 1500.0, 130.0 + 40 * k))
                  for k, raw in enumerate(text.strip("\n").split("\n")))
    extraction, _pages, _repairs = extract_records([Page(page=1, method="ocr", lines=lines)])
    return extraction.measures


def test_a_number_read_out_of_order_is_kept_and_put_in_its_place() -> None:
    """Columns read in the wrong order put « 6. » between « 1. » and « 2. »: 6 is that
    measure's printed number (no other measure prints it, no place is left for it between its
    neighbours), not a misread to renumber 2; the measures are published in printed order."""
    got = scanned_measures("""
Mesures opérationnelles, aux premiers effets à 3/9 mois
1. Ouvrir un guichet unique
6. Articuler les complémentarités entre les acteurs
2. Publier un annuaire des lieux
3. Créer un réseau de référents
4. Former les agents
5. Associer les entreprises
7. Inscrire le droit à l'essai
""")
    assert [(m.number, m.number_inferred, m.position) for m in got] == [
        (n, False, n) for n in range(1, 8)]
    assert got[5].title == "Articuler les complémentarités entre les acteurs"


def test_a_misread_number_where_a_measure_was_lost_is_still_inferred() -> None:
    """« 8. » read as « 6. » after « 7. » (measure 6's line lost): its neighbours leave it
    exactly one place, 8; a number no neighbour confirms is never published as printed."""
    got = scanned_measures("""
Mesures opérationnelles, aux premiers effets à 3/9 mois
5. Ouvrir un guichet unique
7. Publier un annuaire des lieux
6. Créer un réseau de référents
9. Former les agents
""")
    assert [(m.number, m.number_inferred) for m in got] == [(5, False), (7, False), (8, True),
                                                             (9, False)]


def test_a_strips_numbers_read_as_a_line_are_no_measure() -> None:
    """The numbers printed by a strip's marks, read by OCR as one line with the marks read as
    letters (« E1 2 53 4 … M8 M9 »), are no measure: 042 published a 22nd measure so, and its
    strip's marks, then « on its band », were tied to nothing."""
    got = measures("""
2 mesures opérationnelles, aux premiers effets à 3/9 mois
1. Rendre immédiatement accessible l'existant pour agir dès à présent
2. Favoriser la convergence entre la diversité des outils

E1 2 53 4 5 6 7 M8 M9 M10M11M12M13M14M15M16M17 M18 19 M20 H21
""")
    assert [m.number for m in got] == [1, 2]
    assert got[1].title == "Favoriser la convergence entre la diversité des outils"


def test_a_heading_of_the_dimension_adjective_alone_gives_its_measures_their_dimension() -> None:
    """« Opérationnel · effets attendus à 3/9 mois »: the adjective opening its line is a heading;
    a measure whose title opens with « Politique » stays a measure of the heading above it."""
    got = measures("""
Opérationnel · effets attendus à 3/9 mois
1. Rendre immédiatement accessible l'existant
2. Favoriser la convergence des outils
STRATÉGIQUE : EFFETS ATTENDUS À 6/12 MOIS
3. Politique d'achat public à revoir
Politique
4. Inscrire les alliances aux agendas
""")
    assert [(m.number, m.dimension, m.horizon_min_months, m.horizon_max_months) for m in got] == [
        (1, "operationnelle", 3, 9), (2, "operationnelle", 3, 9), (3, "strategique", 6, 12),
        (4, "politique", None, None)]
    assert got[2].title == "Politique d'achat public à revoir"


def test_a_numbered_line_whose_words_ocr_misread_is_still_a_measure() -> None:
    """« n° 2 Clariñier la »: no word of it is known, and it is short, as graphics' junk is;
    its « n° 2 » says it is a measure, and its title goes on below."""
    got = measures("""
Les 3 mesures
n° 1 Publier chaque semaine l'état des nappes
n° 2 Clariñier la
gouvernance des retenues
n° 3 Intégrer la ressource en eau
""")
    assert [(m.number, m.title) for m in got] == [
        (1, "Publier chaque semaine l'état des nappes"),
        (2, "Clariñier la gouvernance des retenues"), (3, "Intégrer la ressource en eau")]


def test_a_dot_after_a_word_that_cannot_end_a_title_is_a_speck() -> None:
    got = measures("""
Les 2 mesures
1. Généraliser le pilotage de.
l'irrigation par sondes
2. Mettre à jour le plan (cf.
annexe) des usages
""")
    assert [m.title for m in got] == ["Généraliser le pilotage de l'irrigation par sondes",
                                      "Mettre à jour le plan (cf. annexe) des usages"]


def test_a_line_of_strip_labels_after_the_measures_is_no_measure() -> None:
    got = measures("""
Les 3 mesures
M1 Publier chaque semaine l'état des nappes
M2 Clarifier la gouvernance des retenues
M3 Intégrer la ressource en eau
M1 M2 M3 M4
""")
    assert [m.label for m in got] == ["M1", "M2", "M3"]


def test_a_tables_horizon_cell_read_on_a_titles_line_is_not_the_title() -> None:
    """A table row read as one line, its horizon cell (« de 3 à 9 mois ») or its head
    (« Horizon Avancement ») standing past a cell's gap: not the title; a word past a wide gap
    that is neither stays the title's."""
    from tests.test_columns import line_of, words_at
    rows = [("7 mesures opérationnelles, aux premiers effets à 3/9 mois", None),
            ("1. Faciliter l'usage des données", "de 3 à 9 mois"),
            ("2. Valoriser les alliances stratégiques", "Horizon Avancement"),
            ("3. Créer un fonds de catégorie", "nationale")]
    lines = []
    for i, (title, cell) in enumerate(rows):
        words = words_at(title, 100.0, 100.0 + 40 * i)
        if cell:
            words += words_at(cell, 100.0 + 10 * len(title) + 40, 100.0 + 40 * i)
        lines.append(line_of(words, para=True))
    page = Page(page=1, method="ocr", lines=tuple(lines), width_px=1200, height_px=1600, dpi=150)
    extraction, _pages, _repairs = extract_records([page])
    assert [m.title for m in extraction.measures] == [
        "Faciliter l'usage des données", "Valoriser les alliances stratégiques",
        "Créer un fonds de catégorie nationale"]


def test_an_m_label_whose_two_digits_ocr_read_as_letters_is_confirmed_by_its_neighbours() -> None:
    got = measures("""
MESURES POLITIQUES (À 18 MOIS)
M10 Développer les partenariats avec les bailleurs sociaux
” MLL Garantir un accès non numérique à toute démarche
M12 Créer un observatoire national de l'inclusion numérique
MIL Miser sur les communes
""")
    assert [(m.label, m.number_inferred, m.title) for m in got] == [
        ("M10", False, "Développer les partenariats avec les bailleurs sociaux"),
        ("M11", False, "Garantir un accès non numérique à toute démarche"),
        ("M12", False, "Créer un observatoire national de l'inclusion numérique"),
        ("M13", True, "Miser sur les communes")]  # « MIL » out of sequence: 13 by its place


def test_an_m_label_whose_4_ocr_read_as_a_is_a_measure_of_its_own() -> None:
    """A photographed deck (hb-018): « M4 » read « MA », « M5 » read « MS ». M4's title was
    glued onto M3's."""
    got = measures("""
M3 Simplifier les formulaires en ligne les plus demandés par les usagers
MA Former les agents d'accueil des mairies à l'accompagnement numérique
MS Prêter des ordinateurs reconditionnés aux familles qui en sont dépourvues
M6 Créer une ligne téléphonique d'assistance pour les démarches administratives
""")
    assert [(m.label, m.title) for m in got] == [
        ("M3", "Simplifier les formulaires en ligne les plus demandés par les usagers"),
        ("M4", "Former les agents d'accueil des mairies à l'accompagnement numérique"),
        ("M5", "Prêter des ordinateurs reconditionnés aux familles qui en sont dépourvues"),
        ("M6", "Créer une ligne téléphonique d'assistance pour les démarches administratives")]


def _settled(numbers: list[int | None], sections: list[int] | None = None) -> list[int | None]:
    printed = [Printed(n, "", False, s) for n, s in zip(numbers, sections or [0] * len(numbers),
                                                          strict=True)]
    return [s.number for s in settle_numbers(printed)]


def test_a_section_whose_numbers_were_all_lost_is_not_counted_on_after_sections_that_restart(
        ) -> None:
    """A deck numbering each dimension from 1 (1-3, 1-2, 1-4), the last section's numbers all
    lost (« . Créer … »): they were published 3-6, counting on from the section before. The
    document numbers by section, so they are no number (hb-026 of a development set)."""
    assert _settled([1, 2, 3, 1, 2, None, None, None, None], [0, 0, 0, 1, 1, 2, 2, 2, 2]) == [
        1, 2, 3, 1, 2, None, None, None, None]
    # one numbering across sections: a section's lost numbers go on from the one before
    assert _settled([1, 2, 3, 4, 5, None, None], [0, 0, 0, 1, 1, 2, 2]) == [1, 2, 3, 4, 5, 6, 7]


def test_a_number_beyond_its_restarting_sections_announced_count_is_a_misread() -> None:
    """« 3 MESURES OPÉRATIONNELLES » numbered 1, 2, « 5. » (3 misread), then « 2 MESURES
    STRATÉGIQUES » numbered from 1 again: the 5 cannot be, and its place makes it 3. Numbered
    on across sections (one run), a section's numbers exceed its count rightly."""
    def settled(numbers: list[int], sections: list[int], caps: dict[int, int]) -> list[int | None]:
        return [s.number for s in settle_numbers(
            [Printed(n, "", False, sec, caps[sec]) for n, sec in zip(numbers, sections,
                                                                      strict=True)])]
    assert settled([1, 2, 5, 1, 2], [0, 0, 0, 1, 1], {0: 3, 1: 2}) == [1, 2, 3, 1, 2]
    assert settled([1, 2, 3, 4, 5], [0, 0, 0, 1, 1], {0: 3, 1: 2}) == [1, 2, 3, 4, 5]


def test_a_line_read_as_a_measure_does_not_shift_the_numbers_printed_around_it() -> None:
    """Numbers 2-7 and 9-13 lost, « 8. » and « 14. » read, then a stray line taken for a
    measure before « 15. »: the printed 8 and 14 stand (they were published 7 and 13, the
    stray line's place pushing every guess back by one), and the stray line gets no number."""
    numbers = [1, *[None] * 6, 8, *[None] * 5, 14, None, 15, 16, 17, 18, None, None, None]
    assert _settled(numbers) == [*range(1, 15), None, *range(15, 22)]


def test_numbers_are_inferred_in_a_gap_only_where_its_measures_fill_it() -> None:
    """Between « 7 » and « 16 » stand seven measures whose numbers were lost, for the eight
    numbers 8-15: one measure was not found, and where is unknown, so none of the seven gets
    a number (from the left they were 8-14, wrong after the lost one). At the run's end the
    one neighbour places them."""
    assert _settled([1, 2, None, None, None, None, 7, *[None] * 7, 16, 17, None]) == [
        1, 2, 3, 4, 5, 6, 7, *[None] * 7, 16, 17, 18]


def test_a_legible_number_its_neighbours_contradict_is_no_number() -> None:
    """« 15 » and « 14 » read between « 3 » and « 5 » (a right-hand column read across, the
    measure 4 between lost): neither the printed numbers, which the order contradicts, nor a
    guess, which the extra measure makes unsure — no number."""
    assert _settled([1, 2, 3, 14, 15, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16]) == [
        1, 2, 3, None, None, *range(5, 14), 16]


def test_two_columns_read_across_keep_every_number_printed_once() -> None:
    """Two columns read line by line across (12, 1, 13, 2, …), the right column's first
    measure read before the left one's heading: every number from 1 to 21 printed once is
    each measure's own, in whatever order and sections it was read."""
    numbers = [12, 1, 13, 2, 14, 3, 4, 5, 15, 6, 16, 17, 7, 18, 19, 8, 20, 9, 10, 21, 11]
    sections = [0] + [1] * 6 + [2] * 7 + [3] * 7
    assert _settled(numbers, sections) == numbers


def test_lost_numbers_after_a_section_that_restarts_at_one_are_not_inferred_across_it() -> None:
    """The first section's numbers all lost, the second's read 1, 2, 4 (numbering by
    dimension), the third's all lost: the third's are not 8-14 counted on from the second's
    (its own would be 1-7), they are no number; the second's lost ones are counted in it."""
    numbers = [*[None] * 7, 1, 2, None, 4, None, None, None, *[None] * 7]
    sections = [1] * 7 + [2] * 7 + [3] * 7
    assert _settled(numbers, sections) == [*[None] * 7, 1, 2, 3, 4, 5, 6, 7, *[None] * 7]


def test_a_number_too_far_from_its_neighbours_to_be_measures_lost_is_a_misread() -> None:
    """« O5 » and « O6 » read « 95 » and « 98 » between « O4 » and « O7 »: they rise, but skip
    more numbers than the run has measures — misreads, not 90 measures lost. The gap between
    4 and 7 holds two measures, so they are 5 and 6, inferred."""
    assert _settled([1, 2, 3, 4, 95, 98, 7]) == [1, 2, 3, 4, 5, 6, 7]


def test_a_status_cell_beside_a_wrapped_title_does_not_cut_it() -> None:
    """A table row: the title on two lines, its status in words in the last column, read by
    OCR between the title's two lines (it stands a little lower than the first). The title is
    whole, and the status is the measure's."""
    def line(text: str, x0: float, y0: float, x1: float, y1: float) -> Line:
        return Line(text=text, bbox=(x0, y0, x1, y1))
    lines = (line("Opérationnel : effets attendus de 3 à 9 mois", 160, 400, 900, 440),
             line("2. Publier chaque semaine l'état des nappes par", 164, 514, 1100, 560),
             line("Satisfaisant", 1371, 525, 1593, 570),
             line("bassin versant", 236, 552, 461, 577),
             line("3. Généraliser le pilotage de l'irrigation par sondes", 164, 615, 1100, 659),
             line("Retard expliqué", 1338, 624, 1626, 669),
             line("d'humidité", 235, 654, 403, 678),
             line("4. Réparer en priorité les réseaux de distribution", 164, 714, 1100, 760),
             line("Satisfaisant", 1371, 726, 1593, 768))
    extraction, _pages, _repairs = extract_records([Page(page=1, method="ocr", lines=lines)])
    assert [(m.title, m.status) for m in extraction.measures] == [
        ("Publier chaque semaine l'état des nappes par bassin versant", "satisfaisant"),
        ("Généraliser le pilotage de l'irrigation par sondes d'humidité", "retard_explique"),
        ("Réparer en priorité les réseaux de distribution", "satisfaisant")]


def test_a_list_without_dimensions_is_measures_when_the_document_reports_their_progress() -> None:
    listing = """
Suivi de la mise en œuvre des propositions
1. Généraliser le pilotage de
l'irrigation par sondes
2. Réparer en priorité les
réseaux de distribution
3. Réutiliser les eaux usées
"""
    progress = """
Niveau d'avancement — décembre 2024
Très satisfaisant
Satisfaisant
"""
    got = measures(listing + progress)
    assert [(m.number, m.title, m.dimension) for m in got] == [
        (1, "Généraliser le pilotage de l'irrigation par sondes", None),
        (2, "Réparer en priorité les réseaux de distribution", None),
        (3, "Réutiliser les eaux usées", None)]
    assert measures(listing) == ()  # a numbered list alone is not taken for measures
    assert measures(listing.replace("Suivi", "4 chantiers\nSuivi") + progress) == ()
    # nor a number opening a sentence's line (« et 1 mesure … ») by a legend
    assert measures("Sur les vingt et une mesures : onze très satisfaisantes, six "
                    "satisfaisantes, trois en retard\net 1 mesure remise en cause.\n"
                    + progress) == ()


def test_a_dimension_heading_whose_words_ocr_joined_by_a_hyphen_is_a_heading() -> None:
    got = measures("""
Dimension-opérationnelle (à 3/9 mois)
1) Rendre immédiatement accessible l'existant
2) Favoriser la convergence entre les outils
""")
    assert [(m.number, m.dimension, m.horizon_min_months, m.horizon_max_months) for m in got] == [
        (1, "operationnelle", 3, 9), (2, "operationnelle", 3, 9)]


def test_measures_go_on_after_a_legend_when_the_title_between_lost_its_number() -> None:
    """A slide's third column read in two halves, the legend beside it read between them; the
    first title of the lower half lost its number: 17 goes on after 15 (16 lost), as 16 would."""
    got = measures("""
Dimension politique (à 12/18 mois)
14) Piloter une recherche-action collective
15) Inscrire les alliances aux agendas
Légende du niveau d'avancement
Très satisfaisant
Satisfaisant
17) Inciter à croiser les espaces de dialogue
18) Créer un droit d'expérimentation
""")
    assert [m.number for m in got] == [14, 15, 17, 18]
    assert all(m.dimension == "politique" for m in got)


def test_measures_begin_after_a_legend_row_when_the_first_titles_lost_their_numbers() -> None:
    """A photographed page: the count of measures, the legend's row, then the first dimension's
    heading and its first two titles read across the next column (« got immédiatement … »):
    the list is taken up at its third title, the first one numbered."""
    got = measures("""
21 mesures autour de 3 dimensions et 3 temporalités
Très satisfaisant Satisfaisant Retard expliqué Remis en cause
ogg OPÉRATIONNELLES : E
got immédiatement accessible l'existant pour
_. pour he # "eo =
03 Faciliter l'usage des données pour mieux cibler les priorités stratégiques
O4 Valoriser les alliances stratégiques au travers des événements de référence
O5 Organiser une démarche de dialogue actif
7 MESURES STRATÉGIQUES : EFFETS À 6/12 MOIS
S1 Promouvoir et valoriser l'investissement
""")
    assert [m.number for m in got] == [3, 4, 5, 1]
    assert got[0].title == "Faciliter l'usage des données pour mieux cibler les priorités stratégiques"
    assert [m.dimension for m in got] == [None, None, None, "strategique"]


def test_a_marks_glyphs_read_before_a_title_are_not_part_of_it() -> None:
    """A coloured mark or an icon before the title, read as a letter or two (« L », « MES. »):
    the title opens with its infinitive; the raw title keeps what was read."""
    got = measures("""
Dimension opérationnelle (à 3/9 mois)
1. L Harmoniser les modalités de contrôle des subventions publiques
2. MES. Doter la place des habitants dans les conseils citoyens
3. Le Fonds Développer sans verbe en tête
""")
    assert [m.title for m in got] == [
        "Harmoniser les modalités de contrôle des subventions publiques",
        "Doter la place des habitants dans les conseils citoyens",
        "Le Fonds Développer sans verbe en tête"]
    assert got[0].raw_title == "1. L Harmoniser les modalités de contrôle des subventions publiques"
