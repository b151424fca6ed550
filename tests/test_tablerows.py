"""Ruled tables: their rules erased before OCR, their rows read back from the rules."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from extractors.columns import read_columns
from extractors.pageimage import without_rules
from extractors.tablerows import table_rows
from models.records import Line, Word

SERIF = "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"

H = 20.0  # a word's height


def line_at(text: str, x: float, y: float, char: float = 10.0) -> Line:
    words, pos = [], x
    for token in text.split():
        words.append(Word(token, (pos, y, pos + char * len(token), y + H), 90.0))
        pos += char * (len(token) + 1)
    return Line(text, (x, y, pos - char, y + H), 90.0, True, tuple(words))


def grid(top: float, rows: int, pitch: float, walls: list[float], x0: float = 50.0,
         x1: float = 1250.0) -> list[tuple[float, float, float, float]]:
    """A table's rules: rows+1 horizontal rules from x0 to x1, and upright rules at `walls`."""
    flat = [(x0, top + k * pitch - 1, x1, top + k * pitch + 1) for k in range(rows + 1)]
    upright = [(x - 1, top, x + 1, top + rows * pitch) for x in walls]
    return flat + upright


def test_a_table_read_column_by_column_is_read_again_row_by_row() -> None:
    """Tesseract, once the rules are gone, reads the numbers, then the titles, then the
    horizons; a number centred in a row of two lines is level with neither title line."""
    numbers = [line_at("1.", 60, 125), line_at("2.", 60, 195)]
    titles = [line_at("Rendre accessible l'existant", 120, 110),
              line_at("pour agir dès à présent", 120, 140),
              line_at("Favoriser la convergence", 120, 195)]
    horizons = [line_at("à 3/9 mois", 900, 125), line_at("à 3/9 mois", 900, 195)]
    read, across, _glyphs = table_rows([*numbers, *titles, *horizons],
                              grid(100.0, 2, 70.0, [110.0, 880.0]))
    assert [ln.text for ln in read] == [
        "1. Rendre accessible l'existant à 3/9 mois", "pour agir dès à présent",
        "2. Favoriser la convergence à 3/9 mois"]
    assert [ln.para_break for ln in read] == [True, False, True]
    assert set(across) == {id(ln) for ln in read}


def test_lines_outside_the_table_and_pages_without_one_are_kept_as_read() -> None:
    title = line_at("Suivi de la mise en œuvre", 50, 20)
    inside = [line_at("1.", 60, 125), line_at("Rendre accessible", 120, 125)]
    read, _rows, _glyphs = table_rows([title, *inside], grid(100.0, 2, 70.0, [110.0]))
    assert [ln.text for ln in read] == ["Suivi de la mise en œuvre", "1. Rendre accessible"]
    # rules between the items of a list (no upright rule between cells) make no table
    lines = [title, *inside]
    assert table_rows(lines, grid(100.0, 2, 70.0, []))[0] == lines
    assert table_rows(lines, ())[0] == lines


def test_a_cell_without_its_wall_a_legend_beside_the_table_and_a_glyph_on_a_mark() -> None:
    """A horizon centred beside a title of two lines with no rule between them is a cell of
    its own; the legend tesseract read on a row's line, beyond the table's side, and the `ne`
    it read off a filled status cell are no part of the row; the table is read where its
    first line was read, row after row."""
    row2 = [line_at("2. Publier chaque semaine l'état des nappes", 60, 195)]
    title = [line_at("1. Installer des compteurs sur tous", 60, 110),
             line_at("les prélèvements", 90, 150)]
    horizon = line_at("de 3 à 9 mois", 700, 130)
    legend_glued = Line("à 3/9 mois Très satisfaisant |", (700, 195, 1693, 215), 90.0, True, (
        Word("à", (700, 195, 710, 215), 90.0), Word("3/9", (720, 195, 750, 215), 90.0),
        Word("mois", (760, 195, 800, 215), 90.0), Word("Très", (1400, 195, 1440, 215), 90.0),
        Word("satisfaisant", (1450, 195, 1570, 215), 90.0),
        Word("|", (1690, 195, 1693, 215), 90.0)))
    glyph = Line("ne", (1130, 120, 1150, 140), 40.0, True, (Word("ne", (1130, 120, 1150, 140), 40.0),))
    rules = grid(100.0, 2, 70.0, [80.0, 1100.0], x1=1250.0)  # no wall between title and horizon
    read, rows, glyphs = table_rows([*row2, *title, horizon, legend_glued, glyph], rules,
                                    marks=[(1110.0, 105.0, 1240.0, 165.0)])
    assert [ln.text for ln in read] == [
        "1. Installer des compteurs sur tous de 3 à 9 mois", "les prélèvements",
        "2. Publier chaque semaine l'état des nappes à 3/9 mois", "Très satisfaisant"]
    assert glyphs == ["ne"]
    assert set(rows) == {id(ln) for ln in read[:3]}
    assert all(span == (50.0, 1250.0) for span in rows.values())


def test_a_legend_beside_a_table_is_read_as_a_column_of_its_own() -> None:
    """A table's rows stand across the table, not across the page: the legend beside it, read
    by tesseract between the table's rows, is a column of its own — not cut into the rows."""
    rows = [line_at(f"{k}. Mesure numéro {k} du tableau", 60, 110 + 70 * (k - 1)) for k in (1, 2, 3)]
    heading = line_at("Dimension opérationnelle", 60, 320)  # a tinted row's short line
    legend = [line_at(label, 1400, 110 + 70 * k) for k, label in enumerate(
        ("Légende", "Très satisfaisant", "Satisfaisant", "Remis en cause"))]
    rules = grid(100.0, 4, 70.0, [110.0, 1100.0])
    read, spans, _glyphs = table_rows(
        [rows[0], legend[0], legend[1], rows[1], legend[2], rows[2], legend[3], heading], rules)
    lines = read_columns(read, spans=lambda ln: spans.get(id(ln)))
    texts = [ln.text for ln in lines]
    assert texts[:4] == [*(r.text for r in rows), heading.text]
    assert texts[4:] == [ln.text for ln in legend]


def test_a_serif_word_above_a_rule_is_no_rule() -> None:
    """At 200 dpi with a scan's blur, a long serif word's feet make a dark row as long as a
    table's narrow cell: that row has ink just above it, so it is no thin line, and the word
    is left whole."""
    img = ruled_page()
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(SERIF, 30)  # 10.8 pt at 200 dpi
    draw.text((200, 286), "Accompagnement intercommunalités", fill=30, font=font)
    img = img.filter(ImageFilter.GaussianBlur(1.3))
    out, boxes = without_rules(img, 200)
    before, after = np.asarray(img).astype(int), np.asarray(out).astype(int)
    assert boxes  # the table's rules were found and erased ...
    assert after[320, 600] > 220
    word = (slice(288, 314), slice(200, 800))  # ... the words above the row's rule were not
    assert np.abs(after[word] - before[word]).max() <= 2


def ruled_page() -> Image.Image:
    """A 200-dpi page: a ruled table (pale grey rules) with a tinted heading row and a dark
    filled status cell, and below it a rule between two paragraphs, in no table."""
    img = Image.new("L", (1400, 1100), 235)
    draw = ImageDraw.Draw(img)
    draw.rectangle((100, 180, 1300, 240), fill=205)  # a tinted heading row
    for y in (120, 180, 240, 320, 400, 480):
        draw.line((100, y, 1300, y), fill=150, width=2)
    for x in (100, 180, 1000, 1300):
        draw.line((x, 120, x, 480), fill=150, width=2)
    draw.rectangle((1100, 260, 1180, 300), fill=40)  # a status cell, filled
    draw.text((200, 200), "Dimension opérationnelle", fill=0)
    draw.line((100, 800, 1300, 800), fill=60, width=3)  # a rule between two paragraphs
    return img


def test_the_rules_of_a_ruled_table_are_erased_and_nothing_else() -> None:
    img = ruled_page()
    out, boxes = without_rules(img, 200)
    before, after = np.asarray(img), np.asarray(out)
    assert after[320, 600] > 225 and after[300, 180] > 225  # a row's rule, a wall: paper now
    assert after[180, 600] >= 200  # the heading row's top rule: no darker than the tint
    assert (after[260:300, 1100:1180] == before[260:300, 1100:1180]).all()  # the filled cell
    assert (after[195:225, 200:400] == before[195:225, 200:400]).all()  # the heading's text
    assert after[800, 600] == before[800, 600]  # the rule in no table stays
    assert any(b[2] - b[0] > 1000 and abs(b[1] - 320) < 6 for b in boxes)
    assert all(b[1] < 500 for b in boxes)


def test_a_page_without_a_ruled_table_is_read_as_it_is() -> None:
    img = Image.new("L", (1400, 1000), 240)
    ImageDraw.Draw(img).line((100, 300, 1300, 300), fill=60, width=3)
    out, boxes = without_rules(img, 200)
    assert out is img and boxes == []


def test_a_status_written_in_its_cell_stands_apart_from_the_title() -> None:
    """« Retard expliqué » in a row's status cell, level with a title of two lines, is a line
    of its own after the row (read as the measure's status in words), never words inside the
    title; « Très satisfaisant » is one status, though it holds « satisfaisant »."""
    from extractors.statuswords import whole_label

    title = [line_at("1. Rendre immédiatement accessible l'existant pour agir dès à", 60, 110),
             line_at("présent", 90, 140)]
    horizon, status = line_at("à 3/9 mois", 800, 125), line_at("Retard expliqué", 1000, 125)
    row2 = [line_at("2. Accompagner les alliances", 60, 195),
            line_at("à 6/12 mois", 800, 195), line_at("Très satisfaisant", 1000, 195)]
    read, _rows, _glyphs = table_rows(
        [*title, horizon, status, *row2], grid(100.0, 2, 70.0, [80.0, 780.0, 980.0]),
        apart=lambda text: whole_label(text) is not None)
    assert [ln.text for ln in read] == [
        "1. Rendre immédiatement accessible l'existant pour agir dès à à 3/9 mois", "présent",
        "Retard expliqué", "2. Accompagner les alliances à 6/12 mois", "Très satisfaisant"]
    assert [whole_label(t) for t in ("Très satisfaisant", "Retard expliqué", "Rendre accessible",
                                     "Satisfaisant Retard")] == [
        "tres_satisfaisant", "retard_explique", None, None]


def test_ink_read_twice_on_another_line_leaves_the_row() -> None:
    """Tesseract read a row's title, then the same ink again in pieces on a second line with the
    number cell (`LR É DCE … à 6/12 mois`): the pieces over surer words go, the rest stays."""
    title = line_at("Piloter une recherche-action collective", 120, 110)
    again = Line("14. É DCE à 6/12 mois", (60, 112, 880, 132), 35.0, True, (
        Word("14.", (60, 112, 90, 132), 60.0), Word("É", (265, 112, 280, 132), 0.0),
        Word("DCE", (330, 112, 370, 132), 40.0), Word("à", (800, 112, 810, 132), 50.0),
        Word("6/12", (815, 112, 850, 132), 50.0), Word("mois", (855, 112, 880, 132), 90.0)))
    row2 = line_at("15. Inscrire les alliances", 60, 155)
    read, _rows, _glyphs = table_rows([title, again, row2],
                                      grid(100.0, 2, 40.0, [110.0, 780.0]))
    assert [ln.text for ln in read] == ["14. Piloter une recherche-action collective à 6/12 mois",
                                        "15. Inscrire les alliances"]
