"""Benchmark: what the archival outputs (PDF/A, ALTO, datapackage.json) cost a cold run.

Usage: .venv/bin/python bench/bench_archive.py [--pages 30] [--pairs 3] [--base REV]
                                              [--ocrmypdf PATH]
       .venv/bin/python bench/bench_archive.py --per-page 2   # the per-page parts only

Builds bench_ingest's corpus (distinct degraded scans, 3 pages per PDF), exports the code at
REV (default: the merge base with main, i.e. without these outputs) into a temporary folder,
then runs a cold `missions ingest` (fresh --out, warm PREFECT_HOME) of the corpus with that
code and with this checkout, alternately, `--pairs` times, with this checkout's interpreter:
wall time and CPU time (user+sys of the run's process tree), and their ratios. With
`--ocrmypdf PATH`, OCRmyPDF (PDF/A + text sidecar, one job per core) over the same files, in
the same loop. Prints a table (the machine is shared: read ratios over pairs, with `uptime`).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_ingest import make_corpus

CORES = len(os.sched_getaffinity(0))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command and its whole process tree. `missions` does not wait
    for every process it starts (the reader pool's, the server), so getrusage would miss them:
    the tree is sampled every 0.1 s instead, each process's own time (a process's last 0.1 s,
    or one that lives less than 0.1 s, is missed)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    seen: dict[int, float] = {}
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            for p in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    t = p.cpu_times()
                    seen[p.pid] = t.user + t.system  # its children are counted as themselves
        time.sleep(0.1)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({proc.returncode}): {err[-800:]}")
    return wall, sum(seen.values())


def per_page(files: list[Path], rounds: int) -> None:
    """CPU of the parts that change per page: tesseract tsv alone vs tsv+alto+pdf (alternately,
    `rounds` times), then the ALTO conversion and the PDF/A of each document, in-process."""
    import pypdfium2 as pdfium

    sys.path.insert(0, str(ROOT))
    from extractors.tesscli import run_tesseract

    from extractors.alto import alto_problems, alto_v4, for_source
    from extractors.pdfa import searchable_pdfa
    from models.records import Page

    images = []
    for f in files:
        pdf = pdfium.PdfDocument(str(f))
        images += [(f, i, pdf[i].render(scale=300 / 72).to_pil().convert("L"))
                   for i in range(len(pdf))]
        pdf.close()
    cpu = {"tsv": 0.0, "tsv alto pdf": 0.0}
    read: dict[tuple[Path, int], dict[str, bytes]] = {}
    for r in range(rounds):
        for outputs in (("tsv",), ("tsv", "alto", "pdf")) if r % 2 == 0 else (
                ("tsv", "alto", "pdf"), ("tsv",)):
            before = children_cpu()
            for f, i, img in images:
                got = run_tesseract(img, lang="fra", config="--psm 3 --dpi 300 -c textonly_pdf=1",
                                    outputs=outputs, timeout=300)
                if len(outputs) == 3:
                    read[(f, i)] = got
            cpu[" ".join(outputs)] += children_cpu() - before
    start = time.process_time()
    pages: dict[Path, list[Page]] = {}
    for (f, i), got in read.items():
        w, h = next(img.size for g, j, img in images if (g, j) == (f, i))
        alto = alto_v4(got["alto"], got["tsv"], scale=1, width=w, height=h, note="bench")
        assert not alto_problems(for_source(alto, f.name, i + 1))
        pages.setdefault(f, []).append(Page(page=i + 1, method="ocr", lines=(), width_px=w,
                                            height_px=h, dpi=300, skew_degrees=0.0,
                                            alto=alto, text_pdf=got["pdf"]))
    alto_cpu = time.process_time() - start
    start = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        for f, ps in pages.items():
            searchable_pdfa(f, "pdf", ps, Path(tmp) / f.name, title=f.stem, source_name=f.name)
    pdfa_cpu = time.process_time() - start
    n = len(images)
    print(f"{n} pages, {rounds} rounds, load {os.getloadavg()[0]:.1f}: tesseract tsv "
          f"{cpu['tsv'] / rounds:.1f} CPU-s, tsv+alto+pdf {cpu['tsv alto pdf'] / rounds:.1f} "
          f"CPU-s ({cpu['tsv alto pdf'] / cpu['tsv']:.3f}x); ALTO 4.2 + XSD check "
          f"{alto_cpu * 1000 / n:.0f} ms/page; PDF/A graft + save + validation "
          f"{pdfa_cpu * 1000 / n:.0f} ms/page")


def export(rev: str, dest: Path) -> Path:
    """The code at `rev`, as files (git archive): never a checkout of this repository."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def ingest(code: Path, corpus: Path, out: Path, home: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(code), "PREFECT_HOME": str(home)}
    return timed([sys.executable, "-m", "flows.cli", "ingest", str(corpus), "--out", str(out)],
                 code, env)


def ocrmypdf(exe: str, files: list[Path], out: Path) -> tuple[float, float]:
    """OCRmyPDF making the PDF/A and the text sidecar of each file, `CORES` files at a time."""
    out.mkdir()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cpu, start = children_cpu(), time.perf_counter()
    running: list[subprocess.Popen[bytes]] = []
    for f in files:
        if len(running) >= CORES:
            running.pop(0).wait()
        running.append(subprocess.Popen(
            [exe, "-l", "fra", "--output-type", "pdfa", "--pdfa-backend", "internal", "-j", "1",
             "--sidecar", str(out / f"{f.stem}.txt"), str(f), str(out / f.name)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    codes = [p.wait() for p in running]
    return time.perf_counter() - start, children_cpu() - cpu if not any(codes) else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--base", default=None, help="code without the outputs (a git rev)")
    parser.add_argument("--ocrmypdf", default=None, help="an ocrmypdf executable")
    parser.add_argument("--per-page", type=int, default=0, metavar="ROUNDS",
                        help="time only the per-page parts, ROUNDS times (no full runs)")
    args = parser.parse_args()
    if args.per_page:
        with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
            per_page(make_corpus(Path(tmp), args.pages), args.per_page)
        return 0
    base = args.base or subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"],
                                       capture_output=True, text=True, check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        work = Path(tmp)
        files = make_corpus(work, args.pages)
        corpus = files[0].parent
        before = export(base, work / "before")
        homes = {"before": work / "prefect-before", "after": work / "prefect-after"}
        codes = {"before": before, "after": ROOT}
        for name, code in codes.items():  # warm each Prefect home (migrations) on one file
            warm = work / f"warm-{name}"
            warm.mkdir()
            (warm / "a.txt").write_text("Rapport\n\n1. Mesure.\n", encoding="utf-8")
            ingest(code, warm, work / f"out-warm-{name}", homes[name])
        rows: dict[str, list[tuple[float, float]]] = {"before": [], "after": [], "ocrmypdf": []}
        print(f"{len(files)} files, {args.pages} pages; before = {base[:10]}; "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        for i in range(args.pairs):
            order = ["before", "after"] if i % 2 == 0 else ["after", "before"]
            for name in order:
                wall, cpu = ingest(codes[name], corpus, work / f"out-{name}-{i}", homes[name])
                rows[name].append((wall, cpu))
                print(f"pair {i + 1} {name:8s} wall {wall:6.1f} s  cpu {cpu:6.1f} s  "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
            if args.ocrmypdf:
                wall, cpu = ocrmypdf(args.ocrmypdf, files, work / f"out-ocrmypdf-{i}")
                rows["ocrmypdf"].append((wall, cpu))
                print(f"pair {i + 1} ocrmypdf wall {wall:6.1f} s  cpu {cpu:6.1f} s", flush=True)
        print("\n| run | wall (s) | CPU (s) |\n|---|---|---|")
        for name, values in rows.items():
            if values:
                print(f"| {name} | {' / '.join(f'{w:.1f}' for w, _ in values)} | "
                      f"{' / '.join(f'{c:.1f}' for _, c in values)} |")
        ratios = [(a[0] / b[0], a[1] / b[1]) for a, b in zip(rows["after"], rows["before"],
                                                              strict=True)]
        print(f"\nafter/before per pair: wall {', '.join(f'{w:.3f}' for w, _ in ratios)}; "
              f"CPU {', '.join(f'{c:.3f}' for _, c in ratios)}; median wall "
              f"{statistics.median(w for w, _ in ratios):.3f}, CPU "
              f"{statistics.median(c for _, c in ratios):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
