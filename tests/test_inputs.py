"""Inputs that reached outside the readers' limits, and messages that must tell the truth: one
bad entry never hides another, a corrected copy replaces its first version, pages and text are
bounded, cache entries are checked, and what goes into HTML or CSV cannot run. Legacy text and
text layers where possible: no OCR."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
import pytest

from extractors.document import process_file
from extractors.pages import MAX_PAGES
from extractors.sources import scan_inputs
from flows.access.csvsafe import neutralise
from flows.access.query import format_rows, make_filters, query_release
from flows.pipeline.discover import Known, compare, scan
from flows.pipeline.pagecache import CACHE_FORMAT, PageCache
from flows.pipeline.reading import read_document
from flows.pipeline.run import IngestRun, ingest
from flows.release.layout import read_release
from models.errors import ExitCode
from models.records import Line, Page
from tests.conftest import ROOT, SAMPLES, fill, run_cli, session_server, tiny_filesystem
from tests.test_hostile import build_pdf, pdf_text

CORPUS = ROOT / "tests" / "corpus"
LEGACY = SAMPLES / "rapport-2020-legacy.txt"


def nothing_new(paths: list[Path], out: Path) -> IngestRun | None:
    """The run that discovers `paths` against the release in `out`, when it finds nothing new
    (the command then answers without Prefect), else None."""
    with IngestRun(out) as run:
        run.discover(paths)
        return run if run.nothing_new else None


def measures_of(out: Path) -> pd.DataFrame:
    frames = read_release(out)
    return frames["measures"].merge(frames["documents"][["doc_id", "source_name"]])


# --------------------------------------------------------------------------- every entry counted


def test_a_pipe_never_hides_the_files_after_it(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(LEGACY, inbox / "a-rapport.txt")
    os.mkfifo(inbox / "b-tube.pdf")
    (inbox / ".cache-de-l-editeur").write_text("x")  # hidden: counted as ignored
    (inbox / "c-lien-casse.txt").symlink_to(inbox / "nulle-part.txt")
    first = ingest([str(inbox)], str(out), workers=1)
    assert (len(first.new), len(first.quarantined), len(first.ignored)) == (1, 2, 1)
    again = nothing_new([inbox], out)  # the cron job's next night: nothing new, still exit 3
    assert again is not None
    counts = again.summary
    assert (len(counts.unchanged), len(counts.quarantined), len(counts.ignored)) == (1, 2, 1)
    assert again.lock is None  # nothing to write: the folder was not even locked
    shutil.copy(CORPUS / "gen-alliances-slides-0.txt", inbox / "d-nouveau.txt")  # sorts after
    assert nothing_new([inbox], out) is None  # the new file is seen: the run reads it
    third = ingest([str(inbox)], str(out), workers=1)
    assert third.new == [str(inbox / "d-nouveau.txt")] and len(third.quarantined) == 2


def test_hidden_files_and_ignored_folders_are_counted(tmp_path: Path) -> None:
    (tmp_path / ".missionsignore").write_text("brouillons/\n*.md\n")
    (tmp_path / ".DS_Store").write_bytes(b"\0\1")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "brouillons").mkdir()
    (tmp_path / "brouillons" / "x.txt").write_text("x")
    (tmp_path / "notes.md").write_text("x")
    shutil.copy(LEGACY, tmp_path / "rapport.txt")
    found = {Path(f.name).name: f for f in scan_inputs([tmp_path])}
    assert {n for n, f in found.items() if f.ignored} == {".DS_Store", ".git", "brouillons",
                                                          "notes.md"}
    assert set(found) == {".DS_Store", ".git", "brouillons", "notes.md", "rapport.txt"}


def test_a_folder_that_cannot_be_listed_is_quarantined(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    shut = tmp_path / "ferme"
    shut.mkdir()
    (shut / "secret.txt").write_text("x")
    shutil.copy(LEGACY, tmp_path / "rapport.txt")
    real = os.scandir

    def scandir(path: object = ".") -> object:  # as root, permissions cannot refuse us
        if Path(os.fsdecode(path)) == shut:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(shut))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    found = compare(scan([tmp_path]), Known())
    assert [s.source_name for s in found.sources] == [str(tmp_path / "rapport.txt")]
    (name, why), = found.quarantined
    assert name == str(shut) and "a folder that cannot be listed (Permission denied)" in why


# --------------------------------------------------------------------------- versions of a file


def test_a_corrected_copy_under_the_same_name_supersedes_the_first(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(LEGACY, inbox / "rapport.txt")
    ingest([str(inbox)], str(out), workers=1)
    first = read_release(out)["documents"]["doc_id"].tolist()
    corrected = LEGACY.read_bytes().replace(b"Sccr\xe9taire", b"Secr\xe9taire")
    assert corrected != LEGACY.read_bytes()
    (inbox / "rapport.txt").write_bytes(corrected)
    ingest([str(inbox)], str(out), workers=1)
    frames = read_release(out)
    assert len(frames["measures"]) == 21  # not 21 + 21
    assert len(frames["documents"]) == 1 and frames["documents"]["doc_id"].tolist() != first
    history = frames["superseded"]
    assert history[["doc_id", "source_name", "state", "measures"]].values.tolist() == [
        [first[0], str(inbox / "rapport.txt"), "published", 21]]
    assert history["superseded_by"].tolist() == frames["documents"]["doc_id"].tolist()
    (inbox / "rapport.txt").write_bytes(b"")  # a replacement that cannot be read
    summary = ingest([str(inbox)], str(out), workers=1)
    assert len(summary.quarantined) == 1
    assert len(measures_of(out)) == 21  # the published version stays until a good copy comes


# --------------------------------------------------------------------------- bounded work


def test_pages_are_limited_and_text_is_read_in_linear_time(tmp_path: Path) -> None:
    feeds = tmp_path / "pages.txt"
    feeds.write_bytes(b"x\f" * 200_000)  # 400 KB, 200,000 pages
    result = read_document(feeds, "pages.txt")
    assert result.state == "quarantined"
    assert result.error == (f"pages.txt: the document has 200,000 pages, more than the "
                            f"{MAX_PAGES:,} a document may have; split it into smaller files.")
    many = tmp_path / "many.txt"
    many.write_bytes(b"Note de suivi.\f" * MAX_PAGES)  # at the limit: read, every page
    assert len(process_file(str(many)).pages) == MAX_PAGES


def test_long_and_huge_texts_are_refused_with_the_truth(tmp_path: Path) -> None:
    line = tmp_path / "une-ligne.txt"
    line.write_text("Les mesures sont présentées par dimension " * 30_000, encoding="utf-8")
    result = read_document(line, "une-ligne.txt")
    assert result.state == "quarantined" and "this is a bug" not in result.error
    assert "line 1 of page 1 has 1,259,999 characters, more than the 100,000 a line may have: " \
        "this is not text laid out in lines; re-export it with its line breaks" in result.error
    big = tmp_path / "enorme.txt"
    with open(big, "wb") as fh:  # 200 MB of text
        chunk = ("Une ligne de texte ordinaire.\n" * 4096).encode()
        fh.writelines(chunk for _ in range(200 * 2**20 // len(chunk)))
    result = read_document(big, "enorme.txt")
    assert result.state == "quarantined" and "re-scan" not in result.error
    assert "the text file has 209," in result.error and "split it into smaller files" in result.error


def test_utf16_without_bom_is_text_and_garbage_is_not(tmp_path: Path) -> None:
    text = LEGACY.read_bytes().decode("cp1252")
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        result = process_file(str(path))
        assert result.state == "published", result.error
        assert len(result.extraction.measures) == 21 and "Vincennes" in result.pages[0].text
    rng = random.Random(3)
    for name, data in {"haut.txt": bytes(rng.randrange(128, 256) for _ in range(6000)),
                       "imprimable.txt": bytes(rng.randrange(32, 127) for _ in range(6000))}.items():
        (tmp_path / name).write_bytes(data)
        result = read_document(tmp_path / name, name)
        assert result.state == "quarantined", name  # not published as text
        assert "not a PDF, TIFF, PNG, JPEG or text file" in result.error


def test_a_text_layer_is_published_as_written(tmp_path: Path) -> None:
    pdf = tmp_path / "ne.pdf"
    lines = ["Rapport de la mission sur le calc des dotations", "Mesure 1 - Revoir le calc et la",
             "base de calcul I'an prochain pour l'Etat"]
    pdf.write_bytes(build_pdf([((0, 0, 612, 792), pdf_text(lines))]))
    result = read_document(pdf, "ne.pdf")
    text = result.pages[0].text
    assert "le calc des dotations" in text and "cale" not in text  # no OCR repair on it
    assert "I'an prochain" in text and "Etat" in text
    assert {r.rule.split(".")[0] for r in result.repairs} <= {"typography", "hyphenation"}


# --------------------------------------------------------------------------- caches


@pytest.mark.parametrize("entry", ["null", "[]", '{"format": 2, "page": null}',
                                   '{"format": 2, "page": {"page": "1"}}', "{",
                                   "WRONG_PAGE", "FORMAT_BEFORE"])
def test_a_bad_page_cache_entry_is_a_miss_named_under_v(tmp_path: Path, entry: str,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    cache = PageCache(tmp_path)
    good = Page(page=2, method="ocr", lines=(Line("Texte", (1, 2, 3, 4)),), width_px=10,
                height_px=10, dpi=72, rules=((0, 8, 10, 9),))
    cache.put("ab" * 32, 1, "k", good)  # a valid record, but of page 2: not page 1's
    path = cache._path("ab" * 32, 1, "k")
    if entry == "FORMAT_BEFORE":  # page 1's own record, written before pages kept their rules
        record = json.loads(path.read_text(encoding="utf-8"))
        record["format"] = CACHE_FORMAT - 1
        record["page"]["page"] = 1
        path.write_text(json.dumps(record), encoding="utf-8")
    elif entry != "WRONG_PAGE":
        path.write_text(entry, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="missions"):
        assert cache.get("ab" * 32, 1, "k") is None
    assert f"page cache entry {path} is not usable" in caplog.text
    assert "reading the page again" in caplog.text
    cache.put("ab" * 32, 2, "k", good)
    assert cache.get("ab" * 32, 2, "k") == good  # the rules erased before OCR come back too


# --------------------------------------------------------------------------- CSV and query


def test_formula_cells_are_neutralised_in_csv_raw_in_sqlite(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    formula = '=HYPERLINK("http://example.invalid","Cliquez")'
    (inbox / "piege.txt").write_text(
        f"Les mesures proposées\n\nDimension opérationnelle (3/9 mois)\n\n1. {formula}\n"
        "2. Renforcer la coordination des acteurs locaux\n3. @SUM(A1:A9) pour ouvrir les "
        "données\n", encoding="utf-8")
    ingest([str(inbox)], str(out), workers=1)
    raw = sqlite3.connect(out / "missions.sqlite").execute(
        "select title from measures where title like '%HYPERLINK%'").fetchone()[0]
    assert raw.startswith("=HYPERLINK(")  # the value as written, in SQLite
    assert pd.read_parquet(out / "parquet" / "measures.parquet")["title"].str.startswith(
        "=HYPERLINK(").any()
    csv_text = (out / "csv" / "measures.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in csv_text and ',"=HYPERLINK' not in csv_text
    assert ",'@SUM(A1:A9) pour" in csv_text
    cols, rows = query_release(out, "select title, -1.5 as n from measures where title like '=%'")
    assert format_rows(cols, rows, "csv").splitlines()[1].startswith('"\'=HYPERLINK(')
    assert format_rows(cols, rows, "csv").endswith(",-1.5")  # numbers are left alone
    assert format_rows(cols, rows, "json").count('"=HYPERLINK(') == 1
    assert [neutralise(v) for v in ("@x", "+1 2", "\tx", "-", "-2", "ok")] == [
        "'@x", "'+1 2", "'\tx", "'-", "-2", "ok"]


def test_report_filter_is_literal(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(LEGACY, inbox / "rapport.txt")
    ingest([str(inbox)], str(out), workers=1)
    assert query_release(out, filters=make_filters(report="%"))[1] == []
    assert query_release(out, filters=make_filters(report="%%"))[1] == []
    assert len(query_release(out, filters=make_filters(report="rapport"))[1]) == 21


RUNAWAY = ("with recursive r(i) as (select 1 union all select i + 1 from r) "
           "select count(*) from r")


@contextlib.contextmanager
def runaway_query(tmp_path: Path, launcher: Sequence[str] = ()
                  ) -> Iterator[subprocess.Popen[str]]:
    """`missions query RUNAWAY` on a small release, started by `launcher` (none, or a shell
    that ignores SIGINT first), 3 s into its query; killed on the way out if still running."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(LEGACY, inbox / "rapport.txt")
    ingest([str(inbox)], str(out), workers=1)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*launcher, sys.executable, "-m", "flows.cli", "query", RUNAWAY,
                             "--out", str(out)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)  # well into the query
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.communicate()  # its pipes closed


def test_ctrl_c_stops_a_runaway_query(tmp_path: Path) -> None:
    with runaway_query(tmp_path) as proc:
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)  # as Ctrl-C
        _stdout, stderr = proc.communicate(timeout=10)
    assert proc.returncode == ExitCode.interrupted, stderr
    assert stderr.strip() == "missions: interrupted."


def test_a_query_started_with_ctrl_c_ignored_keeps_it_ignored(tmp_path: Path) -> None:
    """Started where SIGINT is ignored (`missions query … &` in a script), a query is not
    stopped by it — nor stopped and passed off as an empty result with exit 0, as it was — and
    SIGTERM still stops it."""
    ignoring = ["sh", "-c", 'trap "" INT; exec "$0" "$@"']  # SIGINT ignored, as `cmd &` does
    with runaway_query(tmp_path, ignoring) as proc:
        proc.send_signal(signal.SIGINT)
        time.sleep(1)
        assert proc.poll() is None  # still running
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=10)
    assert proc.returncode == ExitCode.terminated, stderr
    assert stdout == ""


# --------------------------------------------------------------------------- disk full at start


def test_disk_full_at_start_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    with tiny_filesystem(tmp_path / "tiny", "64k") as out:
        fill(out)
        before = sorted(p.name for p in out.iterdir())
        run = run_cli("ingest", str(LEGACY), "--out", str(out))
        assert run.returncode == ExitCode.output_not_writable, run.stderr
        assert f"The disk holding the output folder {out} is full" in run.stderr
        assert "permissions" not in run.stderr and "Traceback" not in run.stderr
        assert sorted(p.name for p in out.iterdir()) == before  # no temporary file left


# --------------------------------------------------------------------------- a giant page


def _peak_rss(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), bytes; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(ln.split()[1]) * 1024 for ln in status.splitlines()
                 if ln.startswith("VmHWM")), 0)  # none once it is a zombie


PARENT_RSS_BOUND = 1536 * 2**20  # was 7.3 GB: the page was rendered whole here for its crops


def test_a_giant_page_costs_the_parent_little_memory(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    side = 30000  # points: 10.6 m a side, 1.7 KB of PDF
    lines = ["Dimension operationnelle (3/9 mois)", "1. Faciliter l'usage des donnees publiques",
             "2. Renforcer la coordination des acteurs", "3. Ouvrir les donnees de la mission"]
    content = pdf_text(lines).replace(b"72 720 Td", f"72 {side - 100} Td".encode())
    (inbox / "geante.pdf").write_bytes(build_pdf([((0, 0, side, side), content)]))
    session_server()  # its flow runs on the session's Prefect server: up before the run starts
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "ingest", str(inbox), "--out",
                             str(tmp_path / "out")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _peak_rss(proc.pid))
        time.sleep(0.05)
    _stdout, stderr = proc.communicate()
    assert proc.returncode == ExitCode.ok, stderr[-2000:]
    print(f"peak RSS of the parent {peak / 2**20:.0f} MiB")
    assert 0 < peak < PARENT_RSS_BOUND, f"peak RSS of the parent {peak / 2**20:.0f} MiB"
    frames = read_release(tmp_path / "out")
    assert len(frames["measures"]) == 3 and frames["pages"]["width_px"].tolist() == [side]
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert report.count('src=".current/report-files/') == 3  # its crops, cut small, as files
