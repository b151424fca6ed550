"""The OCR engine seam: recorded OCR is what tesseract reads, a missing recording fails loudly,
and a tesseract that crashes or hangs costs its page only, with a clear reason."""
from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from extractors.document import process_file
from extractors.engine_doubles import MISSES_ENV, MissingRecording, RecordedEngine, recording_key
from extractors.engines import ENGINE_ENV, TesseractEngine, engine, parse_tsv
from extractors.ocr import OcrSettings
from flows.pipeline.run import ingest
from flows.release.layout import read_release
from models.errors import MissingDependency
from models.records import DocumentResult
from tests.conftest import OCR_RECORDINGS, SAMPLES, text_image

LINES = ["Le rapport de la mission propose", "des mesures pour les territoires"]


def test_tsv_is_read_as_pytesseract_gave_it() -> None:
    """Numbers as ints (confidences truncated), the text as it is, and a last word whose text
    cell tesseract left off."""
    tsv = (b"level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
           b"\tconf\ttext\n1\t1\t0\t0\t0\t0\t0\t0\t900\t520\t-1\t\n"
           b"5\t1\t1\t1\t1\t1\t30\t31\t120\t28\t96.505081\tRapport\n"
           b"5\t1\t1\t1\t1\t2\t160\t31\t20\t28\t12.9")
    data = parse_tsv(tsv)
    assert data["conf"] == [-1, 96, 12] and data["left"] == [0, 30, 160]
    assert data["text"] == ["", "Rapport", ""]


@pytest.mark.real_ocr
def test_a_recording_replays_what_tesseract_read(tmp_path: Path) -> None:
    """Recorded once from the real binary, replayed byte for byte, under a key the same image
    made again gives again; a failure is recorded and replayed as a failure."""
    image = text_image(LINES, size=(900, 300), pt=9).convert("L")
    again = text_image(LINES, size=(900, 300), pt=9).convert("L")
    assert recording_key(image, "fra", "--psm 6", ("tsv",)) == recording_key(
        again, "fra", "--psm 6", ("tsv",))
    real = TesseractEngine().run(image, lang="fra", config="--psm 6", outputs=("tsv", "txt"),
                                 timeout=60)
    assert "mission" in real["txt"].decode()
    recorder = RecordedEngine(tmp_path, record=True)
    assert recorder.run(image, lang="fra", config="--psm 6", outputs=("tsv", "txt"),
                        timeout=60) == real
    replay = RecordedEngine(tmp_path)
    assert replay.run(again, lang="fra", config="--psm 6", outputs=("tsv", "txt"),
                      timeout=60) == real
    assert replay.version() == f"recorded-{TesseractEngine().version()}"


def test_a_missing_recording_fails_loudly_naming_the_recorder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The call fails naming the command that records, and is listed for the session's end."""
    shutil.copy(OCR_RECORDINGS / "tesseract.json", tmp_path / "tesseract.json")
    monkeypatch.setenv(MISSES_ENV, str(tmp_path / "misses.txt"))
    image = text_image(["Une page que personne n'a lue"], size=(700, 200)).convert("L")
    with pytest.raises(MissingRecording, match=r"bench\.record_ocr.*--record-ocr"):
        RecordedEngine(tmp_path).run(image, lang="fra", config="", outputs=("tsv",), timeout=5)
    key = recording_key(image, "fra", "", ("tsv",))
    assert (tmp_path / "misses.txt").read_text().startswith(key)


def test_recorded_and_real_pages_never_share_a_cache_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, f"recorded:{OCR_RECORDINGS}")
    recorded = OcrSettings().key()
    monkeypatch.setenv(ENGINE_ENV, "tesseract")
    assert recorded != OcrSettings().key() and "recorded-" in recorded
    monkeypatch.setenv(ENGINE_ENV, "tesseract-ish")
    with pytest.raises(MissingDependency, match="names no OCR engine"):
        engine()


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text_image(LINES, size=(900, 300), pt=9).save(inbox / "page.png", dpi=(300, 300))
    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", inbox / "rapport.txt")
    return inbox


@pytest.mark.parametrize(("kind", "reason"), [
    ("crashing", "tesseract failed on page 1 (Segmentation fault (core dumped)); re-scan"),
    ("hanging", "page 1 took longer than 2 s to read and was stopped"),
])
def test_a_tesseract_that_crashes_or_hangs_costs_its_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, reason: str) -> None:
    """The scanned page is quarantined with the reason, the run goes on and publishes the rest."""
    monkeypatch.setenv(ENGINE_ENV, kind)
    monkeypatch.setenv("MISSIONS_PAGE_TIMEOUT", "2")
    summary = ingest([_inbox(tmp_path)], tmp_path / "out", workers=1)
    docs = read_release(tmp_path / "out")["documents"].set_index("file_type")
    assert docs.loc["png", "state"] == "quarantined" and reason in docs.loc["png", "error"]
    assert docs.loc["text", "state"] == "published"
    assert summary.quarantined and len(summary.quarantined) == 1


@pytest.mark.real_ocr
def test_the_scanned_sample_reads_the_same_on_real_and_recorded_tesseract(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The recordings still are what this tesseract reads: the scanned sample, every page (words,
    boxes, confidences, marks and their digits) and every record, read both ways."""
    path = str(SAMPLES / "rapport-2020-scan.pdf")
    session = os.environ.get(ENGINE_ENV, "")  # `recording:` under --record-ocr
    monkeypatch.setenv(ENGINE_ENV, session if session.startswith("record") else
                       f"recorded:{OCR_RECORDINGS}")
    recorded = process_file(path)
    monkeypatch.setenv(ENGINE_ENV, "tesseract")
    real = process_file(path)
    assert recorded.state == "published" and recorded.extraction.measures
    # tesseract stamps its text-only PDF page with the time it was written (/CreationDate):
    # those bytes differ from run to run; everything else is what the recordings hold
    assert all(p.text_pdf for p in real.pages) and all(p.text_pdf for p in recorded.pages)
    assert _without_pdf(real) == _without_pdf(recorded)


def _without_pdf(result: DocumentResult) -> DocumentResult:
    return replace(result, pages=tuple(replace(p, text_pdf=None) for p in result.pages))
