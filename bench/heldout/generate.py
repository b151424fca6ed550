"""Command line of the held-out set: plans, renders, scans and writes documents with their truth."""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.heldout import damage, plan, render
from bench.heldout.html_pages import document_html
from bench.heldout.html_parts import SIZES
from bench.heldout.style import Dealer
from bench.heldout.truth import build_truth, check_truth

EXTENSIONS = {"born-digital": ".pdf", "image-pdf": ".pdf", "tiff": ".tif", "png": ".png",
              "jpeg": ".jpg"}


def _fit_pdf(doc: dict, html: Path, pdf: Path) -> None:
    """Prints the document, shrinking its type until every planned page holds its content."""
    want = len(doc["pages"])
    for _ in range(8):
        html.write_text(document_html(doc), encoding="utf-8")
        render.print_pdf(html, pdf)
        got = render.count_pages(pdf)
        if got == want:
            return
        doc["style"]["font_scale"] = round(doc["style"]["font_scale"] * 0.9, 4)
    raise render.RenderError(f"{html.name}: {got} pages printed for {want} planned")


def build_document(doc: dict, out_dir: Path, work: Path) -> dict:
    """Renders one planned document into out_dir and returns its truth record."""
    stem = f"hb-{doc['index']:03d}-{doc['kind'].replace('+', '-')}"
    name = stem + EXTENSIONS[doc["output"]]
    html, pdf, target = work / f"{stem}.html", work / f"{stem}.pdf", out_dir / name
    _fit_pdf(doc, html, pdf)
    sc = doc["scan"]
    if doc["output"] == "born-digital":
        shutil.copyfile(pdf, target)
        eff = {}
        n_pages = render.count_pages(target)
    else:
        if sc["raster"] == "chromium-screenshot":
            pages = [render.screenshot(html, work / f"{stem}.png", SIZES[doc["page_format"]],
                                       sc["dpi"])]
        else:
            pages = render.rasterise(pdf, sc["dpi"])
        pages = damage.damage_pages(pages, sc)
        eff = damage.write_images(pages, target, doc["output"], sc)
        n_pages = len(pages)
    truth = build_truth(doc, name, n_pages, eff)
    problems = check_truth(truth, out_dir)
    if problems:
        raise ValueError(f"{name}: truth inconsistent: {problems}")
    (out_dir / f"{name}.expected.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth


def plan_set(n: int, seed: int) -> list[dict]:
    """Returns the plans of a whole set: deterministic for (n, seed)."""
    dealer = Dealer(random.Random(seed))
    docs = []
    for i in range(1, n + 1):
        doc = plan.draw_document(i, seed, dealer)
        doc["scan"] = damage.draw_scan(random.Random(doc["doc_seed"] + 1), dealer, doc["output"],
                                       len(doc["pages"]))
        docs.append(doc)
    return docs


def generate(out_dir: Path, n: int = 60, seed: int = 7, log=print) -> list[dict]:
    """Writes n documents, their truth files and .missionsignore into out_dir."""
    if render.chromium_path() is None:
        raise render.RenderError("chromium is not installed: the held-out set cannot be drawn")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / ".missionsignore").write_text("*.json\n", encoding="utf-8")
    truths = []
    with tempfile.TemporaryDirectory(prefix="heldout-") as tmp:
        for doc in plan_set(n, seed):
            t0 = time.monotonic()
            truth = build_document(doc, out_dir, Path(tmp))
            truths.append(truth)
            log(f"{truth['source']}: {truth['n_pages']} page(s), {len(truth['measures'])} "
                f"measures, {time.monotonic() - t0:.1f} s")
    return truths


def main(argv: list[str] | None = None) -> int:
    """Parses the command line, draws the set and prints its counts per class tag."""
    ap = argparse.ArgumentParser(prog="python -m bench.heldout.generate",
                                 description="Draw the held-out evaluation set (generator B).")
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--n", type=int, default=60, help="number of documents (default 60)")
    ap.add_argument("--seed", type=int, default=7, help="set seed (default 7)")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    try:
        truths = generate(args.out_dir, args.n, args.seed,
                          log=lambda s: print(s, file=sys.stderr))
    except render.RenderError as exc:
        print(f"heldout: {exc}", file=sys.stderr)
        return 2
    tags = Counter(c for t in truths for c in t["classes"])
    pages = sum(t["n_pages"] for t in truths)
    measures = sum(len(t["measures"]) for t in truths)
    print(f"{len(truths)} documents, {pages} pages, {measures} measures in {args.out_dir} "
          f"({time.monotonic() - t0:.0f} s)")
    for tag, count in sorted(tags.items()):
        print(f"  {tag:28s} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
