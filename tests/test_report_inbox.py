"""The QA report an archivist reads each morning (issue 15): quarantine reasons in the top
table, an anchor per document, what is new in this release marked, « repaired » only where the
`repairs` table changed words of a title, and crops as files beside the page, loaded lazily
and listed in the manifest. Born-digital PDFs and legacy text: no OCR."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

from flows.pipeline.run import ingest
from flows.report.sections import is_word_repair
from tests.conftest import SAMPLES
from tests.test_hostile import build_pdf, pdf_text

IDS = re.compile(r'\bid="([^"]+)"')
LINES = ["Les mesures proposees", "Dimension operationnelle (3/9 mois)",
         "1. Rendre accessible l'existant pour agir", "2. Renforcer la coordination des acteurs"]


def test_report_of_an_inbox_over_two_runs(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "mesures.pdf").write_bytes(build_pdf([((0, 0, 612, 792), pdf_text(LINES))]))
    for name in ("note.docx", "compte rendu.docx"):  # two refused files: two stub ids
        (inbox / name).write_bytes(b"PK\x03\x04" + b"\0" * 26 + b"word/document.xml")
    ingest([str(inbox)], str(out), workers=1)
    first = (out / "report.html").read_text(encoding="utf-8")
    ids = Counter(IDS.findall(first))
    assert ids and max(ids.values()) == 1, "every anchor is unique"
    top = first.split("</table>", 1)[0]  # the documents table, before any section
    assert top.count("Word document, which is not read: export it to PDF") == 2
    assert first.count("new in this release</span>") == 2 * 3  # in the table and each section
    crops = re.findall(r'<img loading="lazy"[^>]* src="([^"]+)"', first)
    assert len(crops) == 2 and all(c.startswith(".current/report-files/") for c in crops)
    assert "data:image" not in first
    for crop in crops:  # reached from DIR/report.html as a browser resolves it
        assert (out / crop).read_bytes().startswith(b"\xff\xd8\xff")
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert {c.removeprefix(".current/") for c in crops} <= set(files)

    shutil.copy(SAMPLES / "rapport-2020-legacy.txt", inbox / "rapport.txt")
    ingest([str(inbox)], str(out), workers=1)
    second = (out / "report.html").read_text(encoding="utf-8")
    marked = re.findall(r'>([^<>]+)</a><span class="badge new">', second)
    assert [Path(m).name for m in marked] == ["rapport.txt"], "only this release's document"


def test_a_dropped_separator_is_no_repair() -> None:
    assert not is_word_repair("n°1 |", "n°1") and not is_word_repair("|", "")
    assert is_word_repair("stra tégiques", "stratégiques") and is_word_repair("Etat", "État")
    assert is_word_repair("|'", "l'")


def test_chips_take_the_documents_own_legend_colours() -> None:
    from flows.report.charts import STATUS_COLOURS, chip, legend_palette

    rows = [{"status": "retard_explique", "colour": "#e8d33f", "page": 2},
            {"status": "retard_explique", "colour": "#000000", "page": 5},  # first page's wins
            {"status": "satisfaisant", "colour": None}, {"status": "bogus", "colour": "#123456"},
            {"status": "remis_en_cause", "colour": "red;}</style>"}]  # never into the page
    palette = legend_palette(rows)
    assert palette == {"retard_explique": "#e8d33f"}
    late = chip("retard_explique", palette)
    assert "background:#e8d33f;color:#111" in late  # dark ink on a light yellow swatch
    assert STATUS_COLOURS["satisfaisant"] in chip("satisfaisant", palette)


def test_a_legend_swatch_is_recorded_with_its_colour() -> None:
    from extractors.legend import Swatch
    from models.records import ColourRegion

    region = ColourRegion(bbox=(0, 0, 40, 40), rgb=(232.4, 211.0, 63.0), lab=(85.0, -5.0, 70.0),
                          area=1600.0, fill=1.0)
    entry = Swatch("retard_explique", "Retard expliqué", (1, 2, 3, 4), region, 95.0).entry(2)
    assert entry.colour == "#e8d33f" and entry.page == 2


def test_spacing_added_inside_guillemets_is_a_repair() -> None:
    assert is_word_repair("«mondes", "« mondes") and is_word_repair("el", "")
