"""Measures from text: numbering styles, headings, horizons, wrapped titles, junk, lost numbers."""
from __future__ import annotations

from extractors.document import extract_records
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
