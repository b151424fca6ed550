"""Columns found from word boxes: lines read across a gutter are split, columns read in turn."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from extractors.columns import column_boxes, read_columns
from extractors.document import extract_records, typographic_pages
from models.records import Line, Page, Word

CHAR, HEIGHT, PITCH = 10.0, 20.0, 30.0  # a character's width, a word's height, line pitch


def words_at(text: str, x: float, y: float) -> list[Word]:
    out, pos = [], x
    for token in text.split():
        out.append(Word(token, (pos, y, pos + CHAR * len(token), y + HEIGHT), 95.0))
        pos += CHAR * (len(token) + 1)
    return out


def line_of(words: list[Word], para: bool = False) -> Line:
    boxes = [w.bbox for w in words]
    return Line(" ".join(w.text for w in words), (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes)), 95.0, para, tuple(words))


def page_across(rows: list[list[str]], lefts: list[float], top: list[str], bottom: list[str]
                ) -> Page:
    """A page whose column rows were read across the gutter as single lines, as OCR does."""
    lines, y = [], 100.0
    for text in top:
        lines.append(line_of(words_at(text, lefts[0], y)))
        y += PITCH
    y += PITCH
    for row in rows:
        words = [w for text, x in zip(row, lefts, strict=True) if text for w in words_at(text, x, y)]
        lines.append(line_of(words))
        y += PITCH
    y += PITCH
    for text in bottom:
        lines.append(line_of(words_at(text, lefts[0], y), para=True))
        y += PITCH
    return Page(page=1, method="ocr", lines=tuple(lines), width_px=1800, height_px=2400, dpi=200)


TWO = [
    ["7 mesures opérationnelles, à 3/9 mois", "7 mesures stratégiques, à 6/12 mois"],
    ["1. Rendre accessible l'existant pour", "8. Promouvoir l'investissement dans"],
    ["agir dès à présent", "l'innovation sociétale partenariale"],
    ["2. Favoriser la convergence entre", "9. Accompagner les alliances"],
    ["les outils des territoires", "stratégiques des territoires"],
    ["3. Faciliter l'usage des données", "10. Structurer une réflexion partagée"],
    ["", "sur l'évaluation partenariale"],
]


def test_two_columns_read_across_the_gutter_are_read_column_by_column() -> None:
    page = page_across(TWO, [100.0, 520.0], ["Rapport d'étape : 21 mesures autour de 3 dimensions"],
                       ["Légende du niveau d'avancement",
                        "Très satisfaisant Satisfaisant Retard expliqué Remis en cause"])
    extraction, _pages, _r = extract_records([page])
    got = [(m.number, m.dimension, m.horizon_min_months, m.title) for m in extraction.measures]
    assert got == [
        (1, "operationnelle", 3, "Rendre accessible l'existant pour agir dès à présent"),
        (2, "operationnelle", 3, "Favoriser la convergence entre les outils des territoires"),
        (3, "operationnelle", 3, "Faciliter l'usage des données"),
        (8, "strategique", 6, "Promouvoir l'investissement dans l'innovation sociétale partenariale"),
        (9, "strategique", 6, "Accompagner les alliances stratégiques des territoires"),
        (10, "strategique", 6, "Structurer une réflexion partagée sur l'évaluation partenariale")]
    boxes = column_boxes(page.lines)
    assert len(boxes) == 2 and boxes[0][2] < 520 <= boxes[1][0]
    for m in extraction.measures:  # each measure's box lies within its column
        assert any(b[0] <= m.bbox[0] and m.bbox[2] <= b[2] for b in boxes), m
    texts = [ln.text for ln in read_columns(page.lines)]
    assert texts[0].startswith("Rapport") and texts[-1].startswith("Très satisfaisant")


def test_three_columns_and_a_line_across_them() -> None:
    rows = [["1. Ouvrir un guichet unique", "3. Former les agents de", "5. Inscrire le droit à"],
            ["dans chaque département", "l'accueil du public", "l'essai dans la loi"],
            ["2. Publier un annuaire", "4. Associer les entreprises", "6. Adapter la dotation"],
            ["des lieux d'écoute", "du territoire", "des petites communes"]]
    page = page_across(rows, [100.0, 450.0, 800.0], [], [])
    texts = [ln.text for ln in read_columns(page.lines)]
    assert texts == ["1. Ouvrir un guichet unique", "dans chaque département",
                     "2. Publier un annuaire", "des lieux d'écoute",
                     "3. Former les agents de", "l'accueil du public",
                     "4. Associer les entreprises", "du territoire",
                     "5. Inscrire le droit à", "l'essai dans la loi",
                     "6. Adapter la dotation", "des petites communes"]


def test_one_column_with_hanging_numbers_and_wide_spaces_is_left_alone() -> None:
    lines = []
    for i, text in enumerate(["1.   Rendre accessible l'existant", "     pour agir dès à présent",
                              "2.   Favoriser la convergence", "3.   Faciliter l'usage des données",
                              "     pour mieux cibler", "4.   Valoriser les alliances"]):
        words = [w for k, part in enumerate(text.split("   ")) if part.strip()
                 for w in words_at(part.strip(), 100.0 + 50.0 * k, 100.0 + PITCH * i)]
        lines.append(line_of(words))
    assert read_columns(lines) == lines
    assert column_boxes(lines) == []


def three_column_scan(path: str) -> None:
    """The 2020 report's 21 measures set in three columns (one dimension each) with a status
    square at each column's right edge, 12 pt gutters, at 200 dpi: tesseract reads most of its
    rows across the gutters, squares and all."""
    from samples.generate import HEADINGS, MEASURES
    from samples.render import DEJAVU_SANS, Page, _ascent, bold_variant, rasterize, text_width, wrap

    page, size, gutter = Page(), 9.0, 12.0
    bold = bold_variant(DEJAVU_SANS)
    left, width = 42.0, page.width - 84.0
    page.text(left, 40 + _ascent(14), "Rapport d'étape : avancement des mesures", bold, 14)
    colw = (width - 2 * gutter) / 3
    indent = text_width("00.", DEJAVU_SANS, size) + 4
    for c, dimension in enumerate(HEADINGS):
        x, y = left + c * (colw + gutter), 80.0
        for line in wrap(HEADINGS[dimension], bold, size + 1, colw):
            page.text(x, y + _ascent(size + 1), line, bold, size + 1)
            y += (size + 1) * 1.3
        y += 4
        for number, title, dim in MEASURES:
            if dim != dimension:
                continue
            base = y + _ascent(size)
            page.text(x, base, f"{number}.", DEJAVU_SANS, size)
            lines = wrap(title, DEJAVU_SANS, size, colw - indent - 14)
            for i, line in enumerate(lines):
                page.text(x + indent, base + i * size * 1.27, line, DEJAVU_SANS, size)
            page.mark("square", x + colw - 5, base - 0.36 * size, 7, (243, 146, 0))
            y += len(lines) * size * 1.27 + 4
    rasterize(page, 200).crop((0, 0, 1654, 1500)).save(path, dpi=(200, 200))


def test_a_scanned_page_in_three_columns_is_read_column_by_column(tmp_path) -> None:
    from extractors.document import process_file
    from samples.generate import HORIZONS, MEASURES

    path = tmp_path / "trois-colonnes.png"
    three_column_scan(str(path))
    result = process_file(str(path))
    got = [(m.number, m.title, m.dimension, (m.horizon_min_months, m.horizon_max_months))
           for m in result.extraction.measures]
    assert got == [(n, title, dim, HORIZONS[dim]) for n, title, dim in MEASURES]


def test_status_marks_read_as_glyphs_before_titles_are_dropped() -> None:
    # Unnumbered titles each led by its status square, which OCR read as `@`, `6`, `©`.
    lines = [line_of(words_at("3 mesures stratégiques, aux effets à 6/12 mois", 100.0, 100.0))]
    for k, (glyph, title) in enumerate([("@", "Favoriser la convergence des outils"),
                                        ("6", "Inciter à un État exemplaire"),
                                        ("©", "Piloter une recherche-action collective")]):
        y = 160.0 + 50 * k
        mark = Word(glyph, (100.0, y - 8, 130.0, y + 26), 60.0)  # a square, taller than text
        lines.append(line_of([mark, *words_at(title, 150.0, y)], para=True))
    page = Page(page=1, method="ocr", lines=tuple(lines), width_px=1800, height_px=2400, dpi=200)
    extraction, _pages, repairs = extract_records([page])
    assert [(m.number, m.title) for m in extraction.measures] == [
        (None, "Favoriser la convergence des outils"), (None, "Inciter à un État exemplaire"),
        (None, "Piloter une recherche-action collective")]
    assert [r.before for r in repairs if r.rule == "mark-glyph.v1"] == ["@", "6", "©"]



def test_a_page_in_three_columns_under_a_heading_that_nears_the_gutter() -> None:
    """A held-out-style page read by tesseract (tests/data/pages: its lines and marks as read,
    100 dpi, three tinted columns of measures with their titles indented after « M6 »): the
    heading above the strip ends within a word height of the second column, and the indent of
    that column's titles is a straighter line of starts than the gutter. The gutter is still the
    white between the columns: each measure's title is read down its own column."""
    from flows.pipeline.pagecache import page_from_json

    data = json.loads((Path(__file__).parent / "data" / "pages" / "three-columns-100dpi.json")
                      .read_text(encoding="utf-8"))
    extraction, _pages, _r = extract_records([page_from_json(data)])
    got = {m.label: (m.dimension, m.title) for m in extraction.measures}
    titles = {"M1": "Ouvrir dans chaque canton un point d’accueil numérique tenu par des "
                    "médiateurs formés",
              "M6": "Mutualiser les moyens de médiation entre communes voisines’",
              "M7": "Évaluer chaque année l’accessibilité des services publics en ligne"}
    for label, title in titles.items():
        assert got[label][1] == title
    assert [label for label, (dim, _t) in got.items() if dim == "strategique"] == [
        "M6", "M7", "M8", "M9", "M10"]
    # all 14 found (« MLL » is M11), so the strip of 14 discs, whose small « M7 » … « M14 »
    # 100 dpi leaves illegible, ties by its count: every status as the page draws it
    s, r, t = "satisfaisant", "retard_explique", "tres_satisfaisant"
    assert [m.status for m in extraction.measures] == [s, s, s, r, s, s, t, s, r, t, s, s, s, s]


def _page(rows: list[tuple[str, float]], top: float = 100.0) -> Page:
    """A page of lines (text, left) one PITCH apart."""
    lines = [line_of(words_at(text, x, top + PITCH * i)) for i, (text, x) in enumerate(rows)]
    return Page(page=1, method="ocr", lines=tuple(lines), width_px=1400, height_px=1800, dpi=150)


def test_a_row_whose_number_ocr_mangled_opens_a_measure_of_a_hanging_indented_list() -> None:
    """« 17. » read « ice » (hb-030 of a development set): the row's title was glued onto
    measure 16's, whose title then held two measures'. In a list whose titles all stand right
    of their numbers, a line that starts in the numbers' column with one short word and goes on
    in the titles' column opens the next row."""
    rows = [("Mesures politiques — de 12 à 18 mois", 100.0),
            ("16. Créer une Conférence des alliances stratégiques", 100.0),
            ("communs, déclinée localement", 140.0),
            ("ice inciter à croiser les espaces de dialogue", 100.0),
            ("et la pédagogie des alliances", 140.0),
            ("18. Créer un droit d'expérimentation partenariale", 100.0)]
    extraction, _pages, _repairs = extract_records([_page(rows)])
    got = [(m.number, m.title) for m in extraction.measures]
    assert got == [(16, ("Créer une Conférence des alliances stratégiques communs, déclinée "
                         "localement")),
                   (17, "Inciter à croiser les espaces de dialogue et la pédagogie des alliances"),
                   (18, "Créer un droit d'expérimentation partenariale")]
    # a title's next line that starts left (a list with no hanging indent) carries on
    flush = [(text, 100.0) for text, _x in rows]
    extraction, _pages, _repairs = extract_records([_page(flush)])
    assert [m.number for m in extraction.measures] == [16, 18]


def test_a_table_row_whose_number_the_repairs_dropped_opens_its_own_measure() -> None:
    """« 2. » read « >. » and « Favoriser » read « F riser » at a ruled table's row start (hb-010
    of a development set): the repairs drop both as glyphs left of a gap, the row's title then
    began in lowercase right of the titles' column and was glued onto measure 1's, which carried
    measure 1's status under measure 2's words. A block's first line that opened with a dropped
    glyph of no letter opens the next row."""
    def row(text: str, x: float, i: int, para: bool) -> Line:
        return line_of(words_at(text, x, 100.0 + PITCH * i), para)
    y = 100.0 + 3 * PITCH
    mangled = line_of([Word(">.", (100.0, y + 8, 118.0, y + HEIGHT), 40.0),
                       Word("F", (140.0, y, 150.0, y + HEIGHT), 30.0),
                       *words_at("riser | la convergence entre la diversité des outils", 190.0, y)],
                      True)
    lines = [row("Mesures opérationnelles — à 3/9 mois", 100.0, 0, True),
             row("1. Rendre immédiatement accessible l'existant pour agir", 100.0, 1, True),
             row("dès à présent", 140.0, 2, False),
             mangled,
             row("pour les organisations et les territoires", 140.0, 4, False),
             row("3. Faciliter l'usage des données", 100.0, 5, True)]
    page = Page(page=1, method="ocr", lines=tuple(lines), width_px=1400, height_px=1800, dpi=150)
    extraction, _pages, _repairs = extract_records([page])
    got = [(m.number, m.title) for m in extraction.measures]
    assert got == [(1, "Rendre immédiatement accessible l'existant pour agir dès à présent"),
                   (2, ("Riser | la convergence entre la diversité des outils pour les "
                        "organisations et les territoires")),
                   (3, "Faciliter l'usage des données")]
    # a rule read as a glyph (« | ») opens a title's further line as often: it carries on
    lines[3] = line_of([Word("|", (100.0, y, 104.0, y + HEIGHT), 40.0),
                        *words_at("la convergence entre la diversité des outils", 190.0, y)], True)
    extraction, _pages, _repairs = extract_records([replace(page, lines=tuple(lines))])
    assert [m.number for m in extraction.measures] == [1, 3]


def test_a_page_headed_niveau_d_avancement_des_mesures_lists_measures() -> None:
    """A deck's page of measures under « Niveau d'avancement des mesures » and its legend, no
    dimension heading nor count: its numbered list is the measures (none were found)."""
    rows = [("Niveau d'avancement des mesures", 100.0),
            ("1. Installer des compteurs sur tous les prélèvements agricoles", 100.0),
            ("2. Publier chaque semaine l'état des nappes par bassin versant", 100.0),
            ("3. Généraliser le pilotage de l'irrigation par sondes", 100.0)]
    extraction, _pages, _repairs = extract_records([_page(rows)])
    assert [m.number for m in extraction.measures] == [1, 2, 3]


def test_a_cover_letter_typed_with_plain_apostrophes_keeps_them_beside_a_typographic_report(
        ) -> None:
    """A born-digital PDF whose report pages print `’` and whose cover letter prints `'` (its
    text layer says so, page by page): each page keeps its own (the letter's recipient was
    published « l’Éducation »). Read by OCR, a page never says `'` (tesseract reads `’` as `'`
    often: 19 of 21 on a page of the stress set), so there the document's `’` holds."""
    letter = [("Toulouse, le 8 novembre 2023", 100.0),
              ("Madame la Ministre de l'Éducation nationale", 100.0),
              ("Objet : Bilan à un an des mesures proposées", 100.0),
              ("Madame la Ministre,", 100.0),
              ("Nous avons l'honneur de vous remettre le rapport d'étape de l'observatoire.", 100.0),
              ("Nous vous prions de croire, Madame la Ministre, à notre profond respect.", 100.0)]
    report = [("7 mesures opérationnelles, aux premiers effets à 3/9 mois", 100.0),
              ("1. Publier chaque semaine l’état des nappes", 100.0),
              ("2. Réutiliser les eaux usées pour l’irrigation", 100.0)]
    for method, recipient in (("text-layer", "Madame la Ministre de l'Éducation nationale"),
                              ("ocr", "Madame la Ministre de l’Éducation nationale")):
        pages = [replace(_page(letter), page=1, method=method),
                 replace(_page(report), page=2, method=method)]
        extraction, _pages, _repairs = extract_records(pages)
        assert [m.title for m in extraction.measures] == [
            "Publier chaque semaine l’état des nappes",
            "Réutiliser les eaux usées pour l’irrigation"]
        (got,) = extraction.letters
        assert got.recipient == recipient, method
        assert typographic_pages(pages) == ({2} if method == "text-layer" else {1, 2})


def test_a_speck_before_a_line_in_the_gutter_does_not_join_the_columns() -> None:
    """A page read by tesseract (tests/data/pages: 150 dpi, three columns of measures flowing
    from one to the next, « M1 » … « M14 »): OCR read a speck before the third column's last
    measure (« . M14 Piloter … », the « . » in the gutter). The speck is no line across the
    gutter: the columns are read one after the other, so « M4 » and « M5 » at the foot of the
    first column follow « M3 », each measure keeps its number, and the strip ties their marks."""
    from flows.pipeline.pagecache import page_from_json

    data = json.loads((Path(__file__).parent / "data" / "pages" / "three-columns-speck-150dpi.json")
                      .read_text(encoding="utf-8"))
    extraction, _pages, _r = extract_records([page_from_json(data)])
    measures = extraction.measures
    assert [m.number for m in measures] == list(range(1, 15))
    assert measures[3].title == ("Valoriser les alliances stratégiques au travers des événements "
                                 "de référence")
    assert [m.dimension for m in measures] == ["operationnelle"] * 7 + ["strategique"] * 7
    s, t, r, x = "satisfaisant", "tres_satisfaisant", "retard_explique", "remis_en_cause"
    printed = [s, s, t, x, t, t, s, r, x, t, s, s, r, r]  # as the strip draws them
    assert all(m.status in (None, want) for m, want in zip(measures, printed, strict=True))
    assert sum(m.status == want for m, want in zip(measures, printed, strict=True)) >= 13
