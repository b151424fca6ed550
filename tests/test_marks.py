"""Status marks: colour regions, legend swatches, ΔE classification, ties to measures, samples."""
from __future__ import annotations

import json
import random
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from skimage.color import rgb2lab

from extractors.document import extract_records, process_file
from extractors.marks import (
    MAX_DELTA_E,
    UNREAD_FACTOR,
    apply_statuses,
    assign_statuses,
    check_status_counts,
    classify_mark,
    delta_e,
    find_marks,
    number_of_mark,
    read_swatches,
    status_in_text,
    tie_marks_by_band,
)
from extractors.regions import find_colour_regions, read_region_numbers
from flows.pagecache import PageCache, page_from_json
from models.records import (
    STATUSES,
    ColourRegion,
    LegendEntry,
    Line,
    Measure,
    Page,
    StatusCount,
    Word,
)
from tests.conftest import FONT

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
STATUS_SAMPLES = sorted((SAMPLES / "status").glob("*.expected.json"))
DPI = 200
GREENS = {"tres_satisfaisant": (0, 122, 61), "satisfaisant": (132, 196, 65),
          "retard_explique": (243, 146, 0), "remis_en_cause": (208, 32, 39)}


# --- synthetic pages: legend swatches at the bottom, a mark on each measure's first line ----

def lab_of(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    return tuple(float(v) for v in rgb2lab(np.array([[rgb]], dtype=np.float64) / 255)[0, 0])


def region(rgb: tuple[int, int, int], x: float = 0, y: float = 0, side: float = 20,
           lab: tuple[float, float, float] | None = None) -> ColourRegion:
    return ColourRegion(bbox=(x, y, x + side, y + side), rgb=tuple(map(float, rgb)),  # type: ignore[arg-type]
                        lab=lab or lab_of(rgb), area=side * side, fill=1.0)


def synthetic_page(palette: dict[str, tuple[int, int, int]], statuses: list[str],
                   cast: tuple[float, float, float] | None = None, gray: bool = False,
                   ) -> tuple[Image.Image, list[Measure], list[LegendEntry], list[Line]]:
    """A page image with one measure per status in `statuses` and the palette's legend."""
    img = Image.new("RGB", (1650, 2300), (250, 249, 245))
    draw = ImageDraw.Draw(img)
    measures, lines = [], []
    for i, status in enumerate(statuses):
        y = 200 + 70 * i
        box = (150.0, float(y), 1300.0, float(y + 56))  # a title on two lines
        measures.append(Measure(page=1, number=i + 1, title=f"Titre {i + 1}", bbox=box,
                                confidence=0.95))
        draw.rectangle((150, y, 1300, y + 20), fill=(30, 30, 30))  # a black "line of text"
        draw.rectangle((1400, y - 2, 1436, y + 34), fill=palette[status])
    legend, x = [], 150
    for status in STATUSES:
        draw.ellipse((x, 2000, x + 26, 2026), fill=palette[status])
        label = (x + 42.0, 1998.0, x + 250.0, 2030.0)
        legend.append(LegendEntry(page=1, status=status, label=status, bbox=label))
        lines.append(Line(text=status, bbox=label, words=(Word(text="Légende", bbox=label,
                                                               conf=95.0),)))
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
    return apply_statuses(measures, assign_statuses(measures, [page], legend))


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
    regions = find_colour_regions(img, DPI)
    assert len(regions) == 2
    square, disc = sorted(regions, key=lambda r: r.bbox[0])
    assert abs(square.bbox[0] - 100) <= 4 and abs(square.bbox[3] - 337) <= 4
    assert square.fill > 0.9 and 0.65 < disc.fill < 0.9
    assert delta_e(square.lab, lab_of((0, 122, 61))) < 2
    assert delta_e(disc.lab, lab_of((243, 146, 0))) < 2


def test_mark_takes_the_nearest_swatch() -> None:
    swatches = {s: region(c) for s, c in GREENS.items()}
    for status, (r, g, b) in GREENS.items():
        shifted = (min(255, r + 6), max(0, g - 5), min(255, b + 4))  # a scanner's drift
        got = classify_mark(region(shifted), swatches)
        assert got.status == status and got.reason == "read" and got.confidence > 0.8


def test_mark_far_from_every_swatch_is_not_read() -> None:
    got = classify_mark(region((40, 80, 220)), {s: region(c) for s, c in GREENS.items()})
    assert got.status is None and got.reason == "far" and got.delta_e > MAX_DELTA_E


def test_mark_between_two_swatches_is_not_read() -> None:
    a, b = (50.0, 40.0, 0.0), (50.0, 40.0, 12.0)
    swatches = {"tres_satisfaisant": region((0, 0, 0), lab=a),
                "satisfaisant": region((0, 0, 0), lab=b)}
    got = classify_mark(region((0, 0, 0), lab=(50.0, 40.0, 6.0)), swatches)
    assert got.status is None and got.reason == "ambiguous"


def test_no_legend_reads_no_mark() -> None:
    assert classify_mark(region((0, 122, 61)), {}).status is None


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


def test_grayscale_page_reads_no_status_and_lowers_confidence() -> None:
    statuses = list(STATUSES) * 2
    got = read_synthetic(*synthetic_page(GREENS, statuses, gray=True))
    assert [m.status for m in got] == [None] * len(statuses)
    assert [m.status_source for m in got] == [None] * len(statuses)
    assert all(m.confidence == round(0.95 * UNREAD_FACTOR, 3) for m in got)


def test_swatch_is_the_blob_left_of_its_label() -> None:
    entry = LegendEntry(page=1, status="satisfaisant", label="Satisfaisant", bbox=(100, 500, 200, 520))
    left = region((132, 196, 65), x=70, y=500, side=18)
    far_left = region((0, 122, 61), x=10, y=500, side=18)
    above = region((243, 146, 0), x=70, y=400, side=18)
    assert read_swatches([entry], [far_left, above, left]) == {"satisfaisant": left}


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


def test_number_under_a_disc_from_the_words_or_its_own_ocr() -> None:
    disc = region((0, 122, 61), x=100, y=100, side=20)
    words = [Word(text="12", bbox=(104, 124, 116, 136), conf=91.0),
             Word(text="13", bbox=(140, 124, 152, 136), conf=91.0)]
    assert number_of_mark(disc, words) == (12, 0.91)
    assert number_of_mark(replace(disc, number=7, number_conf=88.0), []) == (7, 0.88)
    assert number_of_mark(disc, words[1:]) is None


def test_numbers_are_read_under_strip_discs_not_beside_prose() -> None:
    """A disc standing apart (a numbered strip) has the number under it read; a mark on a
    line of prose is tied by its band, so no tesseract call is spent on what is under it."""
    img = Image.new("RGB", (900, 400), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 28)
    draw.ellipse((100, 60, 140, 100), fill=(0, 122, 61))  # a strip disc, its number under it
    draw.text((108, 104), "7", fill="black", font=font)
    draw.rectangle((100, 250, 140, 290), fill=(243, 146, 0))  # a mark on a prose line
    draw.text((160, 252), "Créer un droit nouveau pour tous", fill="black", font=font)
    draw.text((108, 294), "8", fill="black", font=font)
    regions = find_colour_regions(img, DPI)
    words = tuple(Word(text=t, bbox=(160.0 + 90 * k, 252.0, 240.0 + 90 * k, 284.0), conf=95.0)
                  for k, t in enumerate(["Créer", "un", "droit", "nouveau"]))
    prose = Line(text="Créer un droit nouveau", bbox=(160.0, 252.0, 520.0, 284.0), words=words)
    disc, square = sorted(regions, key=lambda r: r.bbox[1])
    read = {r.bbox: r.number for r in read_region_numbers(img, regions, DPI, "fra", [prose])}
    assert read[disc.bbox] == 7
    assert read[square.bbox] is None
    unread_lines = {r.bbox: r.number for r in read_region_numbers(img, regions, DPI, "fra")}
    assert unread_lines[square.bbox] == 8  # without the page's lines, both are read


def test_status_written_as_words() -> None:
    assert status_in_text("Créer un droit Statut : Très satisfaisant") == "tres_satisfaisant"
    assert status_in_text("Avancement : retard expliqué") == "retard_explique"
    assert status_in_text("un avancement très satisfaisant") is None
    m = Measure(page=1, number=3, title="Faciliter l'usage — Statut : Remis en cause",
                bbox=(0, 0, 10, 10))
    got = apply_statuses([m], assign_statuses([m], [], []))[0]
    assert (got.status, got.status_source) == ("remis_en_cause", "text")


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
        region((0, 122, 61), x=5, y=6), replace(region((1, 2, 3)), number=4, number_conf=90.0)))
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
