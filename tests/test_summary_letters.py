"""Status-count sentences, legends and letters from text; dates as a property."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.document import extract_records
from extractors.letters import parse_french_date
from models.records import Page
from tests.test_measures import page_of

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]


def counts(text: str) -> dict[str, int]:
    extraction, _p, _r = extract_records([page_of(text)])
    return {c.status: c.count for c in extraction.status_counts}


def test_summary_sentence_with_zero() -> None:
    assert counts("6 mesures à l'avancement très satisfaisant, 9 au rythme satisfaisant, 6 en "
                  "retard en raison de la situation actuelle, aucune des mesures remises en cause "
                  "à date") == {"tres_satisfaisant": 6, "satisfaisant": 9, "retard_explique": 6,
                                "remis_en_cause": 0}


def test_summary_in_words_and_singular() -> None:
    assert counts("Neuf mesures très satisfaisantes, huit satisfaisantes, trois en retard, "
                  "1 mesure remise en cause.") == {"tres_satisfaisant": 9, "satisfaisant": 8,
                                                   "retard_explique": 3, "remis_en_cause": 1}


def test_summary_split_over_paragraphs() -> None:
    assert counts("""
6 mesures à l'avancement très satisfaisant, 9 au rythme satisfaisant, 6 en retard,

aucune des mesures remises en cause à date.
""")["remis_en_cause"] == 0


def test_a_legend_is_not_a_summary() -> None:
    text = """
Légende du niveau d'avancement
Hl Très satisfaisant
1 Satisfaisant
[ Retard expliqué
Bl Remis en cause
"""
    assert counts(text) == {}
    extraction, _p, _r = extract_records([page_of(text)])
    assert [e.status for e in extraction.legend] == [
        "tres_satisfaisant", "satisfaisant", "retard_explique", "remis_en_cause"]


LETTER = """
Le RAMEAU
12, avenue de Paris 94300 Vincennes

Madame la Secrétaire d'État
chargée de la Jeunesse et de l'Engagement
Ministére de l'Éducation Nationale, de la Jeunesse et des Sports
110, rue de Grenelle
75357 PARIS Cedex

Vincennes, le 17 octobre 2020

Objet : Rapport d'étape à 6 mois

Madame la Ministre,

J'ai l'honneur de vous adresser le rapport.

Je vous prie d'agréer, Madame la Ministre, l'expression de ma haute considération.

Le Président-Fondateur
Charles-Benoît HEIDSIECK
"""


def test_letter_fields() -> None:
    extraction, _p, _r = extract_records([page_of(LETTER)])
    (letter,) = extraction.letters
    assert (letter.place, letter.date) == ("Vincennes", "2020-10-17")
    assert letter.sender_org == "Le RAMEAU"
    assert letter.sender_role == "Le Président-Fondateur"
    assert letter.recipient == "Madame la Secrétaire d'État chargée de la Jeunesse et de l'Engagement"
    assert letter.recipient_org == "Ministère de l'Éducation Nationale, de la Jeunesse et des Sports"
    assert letter.recipient_address == "110, rue de Grenelle 75357 PARIS Cedex"
    assert letter.subject == "Rapport d'étape à 6 mois"
    assert letter.salutation == "Madame la Ministre,"
    assert extraction.kind == "letter"


def test_date_forms() -> None:
    assert parse_french_date("1er mai 2021") == "2021-05-01"
    assert parse_french_date("17/10/2020") == "2020-10-17"
    assert parse_french_date("17 octohre 2020") == "2020-10-17"  # damaged month name
    assert parse_french_date("31 février 2020") is None  # not a date: NULL, not a guess


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2060, 12, 31)))
def test_french_dates_round_trip(day: dt.date) -> None:
    first = "1er" if day.day == 1 else str(day.day)
    assert parse_french_date(f"{first} {MONTHS[day.month - 1]} {day.year}") == day.isoformat()
    assert parse_french_date(day.strftime("%d/%m/%Y")) == day.isoformat()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_date_parser_never_raises(text: str) -> None:
    assert parse_french_date(text) is None or len(parse_french_date(text) or "") == 10


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=12))
def test_extraction_never_raises_on_garbage(lines: list[str]) -> None:
    extraction, _p, _r = extract_records([page_of("\n".join(lines) or "x")])
    assert all(m.number is None or m.number >= 1 for m in extraction.measures)


def test_summary_count_words_and_a_second_count_in_one_clause() -> None:
    assert counts("Sur les vingt et une mesures : onze très satisfaisantes, six satisfaisantes, "
                  "trois en retard et 1 mesure remise en cause.") == {
        "tres_satisfaisant": 11, "satisfaisant": 6, "retard_explique": 3, "remis_en_cause": 1}
    assert counts("Dix-sept mesures très satisfaisantes, deux satisfaisantes, deux en retard, "
                  "aucune remise en cause.") == {"tres_satisfaisant": 17, "satisfaisant": 2,
                                                 "retard_explique": 2, "remis_en_cause": 0}


def test_summary_in_a_letter_sentence() -> None:
    assert counts("À date, 6 mesures présentent un avancement très satisfaisant, 9 avancent à un "
                  "rythme satisfaisant, 6 sont en retard, et aucune n'est remise en cause.") == {
        "tres_satisfaisant": 6, "satisfaisant": 9, "retard_explique": 6, "remis_en_cause": 0}


def test_summary_after_a_legend_in_the_same_paragraph_and_damaged() -> None:
    assert counts("""
Légende du niveau d'avancement
Hl Très satisfaisant
1 Satisfaisant
En retard
Remis en cause
6 mesures a l'avancement trés satisfaisant, 9 au rythme satisfaisant, 6 en retard en
raison de la situation actuelle, aucune des mesures rernises en cause a date.
""") == {"tres_satisfaisant": 6, "satisfaisant": 9, "retard_explique": 6, "remis_en_cause": 0}


DAMAGED_LETTER = """
Fondation Horizons Ruraux
3, place du Marché – 21000 Dijon

Madamc la Sccrétaire d'Etat
chargée de la Ruralité
Ministére de la Cohésion des territoires
20, avenue de Ségur
75007 Paris

Fait à Dijon, le 3 févr1er 2021

Objet : Suivi des mesures de la mission « Villages vivants »

Madame la Secrétaire d'État,

Veuillez trouver ci-joint le suivi des mesures.

La Présidente

Anne LEROUX
"""


def test_letter_with_damaged_words() -> None:
    extraction, _p, _r = extract_records([page_of(DAMAGED_LETTER)])
    (letter,) = extraction.letters
    assert (letter.place, letter.date) == ("Dijon", "2021-02-03")
    assert letter.recipient == "Madame la Secrétaire d'État chargée de la Ruralité"
    assert letter.recipient_org == "Ministère de la Cohésion des territoires"
    assert letter.recipient_address == "20, avenue de Ségur 75007 Paris"
    assert letter.sender_role == "La Présidente"


def test_recipient_block_lines_are_told_apart_by_how_they_open() -> None:
    """The recipient's title wrapped on two lines is one recipient; the next name, its office
    word misread (« Prétecture »), is the organisation; the street, misread too, is the line over
    the postcode — never glued onto the recipient."""
    page = page_of("""Institut national de la jeunesse

Toulouse, le 4 mars 2020

Monsieur le Ministre de la
Cohésion des territoires
Prétecture de la Haute Garonne
L pièce Saint Étenne
31038 TOULOUSE Cedex 9

Objet : Transmission du rapport

Monsieur le Ministre,

Veuillez trouver ci-joint le rapport.
""")
    (letter,) = extract_records([page])[0].letters
    assert letter.recipient == "Monsieur le Ministre de la Cohésion des territoires"
    assert letter.recipient_org == "Prétecture de la Haute Garonne"
    assert letter.recipient_address == "L pièce Saint Étenne 31038 TOULOUSE Cedex 9"


def test_more_date_forms() -> None:
    assert parse_french_date("17.10.2020") == "2020-10-17"
    assert parse_french_date("ler mai 2021") == "2021-05-01"
    assert parse_french_date("3 févr1er 2021") == "2021-02-03"
    assert parse_french_date("1 avri1 2020") == "2020-04-01"


def test_letterhead_and_recipient_side_by_side_are_read_apart() -> None:
    # OCR reads the letterhead (left) and the recipient's block (right) as one line each row.
    from tests.test_columns import line_of, words_at

    rows = [("Fondation Horizons Ruraux", "Madame la Secrétaire d'État"),
            ("3, place du Marché", "chargée de la Ruralité"),
            ("21000 Dijon", "Ministère de la Cohésion des territoires"),
            ("", "20, avenue de Ségur"),
            ("", "75007 Paris")]
    lines = []
    for k, (left, right) in enumerate(rows):
        words = (words_at(left, 100.0, 100.0 + 30 * k) if left else []) + words_at(
            right, 900.0, 100.0 + 30 * k)
        lines.append(line_of(words))
    for k, text in enumerate(["Dijon, le 3 février 2021", "Objet : Suivi des mesures",
                              "Madame la Secrétaire d'État,",
                              "Veuillez trouver ci-joint le suivi des mesures.",
                              "Je vous prie d'agréer l'expression de ma haute considération.",
                              "La Présidente"]):
        lines.append(line_of(words_at(text, 100.0, 300.0 + 60 * k), para=True))
    page = Page(page=1, method="ocr", lines=tuple(lines), width_px=2000, height_px=2800, dpi=200)
    extraction, _p, _r = extract_records([page])
    (letter,) = extraction.letters
    assert letter.sender_org == "Fondation Horizons Ruraux"
    assert letter.recipient == "Madame la Secrétaire d'État chargée de la Ruralité"
    assert letter.recipient_org == "Ministère de la Cohésion des territoires"
    assert letter.recipient_address == "20, avenue de Ségur 75007 Paris"
    assert (letter.place, letter.date) == ("Dijon", "2021-02-03")


def test_a_letter_whose_salutation_ocr_glued_and_mangled_is_still_a_letter() -> None:
    text = LETTER.replace("Madame la Ministre,\n", "MadamelaMinisre,\n").replace(
        "Je vous prie d'agréer, Madame la Ministre,", "Je vous prie d'agréer,")
    extraction, _p, _r = extract_records([page_of(text)])
    (letter,) = extraction.letters
    assert (letter.place, letter.date, letter.sender_org) == ("Vincennes", "2020-10-17", "Le RAMEAU")
    assert letter.recipient == "Madame la Secrétaire d'État chargée de la Jeunesse et de l'Engagement"
    assert letter.sender_role == "Le Président-Fondateur"
    assert letter.salutation == "MadamelaMinisre,"  # as read: a salutation is never made up
    unreadable = text.replace("MadamelaMinisre,\n", "Mdmlmnsr\n")
    (letter,) = extract_records([page_of(unreadable)])[0].letters  # date, address, closing, role
    assert (letter.date, letter.salutation) == ("2020-10-17", None)


def test_a_letter_and_its_report_on_one_legacy_page() -> None:
    text = LETTER.replace("Madame la Ministre,\n", "MadamelaMinisre,\n") + """
7 mesures opérationnelles, aux premiers effets à 3/9 mois
1. Rendre immédiatement accessible l'existant pour agir dès à présent
2. Favoriser la convergence entre la diversité des outils
État d'avancement
Retard expliqué
"""
    extraction, _p, _r = extract_records([page_of(text)])
    assert extraction.kind == "report+letter"
    assert extraction.letters[0].date == "2020-10-17"
    assert [m.title for m in extraction.measures] == [
        "Rendre immédiatement accessible l'existant pour agir dès à présent",
        "Favoriser la convergence entre la diversité des outils"]


def test_headings_and_legend_labels_after_the_last_measure_are_not_glued_to_it() -> None:
    for after in ("Niveau d'avancement des mesures", "NIVEAU D'AVANCEMENT", "Légende :",
                  "Retard expliqué", "Rythme satisfaisant"):
        text = f"""
7 mesures politiques, aux effets à 12/18 mois
21. Inscrire les nouvelles formes d'alliance et de partenariats aux programmes de
{after}
"""
        extraction, _p, _r = extract_records([page_of(text)])
        assert [m.title for m in extraction.measures] == [
            "Inscrire les nouvelles formes d'alliance et de partenariats aux programmes de"], after


def test_a_letterhead_whose_name_was_not_read_gives_no_address_for_a_sender() -> None:
    """The organisation's name above its address is a logo OCR could not read: the address
    line, its comma read as « ; », is not the sender (NULL, not a street)."""
    extraction, _p, _r = extract_records([page_of("""
@®
10; rue de Fontenay
75007 Paris

Paris, le 3 février 2021

Madame la Ministre de la Transition écologique
Ministère de la Transition écologique

Madame la Ministre,

Nous avons l'honneur de vous adresser notre rapport.
""")])
    (letter,) = extraction.letters
    assert letter.sender_org is None
    assert letter.date == "2021-02-03"


def test_a_salutation_ocr_read_without_its_spaces_is_spaced_again() -> None:
    """« MonsieurlePréfet, »: a salutation set in a wide face loses its spaces to OCR. It is
    published as the fewest known words it is glued from — and as read when it is glued from
    none (« MadamelaMinisre, »: no guess)."""
    from extractors.letters import spaced

    assert spaced("MonsieurlePréfet,") == "Monsieur le Préfet,"
    assert spaced("MadamelaDirectricegénérale,") == "Madame la Directrice générale,"
    assert spaced("MadamelaSecrétaired'État,") == "Madame la Secrétaire d'État,"
    assert spaced("Madame la Ministre,") == "Madame la Ministre,"
    assert spaced("MadamelaMinisre,") == "MadamelaMinisre,"
    extraction, _p, _r = extract_records([page_of("""
Paris, le 3 février 2021

Monsieur le Préfet de la région Occitanie

MonsieurlePréfet,

Nous avons l'honneur de vous adresser notre rapport.
""")])
    (letter,) = extraction.letters
    assert letter.salutation == "Monsieur le Préfet,"


@pytest.mark.parametrize(("letterhead", "date_line", "sender_org", "place"), [
    ("_ Le RAMEAU", "Vincennes, te 17 octobre 2020", "Le RAMEAU", "Vincennes"),
    ("Le RAMEAU .", "Vincennes. le 17 octobre 2020", "Le RAMEAU", "Vincennes"),
    ("Le RAMEAU", '" Vincennes, ie 17 octobre 2020', "Le RAMEAU", "Vincennes"),
    ("Le RAMEAU", "Fait à Le Havre, le 17 octobre 2020", "Le RAMEAU", "Le Havre"),
])
def test_specks_at_the_ends_of_a_place_or_a_sender_are_not_published(
        letterhead: str, date_line: str, sender_org: str, place: str) -> None:
    """OCR reads a speck of the paper as « _ » or « . » beside a line, « le » as « te » or
    « ie », a comma as a period: the place and the sender are published without them."""
    text = LETTER.replace("Le RAMEAU", letterhead).replace(
        "Vincennes, le 17 octobre 2020", date_line)
    extraction, _p, _r = extract_records([page_of(text)])
    (letter,) = extraction.letters
    assert (letter.sender_org, letter.place, letter.date) == (sender_org, place, "2020-10-17")
