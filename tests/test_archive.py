"""The archival outputs of the one OCR pass, as an archivist would check them: a searchable
PDF/A-2b per OCR'd document whose page images are the original's bytes and whose text a PDF
reader finds where the OCR saw it; ALTO 4.2 per OCR'd page, valid, its words and confidences
tesseract's; measures linked to their ALTO words; all of it in the release, incremental."""
from __future__ import annotations

import hashlib
import io
import json
import math
import shutil
import threading
import warnings
from pathlib import Path

import pandas as pd
import pdfplumber
import pikepdf
import pytest
from lxml import etree
from pikepdf.pdfa import _content as pdfa_content
from pikepdf.pdfa import validate_written
from PIL import Image

from extractors import pdfa
from extractors.alto import V4, alto_problems, alto_v4, tsv_words
from extractors.engines import TesseractEngine
from flows.pipeline.pagecache import page_from_json
from flows.pipeline.run import ingest
from flows.release.layout import file_digest, read_release
from flows.release.verify import verify_release
from tests.conftest import SAMPLES, Release, run_cli, text_image

NS = {"a": V4}


def ocr_documents(release: Release) -> list[dict]:
    docs = release.frames["documents"]
    rows = docs[docs["pdfa_path"].notna()].to_dict("records")
    assert rows, "the samples hold documents read by OCR"
    return rows


def passes_pdfa(path: Path) -> bool:
    """pikepdf's PDF/A check of a written file, with the collector held off: it fails a file on
    any warning raised while it parses, such as a ResourceWarning for an unclosed file of an
    earlier test's that the collector finalises meanwhile."""
    with pdfa.collector_paused():
        return validate_written(path, "2b").passed


def source_of(doc: dict) -> Path:
    return SAMPLES.parent / doc["source_name"]


def test_every_scanned_sample_has_a_valid_pdfa(sample_release: Release) -> None:
    docs = sample_release.frames["documents"]
    pages = sample_release.frames["pages"]
    ocr_ids = set(pages[pages["method"] == "ocr"]["doc_id"])
    published = docs[(docs["state"] == "published") & docs["doc_id"].isin(ocr_ids)]
    assert published["pdfa_path"].notna().all(), list(published[published["pdfa_path"].isna()]
                                                     ["source_name"])
    born = docs[(docs["file_type"] == "pdf") & ~docs["doc_id"].isin(ocr_ids)]
    assert born["pdfa_path"].isna().all()  # born-digital PDFs keep their own file
    for doc in ocr_documents(sample_release):
        path = sample_release.out / doc["pdfa_path"]
        assert passes_pdfa(path), doc["source_name"]
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            assert meta["dc:source"] == doc["source_name"]
            intent = pdf.Root.OutputIntents[0]
            assert intent.S == "/GTS_PDFA1" and "sRGB" in str(intent.OutputConditionIdentifier)
            assert len(intent.DestOutputProfile.read_bytes()) > 0
            assert len(pdf.pages) == doc["n_pages"]


def _images(pdf: pikepdf.Pdf) -> list[bytes]:
    return [obj.read_raw_bytes() for page in pdf.pages for obj in page.get_images().values()]


def test_page_images_are_the_originals_bytes(sample_release: Release) -> None:
    checked = 0
    for doc in ocr_documents(sample_release):
        with pikepdf.open(sample_release.out / doc["pdfa_path"]) as made:
            got = _images(made)
        if doc["file_type"] == "pdf":
            with pikepdf.open(source_of(doc)) as src:
                assert got == _images(src), doc["source_name"]
        elif doc["file_type"] == "jpeg":
            assert got == [source_of(doc).read_bytes()], doc["source_name"]
        else:  # TIFF frames are decoded and kept losslessly (README): the pixels are equal
            with Image.open(source_of(doc)) as tif, pdfplumber.open(
                    sample_release.out / doc["pdfa_path"]) as pdf:
                assert len(pdf.pages) == getattr(tif, "n_frames", 1)
            continue
        checked += 1
    assert checked


def _to_points(x: float, y: float, page: dict, box: tuple[float, float]) -> tuple[float, float]:
    """A pixel of the page as read (turned, deskewed) → PDF points of the page as scanned, top
    down (pdfplumber's), by the inverse of the deskew: independent of extractors.pdfa."""
    w, h = float(page["width_px"]), float(page["height_px"])
    t = math.radians(page["skew_degrees"] or 0.0)  # it was turned by -skew to be read: back
    cx, cy, dx, dy = w / 2, h / 2, x - w / 2, y - h / 2
    ox = cx + dx * math.cos(t) + dy * math.sin(t)
    oy = cy - dx * math.sin(t) + dy * math.cos(t)
    return ox * box[0] / w, oy * box[1] / h


def test_a_pdf_reader_finds_each_measures_words_at_their_ocr_box(sample_release: Release) -> None:
    frames = sample_release.frames
    measures, pages = frames["measures"], frames["pages"]
    linked = measures[measures["alto_words"].notna()].merge(
        pages[["doc_id", "page", "alto_path", "width_px", "height_px", "skew_degrees",
               "rotation"]], on=["doc_id", "page"])
    docs = frames["documents"].set_index("doc_id")
    found = total = lines = 0
    missed: list[tuple] = []
    for doc_id, rows in linked.groupby("doc_id"):
        pdfa = docs.loc[doc_id, "pdfa_path"]
        if not isinstance(pdfa, str):
            continue
        with pdfplumber.open(sample_release.out / pdfa) as pdf:
            for m in rows.to_dict("records"):
                if m["rotation"]:
                    continue
                alto = etree.parse(str(sample_release.out / m["alto_path"]))
                page = pdf.pages[m["page"] - 1]
                words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
                for sid in m["alto_words"].split():
                    s = alto.find(f".//a:String[@ID='{sid}']", NS)
                    x, y = float(s.get("HPOS")), float(s.get("VPOS"))
                    ht = float(s.get("HEIGHT"))
                    ex, ey = _to_points(x, y + ht / 2, m, (page.width, page.height))
                    total += 1
                    # a word tesseract read with a space before it (" Articuler") has that
                    # space at the start of its box: its glyphs start further in
                    text = s.get("CONTENT")
                    lead = (len(text) - len(text.lstrip())) * ht * page.width / m["width_px"]
                    hit = any(w["text"] == text.strip() and -3 < w["x0"] - ex < 3 + lead
                                 and abs((w["top"] + w["bottom"]) / 2 - ey) < 4 for w in words)
                    found += hit
                    if not hit:
                        missed.append((doc_id[:12], m["page"], s.get("CONTENT"), round(ex),
                                       round(ey)))
                # the title's words, read back line by line from each OCR line's box in the order
                # the PDF holds them (pdfplumber's own line grouping mixes lines that slope with the
                # scan's skew; a table row's label and title are two lines of the text layer)
                strings = [alto.find(f".//a:String[@ID='{sid}']", NS)
                           for sid in m["alto_words"].split()]
                by_line: dict[str, list] = {}  # by the line's ALTO ID (the id() of lxml's
                for s in strings:  # proxy of a parent is reused once the proxy is freed)
                    by_line.setdefault(s.getparent().get("ID"), []).append(s)
                for line in by_line.values():
                    corners = [_to_points(float(s.get("HPOS")) + dx * float(s.get("WIDTH")),
                                          float(s.get("VPOS")) + dy * float(s.get("HEIGHT")), m,
                                          (page.width, page.height))
                               for s in line for dx in (0, 1) for dy in (0, 1)]
                    box = (max(0, min(x for x, _ in corners) - 3),
                           max(0, min(y for _, y in corners) - 4),
                           min(page.width, max(x for x, _ in corners) + 6),
                           min(page.height, max(y for _, y in corners) + 4))
                    text = " ".join(w["text"] for w in page.crop(box).extract_words(
                        use_text_flow=True))
                    words = " ".join(c for s in line if (c := s.get("CONTENT").strip()))
                    assert words in text, (doc_id[:12], m["page"], words, text)
                    lines += 1
    assert total > 50 and found == total, f"{found}/{total} words at their OCR box: {missed}"
    assert lines >= len(linked)


def test_alto_files_are_valid_and_listed(sample_release: Release) -> None:
    pages = sample_release.frames["pages"]
    manifest = json.loads((sample_release.out / "manifest.json").read_text(encoding="utf-8"))
    ocr = pages[pages["method"] == "ocr"]
    assert ocr["alto_path"].notna().all()
    assert pages[pages["method"] != "ocr"]["alto_path"].isna().all()
    for row in ocr.to_dict("records"):
        path = sample_release.out / row["alto_path"]
        data = path.read_bytes()
        assert alto_problems(data) == [], row["alto_path"]
        root = etree.fromstring(data)
        page = root.find(".//a:Page", NS)
        assert (int(page.get("WIDTH")), int(page.get("HEIGHT"))) == (row["width_px"],
                                                                   row["height_px"])
        assert page.get("PHYSICAL_IMG_NR") == str(row["page"])
        assert manifest["files"][row["alto_path"]]["sha256"] == file_digest(path)
    for doc in ocr_documents(sample_release):
        assert manifest["files"][doc["pdfa_path"]]["sha256"] == file_digest(
            sample_release.out / doc["pdfa_path"])


@pytest.mark.real_ocr
def test_alto_words_and_confidences_are_the_tsvs(tmp_path: Path) -> None:
    """One tesseract pass writes tsv, alto and pdf; the TSV is the one a tsv-only call writes
    (the recognition is the same), and the ALTO holds its words with their confidences (not
    tesseract 5's `0.` + int(conf), tesseract#4615)."""
    img = text_image(["Renforcer la coordination des acteurs, 1. Il el Al",
                      "Mesure 2 : publier les données ouvertes"]).convert("L")
    config = "--psm 3 --dpi 300 -c textonly_pdf=1"
    read = TesseractEngine().run(img, lang="fra", config=config, outputs=("tsv", "alto", "pdf"),
                         timeout=60)
    alone = TesseractEngine().run(img, lang="fra", config="--psm 3 --dpi 300", outputs=("tsv",),
                          timeout=60)
    assert read["tsv"] == alone["tsv"]
    with pikepdf.open(io.BytesIO(read["pdf"])) as text_only:
        assert not text_only.pages[0].get_images()  # the text, not a copy of the image
    alto = alto_v4(read["alto"], read["tsv"], scale=1, width=img.width, height=img.height,
                   note="test")
    words = tsv_words(read["tsv"])
    strings = etree.fromstring(alto.encode()).findall(".//a:String", NS)
    assert len(strings) == len(words) > 5
    for word, string in zip(words, strings, strict=True):
        assert string.get("CONTENT") == word["text"]
        assert float(string.get("WC")) == pytest.approx(float(word["conf"]) / 100, abs=0.006)
    assert alto_problems(alto.encode()) == []


def test_the_report_links_each_document_to_its_pdf(sample_release: Release) -> None:
    html = (sample_release.out / "report.html").read_text(encoding="utf-8")
    for doc in ocr_documents(sample_release):
        assert f'href="{doc["pdfa_path"]}"' in html
        assert (sample_release.out / doc["pdfa_path"]).is_file()  # the link resolves from there


def test_cached_pages_make_the_files_again_without_ocr(sample_release: Release,
                                                      tmp_path: Path) -> None:
    name = "rapport-2020-scan.pdf"
    out = tmp_path / "out"
    shutil.copytree(sample_release.out / ".cache" / "pages", out / ".cache" / "pages")
    summary = ingest([SAMPLES / name], out)
    assert summary.pages_read == 0 and summary.pages_cached == 3
    docs = sample_release.frames["documents"].set_index("doc_id")
    doc = docs.loc[hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest()]
    assert passes_pdfa(out / doc["pdfa_path"])
    before = sorted((sample_release.out / doc["alto_path"]).iterdir())
    after = sorted((out / doc["alto_path"]).iterdir())
    assert [p.name for p in after] == [p.name for p in before]
    # the same words and boxes (the file name differs: it is the name given this time)
    for a, b in zip(before, after, strict=True):
        strings = [etree.fromstring(p.read_bytes()).findall(".//a:String", NS) for p in (a, b)]
        assert [dict(s.attrib) for s in strings[0]] == [dict(s.attrib) for s in strings[1]]


def test_a_warning_raised_elsewhere_during_the_save_costs_no_pdfa(
        sample_release: Release, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pikepdf's checker records every Python warning raised while it parses a content stream,
    another thread's too: the save is checked again rather than the PDF/A lost. During the
    first save, another thread warns (« unclosed file … », as the collector does) each time
    the checker starts on a stream — inside the window, not by the clock."""
    name = "rapport-2020-scan.pdf"
    doc_id = hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest()
    pages = [page_from_json(json.loads(f.read_text(encoding="utf-8"))["page"]) for f in sorted(
        (sample_release.out / ".cache" / "pages").glob(f"*/{doc_id}/*.json"))]
    assert len(pages) == 3 and all(p.text_pdf for p in pages)
    real_save, real_checker, calls = pdfa.save_pdfa, pdfa_content.content_checker, []

    def warn_elsewhere() -> None:
        thread = threading.Thread(target=lambda: warnings.warn(
            "unclosed file <_io.TextIOWrapper name=15>", ResourceWarning, stacklevel=1))
        thread.start()
        thread.join()

    class WarnedChecker:
        def __init__(self, checker: object) -> None:
            self.checker = checker

        def check(self, stream: object) -> object:
            if len(calls) == 1:
                warn_elsewhere()
            return self.checker.check(stream)  # type: ignore[attr-defined]

        def __getattr__(self, attr: str) -> object:
            return getattr(self.checker, attr)

    def save(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real_save(*args, **kwargs)

    monkeypatch.setattr(pdfa_content, "content_checker",
                        lambda limits: WarnedChecker(real_checker(limits)))
    monkeypatch.setattr(pdfa, "save_pdfa", save)
    dest = tmp_path / "scan.pdf"
    pdfa.searchable_pdfa(SAMPLES / name, "pdf", pages, dest, title="t", source_name=name)
    assert len(calls) == 2  # the first, failed by the other thread's warning, checked again
    assert passes_pdfa(dest)


def test_an_unchanged_document_is_not_rendered_again(sample_release: Release,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(sample_release.out, out, symlinks=True)
    before = (out / ".current").resolve()
    doc = ocr_documents(sample_release)[0]
    inode = (before / doc["pdfa_path"]).resolve().stat().st_ino
    new = tmp_path / "in" / "note.txt"
    new.parent.mkdir()
    new.write_text("Rapport\n\n1. Une mesure de plus pour ce test.\n", encoding="utf-8")
    run = run_cli("ingest", str(SAMPLES), str(new), "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert (out / ".current").resolve() != before  # a new release
    assert (out / doc["pdfa_path"]).resolve().stat().st_ino == inode  # the same file, linked
    assert "pdfa" not in run.stderr.lower()


def test_a_damaged_pdfa_is_dropped_when_the_release_is_rebuilt(sample_release: Release,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(sample_release.out, out, symlinks=True)
    damaged, kept = ocr_documents(sample_release)[:2]
    target = (out / damaged["pdfa_path"]).resolve()
    target.unlink()  # a hard link shared with nothing else in this copy: cut it short
    target.write_bytes(b"%PDF-1.7 truncated")
    run = run_cli("verify", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "archival file(s) could not be made again" in run.stdout
    docs = read_release(out)["documents"].set_index("doc_id")
    assert pd.isna(docs.loc[damaged["doc_id"], "pdfa_path"])
    assert docs.loc[kept["doc_id"], "pdfa_path"] == kept["pdfa_path"]
    assert verify_release(out / ".current") == []
