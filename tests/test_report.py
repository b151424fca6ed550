"""The QA report written with each release: crops, charts, counts; rendered by headless Chromium."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from flows.report.charts import STATUS_COLOURS
from flows.report.crops import CropCache, CropRequest, PageGeometry, cut_ahead, document_crops
from flows.report.render import render_report
from flows.report.sections import checks_agree, title_repairs
from tests.conftest import ROOT, Release, all_truths, truth

DATA_URI = re.compile(r'src="data:image/jpeg;base64,([^"]+)"')  # a report rendered on its own
CROP_FILE = re.compile(r'src="(\.current/report-files/[0-9a-f]+\.jpg)"')  # one in a release


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("chromium is missing: run `bash scripts/setup.sh` (it installs it with apt)")
    return exe


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args],
        capture_output=True, text=True, timeout=120, check=False)


def measures_with_crops() -> int:
    """Measures with a box on their page: every sample's but the legacy text's (truth files)."""
    return sum(len(t["measures"]) for name, t in all_truths().items() if not name.endswith(".txt"))


def test_report_is_part_of_the_release(sample_release: Release) -> None:
    out = sample_release.out
    assert os.readlink(out / "report.html") == ".current/report.html"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "report.html" in manifest["files"]
    text = (out / "report.html").read_text(encoding="utf-8")
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in text and "https://" not in text  # the machine has no internet
    crops = CROP_FILE.findall(text)
    assert len(crops) == measures_with_crops() > 0 and not DATA_URI.search(text)
    assert {c.removeprefix(".current/") for c in crops} <= set(manifest["files"])
    for src in crops[:: max(1, len(crops) // 12)]:
        with Image.open(out / src) as img:  # as the page reaches it from DIR/report.html
            assert img.format == "JPEG" and img.width <= 760 and 10 < img.height < 400
    docs = sample_release.frames["documents"]
    assert text.count("<svg") >= len(docs) + 1  # a chart per report, one across the 2020/2021 series
    assert "Statuses by dimension across reports" in text and "Measure history" in text
    assert "no box on the page (legacy text)" in text


def test_report_renders_in_headless_chromium(sample_release: Release, tmp_path: Path) -> None:
    url = (sample_release.out / "report.html").resolve().as_uri()
    dom = run_chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert "missions — QA report" in html
    assert html.count("<svg") >= 2 and html.count("<rect") > 20
    assert len(CROP_FILE.findall(html)) == measures_with_crops()
    shot = tmp_path / "report.png"  # never into the repository
    run = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    with Image.open(shot) as img:
        rgb = img.convert("RGB")
        assert rgb.size == (1280, 2000)
        colours = {rgb.getpixel((x, y)) for x in range(0, 1280, 2) for y in range(0, 2000, 2)}
    # the series chart and the history chips stand in the first screen, in the status colours
    wanted = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in STATUS_COLOURS.values()}
    assert len(wanted & colours) >= 3


def frames_of(sample_release: Release, source_name: str) -> dict[str, pd.DataFrame]:
    frames = {k: v.copy() for k, v in sample_release.frames.items()}
    docs = frames["documents"]
    scan = docs["source_name"].str.endswith("rapport-2020-scan.pdf")
    frames["documents"] = docs[scan].assign(source_name=source_name)
    return frames


def test_a_source_unseen_or_gone_is_said_not_fatal(sample_release: Release,
                                                   tmp_path: Path) -> None:
    """Crops not kept are cut from the file where the run found the document's bytes; a file
    the run did not see, or that is gone since, is said. A name is never opened as a path."""
    other = tmp_path / "other.pdf"  # a real file at the name the tables give: never opened
    shutil.copy(ROOT / "samples" / "suivi-2021-born-digital.pdf", other)
    frames = frames_of(sample_release, str(other))
    unseen = render_report(frames)
    assert "inputs (moved, or not given this time); no crops" in unseen
    assert not DATA_URI.search(unseen)
    doc_id = frames["documents"]["doc_id"].iloc[0]
    gone = render_report(frames, sources={doc_id: tmp_path / "moved.pdf"})
    assert "moved.pdf is gone (moved or deleted); no crops" in gone
    assert not DATA_URI.search(gone)


def test_crops_of_a_scan_come_from_the_page_views_kept_when_it_was_read(
        sample_release: Release, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader kept each scanned page as read: the report cuts it, never re-renders it, and
    still shows the crops when the source has been moved away since."""
    from flows.report import crops

    monkeypatch.setattr(crops, "render_page", lambda *a: pytest.fail("page rendered again"))
    frames = frames_of(sample_release, str(tmp_path / "moved.pdf"))
    text = render_report(frames, cache_dir=tmp_path / "out" / ".cache" / "report")
    assert not DATA_URI.search(text)  # another folder: no views there, and no source either
    text = render_report(frames, cache_dir=sample_release.out / ".cache" / "report-test")
    assert "no crops" not in text
    scan = frames["measures"][frames["measures"]["doc_id"].isin(frames["documents"]["doc_id"])]
    assert len(DATA_URI.findall(text)) == int(scan["bbox"].notna().sum()) == len(
        truth("rapport-2020-scan.pdf")["measures"])


def test_crops_cut_ahead_are_the_ones_the_report_shows(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A run cuts each document's crops as soon as it is extracted (while other pages are
    read); the report at the end of the run then only assembles them: no page opened again."""
    from extractors.document import process_file
    from flows.release.tables import frames_from_results
    from flows.report import crops

    result = process_file(str(ROOT / "samples" / "suivi-2021-born-digital.pdf"))
    cache = tmp_path / "out" / ".cache" / "report"
    cut_ahead(result, tmp_path / "out", cache)
    monkeypatch.setattr(crops, "render_page", lambda *a: pytest.fail("page rendered again"))
    monkeypatch.setattr(CropCache, "view", lambda *a: pytest.fail("page view opened"))
    text = render_report(frames_from_results([result], "v", "2026-11-26T00:00:00Z"),
                         cache_dir=cache)
    assert "no crops" not in text
    assert len(DATA_URI.findall(text)) == sum(m.bbox is not None for m in
                                              result.extraction.measures) == len(
        truth("suivi-2021-born-digital.pdf")["measures"])


def test_crops_are_cached_and_each_page_rendered_once(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from extractors.sources import sha256_file
    from flows.report import crops

    pdf = ROOT / "samples" / "suivi-2021-born-digital.pdf"
    doc_id = sha256_file(pdf)
    geometry = {1: PageGeometry(1, 595, 842, 72)}
    requests = [CropRequest(1, (58, 206, 404, 216)), CropRequest(1, (58, 506, 386, 529))]
    calls: list[int] = []
    real = crops.render_page
    monkeypatch.setattr(crops, "render_page", lambda *a: calls.append(1) or real(*a))
    cache = CropCache(tmp_path / "cache")
    made, note = document_crops(pdf, doc_id, "pdf", geometry, requests, cache)
    assert note is None and len(made) == 2 and len(calls) == 1
    again, _ = document_crops(pdf, doc_id, "pdf", geometry, requests, cache)
    assert again == made and len(calls) == 1  # from the cache: no rendering


def test_a_title_is_repaired_when_a_recorded_repair_stands_in_it() -> None:
    """The badge comes from the `repairs` rows of the measure's page: numbering, typography,
    a capital or a table's rule are not repairs; a repair recorded elsewhere on the page, or
    one whose text is in the title as read too, is not this title's."""
    elision = {"rule": "elision-l.v2", "before": "I'existant", "after": "l'existant"}
    bare = {"rule": "elision-l.v2", "before": "'", "after": "l'"}
    junk = {"rule": "mark-junk.v2", "before": "el", "after": ""}
    glued = {"rule": "guillemets.v1", "before": "«", "after": "« "}
    quote = {"rule": "typography.v2", "before": "l’occasion", "after": "l'occasion"}
    page = [elision, bare, junk, glued, quote]
    assert title_repairs("1. Rendre accessible I'existant", "Rendre accessible l'existant",
                         page) == [elision]
    assert title_repairs("valoriser 'investissement dans l'innovation",
                         "valoriser l'investissement dans l'innovation", page) == [bare]
    assert title_repairs("Développer notre capacité à « faire alliance » el",
                         "Développer notre capacité à « faire alliance »", page) == [junk]
    assert title_repairs("des différents «mondes »", "des différents « mondes »", page) == [glued]
    for raw, title in [("Mesure 7 — Faire des ODD l’occasion", "Faire des ODD l'occasion"),
                       ("n°11 | inciter à un État exemplaire", "Inciter à un État exemplaire"),
                       ("du « jouer collectif »", "du « jouer collectif »"),
                       (None, "x")]:
        assert title_repairs(raw, title, page) == [], raw
    assert checks_agree([]) is None
    assert checks_agree([{"agrees": 1}, {"agrees": 0}]) is False


def test_text_repairs_are_listed_folded(sample_release: Release) -> None:
    frames = frames_of(sample_release, "/nowhere/scan.pdf")
    doc_id = frames["documents"]["doc_id"].iloc[0]
    frames["repairs"] = pd.DataFrame({"doc_id": [doc_id, doc_id], "page": [3, 3],
                                      "rule": ["elision-l.v2", "typography.v2"],
                                      "before": ["I'existant", "l’existant"],
                                      "after": ["l'existant", "l'existant"]})
    text = render_report(frames)
    assert "<summary>Text repairs (1)</summary>" in text and "I&#x27;existant" in text


def test_report_escapes_what_it_is_given(tmp_path: Path) -> None:
    """A crop-cache value is checked (a JPEG data URI, or cut again) and every value put into
    the page is escaped: titles, names, statuses outside the vocabulary."""
    from extractors.document import process_file
    from flows.release.tables import frames_from_results

    result = process_file(str(ROOT / "samples" / "suivi-2021-born-digital.pdf"))
    cache = tmp_path / "out" / ".cache" / "report"
    cut_ahead(result, tmp_path / "out", cache)
    (cached,) = list(cache.glob("*.json"))
    crops = json.loads(cached.read_text(encoding="utf-8"))
    hostile = '"><script>alert(1)</script><img src="x'
    cached.write_text(json.dumps({k: hostile for k in crops}), encoding="utf-8")
    frames = frames_from_results([result], "v", "2026-11-26T00:00:00Z")
    measures = frames["measures"].copy()
    measures.loc[0, "title"] = "<script>alert('titre')</script>"
    measures.loc[1, "status"] = '"><svg onload=alert(1)>'
    frames["measures"] = measures
    pdf = ROOT / "samples" / "suivi-2021-born-digital.pdf"
    text = render_report(frames, cache_dir=cache, sources={result.source.doc_id: pdf})
    assert "<script" not in text and "<svg onload" not in text and 'src="x' not in text
    assert "&lt;script&gt;alert(&#x27;titre&#x27;)&lt;/script&gt;" in text
    assert len(DATA_URI.findall(text)) == 21  # the crops were cut again, not taken from the file
