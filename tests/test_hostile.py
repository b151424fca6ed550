"""Hostile inputs and faults: every file ends published or quarantined with a reason; nothing is lost.

Hostile files are built in tmp_path at test time (small images) and batched into one CLI run
(`inbox_run`), whose per-file outcomes are read back from the published tables. Faults that need
a run of their own (a hanging tesseract, missing dependencies, an unwritable output) get one;
the isolated reader and publishing are also tested directly, without Prefect.
"""
from __future__ import annotations

import errno
import io
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import struct
import tempfile
import time
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from extractors.pages import PageJob
from extractors.sources import printable_name, read_source
from flows.pipeline.isolation import IsolatedReader, Limits
from flows.pipeline.reading import read_document
from models.errors import ExitCode
from models.records import Page
from tests.conftest import (
    OCR_RECORDINGS,
    REAL_OCR,
    SAMPLES,
    CliRun,
    fill,
    run_cli,
    tiny_filesystem,
)
from tests.conftest import text_image as page_with_text

REPORT_LINES = ["Le rapport de la mission propose des mesures", "pour accompagner les territoires",
                "ruraux dans la transition écologique.", "Les acteurs locaux suivent leur mise"]
HANG_TIMEOUT_S = 10  # the batch's page budget; tesseract hangs on HANG_IMAGE only
ENGLISH_LINES = ["The committee reviewed the report and", "agreed on the next steps for the",
                 "regional programme before the summer."]


# --------------------------------------------------------------------------- file builders


# Small pages keep OCR fast: 8 pt on 900×520 px at 300 dpi.
text_image = partial(page_with_text, size=(900, 520), pt=8, margin=30)


def image_bytes(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def build_pdf(pages: list[tuple[tuple[float, ...], bytes]], catalog: bytes = b"",
              extra: tuple[bytes, ...] = ()) -> bytes:
    """A minimal PDF with a correct xref: (MediaBox, content stream) per page; `extra` objects
    are numbered after the pages (4 + 2 * len(pages) onwards) for the catalog to refer to."""
    objs: dict[int, bytes] = {}
    kids = []
    num = 4
    for box, content in pages:
        kids.append(num)
        objs[num] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Resources << /Font << /F1 3 0 R"
                     b" >> >> /Contents %d 0 R >>" % (" ".join(f"{v:g}" for v in box).encode(), num + 1))
        objs[num + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
        num += 2
    for body in extra:
        objs[num] = body
        num += 1
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>"
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        " ".join(f"{k} 0 R" for k in kids).encode(), len(kids))
    objs[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (n, objs[n])
    xref, size = len(out), max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def pdf_text(lines: list[str], size: int = 12) -> bytes:
    parts = [b"BT /F1 %d Tf 72 720 Td %d TL" % (size, int(size * 1.4))]
    for line in lines:
        text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        parts.append(b"(" + text.encode("latin-1") + b") '")
    return b"\n".join([*parts, b"ET"])


def encrypted_pdf(user_password: str) -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(420, 300),
                        encrypt=pdfencrypt.StandardEncryption(user_password, ownerPassword="owner"))
    pdf.drawString(30, 250, "Rapport de la mission sur les territoires ruraux")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A PNG that declares width x height 8-bit pixels, with a tiny IDAT of zeros."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def tiff_with_corrupt_frame(frames: list[Image.Image], bad: int) -> bytes:
    """A deflate-compressed multi-page TIFF whose frame `bad` (0-based) has garbage for data."""
    data = bytearray(image_bytes(frames[0], "TIFF", save_all=True, append_images=frames[1:],
                                 compression="tiff_deflate", dpi=(300, 300)))
    with Image.open(io.BytesIO(bytes(data))) as img:
        img.seek(bad)
        offset, length = img.tag_v2[273][0], img.tag_v2[279][0]
    data[offset + 2:offset + length] = bytes((i * 37 + 11) & 0xFF for i in range(length - 2))
    return bytes(data)


def fake_tesseract(folder: Path, body: str) -> Path:
    """A `tesseract` on PATH: --version/--list-langs go to the real one, other calls run `body`."""
    real = shutil.which("tesseract")
    assert real, "these tests need tesseract"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tesseract"
    script.write_text(f'#!/bin/sh\ncase "$1" in\n  --*) exec {real} "$@" ;;\nesac\n{body}\n')
    script.chmod(0o755)
    return folder


# --------------------------------------------------------------------------- the batched run


HANG_IMAGE = Image.new("RGB", (613, 411), "white")  # a size no other page of the batch has
ImageDraw.Draw(HANG_IMAGE).text((20, 20), "Une page qui fige tesseract", fill="black")


@dataclass
class InboxRun:
    inbox: Path
    out: Path
    run: CliRun
    seconds: float
    entries: list[str]  # printable names of every entry put in the inbox (and on the command line)

    def db(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.out / "missions.sqlite")
        con.row_factory = sqlite3.Row
        return con

    def doc(self, name: str) -> sqlite3.Row:
        full = name if name == "-tiret-seul.txt" else printable_name(str(self.inbox / name))
        rows = self.db().execute("select * from documents where source_name = ?", (full,)).fetchall()
        assert len(rows) == 1, f"{full}: {len(rows)} documents rows"
        return rows[0]

    def pages(self, name: str) -> list[sqlite3.Row]:
        doc_id = self.doc(name)["doc_id"]
        return self.db().execute("select * from pages where doc_id = ? order by page",
                                 (doc_id,)).fetchall()

    def names_of(self, name: str) -> set[str]:
        doc_id = self.doc(name)["doc_id"]
        return {r[0] for r in self.db().execute(
            "select source_name from document_names where doc_id = ?", (doc_id,))}


def _write(inbox: Path, name: str | bytes, data: bytes) -> None:
    if isinstance(name, bytes):
        with open(os.path.join(os.fsencode(inbox), name), "wb") as fh:
            fh.write(data)
    else:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)


def _legacy(words: str) -> str:
    return (f"MINISTÈRE DE LA TRANSITION ÉCOLOGIQUE\n\nNote de suivi : {words}.\n"
            "Les mesures sont présentées par dimension.\n")


def build_inbox(root: Path) -> tuple[Path, list[str]]:
    inbox, outside = root / "inbox", root / "outside"
    inbox.mkdir()
    outside.mkdir()
    born = (SAMPLES / "suivi-2021-born-digital.pdf").read_bytes()
    report = text_image(REPORT_LINES)
    files: dict[str | bytes, bytes] = {
        "vide.pdf": b"",
        "tronque.pdf": born[: len(born) * 6 // 10],
        "image-png.pdf": image_bytes(report, "PNG", dpi=(300, 300)),
        "bruit.tif": random.Random(5).randbytes(4096),
        "chiffre.pdf": encrypted_pdf("secret"),
        "proprietaire-seul.pdf": encrypted_pdf(""),
        "javascript.pdf": build_pdf(
            [((0, 0, 612, 792), pdf_text(["Rapport de la mission sur les territoires ruraux"]))],
            catalog=b"/OpenAction 6 0 R /Names << /EmbeddedFiles << /Names [(x.sh) 7 0 R] >> >> ",
            extra=(b"<< /S /JavaScript /JS (app.launchURL\\('http://127.0.0.1/'\\);) >>",
                   b"<< /Type /Filespec /F (x.sh) /EF << /F 8 0 R >> >>",
                   b"<< /Type /EmbeddedFile /Length 9 >>\nstream\nrm -rf /\n\nendstream")),
        "pages-extremes.pdf": build_pdf([
            ((0, 0, 612, 792), pdf_text(["Rapport de la mission sur les territoires ruraux"])),
            ((0, 0, 0, 0), pdf_text(["Une page sans surface mais avec du texte dessus"])),
            ((0, 0, 14400, 14400), b""),  # 200 x 200 in, no text: rasterised
            ((0, 0, 0.5, 0.5), b""),
        ]),
        "bombe.png": bomb_png(100_000, 100_000),
        "seize-bits.png": image_bytes(Image.fromarray(
            np.asarray(report.convert("L")).astype(np.uint16) * 257), "PNG", dpi=(300, 300)),
        "cmjn.tif": image_bytes(report.convert("CMYK"), "TIFF", dpi=(300, 300)),
        "cmjn.jpg": image_bytes(text_image(REPORT_LINES[:2]).convert("CMYK"), "JPEG", dpi=(300, 300)),
        "sans-dpi.png": image_bytes(text_image(REPORT_LINES[1:3]), "PNG"),
        "multi-corrompu.tif": tiff_with_corrupt_frame(
            [text_image(REPORT_LINES[:2]), text_image(REPORT_LINES[2:]),
             text_image(["Deuxième partie du rapport de suivi"])], bad=1),
        "blanche.png": image_bytes(Image.new("RGB", (600, 400), "white"), "PNG", dpi=(300, 300)),
        "tete-en-bas.png": image_bytes(report.rotate(180), "PNG", dpi=(300, 300)),
        "couchee.png": image_bytes(report.rotate(90, expand=True), "PNG", dpi=(300, 300)),
        "english.png": image_bytes(text_image(ENGLISH_LINES), "PNG", dpi=(300, 300)),
        "en-cours.png": image_bytes(text_image(["Copie en cours de la note de suivi"]), "PNG",
                                    dpi=(300, 300)),
        "fige.png": image_bytes(HANG_IMAGE, "PNG", dpi=(300, 300)),
        "ancien-cp1252.txt": _legacy("Légende, à l'échéance").encode("cp1252"),
        "ancien-utf16.txt": _legacy("Retard expliqué, remis en cause").encode("utf-16"),
        "avec espaces.txt": _legacy("un nom avec des espaces").encode(),
        "accentué é.txt": _legacy("un nom accentué").encode(),
        "guillemets \"doubles\" 'simples'.txt": _legacy("un nom entre guillemets").encode(),
        "-tiret.txt": _legacy("un nom qui commence par un tiret").encode(),
        "retour\nligne.txt": _legacy("un nom sur deux lignes").encode(),
        b"ancien-caf\xe9.txt": _legacy("un nom en Latin-1").encode(),
        "copie-a.txt": _legacy("le même fichier sous deux noms").encode(),
        "sous-dossier/copie-b.txt": _legacy("le même fichier sous deux noms").encode(),
    }
    for name, data in files.items():
        _write(inbox, name, data)
    (outside / "secret.txt").write_text(_legacy("hors de la boîte"), encoding="utf-8")
    (inbox / "lien-dehors.txt").symlink_to(outside / "secret.txt")
    (inbox / "lien-casse.txt").symlink_to(inbox / "nulle-part.txt")
    (inbox / "lien-dedans.txt").symlink_to("avec espaces.txt")
    (inbox / "dossier-lien").symlink_to(outside)
    os.mkfifo(inbox / "tube.pdf")
    (root / "-tiret-seul.txt").write_text(_legacy("un tiret sur la ligne de commande"))
    entries = [printable_name(os.fsdecode(os.path.join(os.fsencode(inbox), n)))
               if isinstance(n, bytes) else printable_name(str(inbox / n)) for n in files]
    entries += [printable_name(str(inbox / n)) for n in
                ("lien-dehors.txt", "lien-casse.txt", "lien-dedans.txt", "dossier-lien", "tube.pdf")]
    return inbox, [*entries, "-tiret-seul.txt"]


@pytest.fixture(scope="module")
def inbox_run(tmp_path_factory: pytest.TempPathFactory) -> InboxRun:
    root = tmp_path_factory.mktemp("hostile")
    inbox, entries = build_inbox(root)
    # A tesseract that appends a byte to en-cours.png before each OCR call (a copy in progress),
    # and hangs on fige.png's page (recognised by the size of the BMP it is given).
    hang_bytes = len(image_bytes(HANG_IMAGE.convert("L"), "BMP"))
    tools = fake_tesseract(root / "bin", f'printf x >> "{inbox / "en-cours.png"}"\n'
                                         f'[ "$(stat -c %s "$1")" = {hang_bytes} ] && '
                                         f'echo $$ >> "{root / "hung.pids"}" && exec sleep 120\n'
                                         f'exec {shutil.which("tesseract")} "$@"')
    out = root / "out"
    started = time.perf_counter()
    run = run_cli("ingest", "--out", str(out), "--", str(inbox), "-tiret-seul.txt", cwd=root,
                  env={"PATH": f"{tools}:{os.environ['PATH']}", **REAL_OCR,
                       "MISSIONS_PAGE_TIMEOUT": str(HANG_TIMEOUT_S)})
    return InboxRun(inbox, out, run, time.perf_counter() - started, entries)


def test_the_run_finishes_and_says_some_were_quarantined(inbox_run: InboxRun) -> None:
    run = inbox_run.run
    assert run.returncode == ExitCode.quarantined, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert "quarantined: " in run.stderr and "missions: " in run.stdout


def test_every_file_is_accounted_for(inbox_run: InboxRun) -> None:
    con = inbox_run.db()
    docs = {r["source_name"]: r for r in con.execute("select * from documents")}
    names = {r[0] for r in con.execute("select source_name from document_names")}
    missing = [e for e in inbox_run.entries if e not in names]
    assert missing == []
    assert all(r["state"] in ("published", "quarantined") for r in docs.values())
    for row in docs.values():  # a quarantined file says why, naming itself
        assert (row["error"] is None) == (row["state"] == "published"), row["source_name"]
        if row["error"]:
            assert row["error"].startswith(row["source_name"] + ": "), row["error"]
            assert "\n" not in row["error"] and ";" in row["error"]  # one line, with what to do


@pytest.mark.parametrize(("name", "reason"), [
    ("vide.pdf", "the file is empty (0 bytes); re-scan or re-export it"),
    ("tronque.pdf", "damaged or truncated"),
    ("bruit.tif", "not a PDF, TIFF, PNG, JPEG or text file"),
    ("chiffre.pdf", "password-protected; ask for an unprotected copy"),
    ("bombe.png", "decompression bomb"),
    ("en-cours.png", "changed while being read; run again when the copy is complete"),
    ("lien-dehors.txt", "links out of the folder are not followed"),
    ("lien-casse.txt", "a broken link"),
    ("dossier-lien", "links to folders are not followed"),
    ("tube.pdf", "not a regular file"),
])
def test_bad_files_are_quarantined_with_a_reason(inbox_run: InboxRun, name: str, reason: str) -> None:
    row = inbox_run.doc(name)
    assert row["state"] == "quarantined"
    assert reason in row["error"]


def test_type_comes_from_the_signature(inbox_run: InboxRun) -> None:
    row = inbox_run.doc("image-png.pdf")
    assert (row["state"], row["file_type"]) == ("published", "png")
    assert "mission" in inbox_run.pages("image-png.pdf")[0]["text"]


def test_pdf_with_javascript_and_an_embedded_file_is_read_not_run(inbox_run: InboxRun) -> None:
    # Neither pdfium (built without V8) nor pdfminer runs scripts or opens attachments: the
    # page's text is read like any other, and nothing else happens.
    assert inbox_run.doc("javascript.pdf")["state"] == "published"
    (page,) = inbox_run.pages("javascript.pdf")
    assert page["method"] == "text-layer" and "Rapport de la mission" in page["text"]


def test_owner_password_only_pdf_is_read(inbox_run: InboxRun) -> None:
    assert inbox_run.doc("proprietaire-seul.pdf")["state"] == "published"
    assert "Rapport de la mission" in inbox_run.pages("proprietaire-seul.pdf")[0]["text"]


def test_giant_and_zero_size_pages_cost_one_page_each(inbox_run: InboxRun) -> None:
    assert inbox_run.doc("pages-extremes.pdf")["state"] == "published"
    first, zero, giant, tiny = inbox_run.pages("pages-extremes.pdf")
    assert first["error"] is None and "Rapport de la mission" in first["text"]
    assert "page 2 has no area" in zero["error"]
    assert "page 4 has no area" in tiny["error"]
    if giant["error"] is None:  # read at a lower dpi, under the pixel cap
        assert giant["dpi"] < 300 and giant["width_px"] * giant["height_px"] <= 80_000_000
    else:  # or refused by the memory limit, with the sentence that says so
        assert "page 3 needs more than" in giant["error"] and "GiB" in giant["error"]


@pytest.mark.parametrize("name", ["seize-bits.png", "cmjn.tif", "cmjn.jpg"])
def test_16_bit_and_cmyk_images_are_read(inbox_run: InboxRun, name: str) -> None:
    assert inbox_run.doc(name)["state"] == "published"
    (page,) = inbox_run.pages(name)
    assert page["dpi"] == 300 and "rapport de la mission" in page["text"]


def test_image_without_dpi_is_taken_as_an_a4_page(inbox_run: InboxRun) -> None:
    (page,) = inbox_run.pages("sans-dpi.png")
    assert page["dpi"] == round(520 / 8.27) and "territoires" in page["text"]


def test_corrupt_tiff_frame_costs_that_page_only(inbox_run: InboxRun) -> None:
    assert inbox_run.doc("multi-corrompu.tif")["state"] == "published"
    one, two, three = inbox_run.pages("multi-corrompu.tif")
    assert "rapport de la mission" in one["text"] and "Deuxième partie" in three["text"]
    assert two["error"].startswith("frame 2 is damaged") and two["text"] is None


def test_blank_page_is_published_empty(inbox_run: InboxRun) -> None:
    row = inbox_run.doc("blanche.png")
    assert (row["state"], row["kind"], row["n_pages"]) == ("published", "unknown", 1)
    (page,) = inbox_run.pages("blanche.png")
    assert page["text"] == "" and page["error"] is None and page["rotation"] == 0


@pytest.mark.parametrize(("name", "rotation"), [("tete-en-bas.png", 180), ("couchee.png", 90)])
def test_turned_pages_are_set_upright(inbox_run: InboxRun, name: str, rotation: int) -> None:
    (page,) = inbox_run.pages(name)
    assert page["rotation"] == rotation
    assert "rapport de la mission propose des mesures" in page["text"]
    assert page["mean_confidence"] > 80


def test_page_in_another_language_is_read_without_measures(inbox_run: InboxRun) -> None:
    row = inbox_run.doc("english.png")
    assert (row["state"], row["kind"]) == ("published", "unknown")
    assert "committee reviewed the report" in inbox_run.pages("english.png")[0]["text"]
    n = inbox_run.db().execute("select count(*) from measures where doc_id = ?",
                               (row["doc_id"],)).fetchone()[0]
    assert n == 0


@pytest.mark.parametrize(("name", "words"), [("ancien-cp1252.txt", "Légende, à l'échéance"),
                                             ("ancien-utf16.txt", "Retard expliqué")])
def test_legacy_text_encodings(inbox_run: InboxRun, name: str, words: str) -> None:
    assert inbox_run.doc(name)["state"] == "published"
    text = "\n".join(p["text"] for p in inbox_run.pages(name))
    assert words in text and "MINISTÈRE" in text


@pytest.mark.parametrize("name", ["avec espaces.txt", "accentué é.txt",
                                  "guillemets \"doubles\" 'simples'.txt", "-tiret.txt",
                                  "retour\nligne.txt", "-tiret-seul.txt"])
def test_awkward_file_names(inbox_run: InboxRun, name: str) -> None:
    row = inbox_run.doc(name)
    assert row["state"] == "published"
    assert "\n" not in row["source_name"]  # a newline in a name is shown as \n


def test_name_that_is_not_utf8(inbox_run: InboxRun) -> None:
    row = inbox_run.doc(os.fsdecode(b"ancien-caf\xe9.txt"))
    assert row["state"] == "published" and row["source_name"].endswith("ancien-caf\\xe9.txt")


def test_same_bytes_under_two_names_is_one_document(inbox_run: InboxRun) -> None:
    a = printable_name(str(inbox_run.inbox / "copie-a.txt"))
    b = printable_name(str(inbox_run.inbox / "sous-dossier" / "copie-b.txt"))
    assert inbox_run.names_of("copie-a.txt") == {a, b}
    n = inbox_run.db().execute("select count(*) from documents where source_name in (?, ?)",
                               (a, b)).fetchone()[0]
    assert n == 1
    assert f"duplicate: {b} has the same bytes as {a}" in inbox_run.run.stderr


def test_link_inside_the_folder_is_one_more_name(inbox_run: InboxRun) -> None:
    names = inbox_run.names_of("avec espaces.txt")
    assert printable_name(str(inbox_run.inbox / "lien-dedans.txt")) in names


def test_hanging_tesseract_costs_one_page(inbox_run: InboxRun) -> None:
    row = inbox_run.doc("fige.png")
    assert row["state"] == "quarantined"
    assert f"page 1 took longer than {HANG_TIMEOUT_S} s" in row["error"]
    assert "MISSIONS_PAGE_TIMEOUT" in row["error"]
    hung = [int(p) for p in (inbox_run.inbox.parent / "hung.pids").read_text().split()]
    assert hung and not [p for p in hung if _is_sleep_120(p)]  # that tesseract was stopped


def _is_sleep_120(pid: int) -> bool:
    """Whether `pid` is still the hung `sleep 120` the fake tesseract became (by its PID)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes() == b"sleep\x00120\x00"
    except OSError:
        return False


def test_the_batch_is_quick(inbox_run: InboxRun) -> None:
    assert inbox_run.seconds < 90, inbox_run.seconds  # 30-odd hostile files, Prefect start-up included


# --------------------------------------------------------------------------- runs of their own


@pytest.mark.real_ocr
def test_tesseract_missing_stops_before_any_work(tmp_path: Path) -> None:
    run = run_cli("ingest", str(SAMPLES / "rapport-2020-legacy.txt"), "--out", str(tmp_path / "o"),
                  env={"PATH": str(tmp_path / "empty-bin"), **REAL_OCR})
    assert run.returncode == ExitCode.missing_dependency
    assert "tesseract is not installed" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.real_ocr
def test_french_data_missing_stops_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "tessdata").mkdir()
    run = run_cli("ingest", str(SAMPLES / "rapport-2020-legacy.txt"), "--out", str(tmp_path / "o"),
                  env={"TESSDATA_PREFIX": str(tmp_path / "tessdata"), **REAL_OCR})
    assert run.returncode == ExitCode.missing_dependency
    assert "no 'fra' language data" in run.stderr and "tesseract-ocr-fra" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "o").exists()


def test_unwritable_output_stops_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    started = time.perf_counter()
    run = run_cli("ingest", str(SAMPLES / "rapport-2020-legacy.txt"), "--out", str(blocker / "out"))
    assert run.returncode == ExitCode.output_not_writable
    assert f"The output folder {blocker / 'out'} cannot be created" in run.stderr
    assert "Traceback" not in run.stderr
    assert time.perf_counter() - started < 8  # refused before Prefect or any reading started


# --------------------------------------------------------------------------- publishing


def _small_release(out: Path, rows: int) -> Path:
    from flows.release.tables import frames_from_results
    from models.records import DocumentResult, SourceDocument
    from tests.test_publish import publish

    results = [DocumentResult(source=SourceDocument(f"{i:064x}", "x", f"doc-{i}.txt", "text", 10),
                              state="quarantined", error=f"doc-{i}.txt: test row; nothing to do.")
               for i in range(rows)]
    return publish(out, frames_from_results(results, "test", "2020-01-01T00:00:00Z"), "test")


def _assert_previous_is_current(out: Path, first: Path) -> None:
    from flows.release.layout import current_release
    from flows.release.verify import verify_release

    assert current_release(out) == first and verify_release(first) == []
    assert sqlite3.connect(out / "missions.sqlite").execute(
        "select count(*) from documents").fetchone()[0] == 2
    assert not [p for p in (out / ".releases").iterdir() if p.name != first.name]


def test_disk_full_during_publish_keeps_the_previous_release(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.release import writers
    from models.errors import OutputNotWritable

    out = tmp_path / "out"
    first = _small_release(out, 2)

    def full(*_args: object, **_kw: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writers, "write_parquet", full)
    with pytest.raises(OutputNotWritable, match="No space left on device.*previous release"):
        _small_release(out, 3)
    _assert_previous_is_current(out, first)
    assert OutputNotWritable.exit_code == ExitCode.output_not_writable


def test_disk_full_on_a_real_tiny_filesystem(tmp_path: Path) -> None:
    from models.errors import OutputNotWritable

    with tiny_filesystem(tmp_path / "tiny", "512k") as out:
        first = _small_release(out, 2)
        fill(out, leave=32 * 1024)  # all but 32 KiB
        with pytest.raises(OutputNotWritable, match="previous release is still the current one"):
            _small_release(out, 3000)
        _assert_previous_is_current(out, first)


# --------------------------------------------------------------------------- the isolated reader


def _segfault(_job: PageJob, _settings: object, _gb: float) -> Page:
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("unreachable")


def _hang(_job: PageJob, _settings: object, _gb: float) -> Page:
    with tempfile.TemporaryDirectory(prefix="missions-ocr-") as tmp:  # as tesseract's image is
        Path(tmp, "image.bmp").write_bytes(b"BM")
        time.sleep(60)
    raise AssertionError("unreachable")


def _hog(_job: PageJob, _settings: object, gb: float) -> Page:
    return bytearray(int(gb * 2**30))  # type: ignore[return-value]


def test_reader_crash_timeout_and_memory_cost_one_page_each(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """…and a worker stopped mid-page leaves none of its temporary files behind."""
    page_png = tmp_path / "page.png"
    page_png.write_bytes(image_bytes(text_image(REPORT_LINES[:2]), "PNG", dpi=(300, 300)))
    job = PageJob("d", str(page_png), "png", 0, "image")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # this process's and its workers'
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with IsolatedReader(1, Limits(page_timeout=2, memory_gb=1.0)) as reader:
        crashed = reader.read(job, fn=_segfault)
        assert crashed.error.startswith("the reader crashed on page 1 (signal SIGSEGV)")
        started = time.perf_counter()
        hung = reader.read(job, fn=_hang)
        assert time.perf_counter() - started < 15
        assert hung.error.startswith("page 1 took longer than 2 s and was stopped")
        hog = reader.read(job, fn=_hog)
        assert hog.error.startswith("page 1 needs more than 1 GiB of memory")
        page = reader.read(job)  # the pool replaced its workers and reads on
        assert page.error is None and "rapport de la mission" in page.text
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("missions-")]


def test_text_files_are_opened_without_starting_the_reader_processes(tmp_path: Path) -> None:
    """A run of legacy text files (the one-file start-up) spares the reader pool's start;
    a scanned file starts it."""
    legacy = tmp_path / "ancien.txt"
    legacy.write_bytes(_legacy("Légende, à l'échéance").encode("cp1252"))
    before = set(multiprocessing.active_children())
    reader = IsolatedReader(2)  # a run's reader: its processes start on first use
    try:
        outcome = reader.plan(read_source(legacy, "ancien.txt"))
        assert outcome.error is None and "Légende" in outcome.pages[0].text
        assert set(multiprocessing.active_children()) == before
        png = tmp_path / "page.png"
        png.write_bytes(image_bytes(text_image(REPORT_LINES[:1]), "PNG", dpi=(300, 300)))
        assert reader.plan(read_source(png, "page.png")).jobs
        assert set(multiprocessing.active_children()) - before
    finally:
        reader.close()


def test_a_real_page_over_the_memory_limit_is_recorded(tmp_path: Path) -> None:
    big = tmp_path / "144-megapixels.png"  # under Pillow's bomb threshold: it does decode
    big.write_bytes(bomb_png(12_000, 12_000))
    with IsolatedReader(1, Limits(page_timeout=60, memory_gb=1.0)) as reader:
        result = read_document(big, reader=reader)
    assert result.state == "quarantined"
    assert "page 1 needs more than 1 GiB of memory to read" in result.error
    assert "MISSIONS_PAGE_MEMORY_GB" in result.error


# --------------------------------------------------------------------------- fuzzing


def _fuzz_seeds() -> dict[str, bytes]:
    """Small seeds from the samples: the legacy text, a cropped born-digital page, TIFF crops."""
    import pdfplumber

    with pdfplumber.open(SAMPLES / "suivi-2021-born-digital.pdf") as pdf:
        lines = [ln["text"] for ln in pdf.pages[0].extract_text_lines()][:8]
    latin = [ln.encode("latin-1", "replace").decode("latin-1") for ln in lines]
    with Image.open(SAMPLES / "rapport-2020-mesures.tif") as tif:
        frames = []
        for i in range(2):
            tif.seek(i)
            frames.append(tif.convert("L").crop((100, 500, 700, 900)))
    return {
        "legacy.txt": (SAMPLES / "rapport-2020-legacy.txt").read_bytes()[:2000],
        "born-digital.pdf": build_pdf([((0, 0, 420, 300), pdf_text(latin, size=9))]),
        "mesures.tif": image_bytes(frames[0], "TIFF", save_all=True, append_images=frames[1:],
                                   compression="tiff_deflate", dpi=(200, 200)),
    }


FUZZ_SEEDS = _fuzz_seeds()
_mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0)),
    st.tuples(st.just("splice"), st.floats(0, 1), st.integers(0, 2)),
    st.tuples(st.just("zero"), st.floats(0, 1), st.integers(1, 64)),
)


def mutate(data: bytes, ops: list[tuple[str, float, int]]) -> bytes:
    out = bytearray(data)
    others = list(FUZZ_SEEDS.values())
    for kind, where, arg in ops:
        at = min(int(where * len(out)), max(len(out) - 1, 0))
        if kind == "flip" and out:
            out[at] ^= arg or 0xFF
        elif kind == "truncate":
            del out[at:]
        elif kind == "splice":
            donor = others[arg]
            out[at:at + 256] = donor[len(donor) // 3:len(donor) // 3 + 256]
        elif kind == "zero":
            out[at:at + arg] = bytes(len(out[at:at + arg]))
    return bytes(out)


@pytest.fixture(scope="module")
def fuzz_reader() -> IsolatedReader:
    """Readers for mutated files: on recorded OCR, where a mutant's page that nobody recorded
    fails as a page (what is tested is that it never raises), not the session: which mutant
    decodes to a page tesseract is asked about is not a property of the product."""
    from extractors.engine_doubles import MISSES_ENV
    from extractors.engines import ENGINE_ENV

    environ = {k: v for k, v in os.environ.items() if k != MISSES_ENV}
    environ[ENGINE_ENV] = f"recorded:{OCR_RECORDINGS}"
    with IsolatedReader(2, Limits(page_timeout=8, memory_gb=2.0), environ=environ) as reader:
        yield reader


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(FUZZ_SEEDS)), ops=st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_files_never_raise_and_are_accounted_for(
        tmp_path_factory: pytest.TempPathFactory, fuzz_reader: IsolatedReader, seed: str,
        ops: list[tuple[str, float, int]]) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"mutant-{seed}"
    path.write_bytes(mutate(FUZZ_SEEDS[seed], ops))
    result = read_document(path, reader=fuzz_reader)
    assert result.state in ("published", "quarantined")
    if result.state == "quarantined":
        assert result.error and result.error.startswith(f"{path}: ")
    else:
        assert result.pages and all(p.error is None or p.error for p in result.pages)


# --------------------------------------------------------------------------- re-runs


def test_rerun_counts_the_same_refusal_without_republishing_it(tmp_path: Path) -> None:
    from flows.pipeline.discover import Known, compare, scan

    (tmp_path / "vide.pdf").write_bytes(b"")
    (tmp_path / "note.txt").write_text(_legacy("une note"))
    inputs = scan([tmp_path])
    first = compare(inputs, Known())
    (refused,) = first.rejected
    again = compare(inputs, Known({refused.source.doc_id: ("quarantined", refused.error)}))
    assert again.rejected == [] and [s.source_name for s in again.sources] == [str(tmp_path / "note.txt")]
    assert [name for name, _why in again.quarantined] == [str(tmp_path / "vide.pdf")]  # exit 3 again


def test_a_good_copy_under_the_same_name_supersedes_its_quarantine() -> None:
    from flows.release.history import supersede
    from flows.release.tables import frame_from_rows, merge_document_names
    from models.schema import table

    docs = frame_from_rows(table("documents"), [
        ("old", "in/a.pdf", "unknown", 0, "quarantined", "in/a.pdf: changed while being read; …",
         "v", "2020-01-01T00:00:00Z", "pdf", 10, None, None, None, None),
        ("keep", "in/b.pdf", "unknown", 0, "quarantined", "in/b.pdf: empty; …", "v",
         "2020-01-01T00:00:00Z", "pdf", 0, None, None, None, None)])
    names = frame_from_rows(table("document_names"), [("old", "in/a.pdf", "2020-01-01T00:00:00Z"),
                                                      ("keep", "in/b.pdf", "2019-01-01T00:00:00Z")])
    frames, dropped = supersede({"documents": docs, "document_names": names},
                                [("new", "in/a.pdf"), ("keep", "in/b.pdf")],
                                {"new": "quarantined"}, "2021-01-01T00:00:00Z")
    assert dropped == 1 and list(frames["documents"]["doc_id"]) == ["keep"]
    assert frames["superseded"][["doc_id", "superseded_by", "state"]].values.tolist() == [
        ["old", "new", "quarantined"]]  # kept in the history
    fresh = frame_from_rows(table("document_names"), [("keep", "in/b.pdf", "2021-01-01T00:00:00Z")])
    merged = merge_document_names(frames, fresh, frames["documents"])
    assert merged.to_dict("records") == [
        {"doc_id": "keep", "source_name": "in/b.pdf", "first_seen": "2019-01-01T00:00:00Z"}]
