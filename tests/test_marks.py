"""Status marks: colour regions, legend swatches, ΔE classification, ties to measures, samples."""
from __future__ import annotations

import json
import random
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from skimage.color import rgb2lab

from extractors.document import extract_records, process_file
from extractors.legend import Swatch, find_legend, label_status, legend_members
from extractors.markbands import band_pairs, tie_marks_by_band
from extractors.markcolour import MAX_DELTA_E, classify_mark, classify_marks, delta_e
from extractors.marks import (
    UNREAD_FACTOR,
    apply_statuses,
    assign_statuses,
    check_status_counts,
    find_marks,
    is_grey,
    keyed_greys,
    read_page_marks,
    strip_ties,
)
from extractors.marktext import read_mark_text, text_layer_numbers
from extractors.regions import find_colour_regions
from extractors.statuswords import status_in_text, with_pill_words
from extractors.strips import confirmed_inferred, mark_rows, tie_strip, tie_strips, with_labels
from flows.pipeline.pagecache import PageCache, page_from_json
from models.records import (
    STATUSES,
    BBox,
    ColourRegion,
    DigitReading,
    LegendEntry,
    Line,
    Measure,
    Page,
    StatusCount,
    Word,
)
from tests.conftest import FONT

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DATA = Path(__file__).resolve().parent / "data"
STATUS_SAMPLES = sorted((SAMPLES / "status").glob("*.expected.json"))
DPI = 200
GREENS = {"tres_satisfaisant": (0, 122, 61), "satisfaisant": (132, 196, 65),
          "retard_explique": (243, 146, 0), "remis_en_cause": (208, 32, 39)}
LABELS = {"tres_satisfaisant": "Très satisfaisant", "satisfaisant": "Satisfaisant",
          "retard_explique": "Retard expliqué", "remis_en_cause": "Remis en cause"}


# --- synthetic pages: legend swatches at the bottom, a mark on each measure's first line ----

def lab_of(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    return tuple(float(v) for v in rgb2lab(np.array([[rgb]], dtype=np.float64) / 255)[0, 0])


def region(rgb: tuple[int, int, int], x: float = 0, y: float = 0, side: float = 20,
           lab: tuple[float, float, float] | None = None) -> ColourRegion:
    return ColourRegion(bbox=(x, y, x + side, y + side), rgb=tuple(map(float, rgb)),  # type: ignore[arg-type]
                        lab=lab or lab_of(rgb), area=side * side, fill=1.0)


def synthetic_page(palette: dict[str, tuple[int, int, int]], statuses: list[str],
                   cast: tuple[float, float, float] | None = None, gray: bool = False,
                   diamonds: bool = False,
                   ) -> tuple[Image.Image, list[Measure], list[LegendEntry], list[Line]]:
    """A page image with one measure per status in `statuses` and the palette's legend (square
    marks and round swatches, or diamonds for both)."""
    img = Image.new("RGB", (1650, 2300), (250, 249, 245))
    draw = ImageDraw.Draw(img)
    measures, lines = [], []
    for i, status in enumerate(statuses):
        y = 200 + 70 * i
        box = (150.0, float(y), 1300.0, float(y + 56))  # a title on two lines
        measures.append(Measure(page=1, number=i + 1, title=f"Titre {i + 1}", bbox=box,
                                confidence=0.95))
        draw.rectangle((150, y, 1300, y + 20), fill=(30, 30, 30))  # a black "line of text"
        if diamonds:
            draw.polygon([(1418, y - 6), (1440, y + 16), (1418, y + 38), (1396, y + 16)],
                         fill=palette[status])
        else:
            draw.rectangle((1400, y - 2, 1436, y + 34), fill=palette[status])
    legend, x = [], 150
    for status in STATUSES:
        if diamonds:
            draw.polygon([(x + 13, 1996), (x + 30, 2013), (x + 13, 2030), (x - 4, 2013)],
                         fill=palette[status])
        else:
            draw.ellipse((x, 2000, x + 26, 2026), fill=palette[status])
        label = (x + 42.0, 1998.0, x + 250.0, 2030.0)
        legend.append(LegendEntry(page=1, status=status, label=LABELS[status], bbox=label))
        lines.append(Line(text=LABELS[status], bbox=label, words=(Word(
            text=LABELS[status], bbox=label, conf=95.0),)))
        x += 350
    if cast is not None:
        arr = np.power(np.asarray(img, dtype=np.float64) / 255, np.array(cast)) * 255
        img = Image.fromarray(arr.round().astype(np.uint8))
    if gray:
        img = img.convert("L").convert("RGB")
    return img, measures, legend, lines


def read_synthetic(img: Image.Image, measures: list[Measure], legend: list[LegendEntry],
                   lines: list[Line]) -> list[Measure]:
    page = Page(page=1, method="ocr", lines=tuple(lines), width_px=img.width,
                height_px=img.height, dpi=DPI, regions=find_colour_regions(img, DPI))
    return apply_statuses(measures, assign_statuses(measures, keyed_greys([page]), legend).readings)


def random_palette(rng: random.Random) -> dict[str, tuple[int, int, int]]:
    """Four saturated colours, pairwise ΔE2000 ≥ 20: any palette a report might use."""
    while True:
        colours = [tuple(rng.randrange(256) for _ in range(3)) for _ in STATUSES]
        labs = [lab_of(c) for c in colours]  # type: ignore[arg-type]
        if all(np.hypot(lab[1], lab[2]) >= 30 for lab in labs) and all(
                delta_e(a, b) >= 20 for i, a in enumerate(labs) for b in labs[i + 1:]):
            return dict(zip(STATUSES, colours, strict=True))  # type: ignore[arg-type]


# --- unit tests ----------------------------------------------------------------------------

def test_regions_are_solid_saturated_blobs_not_text_grey_or_tint() -> None:
    img = Image.new("RGB", (1000, 800), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((50, 50, 950, 200), fill=(226, 239, 226))  # a tinted panel
    draw.rectangle((100, 300, 136, 336), fill=(0, 122, 61))  # a square mark
    draw.ellipse((300, 300, 336, 336), fill=(243, 146, 0))  # a disc mark
    draw.rectangle((500, 300, 536, 336), fill=(120, 120, 120))  # a grey square
    draw.rectangle((650, 300, 990, 302), fill=(208, 32, 39))  # a thin coloured rule
    for k in range(10):  # coloured text strokes
        draw.line((100 + 12 * k, 500, 104 + 12 * k, 530), fill=(18, 52, 120), width=2)
    found = find_colour_regions(img, DPI)
    regions = [r for r in found if not is_grey(r)]
    assert len(regions) == 2
    # the solid grey square is found as grey, a status mark only where a legend keys a grey
    assert [abs(r.bbox[0] - 500) <= 4 for r in found if is_grey(r)] == [True]
    square, disc = sorted(regions, key=lambda r: r.bbox[0])
    assert abs(square.bbox[0] - 100) <= 4 and abs(square.bbox[3] - 337) <= 4
    assert square.fill > 0.9 and 0.65 < disc.fill < 0.9
    assert delta_e(lab_of(square.rgb), lab_of((0, 122, 61))) < 2  # as printed
    assert delta_e(lab_of(disc.rgb), lab_of((243, 146, 0))) < 2


def test_mark_takes_the_nearest_swatch() -> None:
    swatches = {s: region(c) for s, c in GREENS.items()}
    for status, (r, g, b) in GREENS.items():
        shifted = (min(255, r + 6), max(0, g - 5), min(255, b + 4))  # a scanner's drift
        got = classify_mark(region(shifted), swatches)
        assert got.status == status and got.reason is None and got.confidence > 0.8


def test_mark_far_from_every_swatch_is_not_read() -> None:
    got = classify_mark(region((40, 80, 220)), {s: region(c) for s, c in GREENS.items()})
    assert got.status is None and got.reason == "too-far" and got.delta_e > MAX_DELTA_E


def test_mark_between_two_swatches_is_not_read() -> None:
    a, b = (50.0, 40.0, 0.0), (50.0, 40.0, 12.0)
    swatches = {"tres_satisfaisant": region((0, 0, 0), lab=a),
                "satisfaisant": region((0, 0, 0), lab=b)}
    got = classify_mark(region((0, 0, 0), lab=(50.0, 40.0, 6.0)), swatches)
    assert got.status is None and got.reason == "ambiguous"


def test_two_inks_read_as_one_status_are_two_statuses_and_neither_is_read() -> None:
    """A phone photo's shade darkens the pale green of three measures to within reach of the
    dark green's swatch: both inks read « très satisfaisant », though they are ΔE 13 apart.
    One status is printed in one ink, so neither ink is published (NULL beats a wrong value);
    marks of one ink spread by the scan keep their status."""
    dark, pale = (40.0, -40.0, 20.0), (70.0, -30.0, 15.0)
    swatches = {"tres_satisfaisant": region((0, 0, 0), lab=dark),
                "satisfaisant": region((0, 0, 0), lab=pale)}
    shaded, printed = (33.0, -40.0, 20.0), (48.0, -40.0, 20.0)
    assert all(classify_mark(region((0, 0, 0), lab=ink), swatches).status == "tres_satisfaisant"
               for ink in (shaded, printed))
    assert delta_e(shaded, printed) > 12
    marks = [region((0, 0, 0), lab=shaded)] * 4 + [region((0, 0, 0), lab=printed)] * 3
    assert [c.reason for c in classify_marks(marks, swatches)] == ["ambiguous"] * 7
    drifted = [region((0, 0, 0), lab=(dark[0] + d, dark[1], dark[2])) for d in (-3, 0, 3, 6)]
    assert {c.status for c in classify_marks(drifted, swatches)} == {"tres_satisfaisant"}


def test_marks_in_a_photos_shade_are_read_in_its_light() -> None:
    """A phone photo of a page (hb-012 of a development set): the legend at the top in the
    lamp's light, the marks at the right in shade, half as bright. Read against the printed
    swatches, the light green marks are nearest the dark green's (a wrong status, saved only
    by the ink check) and the others too far; in the one light that explains them all, each
    is its own status. A page whose marks match their swatches as printed (hb-010: one blue
    heading's letters read in a dimmer light too) keeps the printed light."""
    swatches = {"tres_satisfaisant": (44.3, -40.0, 26.9), "satisfaisant": (63.9, -34.8, 44.0),
                "retard_explique": (62.2, 9.0, 62.9), "remis_en_cause": (37.2, 45.6, 37.3)}
    key = {s: region((0, 0, 0), lab=lab) for s, lab in swatches.items()}
    shade = {"satisfaisant": (46.8, -26.6, 33.6), "retard_explique": (47.1, 7.3, 50.2),
             "remis_en_cause": (31.3, 40.0, 32.4), "tres_satisfaisant": (33.6, -32.1, 21.7)}
    printed_light = [classify_mark(region((0, 0, 0), lab=lab), key) for lab in shade.values()]
    assert [c.status for c in printed_light] == ["tres_satisfaisant", None, "remis_en_cause",
                                                 "tres_satisfaisant"]
    statuses = ["satisfaisant", "retard_explique", "retard_explique", "retard_explique",
                "satisfaisant", "remis_en_cause", "tres_satisfaisant", "retard_explique"]
    marks = [region((0, 0, 0), lab=shade[s]) for s in statuses]
    assert [c.status for c in classify_marks(marks, key)] == statuses
    assert [c.status for c in classify_marks(marks[:2], key)] == [None, None]  # too few to tell

    legend = {"tres_satisfaisant": (72.1, -11.1, 28.5), "satisfaisant": (70.9, -19.1, 1.3),
              "retard_explique": (66.4, -3.8, -14.4), "remis_en_cause": (63.2, 19.0, -3.2)}
    key = {s: region((0, 0, 0), lab=lab) for s, lab in legend.items()}
    heading = [(42.5, -6.3, -25.0), (53.5, -6.3, -18.1), (53.7, -6.3, -17.8), (49.0, -6.4, -19.9)]
    own = ["satisfaisant", "tres_satisfaisant", "satisfaisant", "tres_satisfaisant"]
    marks = [region((0, 0, 0), lab=lab) for lab in heading] + [
        region((0, 0, 0), lab=legend[s]) for s in own]
    assert [c.status for c in classify_marks(marks, key)][4:] == own
    assert [c.status for c in classify_marks(marks, key)][:4] == [None] * 4


def test_a_palette_of_one_hues_shades_keeps_the_printed_light() -> None:
    """Four shades of one purple: a dimmer light would read each status's marks as the next
    one's, as well as the printed light reads them as their own. Marks that match no swatch in
    any one light are not read."""
    shades = {"tres_satisfaisant": (20.0, 34.0, -19.0), "satisfaisant": (33.0, 51.0, -27.0),
              "retard_explique": (45.0, 53.0, -29.0), "remis_en_cause": (62.0, 31.0, -17.0)}
    key = {s: region((0, 0, 0), lab=lab) for s, lab in shades.items()}
    from extractors.markcolour import _lit
    dim = [region((0, 0, 0), lab=tuple(_lit(np.asarray([lab]), [0.55])[0, 0]))
           for lab in shades.values()]
    got = [c.status for c in classify_marks(dim, key)]
    assert all(g is None or g == s for g, s in zip(got, shades, strict=True))


def test_no_legend_reads_no_mark() -> None:
    assert classify_marks([region((0, 122, 61))], {})[0].status is None


@pytest.mark.parametrize("seed", range(8))
def test_any_palette_is_learnt_from_the_page(seed: int) -> None:
    """No colour is hard-coded: random palettes, under a scanner's colour cast."""
    rng = random.Random(seed)
    palette = random_palette(rng)
    statuses = [rng.choice(STATUSES) for _ in range(12)]
    cast = tuple(rng.uniform(0.85, 1.15) for _ in range(3))
    got = read_synthetic(*synthetic_page(palette, statuses, cast=cast))  # type: ignore[arg-type]
    assert [m.status for m in got] == statuses
    assert {m.status_source for m in got} == {"legend-colour"}
    assert all(m.confidence < 0.95 + 1e-9 for m in got)


def test_a_status_printed_in_dark_grey_is_read_by_its_grey_swatch() -> None:
    """A palette may print « Remis en cause » in dark grey: no colour, yet a solid disc or
    square beside a legend label, as the marks on the measures are."""
    palette = {**GREENS, "remis_en_cause": (70, 70, 70)}
    statuses = list(STATUSES) * 2 + ["remis_en_cause"]
    got = read_synthetic(*synthetic_page(palette, statuses, cast=(1.05, 1.0, 0.92)))
    assert [m.status for m in got] == statuses


def test_a_status_printed_as_a_dark_grey_diamond_is_read_by_its_grey_swatch() -> None:
    """Diamonds for every status, « Remis en cause » in dark grey (B's seed 17 hb-007): a grey
    diamond fills half its box, as the coloured ones do, and is a mark as they are."""
    palette = {**GREENS, "remis_en_cause": (70, 70, 70)}
    statuses = list(STATUSES) * 2 + ["remis_en_cause"]
    got = read_synthetic(*synthetic_page(palette, statuses, diamonds=True))
    assert [m.status for m in got] == statuses


def test_dark_bullets_are_no_marks_where_the_legend_shows_no_grey() -> None:
    """Dark bullets before the measures are solid and mark-sized too: without a grey in the
    legend they are not kept with the page, and the coloured marks are read as they were."""
    statuses = list(STATUSES) * 2
    img, measures, legend, lines = synthetic_page(GREENS, statuses)
    draw = ImageDraw.Draw(img)
    for m in measures:  # a bullet of 3 mm before each title
        draw.ellipse((110, m.bbox[1], 134, m.bbox[1] + 24), fill=(25, 25, 25))
    page = Page(page=1, method="ocr", lines=tuple(lines), width_px=img.width,
                height_px=img.height, dpi=DPI, regions=find_colour_regions(img, DPI))
    assert sum(is_grey(r) for r in page.regions) == len(measures)
    (kept,) = keyed_greys([page])
    assert not any(is_grey(r) for r in kept.regions)
    got = apply_statuses(measures, assign_statuses(measures, [kept], legend).readings)
    assert [m.status for m in got] == statuses
    # where the legend shows a grey, the document's grey blobs are kept, on every page
    grey = synthetic_page({**GREENS, "remis_en_cause": (70, 70, 70)}, statuses)[0]
    keyed = Page(page=2, method="ocr", lines=tuple(lines), width_px=grey.width,
                 height_px=grey.height, dpi=DPI, regions=find_colour_regions(grey, DPI))
    assert [p.regions for p in keyed_greys([page, keyed])] == [page.regions, keyed.regions]


def test_grayscale_page_reads_no_status_and_lowers_confidence() -> None:
    statuses = list(STATUSES) * 2
    got = read_synthetic(*synthetic_page(GREENS, statuses, gray=True))
    assert [m.status for m in got] == [None] * len(statuses)
    assert [m.status_source for m in got] == [None] * len(statuses)
    assert {m.status_reason for m in got} == {"legend-without-colour"}
    assert all(m.confidence == round(0.95 * UNREAD_FACTOR, 3) for m in got)


def test_coloured_words_are_not_marks() -> None:
    swatches: dict[str, ColourRegion] = {}
    blob = region((18, 52, 120), x=100, y=100, side=12)
    heading = Word(text="mesures", bbox=(60, 98, 200, 114), conf=96.0)
    misread = Word(text="Hl", bbox=(99, 99, 113, 113), conf=30.0)  # the mark read as glyphs
    page = Page(page=1, method="ocr", lines=(Line(text="x", bbox=None, words=(heading,)),),
                regions=(blob,))
    assert find_marks(page, swatches) == []
    page = replace(page, lines=(Line(text="x", bbox=None, words=(misread,)),))
    assert find_marks(page, swatches) == [blob]


def test_marks_tie_to_the_nearest_first_line_once() -> None:
    boxes = [(0, (100.0, 100.0, 900.0, 160.0)), (1, (100.0, 170.0, 900.0, 200.0))]
    marks = [(0, region((0, 0, 0), x=950, y=102)), (1, region((0, 0, 0), x=950, y=172)),
             (2, region((0, 0, 0), x=950, y=400))]
    assert tie_marks_by_band(boxes, marks, line_h=28.0) == {0: 0, 1: 1}


def test_status_written_as_words() -> None:
    assert status_in_text("Créer un droit Statut : Très satisfaisant") == "tres_satisfaisant"
    assert status_in_text("Avancement : retard expliqué") == "retard_explique"
    assert status_in_text("un avancement très satisfaisant") is None
    m = Measure(page=1, number=3, title="Faciliter l'usage — Statut : Remis en cause",
                bbox=(0, 0, 10, 10))
    got = apply_statuses([m], assign_statuses([m], [], []).readings)[0]
    assert (got.status, got.status_source) == ("remis_en_cause", "text")


def test_a_pills_words_replace_what_the_pages_ocr_read_on_it_only_when_they_are_a_status() -> None:
    """The page's OCR glued half a pill's white words to the title beside it (« … à 3/9 mois
    Très satisfa ») and read another pill as « Radeon »: the pills' words, read again, stand as
    lines of their own after the titles, and the words they replace are said. A pill whose
    words are no status (a slide's title bar) leaves the page's reading alone."""
    title = Line("6 Articuler les acteurs à 3/9 mois Très satisfa", (100, 100, 1500, 130), words=(
        Word("6", (100, 100, 115, 130)), Word("Articuler", (130, 100, 300, 130)),
        Word("les", (310, 100, 360, 130)), Word("acteurs", (370, 100, 500, 130)),
        Word("à", (900, 100, 915, 130)), Word("3/9", (925, 100, 980, 130)),
        Word("mois", (990, 100, 1060, 130)), Word("Très", (1210, 100, 1290, 130)),
        Word("satisfa", (1300, 100, 1400, 130))))
    junk = Line("Radeon", (1220, 160, 1380, 190), words=(Word("Radeon", (1220, 160, 1380, 190)),))
    bar = Line("Les mesures", (100, 10, 400, 40), words=(Word("Les", (100, 10, 160, 40)),
                                                        Word("mesures", (170, 10, 400, 40))))
    pills = [replace(region((31, 94, 170), 1180, 95), bbox=(1180, 95, 1500, 135),
                     label_in="Très  satisfaisant"),
             replace(region((214, 32, 62), 1180, 155), bbox=(1180, 155, 1500, 195),
                     label_in="Remis en cause"),
             replace(region((31, 94, 170), 0, 0), bbox=(0, 0, 1654, 50), label_in="Les mesures")]
    lines, lost = with_pill_words([bar, title, junk], pills)
    assert [ln.text for ln in lines] == ["Les mesures", "6 Articuler les acteurs à 3/9 mois",
                                         "Très satisfaisant", "Remis en cause"]
    assert lines[1].bbox == (100, 100, 1060, 130) and lines[2].bbox == (1180, 95, 1500, 135)
    assert lost == [("Très satisfa", "Très satisfaisant"), ("Radeon", "Remis en cause")]


def test_legend_labels_level_with_measures_are_not_their_statuses() -> None:
    """A legend whose swatches were not found (one hue, dark shades) still stands as a stack of
    labels, each status once: level with measures in the next column, they are not the
    measures' statuses. A table's status cells, which repeat, still are."""
    def line(text: str, x: float, y: float) -> Line:
        return Line(text=text, bbox=(x, y, x + 14.0 * len(text), y + 24.0))

    measures = [Measure(page=1, number=n, title=f"Mesure {n}", bbox=(100.0, y, 900.0, y + 24.0))
                for n, y in ((1, 100.0), (2, 140.0), (3, 180.0))]
    legend = [line(t, 2300.0, y) for t, y in (("Très satisfaisant", 95.0), ("Satisfaisant", 135.0),
                                               ("Retard expliqué", 175.0),
                                               ("Remis en cause", 215.0))]
    page = Page(page=1, method="ocr", lines=(*[line(m.title, 100.0, m.bbox[1]) for m in measures],
                                             *legend))
    got = apply_statuses(measures, assign_statuses(measures, [page], []).readings)
    assert [m.status for m in got] == [None, None, None]
    cells = [line(t, 1200.0, m.bbox[1]) for t, m in zip(
        ("Satisfaisant", "Satisfaisant", "Retard expliqué"), measures, strict=True)]
    table = Page(page=1, method="ocr", lines=(*[line(m.title, 100.0, m.bbox[1]) for m in measures],
                                              *cells))
    got = apply_statuses(measures, assign_statuses(measures, [table], []).readings)
    assert [(m.status, m.status_source) for m in got] == [
        ("satisfaisant", "text"), ("satisfaisant", "text"), ("retard_explique", "text")]


def test_a_status_line_level_with_measures_of_several_columns_is_none_of_theirs() -> None:
    """« remis en cause », the one legend label OCR read whole, stands at the right of a slide
    whose measures are set in three columns: level with one measure of each, it is none of
    their statuses (a table cell is level with its own row only)."""
    measures = [Measure(page=1, number=n, title=f"Mesure {n}", bbox=(x, 300.0, x + 500.0, 330.0))
                for n, x in ((1, 100.0), (5, 700.0), (7, 1300.0))]
    lines = (*[Line(text=m.title, bbox=m.bbox) for m in measures],
             Line(text="remis en cause", bbox=(1900.0, 302.0, 2100.0, 328.0)))
    got = apply_statuses(measures, assign_statuses(measures, [Page(page=1, method="ocr",
                                                                   lines=lines)], []).readings)
    assert [m.status for m in got] == [None, None, None]


def test_status_checks_record_disagreement() -> None:
    measures = [Measure(page=1, number=n, title="t", status=s)
                for n, s in enumerate(["satisfaisant", "satisfaisant", None], start=1)]
    counts = [StatusCount(page=1, status="satisfaisant", count=3),
              StatusCount(page=1, status="remis_en_cause", count=0)]
    checks = check_status_counts(measures, counts)
    assert [(c.status, c.stated_count, c.read_count, c.unread_count, c.agrees) for c in checks] == [
        ("satisfaisant", 3, 2, 1, False), ("remis_en_cause", 0, 0, 1, True)]


def test_regions_survive_the_page_cache(tmp_path: Path) -> None:
    page = Page(page=1, method="ocr", lines=(), regions=(
        region((0, 122, 61), x=5, y=6),
        replace(region((1, 2, 3)), readings=(DigitReading("above", 4, 90.0),), label_right="Retard")))
    cache = PageCache(tmp_path)
    cache.put("a" * 64, 1, "k", page)
    assert cache.get("a" * 64, 1, "k") == page
    assert page_from_json(json.loads(json.dumps(asdict(page)))) == page


def test_statuses_are_read_again_from_cached_pages() -> None:
    """The ingest flow re-extracts from cached pages, without the image: same statuses."""
    result = process_file(str(SAMPLES / "suivi-2021-born-digital.pdf"))
    cached = [page_from_json(json.loads(json.dumps(asdict(p)))) for p in result.pages]
    again, _pages, _repairs = extract_records(cached)
    statuses = [m.status for m in result.extraction.measures]
    assert [m.status for m in again.measures] == statuses and None not in statuses


# --- samples: layouts × palettes, skewed and JPEG-compressed, and a grey scan ---------------

@pytest.mark.parametrize("exp_path", STATUS_SAMPLES, ids=lambda p: p.name.split(".")[0])
def test_status_sample(exp_path: Path) -> None:
    expected = json.loads(exp_path.read_text(encoding="utf-8"))
    result = process_file(str(exp_path.with_name(exp_path.name.removesuffix(".expected.json"))))
    assert result.state == "published"
    got = {m.number: m for m in result.extraction.measures}
    legible = expected.get("statuses_legible", True)
    for m in expected["measures"]:
        g = got[m["number"]]
        want = m["status"] if legible else None
        assert (g.number, g.status) == (m["number"], want)
        assert g.status_source == ("legend-colour" if legible else None)
    read = [m for m in result.extraction.measures if m.status is not None]
    assert len(read) == (len(expected["measures"]) if legible else 0) == (21 if legible else 0)
    stated = {(c["status"], c["count"]) for c in expected["status_summary"]}
    checks = check_status_counts(result.extraction.measures, result.extraction.status_counts)
    assert {(c.status, c.stated_count) for c in checks} == stated
    true_counts = {s: sum(1 for m in expected["measures"] if m["status"] == s) for s in STATUSES}
    for c in checks:  # disagreements are the document's own (or an unread grey scan)
        assert c.agrees == (legible and c.stated_count == true_counts[c.status])


def test_status_samples_cover_layouts_palettes_and_a_grey_scan() -> None:
    layouts = [json.loads(p.read_text())["layout"] for p in STATUS_SAMPLES]
    assert {"line", "table", "strip"} <= set(layouts)
    assert all(layouts.count(x) >= 2 for x in ("line", "table", "strip"))
    assert any(not json.loads(p.read_text()).get("statuses_legible", True) for p in STATUS_SAMPLES)
    assert all(p.with_name(p.name.removesuffix(".expected.json")).stat().st_size <= 700_000
               for p in STATUS_SAMPLES)


# --- issue 12: marks drawn by other hands -----------------------------------------------------

def _strip_image(colours: list[tuple[int, int, int] | None], *, step: int, rows: int = 1,
                 numbers: str = "below", paper: tuple[int, int, int] = (255, 255, 255),
                 outline: int = 0, beside: int = 4, slope: float = 0.0, prefix: str = "",
                 font_px: int = 22, width: int = 36) -> Image.Image:
    """A strip of 36-px discs `step` px apart (touching at 36, overlapping below), numbered
    from 1 left to right, row by row, in DejaVu Sans above, below, inside or right of each
    disc (`beside` px from it); an `outline` px thick dark ring round each disc; a colour None
    is an empty ring (a measure without a mark); each disc `slope` px lower than the one before
    (a page photographed at a slant); numbers printed after a label letter (`prefix`), in
    `font_px` type; marks `width` px wide (72: pills)."""
    per_row = -(-len(colours) // rows)
    img = Image.new("RGB", (120 + per_row * step, round(160 * rows + 80 + per_row * slope)),
                    paper)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, font_px)
    for i, colour in enumerate(colours):
        row, col = divmod(i, per_row)
        x, y = 60 + col * step, round(70 + row * 160 + col * slope)
        draw.rounded_rectangle((x, y, x + width, y + 36), radius=18, fill=colour,
                               outline=(60, 60, 60) if outline or colour is None else None,
                               width=max(outline, 2))
        text = f"{prefix}{i + 1}"
        text_w = draw.textlength(text, font=font)
        tx = {"right": x + width + beside, "left": x - beside - text_w}.get(numbers,
                                                                              x + (width - text_w) / 2)
        ty = {"below": y + 42, "above": y - 8 - font_px, "in": y + 6}.get(numbers, y + 6)
        draw.text((tx, ty), text, font=font, fill="white" if numbers == "in" else "black")
    return img


@pytest.mark.parametrize("step", [36, 33])  # touching, overlapping by 3 px
def test_touching_and_overlapping_discs_are_each_a_mark(step: int) -> None:
    """A strip whose discs touch or overlap (one blob on the page) is one mark per disc, two
    neighbours of one colour included."""
    colours = [GREENS[s] for s in ("satisfaisant", "satisfaisant", "remis_en_cause",
                                   "tres_satisfaisant", "tres_satisfaisant", "retard_explique")]
    regions = find_colour_regions(_strip_image(colours, step=step, numbers="above"), DPI)
    assert len(regions) == len(colours)
    assert [delta_e(lab_of(r.rgb), lab_of(c)) < 3 for r, c in
            zip(sorted(regions, key=lambda r: r.bbox[0]), colours, strict=True)] == [True] * 6


def test_overlapping_squares_of_one_colour_are_each_a_mark_with_its_own_colour() -> None:
    """Squares drawn 4 px over each other, runs of one colour among them: each run (one bar on
    the page) is cut into its squares, and each square keeps the colour measured inside it —
    two close greens run together are told apart, never given the bar's average."""
    colours = [GREENS["tres_satisfaisant"]] * 3 + [GREENS["retard_explique"]] + [
        (132, 196, 65), (150, 205, 80)] + [GREENS["remis_en_cause"]] * 2 + [(0, 122, 61)]
    img = Image.new("RGB", (120 + 36 * len(colours), 200), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for i, colour in enumerate(colours):
        draw.rectangle((60 + 36 * i, 80, 100 + 36 * i, 120), fill=colour)
    regions = sorted(find_colour_regions(img, DPI), key=lambda r: r.bbox[0])
    assert len(regions) == len(colours)
    assert all(delta_e(lab_of(r.rgb), lab_of(c)) < 6 for r, c in zip(regions, colours, strict=True))


def _squares(rows: list[list[tuple[int, int, int]]], step: int = 36, side: int = 40
             ) -> Image.Image:
    """Rows of squares `side` px a side drawn `step` px apart (overlapping when under `side`),
    80 px between the rows' tops."""
    img = Image.new("RGB", (120 + step * max(map(len, rows)), 120 + 80 * len(rows)),
                    (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for r, colours in enumerate(rows):
        for i, colour in enumerate(colours):
            draw.rectangle((60 + step * i, 60 + 80 * r, 60 + step * i + side, 60 + 80 * r + side),
                           fill=colour)
    return img


def test_a_strips_second_row_overlapping_into_one_bar_is_cut_by_the_first_rows_marks() -> None:
    """A two-row strip (stress set A's 012): the squares overlap; the first row's are of four
    colours, so cut by colour, the second's run in pairs of one colour into bars with no mark of
    their own left to measure a mark's width by. The first row's marks stand at both ends of
    each bar: it is as many marks as the first row has there."""
    g = GREENS
    top = [g["satisfaisant"], g["remis_en_cause"], g["tres_satisfaisant"], g["retard_explique"]]
    below = [g["remis_en_cause"], g["remis_en_cause"], g["satisfaisant"], g["satisfaisant"]]
    row = sorted((r for r in find_colour_regions(_squares([top, below], step=44, side=48), DPI)
                  if r.center[1] > 120), key=lambda r: r.bbox[0])
    assert len(row) == 4
    assert all(delta_e(lab_of(r.rgb), lab_of(c)) < 6 for r, c in zip(row, below, strict=True))


def test_a_second_row_of_one_colour_is_cut_by_the_first_rows_pitch_once_that_row_is_cut() -> None:
    """A two-row strip of squares overlapping by a sixth (A 012): the first row's last two
    marks of one status are themselves a bar, the second row all one status one bar. The first
    row cut, its pitch — not its marks' width, which is more — says how many marks the second
    row's bar holds: five, each of its colour."""
    g = GREENS
    top = [g["satisfaisant"], g["remis_en_cause"], g["tres_satisfaisant"],
           g["retard_explique"], g["retard_explique"]]
    below = [g["remis_en_cause"]] * 5
    row = sorted((r for r in find_colour_regions(_squares([top, below], step=40, side=48), DPI)
                  if r.center[1] > 120), key=lambda r: r.bbox[0])
    assert len(row) == 5
    assert all(delta_e(lab_of(r.rgb), lab_of(g["remis_en_cause"])) < 6 for r in row)


def test_a_row_of_one_mark_and_then_overlapping_ones_is_cut_by_that_marks_width() -> None:
    """A one-row strip (A 029's second page): a mark on its own, then the rest of the row
    overlapping into a bar of four marks of one colour and a bar of two of another, each
    touching the one before: both are cut by the width of the mark the row begins with. A bar
    standing apart from a lone mark is left whole."""
    g = GREENS
    colours = [g["tres_satisfaisant"], *[g["satisfaisant"]] * 4, *[g["retard_explique"]] * 2]
    img = _squares([colours], step=36)
    img = img.crop((0, 0, img.width, 480))
    draw = ImageDraw.Draw(img)
    draw.rectangle((60, 340, 100, 380), fill=g["tres_satisfaisant"])
    draw.rectangle((160, 340, 272, 380), fill=g["satisfaisant"])
    found = find_colour_regions(img, DPI)
    row = sorted((r for r in found if r.center[1] < 150), key=lambda r: r.bbox[0])
    assert len(row) == 7
    assert all(delta_e(lab_of(r.rgb), lab_of(c)) < 6 for r, c in zip(row, colours, strict=True))
    assert len([r for r in found if r.center[1] > 300]) == 2


def test_touching_squares_whose_first_row_is_all_bars_are_cut_by_their_height() -> None:
    """Squares touching without a gap (B's seed 19 hb-019): the first row is two bars, two
    squares of one status then three of another; no mark of that row stands alone and the
    second row's marks do not stand at the bars' ends. The square marks of the second row say
    the marks are as wide as high: each bar is a whole number of its own height."""
    g = GREENS
    a, b, c = g["tres_satisfaisant"], g["satisfaisant"], g["retard_explique"]
    top, below = [a, a, b, b, b], [a, c, c, b]
    found = find_colour_regions(_squares([top, below], step=40, side=40), DPI)
    row = sorted((r for r in found if r.center[1] < 120), key=lambda r: r.bbox[0])
    assert len(row) == 5
    assert all(delta_e(lab_of(r.rgb), lab_of(c)) < 6 for r, c in zip(row, top, strict=True))


def test_a_tables_cells_of_one_colour_one_under_the_other_are_cut_along_its_rules() -> None:
    """A table's status column scanned at 150 dpi, a little blurred (B's seed 13 hb-007): four
    cells of one status one under the other, the rules between them a pixel thin — one blob at
    the 75 dpi regions are found at, too large for a mark, so no status at all. Cut along the
    table's rules (found before OCR) they are four marks; without rules, still no mark."""
    img = Image.new("RGB", (700, 600), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    pink, rules = GREENS["satisfaisant"], []
    for k in range(4):  # rows 80 px high (13.5 mm at 150 dpi): 54 mm in all
        draw.rectangle((450, 80 + 80 * k, 600, 160 + 80 * k), fill=pink)
    for k in range(5):
        draw.line((80, 80 + 80 * k, 600, 80 + 80 * k), fill=(150, 150, 150), width=1)
        rules.append((80.0, 78.0 + 80 * k, 600.0, 82.0 + 80 * k))
    img = img.filter(ImageFilter.GaussianBlur(1.5))
    cells = sorted(find_colour_regions(img, 150, rules=rules), key=lambda r: r.bbox[1])
    assert [round(r.bbox[1] / 80) for r in cells] == [1, 2, 3, 4]
    assert all(delta_e(lab_of(r.rgb), lab_of(pink)) < 6 for r in cells)
    assert find_colour_regions(img, 150) == ()


def test_a_row_of_pills_with_one_square_among_them_is_not_cut() -> None:
    """A row of pill-shaped marks (B's seed 11 hb-016) and one square as high standing level
    with them (an icon, a swatch): the pills are the row's marks, none is two squares."""
    g = GREENS
    img = Image.new("RGB", (900, 200), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for i, status in enumerate(("satisfaisant", "retard_explique", "satisfaisant",
                                "tres_satisfaisant")):
        draw.rounded_rectangle((60 + 140 * i, 80, 132 + 140 * i, 116), radius=8, fill=g[status])
    draw.rectangle((700, 80, 736, 116), fill=g["remis_en_cause"])
    found = sorted(find_colour_regions(img, DPI), key=lambda r: r.bbox[0])
    assert [r.bbox[2] - r.bbox[0] > 60 for r in found] == [True, True, True, True, False]


def test_yellowed_paper_is_paper_and_a_pale_mark_is_a_mark() -> None:
    """Yellowed paper (chroma ~25) is measured first and read as white: it is not one page-wide
    blob, and a pale blue mark on it (bluer than the paper) is still found."""
    img = Image.new("RGB", (900, 600), (245, 234, 200))
    draw = ImageDraw.Draw(img)
    draw.rectangle((100, 100, 140, 140), fill=(198, 219, 239))  # pale blue
    draw.ellipse((300, 100, 340, 140), fill=(8, 48, 107))  # dark blue
    regions = find_colour_regions(img, DPI)
    assert len(regions) == 2
    assert all(r.bbox[2] - r.bbox[0] < 60 for r in regions)


def test_stacked_table_cells_of_three_statuses_are_three_marks() -> None:
    """Status cells of a table, one right under the other: three cells of three colours
    stacked can be as compact as one disc, and are still three marks."""
    colours = [GREENS["satisfaisant"], GREENS["tres_satisfaisant"], GREENS["retard_explique"]]
    img = Image.new("RGB", (600, 400), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for i, colour in enumerate(colours):
        draw.rectangle((100, 100 + 50 * i, 250, 149 + 50 * i), fill=colour)
    regions = sorted(find_colour_regions(img, DPI), key=lambda r: r.bbox[1])
    assert len(regions) == 3
    assert all(delta_e(lab_of(r.rgb), lab_of(c)) < 6 for r, c in zip(regions, colours, strict=True))



def test_a_pale_cell_between_two_saturated_ones_is_a_mark_of_its_own() -> None:
    """A pale palette's table scanned at 150 dpi (a crop of the copy regions are found on, 75
    dpi; tests/data/cells): a pale blue cell between two pink ones, half as saturated. Judged
    by the pink's saturation alone it was left out of the colours, the three cells read as one
    pink mark, and the blue row's measure published the pink status."""
    img = Image.open(DATA / "cells" / "pale-table-75dpi.png")
    cells = sorted((r for r in find_colour_regions(img, 75) if r.bbox[0] > 50),
                   key=lambda r: r.bbox[1])[:4]
    pink, blue, green = lab_of((236, 140, 206)), lab_of((140, 176, 228)), lab_of((140, 226, 140))
    assert [min(("pink", "blue", "green"), key=lambda c, r=r: delta_e(r.lab, {
        "pink": pink, "blue": blue, "green": green}[c])) for r in cells] == [
        "pink", "blue", "pink", "green"]
    assert all(r.bbox[3] - r.bbox[1] < 40 for r in cells)  # one row each


def _measures(n: int) -> list[Measure]:
    return [Measure(page=1, number=i, title=f"Titre {i}", position=i) for i in range(1, n + 1)]


@pytest.mark.parametrize("numbers", ["above", "below", "in", "right"])
def test_strip_numbers_are_read_where_they_are_printed(numbers: str) -> None:
    """Numbers above, below, inside or beside the discs, in two rows: each disc is tied to its
    measure (numbers above row 2 are not row 1's, a number right of a disc is not the next
    disc's), by real tesseract."""
    palette = list(GREENS.values())
    colours = [palette[(i * 3) % 4] for i in range(10)]
    img = _strip_image(colours, step=90 if numbers == "right" else 40, rows=2, numbers=numbers)
    regions = read_mark_text(img, find_colour_regions(img, DPI), DPI, "fra")
    ties = tie_strips(regions, [m.number for m in _measures(10)])
    by_x = sorted(range(len(regions)), key=lambda k: (regions[k].center[1] // 80,
                                                      regions[k].center[0]))
    assert {t.mark: t.measure for t in ties} == {k: i for i, k in enumerate(by_x)}


def test_a_number_between_two_marks_is_the_nearer_ones() -> None:
    """Outlined discs numbered on their right, the number nearly as close to the next disc, and
    empty rings where a measure has no colour (« ●8 ○9 ●10 »): every coloured disc is read with
    its own number (its outline is no « 1 » before it), never its left neighbour's."""
    palette = list(GREENS.values())
    colours = [None if i in (0, 4, 9) else palette[i % 4] for i in range(12)]
    img = _strip_image(colours, step=76, numbers="right", outline=3, beside=5)
    regions = sorted(read_mark_text(img, find_colour_regions(img, DPI), DPI, "fra"),
                     key=lambda r: r.bbox[0])
    coloured = [i + 1 for i, c in enumerate(colours) if c is not None]
    assert len(regions) == len(coloured)
    assert [{(d.place, d.number) for d in r.readings if d.conf >= 70} for r in regions] == [
        {("right", n)} for n in coloured]
    ties = tie_strips(regions, [m.number for m in _measures(12)])
    assert {t.mark: t.measure + 1 for t in ties} == dict(enumerate(coloured))


def test_a_slanting_strip_of_labelled_marks_is_read_mark_by_mark() -> None:
    """Fourteen discs, each 6 px lower than the last (a strip photographed at a slant: 78 px
    from end to end, twice a disc), « M1 »… « M14 » printed above them: one strip, each disc
    read with its own label, by real tesseract, and tied to the measure so labelled."""
    palette = list(GREENS.values())
    colours = [palette[(i * 3) % 4] for i in range(14)]
    img = _strip_image(colours, step=60, numbers="above", slope=6.0, prefix="M")
    regions = sorted(read_mark_text(img, find_colour_regions(img, DPI), DPI, "fra"),
                     key=lambda r: r.bbox[0])
    assert len(mark_rows(regions)) == 1
    read = [{(d.place, d.prefix, d.number) for d in r.readings if d.conf >= 70} for r in regions]
    assert sum(r == {("above", "M", i + 1)} for i, r in enumerate(read)) >= 12
    assert all(r <= {("above", "M", i + 1)} for i, r in enumerate(read))
    ties = tie_strips(with_labels(regions, {"M"}), list(range(1, 15)))
    assert {t.mark: t.measure for t in ties} == {i: i for i in range(14)}


def test_numbers_wider_than_their_touching_discs_are_each_read() -> None:
    """Touching discs whose two-digit numbers above them are as wide as a disc, so that « 10 »,
    « 11 », « 12 »… run together into one line of ink: each disc is still read with its own
    number (the line cut by the discs' centres), by real tesseract."""
    palette = list(GREENS.values())
    colours = [palette[(i * 3) % 4] for i in range(16)]
    img = _strip_image(colours, step=36, numbers="above", font_px=27)
    regions = sorted(read_mark_text(img, find_colour_regions(img, DPI), DPI, "fra"),
                     key=lambda r: r.bbox[0])
    assert len(regions) == 16
    read = [{d.number for d in r.readings if d.conf >= 70} for r in regions]
    assert sum(r == {i + 1} for i, r in enumerate(read)) >= 14
    assert all(r <= {i + 1} for i, r in enumerate(read))


def test_a_strips_first_mark_above_the_legend_column_is_no_legend_entry() -> None:
    """The legend's swatches stand in a column under a strip whose first disc is in that column,
    one step above: that disc is the strip's first mark, not an unlabelled legend entry (126
    lost its first status so)."""
    palette = list(GREENS.values())
    strip = [region(palette[i % 4], x=160 + 80 * i, y=100, side=40) for i in range(6)]
    column = [region(c, x=160, y=190 + 50 * i, side=40) for i, c in enumerate(palette)]
    swatches = [Swatch(s, s, (210.0, r.bbox[1], 400.0, r.bbox[3]), r, 100.0)
                for s, r in zip(STATUSES[:3], column[:3], strict=True)]  # the fourth unread
    members = legend_members(swatches, [*strip, *column])
    assert column[3] in members and not any(m in members for m in strip)


def test_a_strip_of_pills_is_read_like_a_strip_of_discs() -> None:
    """Pills twice as wide as high, numbered below, in two rows: each is read and tied to its
    measure (they were taken for no strip at all)."""
    palette = list(GREENS.values())
    colours = [palette[(i * 3) % 4] for i in range(8)]
    img = _strip_image(colours, step=100, rows=2, numbers="below", width=72)
    regions = read_mark_text(img, find_colour_regions(img, DPI), DPI, "fra")
    ties = tie_strips(regions, [m.number for m in _measures(8)])
    by_place = sorted(range(len(regions)), key=lambda k: (regions[k].center[1] // 80,
                                                          regions[k].center[0]))
    assert {t.mark: t.measure for t in ties} == {k: i for i, k in enumerate(by_place)}


def test_a_slides_strip_numbers_the_slides_own_measures() -> None:
    """Numbering restarting on each slide (1-3, 1-3): the strip of slide 2, read 1, 2, 3, ties
    to slide 2's measures, where the document's numbers alone name two measures each."""
    measures = [Measure(page=1 + i // 3, number=i % 3 + 1, title=f"T{i}", position=i + 1)
                for i in range(6)]
    strip = [_disc(40 * i, below=(i + 1, 95.0)) for i in range(3)]
    printed = [m.number for m in measures]
    assert tie_strips(strip, printed) == []
    ties = strip_ties(strip, 2, measures, printed, [None] * 6)
    assert {mark: mi for mark, (mi, _conf) in ties.items()} == {0: 3, 1: 4, 2: 5}


def test_a_slides_strip_of_unread_numbers_ties_by_its_count_to_the_slides_measures() -> None:
    """Numbers too small to read on slide 2, whose measures are 16 to 21: its strip of six
    marks is read in order, beside a row of four icons (another strip of another count); not
    when the slide's numbering skips (16-20, 22) or a mark is missing."""
    measures = [Measure(page=1 if i < 15 else 2, number=i + 1, title=f"T{i}", position=i + 1)
                for i in range(21)]
    strip = [_disc(40 * i) for i in range(6)]
    icons = [_disc(1000 + 40 * i, y=20) for i in range(4)]
    printed = [m.number for m in measures]
    ties = strip_ties([*strip, *icons], 2, measures, printed, [None] * 21)
    assert {mark: mi for mark, (mi, _conf) in ties.items()} == {i: 15 + i for i in range(6)}
    skipping = [*printed[:20], 22]
    assert strip_ties([*strip, *icons], 2, measures, skipping, [None] * 21) == {}
    assert strip_ties([*strip[:5], *icons], 2, measures, printed, [None] * 21) == {}


def test_a_label_letter_is_the_documents_or_a_digit_misread() -> None:
    """« S1 » is S1 where the measures are labelled S1, S2…; where no label has an S it is the
    51 tesseract read as S1; a letter no label has and no digit looks like names nothing."""
    def read(prefix: str, number: int) -> ColourRegion:
        return _disc(0, below=(number, 95.0)).__class__(
            **{**_disc(0).__dict__, "readings": (DigitReading("below", number, 95.0, prefix),)})

    [s1] = with_labels([read("S", 1)], {"O", "S", "P"})
    assert [(d.prefix, d.number) for d in s1.readings] == [("S", 1)]
    [s1] = with_labels([read("S", 1)], set())
    assert [(d.prefix, d.number) for d in s1.readings] == [("", 51)]
    [m7] = with_labels([read("M", 7)], set())
    assert m7.readings == ()


def test_marks_tie_by_order_only_to_measures_whose_place_is_known() -> None:
    """Measures 2-6 lost their printed numbers: the numbers inferred for them are confirmed
    when they stand between 1 and 7 in reading order (and are as many as the numbers between),
    not when the page was read out of order (the second measure read stands above the first,
    hb-057: columns read out of place) — then the strip's marks 2-6 tie to none of them. A
    number inferred after the last printed one has no witness at its end."""
    strip = [_disc(40 * i, below=(i + 1, 95.0)) for i in range(9)]
    printed = [1, None, None, None, None, None, 7, None]
    lost = [None, 2, 3, 4, 5, 6, None, 8]
    down = [(1, (100.0, 100.0 + 60 * i, 900.0, 140.0 + 60 * i)) for i in range(8)]
    inferred = confirmed_inferred(printed, lost, down)
    assert inferred == [None, 2, 3, 4, 5, 6, None, None]
    ties = {t.mark: t.measure for t in tie_strip(strip, range(9), printed, "below", inferred)}
    assert ties == {i: i for i in range(7)}
    jumbled = [down[0], (1, (100.0, 20.0, 900.0, 60.0)), *down[2:]]
    inferred = confirmed_inferred(printed, lost, jumbled)
    assert inferred == [None] * 8
    ties = {t.mark: t.measure for t in tie_strip(strip, range(9), printed, "below", inferred)}
    assert ties == {0: 0, 6: 6}
    strip[3] = _disc(120)  # unread, and between two marks whose measures' place is unknown
    assert 3 not in {t.mark for t in tie_strip(strip, range(9), printed, "below", inferred)}


def _disc(x: float, y: float = 100, **readings: tuple[int, float]) -> ColourRegion:
    return replace(region((0, 122, 61), x=x, y=y, side=30),
                   readings=tuple(DigitReading(p, n, c) for p, (n, c) in readings.items()))


def test_a_number_the_strip_order_contradicts_ties_nothing() -> None:
    """« 5 » misread « 43 », « 9 » misread « 3 », both confidently: the order between read
    neighbours ties an unread (or doubtfully read) disc, never a disc whose confident number
    disagrees with it."""
    numbers = [m.number for m in _measures(12)]
    strip = [_disc(40 * i, below=(i + 1, 95.0)) for i in range(12)]
    strip[4] = _disc(160, below=(43, 90.0))  # says 43, the order says 5: no tie
    strip[8] = _disc(320, below=(3, 80.0))  # says 3, the order says 9: no tie
    strip[10] = _disc(400)  # nothing read: tied by the order (11)
    strip[6] = _disc(240, below=(1, 30.0))  # read with doubt: tied by the order (7)
    ties = {t.mark: (t.measure, t.how) for t in tie_strip(strip, range(12), numbers, "below")}
    assert ties[10] == (10, "order") and ties[6] == (6, "order")
    assert 4 not in ties and 8 not in ties
    assert all(ties[k] == (k, "digits") for k in range(12) if k not in (4, 6, 8, 10))


def test_a_lone_number_read_is_no_tie_without_the_order() -> None:
    numbers = [m.number for m in _measures(12)]
    strip = [_disc(0, below=(1, 95.0)), _disc(40), _disc(80), _disc(120, below=(9, 96.0))]
    assert tie_strip(strip, range(4), numbers, "below") == []
    assert [t.measure for t in tie_strip(strip[:1], range(1), numbers, "below")] == [0]


def test_legend_labels_tolerate_ocr_damage_but_not_ambiguity() -> None:
    assert label_status("Pemis en cause") == ("remis_en_cause", pytest.approx(92.9, abs=0.1))
    assert label_status("Reis en cause")[0] == "remis_en_cause"
    assert label_status("Satistaisant")[0] == "satisfaisant"
    assert label_status("Trés satisfaisant")[0] == "tres_satisfaisant"
    assert label_status("En retard (expliqué)")[0] == "retard_explique"
    assert label_status("Remis en cause / abandonné")[0] == "remis_en_cause"
    assert label_status("s satisfaisant")[0] is None  # très or not: not said
    assert label_status("Calendrier")[0] is None
    # a table's rules read before a label that follows them (A 001: « —7——= | Satstaisant »)
    assert label_status("—7——= | Satstaisant")[0] == "satisfaisant"
    assert label_status("7")[0] is None


def test_legend_labels_in_other_words_name_their_status() -> None:
    assert label_status("Très bon avancement")[0] == "tres_satisfaisant"
    assert label_status("Bon avancernent")[0] == "satisfaisant"
    assert label_status("Remis en question")[0] == "remis_en_cause"
    assert label_status("Mesure remise en cause")[0] == "remis_en_cause"
    assert label_status("Avancement")[0] is None  # the rest of the label wrapped: no status


def _wrapped_legend(rows: list[list[str]], swatch_rows: list[int]) -> Page:
    """A narrow legend column: each entry's label wrapped on its rows, one swatch per entry
    level with the row `swatch_rows` names (0: its first)."""
    regions, words, y = [], [], 200.0
    for entry, (label_rows, at) in enumerate(zip(rows, swatch_rows, strict=True)):
        colour = list(GREENS.values())[entry]
        for k, row in enumerate(label_rows):
            cursor = 1136.0
            for token in row.split():
                words.append(Word(token, (cursor, y, cursor + 12 * len(token), y + 22), 90.0))
                cursor += 12 * len(token) + 10
            if k == at:
                regions.append(region(colour, x=1100, y=y - 1, side=24))
            y += 34
        y += 20
    return Page(page=1, method="ocr", lines=(Line("x", None, words=tuple(words)),),
                width_px=1400, height_px=2000, dpi=DPI, regions=tuple(regions))


def test_a_legend_label_wrapped_over_lines_is_read_whole() -> None:
    page = _wrapped_legend([["Avancement", "très", "satisfaisant"], ["Avancement", "satisfaisant"],
                            ["En retard", "(expliqué)"], ["Mesure", "remise en", "cause"]],
                           [1, 0, 0, 1])
    assert [s.status for s in find_legend(page)] == list(STATUSES)
    # « Très / satisfaisant » beside a swatch level with « satisfaisant »: which it is cannot be
    # told from the band alone, and the lines above say another status: no entry
    page = _wrapped_legend([["Très", "satisfaisant"], ["Retard", "expliqué"], ["Remis en cause"]],
                           [1, 0, 0])
    assert [s.status for s in find_legend(page)] == ["retard_explique", "remis_en_cause"]


def _legend_page(entries: list[tuple[str, float, float]], extra: tuple[Word, ...] = ()) -> Page:
    """A page with a swatch at each (label, x, y) and the label's words right of it."""
    regions, words = [], list(extra)
    for label, x, y in entries:
        status = label_status(label)[0] or "satisfaisant"
        regions.append(region(GREENS[status], x=x, y=y, side=24))
        cursor = x + 36
        for token in label.split():
            words.append(Word(token, (cursor, y, cursor + 14 * len(token), y + 24), 90.0))
            cursor += 14 * len(token) + 12
    return Page(page=1, method="ocr", lines=(Line("x", None, words=tuple(words)),),
                width_px=2000, height_px=2800, dpi=DPI, regions=tuple(regions))


def test_legend_is_found_by_its_structure_without_a_heading() -> None:
    page = _legend_page([("Très satisfaisant", 100, 2000), ("Satisfaisant", 600, 2000),
                         ("Pemis en cause", 1100, 2000)])
    assert [(s.status, s.label) for s in find_legend(page)] == [
        ("tres_satisfaisant", "Très satisfaisant"), ("satisfaisant", "Satisfaisant"),
        ("remis_en_cause", "Pemis en cause")]


def test_a_mark_beside_a_legend_half_a_line_lower_does_not_take_a_label_across_its_swatch(
        ) -> None:
    """A photographed page (A 003): the measures' marks stand in a column just left of the
    legend's swatches, each half a line lower than a swatch. Read to its right, the « Remis en
    cause » label is level with the mark under it too, but the swatch stands between them:
    it is the swatch's label alone — not a status found beside two blobs, which would keep
    neither (the first label, misread, names no status: three entries are read)."""
    entries = [("mu M rs saistaisant", 1000, 100), ("Satisfaisant", 1000, 140),
               ("Retard expliqué", 1000, 180), ("Remis en cause", 1000, 220)]
    page = _legend_page(entries)
    marks = [region(GREENS[status], x=940, y=118 + 40 * k, side=24)
             for k, status in enumerate(STATUSES)]
    page = replace(page, regions=(*page.regions, *marks))
    assert [(s.status, s.region.bbox[0]) for s in find_legend(page)] == [
        (status, 1000) for status in STATUSES[1:]]


def test_a_label_read_glued_to_its_swatchs_glyph_is_the_swatchs_label() -> None:
    """OCR read the « Remis en cause » swatch as « @ » and glued it to its label, the label's
    words run together too: one word « @Remisencause » that starts on the swatch. Its part
    beyond the swatch is the label, and the legend keeps its four statuses (seed 17 hb-016,
    whose five « remis en cause » marks were NULL, too far from the three swatches read)."""
    entries = [("Retard expliqué", 1000, 140), ("Satisfaisant", 1000, 180),
               ("Très satisfaisant", 1000, 220)]
    page = _legend_page(entries)
    swatch = region(GREENS["remis_en_cause"], x=1000, y=100, side=24)
    glued = Word("@Remisencause", (1000.0, 98.0, 1180.0, 124.0), 81.0)
    page = replace(page, regions=(swatch, *page.regions),
                   lines=(Line("x", None, words=(glued, *page.lines[0].words)),))
    assert [(s.status, s.region.bbox[1]) for s in find_legend(page)] == [
        ("tres_satisfaisant", 220), ("satisfaisant", 180), ("retard_explique", 140),
        ("remis_en_cause", 100)]


def test_a_legends_heading_just_over_a_large_swatch_does_not_cut_its_label() -> None:
    """Swatches 68 px high, labels 28 px high beside them, the heading « Niveau d'avancement : »
    54 px over the first label (A 026): the heading's words stand within the first swatch's
    band, left of the label's second word — a gap that ended « Avancement très satisfaisant »
    at « Avancement », no status. A label is one line: the heading's words are skipped."""
    labels = ["Avancement très satisfaisant", "Satisfaisant", "Retard expliqué", "Remis en cause"]
    regions, words = [], [Word("Niveau", (308.0, 2850.0, 425.0, 2879.0), 95.0),
                          Word("d'avancement", (439.0, 2850.0, 678.0, 2879.0), 93.0),
                          Word(":", (692.0, 2859.0, 699.0, 2878.0), 93.0)]
    for k, label in enumerate(labels):
        y = 2904.0 + 84 * k
        regions.append(region(GREENS[STATUSES[k]], x=308, y=y, side=68))
        cursor = 396.0
        for token in label.split():
            words.append(Word(token, (cursor, y + 21, cursor + 16 * len(token), y + 49), 96.0))
            cursor += 16 * len(token) + 12
    page = Page(page=1, method="ocr", lines=(Line("x", None, words=tuple(words)),),
                width_px=2480, height_px=3508, dpi=300, regions=tuple(regions))
    assert [s.status for s in find_legend(page)] == list(STATUSES)


def test_a_label_read_from_its_swatch_leftwards_goes_on_past_a_slash() -> None:
    """A legend whose swatches follow their labels (A 035): read from the swatch leftwards,
    « Remis en cause / abandonné » met « / » after « abandonné » — a sign of the label, not a
    swatch read as text: the whole label is read, and the legend keeps its four statuses."""
    labels = ["Remis en cause / abandonné", "Retard expliqué", "Satisfaisant",
              "Avancement très satisfaisant"]
    statuses = ["remis_en_cause", "retard_explique", "satisfaisant", "tres_satisfaisant"]
    regions, words = [], []
    for k, label in enumerate(labels):
        y = 100.0 + 40 * k
        cursor = 60.0
        for token in label.split():
            words.append(Word(token, (cursor, y + 2, cursor + 14 * len(token), y + 22), 90.0))
            cursor += 14 * len(token) + 12
        regions.append(region(GREENS[statuses[k]], x=cursor + 10, y=y, side=24))
    page = Page(page=1, method="ocr", lines=(Line("x", None, words=tuple(words)),),
                width_px=2000, height_px=2800, dpi=DPI, regions=tuple(regions))
    assert sorted(s.status for s in find_legend(page)) == sorted(statuses)


def test_a_black_swatch_read_as_text_ends_the_label_before_it() -> None:
    """A legend in a row whose « Remis en cause » swatch is black (no colour: no blob) and read
    by OCR as « [IR »: the label before it stops there, it does not run on into the next one."""
    y = 2000.0
    extra = tuple(Word(t, (x, y, x + 14 * len(t), y + 24), 90.0)
                  for t, x in (("[IR", 856.0), ("Remis", 910.0), ("en", 992.0), ("cause", 1032.0)))
    page = _legend_page([("Satisfaisant", 100, 2000), ("Retard expliqué", 600, 2000)], extra)
    assert [(s.status, s.label) for s in find_legend(page)] == [
        ("satisfaisant", "Satisfaisant"), ("retard_explique", "Retard expliqué")]


def test_a_legend_row_after_its_heading_pairs_each_label_with_the_swatch_before_it() -> None:
    """« Niveau d'avancement : ■ Très satisfaisant ■ Rythme satisfaisant ■ En retard (expliqué)
    ■ Remis en cause », two swatches read by OCR as words (« À Il », « | »): the heading names no
    status, the swatch's own junk is no label, and each label is its left swatch's — never the
    next one's (which shifted every status by one)."""
    y = 384.0

    def words(*items: tuple[str, float, float]) -> list[Word]:
        return [Word(t, (x0, y + 10, x1, y + 30), 90.0) for t, x0, x1 in items]

    ws = words(("Niveau", 181, 245), ("d'avancement", 252, 382), (":", 389, 393),
               ("Très", 479, 517), ("satisfaisant", 523, 620), ("À", 660, 663), ("Il", 691, 700),
               ("Rythme", 716, 784), ("satisfaisant", 790, 887), ("En", 982, 1005),
               ("retard", 1012, 1063), ("(expliqué)", 1069, 1158), ("|", 1193, 1210),
               ("Remis", 1254, 1308), ("en", 1315, 1335), ("cause", 1341, 1389))
    regions = tuple(region(GREENS[status], x=x, y=y, side=45) for status, x in zip(
        STATUSES, (420, 657, 924, 1195), strict=True))
    page = Page(page=1, method="ocr", lines=(Line("x", None, words=tuple(ws)),), width_px=1700,
                height_px=2400, dpi=DPI, regions=regions)
    assert [(s.status, s.region.bbox[0]) for s in find_legend(page)] == [
        ("tres_satisfaisant", 420), ("satisfaisant", 657), ("retard_explique", 924),
        ("remis_en_cause", 1195)]
    assert label_status("Niveau d'avancement :")[0] is None


def test_words_of_a_sentence_beside_a_blob_are_no_legend_entry() -> None:
    sentence = "Satisfaisant dans l'ensemble malgré des retards importants relevés"
    page = _legend_page([(sentence, 100, 500), ("Retard expliqué", 100, 2000)])
    assert find_legend(page) == []  # one entry is no legend; the sentence is none


def test_marks_tie_within_their_own_column() -> None:
    """Two columns of measures side by side: a mark in the gutter, nearer the right column,
    is the right column's; one as near to both is nobody's."""
    boxes = [(0, (100.0, 100.0, 900.0, 130.0)), (1, (1100.0, 100.0, 1900.0, 130.0))]
    right = (0, region((0, 0, 0), x=1060, y=102))
    middle = (1, region((0, 0, 0), x=990, y=102))
    assert tie_marks_by_band(boxes, [right], line_h=28.0, width=2000.0) == {1: 0}
    assert tie_marks_by_band(boxes, [middle], line_h=28.0, width=2000.0) == {}



def test_a_title_run_across_the_page_does_not_make_one_column_of_three() -> None:
    """A slide of three columns, marks left of each title; the last title took in the lines
    under it, legend and all, its box running from the page's margin across every column.
    The columns stay three: each mark is its own measure's, not heard on the measures level
    with it in the other columns (every status was a conflict)."""
    boxes = [(k * 3 + r, (136.0 + 840 * k, 180.0 + 70 * r, 860.0 + 840 * k, 230.0 + 70 * r))
             for k in range(3) for r in range(3)] + [(9, (89.0, 400.0, 2560.0, 1400.0))]
    marks = [(k * 3 + r, region((0, 0, 0), x=100.0 + 840 * k, y=185.0 + 70 * r, side=24))
             for k in range(3) for r in range(3)]
    pairs = band_pairs(boxes, marks, line_h=26.0, width=2667.0)
    assert sorted((mi, k) for _cost, mi, k in pairs) == [(k, k) for k in range(9)]

def test_a_measure_indented_further_is_no_column_of_its_own() -> None:
    """A table's measures start at x=160, one (a label read apart) at x=231 within their span:
    one column, so the marks of the status column to their right are tied, not left to two
    columns « about as near »; so too when one measure's box took in the mark on its left.
    Two columns side by side stay two."""
    boxes = [(i, (160.0, 100.0 + 40 * i, 1020.0, 120.0 + 40 * i)) for i in range(6)]
    boxes[3] = (3, (231.0, 220.0, 1035.0, 240.0))
    marks = [(i, region((0, 0, 0), x=1098, y=100 + 40 * i)) for i in range(6)]
    assert tie_marks_by_band(boxes, marks, line_h=18.0, width=1319.0) == {i: i for i in range(6)}
    # marks on the left, one measure's box taking in its mark (read as a glyph of its line)
    boxes = [(i, (104.0, 100.0 + 40 * i, 600.0, 120.0 + 40 * i)) for i in range(6)]
    boxes[3] = (3, (55.0, 220.0, 590.0, 240.0))
    marks = [(i, region((0, 0, 0), x=57, y=100 + 40 * i)) for i in range(6)]
    assert tie_marks_by_band(boxes, marks, line_h=14.0, width=827.0) == {i: i for i in range(6)}
    two = [(0, (100.0, 100.0, 900.0, 130.0)), (1, (1100.0, 100.0, 1900.0, 130.0))]
    middle = (1, region((0, 0, 0), x=990, y=102))
    assert tie_marks_by_band(two, [middle], line_h=28.0, width=2000.0) == {}


def test_status_reasons_say_why_a_status_is_null() -> None:
    palette = GREENS
    img, measures, _legend, lines = synthetic_page(palette, list(STATUSES))
    page = Page(page=1, method="ocr", lines=tuple(lines), width_px=img.width,
                height_px=img.height, dpi=DPI, regions=find_colour_regions(img, DPI))
    lonely = Measure(page=2, number=5, title="Sans marque", bbox=(100, 100, 900, 130))
    result = assign_statuses([*measures, lonely], [page, replace(page, page=2, regions=())])
    got = apply_statuses([*measures, lonely], result.readings)
    assert [m.status for m in got[:4]] == list(STATUSES)
    assert all(m.status_reason is None for m in got[:4])
    assert got[4].status is None and got[4].status_reason == "no-mark"  # the legend keys page 2
    alone = assign_statuses([lonely], [replace(page, page=2, regions=())]).readings[0]
    assert alone.reason == "no-legend"


def test_print_fringed_with_colour_amid_a_measure_is_no_mark() -> None:
    """A bold « Mesure 2 – » whose blurred print reads as a dark olive blob (far from every
    swatch) amid each measure's words: the mark at the line's end is the measure's status, not
    a conflict between the two."""
    img, measures, legend, lines = synthetic_page(GREENS, list(STATUSES))
    draw = ImageDraw.Draw(img)
    for m in measures:
        draw.rectangle((240, m.bbox[1] + 2, 254, m.bbox[1] + 20), fill=(58, 76, 50))  # « – »
    assert [m.status for m in read_synthetic(img, measures, legend, lines)] == list(STATUSES)


def test_a_strip_of_one_mark_per_measure_ties_by_its_order_when_its_numbers_are_unread() -> None:
    """Numbers too small to read: a strip holding exactly one mark per measure (numbered 1 to
    N) is read in order — and not when a mark is missing, a read number disagrees, or the
    measures' numbering is not 1 to N."""
    numbers = [m.number for m in _measures(6)]
    strip = [_disc(40 * i) for i in range(6)]
    assert [(t.mark, t.measure, t.how) for t in tie_strips(strip, numbers)] == [
        (i, i, "count") for i in range(6)]
    assert tie_strips(strip[:5], numbers) == []
    assert tie_strips([*strip[:2], _disc(80, below=(5, 60.0)), *strip[3:]], numbers) == []
    assert tie_strips(strip, [1, 2, 3, 1, 2, 3]) == []


def test_numbers_between_two_rows_of_a_strip_are_the_lower_rows_when_the_upper_row_has_its_own(
        ) -> None:
    """Two rows of seven discs, each disc's number printed over it: the line of numbers between
    the rows reads as under row 1 (8 to 14, all read) and over row 2 (five read), while only
    four numbers over row 1 were read. Those between the rows are one printed line, evidence for
    neither place: the numbers over row 1 decide, and row 2 keeps the numbers over it. The
    last disc, its number unread, is the 14th of a strip of 14 marks for 14 measures whose order
    the numbers over the discs confirm: the count ties it."""
    above_1 = {0: 1, 1: 2, 3: 4, 5: 6}
    above_2 = {0: 8, 1: 9, 2: 10, 4: 12, 5: 13}
    row_1 = [_disc(40 * i, 100, below=(8 + i, 92.0),
                   **({"above": (above_1[i], 95.0)} if i in above_1 else {})) for i in range(7)]
    row_2 = [_disc(40 * i, 170, **({"above": (above_2[i], 93.0)} if i in above_2 else {}))
             for i in range(7)]
    ties = tie_strips([*row_1, *row_2], list(range(1, 15)))
    assert {t.mark: t.measure for t in ties} == {i: i for i in range(14)}


def test_a_number_read_by_two_marks_is_no_anchor_however_doubtfully_the_second_was_read() -> None:
    """Twelve discs for fourteen measures (two marks missing, their numbers printed in empty
    rings between discs): « 10 » read left of one disc, « 12 » left of two (at 74 and 77). The
    second « 12 » is a number between two marks, read beside both: neither names a measure, and
    « 10 » alone is no chain — no disc is tied by these numbers."""
    strip = [_disc(72 * i) for i in range(9)] + [
        _disc(72 * 9, left=(10, 93.0)), _disc(72 * 10, left=(12, 74.0)),
        _disc(72 * 11, left=(12, 77.0))]
    assert tie_strips(strip, list(range(1, 15))) == []


def test_numbers_printed_between_evenly_spaced_marks_precede_them_when_the_rows_ends_say_so(
        ) -> None:
    """« 1 ● 2 ● 3 ● 4 ● 5 ● 6 ● »: each number stands as near the mark before it as the one
    after, so the right of each disc reads the next number in order too (2 to 6, all sure),
    while only the row's first and last numbers were read on their left. A number before the
    first mark and none after the last says which: the numbers precede their marks."""
    strip = [_disc(40 * k, right=(k + 2, 95.0)) for k in range(5)] + [_disc(200)]
    strip[0] = _disc(0, left=(1, 95.0), right=(2, 95.0))
    strip[5] = _disc(200, left=(6, 93.0))
    ties = tie_strips(strip, list(range(1, 7)))
    assert {t.mark: t.measure for t in ties} == {k: k for k in range(6)}


def test_a_number_read_beside_one_row_and_over_the_next_names_neither() -> None:
    """Two rows, each disc's number printed on its left; row 2 sits half a step along, so the
    numbers of row 2 stand over row 1's gaps and read as « below » row 1's discs, shifted by
    one. Read beside the marks, they are no anchors below them."""
    row_1 = [_disc(40 * k, 100, left=(k + 1, 95.0), below=(k + 5, 90.0)) for k in range(4)]
    row_2 = [_disc(40 * k + 20, 140, left=(k + 5, 95.0)) for k in range(4)]
    assert tie_strip([*row_1, *row_2], range(8), list(range(1, 9)), "below") == []
    ties = tie_strips([*row_1, *row_2], list(range(1, 9)))
    assert {t.mark: t.measure for t in ties} == {k: k for k in range(8)}


def _born_digital_strip(path: Path, numbers: str, statuses: list[str]) -> None:
    """A born-digital page (reportlab): two dimensions, a legend of swatches, and a strip of
    marks, each mark's number printed `numbers`: under squares spaced apart or inside discs that
    touch (numbering that restarts: 1-3, 1-3), or left of discs spaced apart (1-6, each number
    nearer its own disc than the one before it)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    c = canvas.Canvas(str(path), pagesize=A4)
    _w, h = A4
    y = h - 60
    c.setFont("DejaVu", 10)
    titles = ["Simplifier les démarches des associations", "Former les agents d'accueil",
              "Évaluer les dispositifs chaque année"]
    for heading in ("3 mesures opérationnelles, aux premiers effets à 3/9 mois",
                    "3 mesures stratégiques, aux effets à 6/12 mois"):
        c.drawString(50, y, heading)
        y -= 18
        for n, title in enumerate(titles, start=1):
            n += 3 * (numbers == "left" and heading.startswith("3 mesures strat"))
            c.drawString(50, y, f"{n}. {title}")
            y -= 16
        y -= 8
    for k, status in enumerate(STATUSES):  # the legend, on the right
        c.setFillColorRGB(*(v / 255 for v in GREENS[status]))
        c.rect(380, h - 80 - 20 * k, 10, 10, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.drawString(396, h - 79 - 20 * k, LABELS[status])
    c.drawString(50, y - 20, "Niveau d'avancement")
    size, top = 16.0, y - 50
    step = {"below": size + 6, "in": size, "left": size + 16}[numbers]
    for i, status in enumerate(statuses):
        x = 50 + i * step
        c.setFillColorRGB(*(v / 255 for v in GREENS[status]))
        if numbers == "below":
            c.rect(x, top, size, size, stroke=0, fill=1)
        else:
            c.circle(x + size / 2, top + size / 2, size / 2, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.setFont("DejaVu", 6 if numbers != "left" else 9)
        label = str(i + 1 if numbers == "left" else i % 3 + 1)
        if numbers == "left":
            c.drawRightString(x - 3, top + size / 2 - 3, label)
        else:
            c.drawCentredString(x + size / 2, top - 8 if numbers == "below"
                                else top + size / 2 - 2, label)
    c.setFont("DejaVu", 10)
    c.showPage()
    c.save()


@pytest.mark.parametrize("numbers", ["below", "in", "left"])
def test_a_born_digital_strip_is_read_by_the_numbers_its_text_layer_prints(
        tmp_path: Path, numbers: str) -> None:
    """A text-layer page's strip is tied by the numbers its text layer prints by the marks (no
    OCR of them): numbering that restarts per dimension is tied by the strip's order, a number
    printed inside a disc that touches the next is that disc's alone, and one between two
    discs is the nearer one's."""
    statuses = ["tres_satisfaisant", "retard_explique", "satisfaisant",
                "remis_en_cause", "satisfaisant", "retard_explique"]
    pdf = tmp_path / "strip.pdf"
    _born_digital_strip(pdf, numbers, statuses)
    result = process_file(str(pdf))
    measures = result.extraction.measures
    assert [m.label for m in measures] == (["1", "2", "3", "4", "5", "6"] if numbers == "left"
                                           else ["1", "2", "3", "1", "2", "3"])
    assert [m.status for m in measures] == statuses


def test_labels_as_wide_as_their_overlapping_discs_are_read_inside_them() -> None:
    """A scanned strip (300 dpi, stress set A's 076) of 21 overlapping discs labelled « M1 » to
    « M21 » in their middle, the two-digit labels nearly as wide as a disc: a label's « M » stands
    near the disc's edge and is read with it, and what stands inside the neighbour it overlaps
    is not read as its own — most discs tie to their measure, each to its own (9 of 21 tied when
    the rim left out was wide and the neighbour's part was looked at), by real tesseract."""
    with Image.open(Path(__file__).parent / "data" / "strips" / "labels-inside.png") as img:
        img.load()
        regions = sorted(read_mark_text(img, find_colour_regions(img, 300), 300, "fra"),
                         key=lambda r: r.bbox[0])
    assert len(regions) == 21
    ties = tie_strips(with_labels(regions, {"M"}), list(range(1, 22)))
    assert len(ties) >= 14
    assert all(t.mark == t.measure for t in ties)


def _swatch_row() -> list[Swatch]:
    """A legend of the four statuses in a row at y = 500, already read."""
    return [Swatch(status, LABELS[status], (60.0 * i + 30, 500.0, 60.0 * i + 50, 520.0),
                   region(rgb, x=60 * i, y=500), 100.0)
            for i, (status, rgb) in enumerate(GREENS.items())]


def test_a_blob_alone_of_no_legend_colour_does_not_rival_a_strips_mark() -> None:
    """The « 4 » of a heading printed in teal (« Les 14 mesures ») is a blob with a 4 read on
    it: it is no status mark, and the strip's own mark 4 keeps its measure."""
    swatches = _swatch_row()
    colours = ["remis_en_cause", "satisfaisant", "retard_explique", "tres_satisfaisant"]
    strip = [replace(region(GREENS[s], x=100 + 40 * i, y=300, side=30),
                     readings=(DigitReading("in", i + 1, 95.0),)) for i, s in enumerate(colours)]
    heading_digit = replace(region((20, 110, 120), x=900, y=40, side=14),
                            readings=(DigitReading("in", 4, 95.0),))
    page = Page(page=1, method="ocr", lines=(), dpi=DPI, width_px=1600, height_px=2200,
                regions=(*strip, heading_digit, *(s.region for s in swatches)))
    measures = [Measure(page=1, number=i, title=f"Titre {i}", position=i) for i in range(1, 5)]
    found = read_page_marks(page, measures, swatches)
    assert {mi: [r.status for r in rs] for mi, rs in found.readings.items()} == {
        i: [s] for i, s in enumerate(colours)}


def test_a_crop_mostly_of_a_saturated_mark_keeps_the_white_around_it_as_paper() -> None:
    """A strip's tile is a crop of one mark with a little paper round it: the red, most of the
    crop and bright in one channel, is not the paper (taken for it, it was turned white, and
    the white digits on it were lost)."""
    from extractors.regions import white_balanced
    img = Image.new("RGB", (100, 100), (250, 250, 248))
    ImageDraw.Draw(img).rectangle((10, 10, 90, 90), fill=(200, 35, 30))
    out = white_balanced(np.asarray(img, dtype=np.float32) / 255.0)
    assert out[50, 50, 0] > 0.5 and out[50, 50, 1] < 0.25  # still red
    assert abs(float(out[2, 2, 0]) - float(out[2, 2, 2])) < 0.02  # the margin: neutral paper


def test_a_legend_label_is_read_again_from_its_swatch_on() -> None:
    """A bold label by its swatch whose first letters the page's OCR lost (« ès satisfaisant »,
    its box starting after « Tr »): read again enlarged from the swatch's edge, the whole label
    is read, and its bold letters, blurred together, are not taken for a mark in the crop."""
    from PIL import ImageFilter
    img = Image.new("RGB", (700, 200), (250, 250, 248))
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 80, 62, 102), fill=GREENS["tres_satisfaisant"])
    bold = ImageFont.truetype(FONT.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), 22)
    draw.text((74, 78), "Très satisfaisant", font=bold, fill=(40, 40, 40))
    tr = draw.textlength("Tr", font=bold)
    img = img.filter(ImageFilter.GaussianBlur(1.0))
    end = 74 + draw.textlength("Très satisfaisant", font=bold)
    words = (Word("ès", (74 + tr, 82.0, 74 + tr + 26, 100.0), 7.0),
             Word("satisfaisant", (74 + tr + 34, 80.0, end, 100.0), 95.0))
    regions = read_mark_text(img, find_colour_regions(img, DPI), DPI, "fra",
                             [Line("ès satisfaisant", (words[0].bbox[0], 80.0, end, 102.0),
                                   words=words)])
    assert [r.label_right for r in regions] == ["Très satisfaisant"]


PILLS = {"tres_satisfaisant": (29, 90, 162), "remis_en_cause": (209, 28, 65),
         "satisfaisant": (41, 130, 86)}


def _pill_table(path: Path) -> list[str]:
    """A report page (200 dpi, softened as by a scan) whose table prints each status as small
    white words on a coloured pill, without a legend: the statuses in the order drawn."""
    img = Image.new("RGB", (1654, 1100), (252, 252, 250))
    draw = ImageDraw.Draw(img)
    text, pill_font = ImageFont.truetype(FONT, 27), ImageFont.truetype(FONT, 19)
    draw.text((100, 80), "Les mesures de la mission", font=text, fill=(20, 20, 20))
    draw.text((100, 160), "Dimension opérationnelle (à 3/9 mois)", font=text, fill=(20, 20, 20))
    titles = ["Rendre accessible l'existant pour agir dès à présent",
              "Favoriser la convergence entre les outils des territoires",
              "Faciliter l'usage des données pour cibler les priorités",
              "Valoriser les alliances au travers des événements"]
    statuses = ["tres_satisfaisant", "remis_en_cause", "satisfaisant", "tres_satisfaisant"]
    for i, (title, status) in enumerate(zip(titles, statuses, strict=True)):
        y = 250 + 110 * i
        draw.text((100, y), f"{i + 1}. {title}", font=text, fill=(20, 20, 20))
        draw.rounded_rectangle((1230, y - 2, 1440, y + 32), radius=17, fill=PILLS[status])
        label = LABELS[status]
        w = draw.textlength(label, font=pill_font)
        draw.text((1335 - w / 2, y + 4), label, font=pill_font, fill=(255, 255, 255))
    img.filter(ImageFilter.GaussianBlur(1.2)).save(path, dpi=(200, 200))  # as a scan softens it
    return statuses


def test_a_status_printed_in_white_on_a_coloured_pill_is_read_from_the_pill(tmp_path: Path
                                                                             ) -> None:
    """No legend: each status is the words on its pill, white on a saturated colour, which the
    page's OCR loses (here every one of them). Read again from the pill, dark on white and
    enlarged, the words are the measures' statuses."""
    statuses = _pill_table(tmp_path / "pills.png")
    result = process_file(str(tmp_path / "pills.png"))
    measures = result.extraction.measures
    assert [m.status for m in measures] == statuses
    assert {m.status_source for m in measures} == {"text"}


def test_marks_numbered_by_dimension_tie_by_their_labels() -> None:
    """O1-O3 then S1-S3 (numbering restarting by dimension, a letter for each): « S2 » names
    the measure labelled S2, not the second measure; a born-digital strip whose squares overlap
    gives its labels as one word (« O1O2O3S1S2S3 »), which is six numbers, not text on the
    marks."""
    swatches = _swatch_row()
    colours = ["remis_en_cause", "satisfaisant", "retard_explique", "tres_satisfaisant",
               "satisfaisant", "remis_en_cause"]
    strip = tuple(region(GREENS[s], x=100 + 18 * i, y=300, side=20) for i, s in enumerate(colours))
    glued = Line("O1O2O3S1S2S3", (102.0, 304.0, 206.0, 316.0),
                 words=(Word("O1O2O3S1S2S3", (102.0, 304.0, 206.0, 316.0), None),))
    regions = text_layer_numbers((*strip, *(s.region for s in swatches)), [glued])
    assert [[(d.place, d.prefix, d.number) for d in r.readings] for r in regions[:6]] == [
        [("in", p, n)] for p in "OS" for n in (1, 2, 3)]
    page = Page(page=1, method="text-layer", lines=(glued,), dpi=72, width_px=600,
                height_px=800, regions=regions)
    measures = [Measure(page=1, number=n, label=f"{p}{n}", title=f"Titre {p}{n}", position=i)
                for i, (p, n) in enumerate((p, n) for p in "OS" for n in (1, 2, 3))]
    found = read_page_marks(page, measures, swatches)
    assert {mi: [r.status for r in rs] for mi, rs in found.readings.items()} == {
        i: [s] for i, s in enumerate(colours)}


def test_a_number_read_in_part_does_not_stop_a_strip_tied_by_its_count() -> None:
    """Slide 2's measures 16 to 21, a strip of six marks whose numbers blur read nothing but a
    doubtful « 1 » on the mark of 16 (a digit lost): the count ties the strip; a doubtful
    « 3 » there says another number, and stops it."""
    measures = [Measure(page=1 if i < 15 else 2, number=i + 1, title=f"T{i}", position=i + 1)
                for i in range(21)]
    printed = [m.number for m in measures]
    strip = [_disc(40 * i) for i in range(6)]
    strip[0] = _disc(0, above=(1, 54.0))
    ties = strip_ties(strip, 2, measures, printed, [None] * 21)
    assert {mark: mi for mark, (mi, _conf) in ties.items()} == {i: 15 + i for i in range(6)}
    strip[0] = _disc(0, above=(3, 54.0))
    assert strip_ties(strip, 2, measures, printed, [None] * 21) == {}


def test_a_strips_count_survives_a_misread_number_but_not_a_shift() -> None:
    """Seven discs for seven measures at 100 dpi, numbers inside: « 3 » read surely on the
    third disc and « 3 » again, less surely, on the fifth (its 5 misread). A number is printed
    once: the fifth disc's reading is wrong, not the strip's order — every other disc ties by
    the count, the fifth stays untied. A number one off its place (« 4 » over the fifth disc,
    the order says 5) is the sign of a strip shifted by a mark: nothing ties. Misreads that
    outnumber the order's confirmations stop the strip too."""
    numbers = [m.number for m in _measures(7)]
    strip = [_disc(40 * i) for i in range(7)]
    strip[2] = _disc(80, **{"in": (3, 94.0)})
    strip[4] = _disc(160, **{"in": (3, 76.0)})
    assert [(t.mark, t.measure) for t in tie_strips(strip, numbers)] == [
        (i, i) for i in range(7) if i != 4]
    strip[4] = _disc(160, **{"in": (4, 90.0)})
    assert tie_strips(strip, numbers) == []
    strip[4] = _disc(160, **{"in": (9, 90.0)})
    strip[5] = _disc(200, **{"in": (2, 88.0)})
    assert tie_strips(strip, numbers) == []


def test_a_mark_left_out_of_a_strip_leaves_its_place_empty() -> None:
    """Fourteen measures, twelve discs touching one another: the 10th and 12th measures have
    no mark (an empty ring). Numbers read inside discs 1, 4, 11 and 14: the discs stand on a
    pitch, so the gaps say which measures are missing — every disc is tied to its own measure,
    by its number or by its place between two read ones. Counted one by one, the discs after
    the first gap would be one measure off and the order would tie nothing past disc 4. Two
    rows continue one another: a disc missing from the first row shifts nothing in the second."""
    numbers = [m.number for m in _measures(14)]
    places = [*range(9), 10, 12, 13]
    read = {0: 1, 3: 4, 10: 11, 13: 14}
    strip = [_disc(30 * x, **({"in": (read[x], 92.0)} if x in read else {})) for x in places]
    ties = {t.mark: t.measure for t in tie_strips(strip, numbers)}
    assert ties == {k: x for k, x in enumerate(places)}
    rows = [(x, 100) for x in range(7) if x != 4] + [(x, 160) for x in range(7)]
    read = {0: 1, 2: 3, 7: 8, 13: 14}
    strip = [_disc(30 * x, y, **({"in": (read[x + 7 * (y == 160)], 92.0)}
                                 if x + 7 * (y == 160) in read else {})) for x, y in rows]
    ties = {t.mark: t.measure for t in tie_strips(strip, numbers)}
    assert ties == {k: x + 7 * (y == 160) for k, (x, y) in enumerate(rows)}


def test_a_strip_ties_by_its_count_to_numbering_that_restarts_when_two_numbers_confirm_it(
        ) -> None:
    """Measures numbered 1-2, then 1-4 (numbering restarted per dimension), a strip of six
    discs printing those numbers: « 2 » and « 1 » read on the second and third discs, in their
    places — the count ties all six. Restarted numbers read by no disc, or by one only, tie
    nothing: a run that lost its last measure would not show."""
    numbers = [1, 2, 1, 2, 3, 4]
    strip = [_disc(40 * i) for i in range(6)]
    strip[1] = _disc(40, **{"in": (2, 96.0)})
    strip[2] = _disc(80, **{"in": (1, 95.0)})
    assert {t.mark: t.measure for t in tie_strips(strip, numbers)} == {i: i for i in range(6)}
    strip[1] = _disc(40)
    assert tie_strips(strip, numbers) == []


def test_a_strip_ties_by_its_count_to_a_list_whose_first_number_was_inferred() -> None:
    """The list's « 1. » went unread (inferred from « 2. » after it): a strip of as many discs
    as measures, their numbers unread, ties by its count to the numbers the neighbours
    confirm."""
    numbers: list[int | None] = [None, *range(2, 9)]
    strip = [_disc(40 * i) for i in range(8)]
    ties = tie_strips(strip, numbers, [1] + [None] * 7)
    assert [(t.mark, t.measure, t.how) for t in ties] == [(i, i, "count") for i in range(8)]
    assert tie_strips(strip, numbers) == []


def test_a_legend_read_but_for_one_label_takes_the_missing_status_for_it() -> None:
    """Four swatches in a row, three labels read and one misread (« Satstarsant », 78 like
    « satisfaisant », under the 80 a label needs alone): the set of four names it. Two labels
    misread leave both out."""
    def legend(texts: list[str]) -> list[str]:
        regions, lines = [], []
        for i, (rgb, text) in enumerate(zip(GREENS.values(), texts, strict=True)):
            regions.append(region(rgb, x=100 + 400 * i, y=500, side=30))
            box = (140.0 + 400 * i, 505.0, 140.0 + 400 * i + 14 * len(text), 525.0)
            lines.append(Line(text, box, words=(Word(text, box, 90.0),)))
        page = Page(page=1, method="ocr", lines=tuple(lines), dpi=DPI, width_px=1800,
                    height_px=1000, regions=tuple(regions))
        return [s.status for s in find_legend(page)]

    assert legend(["Très satisfaisant", "Satstarsant", "Retard expliqué", "Remis en cause"]) == [
        "tres_satisfaisant", "retard_explique", "remis_en_cause", "satisfaisant"]
    assert legend(["Très satisfaisant", "Satstarsant", "Retard expliqué", "Rmssencse"]) == [
        "tres_satisfaisant", "retard_explique"]
    # a piece of the missing label (A 107: « Satisfaisant » read « sait » in a blurred scan)
    assert legend(["Très satisfaisant", "sait", "Retard expliqué", "Remis en cause"]) == [
        "tres_satisfaisant", "retard_explique", "remis_en_cause", "satisfaisant"]
    # a label that is no piece of it names no status, nor does too short a piece
    for other in ("Sans objet", "En cours", "sa"):
        assert legend(["Très satisfaisant", other, "Retard expliqué", "Remis en cause"]) == [
            "tres_satisfaisant", "retard_explique", "remis_en_cause"]


def test_a_small_label_beside_a_large_swatch_is_read_from_its_own_rows() -> None:
    """A label printed a third of its swatch's height, the page's OCR giving its words the
    swatch's height (« BB: » read across swatch and label): the label's crop is cut to its
    ink rows, enlarged enough to be read."""
    from PIL import ImageFilter
    img = Image.new("RGB", (900, 240), (246, 240, 228))
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 60, 112, 132), fill=(60, 130, 40))
    draw.text((130, 84), "Remis en cause", font=ImageFont.truetype(FONT, 20), fill=(70, 70, 70))
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    words = (Word("B:---", (36.0, 58.0, 300.0, 134.0), 0.0),)
    regions = read_mark_text(img, find_colour_regions(img, DPI), DPI, "fra",
                             [Line("B:---", (36.0, 58.0, 300.0, 134.0), words=words)])
    assert [r.label_right for r in regions] == ["Remis en cause"]


def _two_columns(left_col: tuple[float, float, float], right_col: tuple[float, float, float],
                 mark_x: tuple[float, float], step: float, height: float, side: float,
                 dy: float) -> tuple[list[tuple[int, BBox]], list[tuple[int, BBox]],
                            list[tuple[int, ColourRegion]]]:
    """Four measures in each of two columns ((x0, x1, top) each, `step` apart, `height` high),
    each with its mark at `mark_x` (left column's, right column's), `dy` under its top."""
    columns = []
    for c, (x0, x1, top) in enumerate((left_col, right_col)):
        columns.append([(4 * c + i, (x0, top + step * i, x1, top + height + step * i))
                        for i in range(4)])
    marks = [(4 * c + i, region(GREENS["satisfaisant" if c == 0 else "remis_en_cause"],
                                x=mark_x[c], y=col[i][1][1] + dy, side=side))
             for c, col in enumerate(columns) for i in range(4)]
    return columns[0], columns[1], marks


def test_a_mark_between_two_columns_goes_where_the_page_sets_its_marks() -> None:
    """Two columns of measures, each with its mark just left of its title: the right column's
    marks stand about as near the end of the left column's titles as the start of their own;
    the page's other marks, all left of their titles at one gap, say whose they are."""
    left, right, marks = _two_columns((330.0, 1290.0, 700.0), (1410.0, 2370.0, 720.0),
                                      (272.0, 1352.0), step=140, height=90, side=32, dy=10)
    tied = tie_marks_by_band([*left, *right], marks, line_h=42.0, width=2480.0)
    assert tied == {i: i for i in range(8)}


def test_marks_nearer_the_column_before_them_are_their_own_columns_when_one_side_holds_all(
        ) -> None:
    """A 087: two columns of measures, each mark 140 px left of its title; the right column's
    marks stand 106 px after the left column's longest title and 139 px before their own. By
    nearness they are the left column's (its measures then have two marks each, and the right
    column none): marks on both sides of the columns. Left of their titles, every mark is
    explained at one gap — they are the right column's. A mark within a column's width (its
    glyph read into a title) stays that column's: there the side says nothing."""
    left, right, marks = _two_columns((456.0, 998.0, 709.0), (1271.0, 1823.0, 710.0),
                                      (260.0, 1076.0), step=300, height=191, side=56, dy=0)
    tied = tie_marks_by_band([*left, *right], marks, line_h=40.0, width=2480.0)
    assert tied == {i: i for i in range(8)}
    inside = [*left[:3], (3, (456.0, 1609.0, 1132.0, 1800.0))]  # a title took in the mark
    tied = tie_marks_by_band([*inside, *right], marks, line_h=40.0, width=2480.0)
    assert all(mi < 4 for mi in tied) and tied[0] == 0


# A photographed page in two columns (A 156): its columns slant (left edges 318 -> 240 px down
# the first), each mark right of its measure's first line, the first column's drifting left.
SLANTED_BOXES = [(318, 586, 787, 653), (314, 652, 853, 718), (310, 728, 819, 785),
                 (306, 798, 779, 849), (301, 866, 825, 921), (293, 936, 841, 1038),
                 (284, 1060, 806, 1163), (275, 1254, 772, 1321), (272, 1323, 760, 1362),
                 (267, 1376, 572, 1437), (262, 1438, 766, 1498), (256, 1508, 788, 1702),
                 (240, 1695, 831, 1830), (970, 476, 1514, 575), (966, 580, 1567, 637),
                 (957, 683, 1480, 752), (953, 761, 1579, 819), (949, 834, 1514, 894),
                 (938, 910, 1568, 1019)]
SLANTED_MARKS = {0: (888, 573), 1: (882, 645), 2: (876, 717), 3: (873, 786), 4: (867, 858),
                 5: (861, 930), 6: (852, 1059), 7: (837, 1266), 8: (834, 1338), 9: (831, 1392),
                 10: (825, 1464), 11: (819, 1533), 12: (813, 1632), 13: (1623, 459),
                 14: (1617, 564), 15: (1608, 672), 16: (1602, 750), 17: (1596, 825),
                 18: (1593, 903)}


def test_marks_on_a_slanting_page_are_tied_as_the_page_stands_upright() -> None:
    """The first column's marks stand right of its titles, 35 px after its longest line at the
    top; down the slant its lines start 78 px further left, so by the column's whole extent the
    top marks are about as near the second column's start: nobody's. The columns' left edges
    give the slant (Theil-Sen, each column): set upright, every mark is its own measure's."""
    boxes = [(i, tuple(map(float, b))) for i, b in enumerate(SLANTED_BOXES)]
    marks = [(mi, region(GREENS["satisfaisant"], x=x, y=y, side=42))
             for mi, (x, y) in SLANTED_MARKS.items()]
    tied = tie_marks_by_band(boxes, marks, line_h=29.0, width=1934.0)  # type: ignore[arg-type]
    assert {mi: k for mi, k in tied.items() if mi < 6} == {i: i for i in range(6)}


def test_a_strip_printing_bare_numbers_ties_to_measures_labelled_m() -> None:
    """Measures M1 to M5, a strip of four marks printing « 1 » to « 4 » without the letter:
    the numbers name the measures (no label repeats a number), so the four are tied."""
    swatches = _swatch_row()
    colours = ["remis_en_cause", "satisfaisant", "retard_explique", "tres_satisfaisant"]
    strip = tuple(replace(region(GREENS[s], x=100 + 40 * i, y=300, side=30),
                          readings=(DigitReading("below", i + 1, 95.0),))
                  for i, s in enumerate(colours))
    page = Page(page=1, method="ocr", lines=(), dpi=DPI, width_px=1600, height_px=2200,
                regions=(*strip, *(s.region for s in swatches)))
    measures = [Measure(page=1, number=i, label=f"M{i}", title=f"Titre {i}", position=i)
                for i in range(1, 6)]
    found = read_page_marks(page, measures, swatches)
    assert {mi: [r.status for r in rs] for mi, rs in found.readings.items()} == {
        i: [s] for i, s in enumerate(colours)}


def test_a_list_that_read_no_number_is_keyed_by_place_to_a_strip_of_as_many_marks() -> None:
    """A list of five measures whose numbers OCR lost, top to bottom in one column, and a strip
    numbered 1 to 5 beside its marks: the k-th mark is the k-th measure's. Not when a measure
    was lost (four measures for five marks), nor when the list stands in two columns (its
    reading order is ours, not the page's)."""
    swatches = _swatch_row()
    colours = ["remis_en_cause", "satisfaisant", "retard_explique", "tres_satisfaisant",
               "satisfaisant"]
    strip = [replace(region(GREENS[s], x=100 + 40 * i, y=900, side=30),
                     readings=(DigitReading("left", i + 1, 95.0),)) for i, s in enumerate(colours)]
    page = Page(page=1, method="ocr", lines=(), dpi=DPI, width_px=1600, height_px=2200,
                regions=(*strip, *(s.region for s in swatches)))

    def listed(n: int, columns: int = 1) -> list[Measure]:
        return [Measure(page=1, number=None, title=f"Titre {i}", position=i + 1,
                        bbox=(150.0 + 700 * (i % columns), 100.0 + 60 * (i // columns),
                              700.0 + 700 * (i % columns), 150.0 + 60 * (i // columns)))
                for i in range(n)]

    found = read_page_marks(page, listed(5), swatches)
    assert {mi: [r.status for r in rs] for mi, rs in found.readings.items()} == {
        i: [s] for i, s in enumerate(colours)}
    assert read_page_marks(page, listed(4), swatches).readings == {}
    assert read_page_marks(page, listed(5, columns=2), swatches).readings == {}


def test_a_grey_pill_is_kept_only_when_a_status_is_written_on_it() -> None:
    """A status written in dark grey on a mid-grey pill (a grey scan of a coloured pill) is a
    grey blob shaped to hold words; its words, read again alone, are the status. A grey pill
    whose words are no status, and a dark disc, are let go where no legend shows a grey."""
    img = Image.new("RGB", (1200, 500), (250, 249, 245))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((100, 100, 400, 150), radius=25, fill=(130, 130, 130))
    draw.text((125, 110), "Retard expliqué", fill=(45, 45, 45),
              font=ImageFont.truetype(FONT, 28))
    draw.ellipse((700, 100, 740, 140), fill=(40, 40, 40))
    found = find_colour_regions(img, DPI)
    pill, disc = sorted((r for r in found if is_grey(r)), key=lambda r: r.bbox[0])
    assert abs(pill.bbox[0] - 100) <= 6 and abs(pill.bbox[2] - 400) <= 6
    assert abs(disc.bbox[0] - 700) <= 6
    page = Page(page=1, method="ocr", lines=(), width_px=img.width, height_px=img.height,
                dpi=DPI, regions=(replace(pill, label_in="Retard expliqué"), disc))
    (kept,) = keyed_greys([page])
    assert [r.label_in for r in kept.regions] == ["Retard expliqué"]
    other = replace(page, regions=(replace(pill, label_in="Horizon"), disc))
    assert keyed_greys([other])[0].regions == ()
