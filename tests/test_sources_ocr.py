"""Reading inputs: type by signature, legacy encodings, real tesseract on small pages, deskew."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from extractors.ocr import OcrSettings, ocr_page
from extractors.pageimage import estimate_skew
from extractors.pages import decode_text, plan_pages, read_legacy_text
from extractors.sources import detect_type, find_inputs, read_source
from models.errors import DamagedFile, UnsupportedFile
from tests.conftest import FONT, text_image

ROOT = Path(__file__).resolve().parents[1]


def test_type_is_read_from_signature_not_extension(tmp_path: Path) -> None:
    png = tmp_path / "really-a-png.pdf"
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buf, format="PNG")
    png.write_bytes(buf.getvalue())
    assert read_source(png).file_type == "png"
    assert detect_type(b"%PDF-1.7\n") == "pdf"
    assert detect_type(b"II*\x00abc") == "tiff"
    assert detect_type(b"\xff\xd8\xff\xe0") == "jpeg"
    assert detect_type("Légende du niveau".encode("cp1252")) == "text"
    assert detect_type(bytes(range(256))) is None


def test_empty_and_unknown_files_are_rejected_with_their_name(tmp_path: Path) -> None:
    empty = tmp_path / "vide.pdf"
    empty.write_bytes(b"")
    with pytest.raises(UnsupportedFile, match="vide.pdf.*empty"):
        read_source(empty)
    junk = tmp_path / "junk.tif"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnsupportedFile, match="junk.tif"):
        read_source(junk)


def test_truncated_pdf_is_damaged(tmp_path: Path) -> None:
    data = (ROOT / "samples" / "suivi-2021-born-digital.pdf").read_bytes()
    bad = tmp_path / "tronque.pdf"
    bad.write_bytes(data[:300])
    with pytest.raises(DamagedFile, match="tronque.pdf"):
        plan_pages(read_source(bad))


def test_legacy_text_encodings_are_detected(tmp_path: Path) -> None:
    text = "Légende du niveau d'avancement\r\nRetard expliqué\fMinistère"
    for enc in ("utf-8", "cp1252", "utf-16"):
        f = tmp_path / f"legacy-{enc}.txt"
        f.write_bytes(text.encode(enc))
        decoded, _used = decode_text(f.read_bytes())
        assert decoded.replace("\r\n", "\n") == text.replace("\r\n", "\n"), enc
    pages = read_legacy_text(read_source(tmp_path / "legacy-cp1252.txt"))
    assert [p.page for p in pages] == [1, 2]
    assert pages[1].lines[0].text == "Ministère"


def test_ignore_file_lists_non_documents(tmp_path: Path) -> None:
    (tmp_path / ".missionsignore").write_text("*.py\n")
    (tmp_path / "gen.py").write_text("print()")
    (tmp_path / "a.txt").write_text("x")
    found = {Path(p).name: ignored for p, _n, ignored in find_inputs([tmp_path])}
    assert found == {"gen.py": True, "a.txt": False}


def test_tesseract_reads_words_with_boxes_and_confidence() -> None:
    img = text_image(["7 mesures stratégiques, aux effets à 6/12 mois",
                      "9. Accompagner les alliances stratégiques"])
    page, used = ocr_page(img, 1, 300, OcrSettings())
    assert page.method == "ocr" and page.dpi == 300
    assert "Accompagner les alliances stratégiques" in page.text
    words = [w for ln in page.lines for w in ln.words]
    assert all(w.bbox is not None and 0 <= w.conf <= 100 for w in words)
    acc = next(w for w in words if w.text == "Accompagner")
    assert acc.bbox[0] > 60 and acc.bbox[1] > 100  # on the second line, right of `9.`
    assert page.mean_confidence and page.mean_confidence > 80
    assert (used.width, used.height) == img.size


def test_skew_is_detected_and_corrected() -> None:
    img = text_image(["Rendre immédiatement accessible l'existant pour agir"] * 6,
                     size=(1600, 900), pt=10)
    skewed = img.rotate(2.0, resample=Image.Resampling.BICUBIC, fillcolor="white", expand=False)
    assert abs(estimate_skew(skewed.convert("L")) - 2.0) < 0.35
    page, straightened = ocr_page(skewed, 1, 300, OcrSettings())
    assert abs(page.skew_degrees - 2.0) < 0.35
    whole = straightened.crop((0, 0, straightened.width, straightened.height))
    assert abs(estimate_skew(whole.convert("L"))) < 0.3  # turned back, not doubled
    assert abs(estimate_skew(straightened.reduced(2).convert("L"))) < 0.3
    assert "accessible" in page.text


def test_a_letter_of_pale_text_is_not_deskewed_by_its_logo_and_signature() -> None:
    # Reduced for the skew's measure, the blurred grey strokes grow paler than any fixed grey
    # level: only the logo and the signature's stroke (leaning 5°) were left to measure.
    img = Image.new("RGB", (2100, 2970), (239, 229, 198))
    draw = ImageDraw.Draw(img)
    draw.rectangle((160, 150, 240, 230), fill=(0, 84, 143))
    font = ImageFont.truetype(FONT, 34)
    letter = ("Vous avez bien voulu nous confier une mission consacrée aux alliances stratégiques "
              "entre acteurs d'intérêt général. Nous avons l'honneur de vous en remettre le "
              "rapport d'étape, fruit de nombreux échanges avec les acteurs de terrain.")
    words = letter.split()
    lines = [" ".join(words[i:i + 8]) for i in range(0, len(words), 8)] * 4
    for i, line in enumerate(lines):
        draw.text((160, 500 + 70 * i), line, fill=(150, 145, 125), font=font)
    draw.line((1100, 1930, 1500, 1895), fill=(20, 40, 90), width=10)
    img = img.filter(ImageFilter.GaussianBlur(1.5))
    assert abs(estimate_skew(img.convert("L"))) < 0.3
    page, _used = ocr_page(img, 1, 255, OcrSettings())
    assert page.rotation == 0
    assert "Vous avez bien voulu nous confier une mission" in page.text
    assert "rapport d'étape, fruit de nombreux échanges avec les" in page.text


def test_grey_text_on_a_tinted_panel_below_a_dark_band_is_read() -> None:
    # One threshold for the whole page lies between the dark band and the paper: the panel's
    # grey text falls on the paper's side and tesseract reads none of it. The reading leaves
    # most of the page's letters out, so the page is read again thresholded tile by tile.
    img = Image.new("RGB", (1650, 1200), (236, 226, 196))  # yellowed paper
    draw = ImageDraw.Draw(img)
    bold = ImageFont.truetype(FONT.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), 44)
    draw.rectangle((0, 0, 1650, 260), fill=(20, 60, 100))
    draw.text((80, 90), "Accélérer les alliances stratégiques", fill="white", font=bold)
    lines = ["1. Rendre immédiatement accessible l'existant",
             "2. Favoriser la convergence entre les outils",
             "3. Faciliter l'usage des données partagées",
             "4. Valoriser les alliances stratégiques",
             "5. Organiser une démarche de dialogue actif"]
    draw.rectangle((60, 330, 1100, 390 + 70 * len(lines)), fill=(205, 203, 190))
    font = ImageFont.truetype(FONT, 30)
    for i, text in enumerate(lines):
        draw.text((100, 370 + 70 * i), text, fill=(150, 148, 140), font=font)
    page, _used = ocr_page(img.filter(ImageFilter.GaussianBlur(2.2)), 1, 200, OcrSettings())
    assert "Accélérer les alliances stratégiques" in page.text
    assert all(text in page.text for text in lines)


def test_extractors_and_the_run_never_import_prefect() -> None:
    """A notebook drives the extractors, and a whole run (flows.pipeline.run), without Prefect."""
    code = ("import sys, extractors.document, extractors.pages, models.schema, "
            "flows.release.publish, flows.release.tables, flows.pipeline.run; "
            "sys.exit(1 if any(m == 'prefect' or m.startswith('prefect.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_page_turned_a_quarter_turn_is_set_upright_even_when_read_confidently() -> None:
    # Tesseract reads a page turned clockwise as vertical text, at high confidence: the turn is
    # seen from its words standing taller than wide, and the page is read again upright.
    img = text_image(["7 mesures stratégiques, aux effets à 6/12 mois",
                      "9. Accompagner les alliances stratégiques",
                      "10. Structurer une réflexion partagée sur l'évaluation partenariale",
                      "11. Inciter à un État exemplaire en matière d'alliances innovantes"],
                     size=(1700, 560), pt=10)
    for turned, rotation in ((img.rotate(-90, expand=True), 270),
                             (img.rotate(90, expand=True), 90)):
        page, used = ocr_page(turned, 1, 300, OcrSettings())
        assert page.rotation == rotation
        assert "Accompagner les alliances stratégiques" in page.text
        assert (used.width, used.height) == img.size  # boxes refer to the page set upright
        words = [w for ln in page.lines for w in ln.words if len(w.text) >= 4]
        assert all(w.bbox[2] - w.bbox[0] > w.bbox[3] - w.bbox[1] for w in words)
