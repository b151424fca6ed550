"""Figures: the QA report's size on N documents (default 200), crops as files beside it versus
the inline data URIs of before, and the time the run and the report took.

Usage: .venv/bin/python bench/report_size.py [--docs 200] [--measures 12] [--workdir DIR]

Makes N born-digital PDFs (reportlab; a text layer, so no OCR: a page is rendered once for its
crops), each a report of its own mission with M numbered measures, ingests them with
`flows.pipeline.run.ingest` (no Prefect), then prints report.html's bytes, the crop files' count
and bytes, and the bytes the same report would have with every crop inlined.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TITLES = ("Rendre accessible l'existant pour agir dès à présent",
          "Favoriser la convergence entre les outils des territoires",
          "Valoriser les alliances stratégiques au travers des événements",
          "Structurer une réflexion partagée sur l'évaluation partenariale",
          "Piloter une recherche-action collective sur les modèles")


def make_pdf(path: Path, index: int, measures: int) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(60, 790, f"Rapport d'étape de la mission « Territoires {index:03d} »")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(60, 765, "Dimension opérationnelle (3/9 mois)")
    y = 740
    for n in range(1, measures + 1):
        pdf.drawString(60, y, f"{n}. {TITLES[(n + index) % len(TITLES)]} ({index}-{n})")
        y -= 22
    pdf.showPage()
    pdf.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--measures", type=int, default=12)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    from flows.pipeline.run import ingest
    from flows.release.layout import REPORT_CACHE, read_release
    from flows.report.render import render_report

    work = args.workdir or Path(tempfile.mkdtemp(prefix="missions-report-size-"))
    inbox, out = work / "inbox", work / "out"
    inbox.mkdir(parents=True, exist_ok=True)
    for i in range(args.docs):
        make_pdf(inbox / f"rapport-{i:03d}.pdf", i, args.measures)
    started = time.perf_counter()
    summary = ingest([str(inbox)], str(out))
    seconds = time.perf_counter() - started
    report = out / "report.html"
    files = sorted((out / ".current" / "report-files").glob("*.jpg"))
    crops_bytes = sum(f.stat().st_size for f in files)
    frames = read_release(out)
    t0 = time.perf_counter()
    inline = render_report(frames, cache_dir=out / REPORT_CACHE)  # every crop as a data URI
    inline_s = time.perf_counter() - t0
    n_measures = len(frames["measures"])
    print(f"documents: {len(summary.new)} new, {len(summary.quarantined)} quarantined; "
          f"{n_measures} measures; ingest {seconds:.1f} s")
    print(f"report.html: {report.stat().st_size:,} bytes "
          f"({report.stat().st_size / max(1, len(summary.new)):,.0f} per document)")
    print(f"report-files/: {len(files)} crops, {crops_bytes:,} bytes "
          f"({crops_bytes / max(1, len(files)):,.0f} per crop), loaded lazily")
    print(f"the same report with crops inlined (before): {len(inline.encode()):,} bytes "
          f"(rendered in {inline_s:.1f} s from the crop cache)")
    print(f"workdir: {work}")


if __name__ == "__main__":
    main()
