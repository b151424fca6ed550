"""Benchmark: tesseract floor vs OCRmyPDF vs `missions ingest` (cold, warm) on one corpus.

Usage: .venv/bin/python bench/bench_ingest.py [--pages 30] [--big 100] [--workdir DIR]
       .venv/bin/python bench/bench_ingest.py --pairs 5   # (a) and (c) only, alternately

Builds a corpus of distinct scanned pages (each a differently degraded copy of the sample
scan's pages: skew, noise, blur, JPEG — no two files alike), then times on that same corpus:
 (a) tesseract alone over the pages rasterised at 300 dpi (pdfium → BMP, rasterising not
     timed), single-threaded (OMP_THREAD_LIMIT=1), one process per core — the floor;
 (b) OCRmyPDF --jobs <cores> --sidecar (installed into bench/.venv-ocrmypdf on first use);
 (c) `missions ingest` cold (fresh --out, warm PREFECT_HOME);
 (d) `missions ingest` again over the same inputs;
 then (c) and the one-file start-up again with a Prefect server kept between runs
 (`missions server start`), the embedded server's boot left out;
and the peak memory (RSS summed over the process tree) of (c) on a generated N-page PDF.
Prints a table; writes it to bench/results/bench_ingest.md.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pypdfium2 as pdfium
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from samples.render import degrade

MISSIONS = str(ROOT / ".venv" / "bin" / "missions")
CORES = len(os.sched_getaffinity(0))
SOURCE = ROOT / "samples" / "rapport-2020-scan.pdf"


def source_pages() -> list[Image.Image]:
    pdf = pdfium.PdfDocument(str(SOURCE))
    pages = [pdf[i].render(scale=300 / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    pdf.close()
    return pages


def write_pdf(images: list[Path], out: Path) -> None:
    """An image-only PDF from JPEG files, embedded as they are (reportlab), 300 dpi A4."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out), pagesize=A4)
    for img in images:
        c.drawImage(str(img), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()


def make_corpus(work: Path, n_pages: int, per_file: int = 3, tag: str = "c") -> list[Path]:
    base = source_pages()
    jpg_dir = work / f"jpg-{tag}"
    jpg_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for f in range(0, n_pages, per_file):
        jpgs = []
        for k in range(min(per_file, n_pages - f)):
            i = f + k
            seed = 1000 + i
            img = degrade(base[i % len(base)], seed=seed, skew_deg=((i * 37) % 25 - 12) / 10,
                          noise_sigma=4 + i % 5, blur_radius=0.3 * (i % 3),
                          jpeg_quality=50 + (i * 7) % 30)
            path = jpg_dir / f"p{i:04d}.jpg"
            img.save(path, quality=85)
            jpgs.append(path)
        pdf = work / f"corpus-{tag}" / f"scan-{f // per_file:03d}.pdf"
        pdf.parent.mkdir(parents=True, exist_ok=True)
        write_pdf(jpgs, pdf)
        files.append(pdf)
    shutil.rmtree(jpg_dir)
    return files


def busy_seconds() -> float:
    """CPU time spent by the whole machine so far (all cores, user + system), in seconds."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = [int(v) for v in fh.readline().split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - started, proc.returncode, proc.stdout + proc.stderr


def bench_floor(files: list[Path], work: Path) -> float:
    bmp_dir = work / "bmp"
    bmp_dir.mkdir(exist_ok=True)
    bmps = []
    for f in files:
        pdf = pdfium.PdfDocument(str(f))
        for i in range(len(pdf)):
            path = bmp_dir / f"{f.stem}-{i}.bmp"
            pdf[i].render(scale=300 / 72).to_pil().convert("L").save(path)
            bmps.append(path)
        pdf.close()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def ocr(path: Path) -> None:
        subprocess.run(["tesseract", str(path), str(path.with_suffix("")), "-l", "fra",
                        "--psm", "3", "--dpi", "300", "tsv"], env=env, capture_output=True,
                       check=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(CORES) as pool:
        list(pool.map(ocr, bmps))
    return time.perf_counter() - started


def ocrmypdf_bin() -> str | None:
    venv = ROOT / "bench" / ".venv-ocrmypdf"
    exe = venv / "bin" / "ocrmypdf"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        proc = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "ocrmypdf>=17"],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return None
    return str(exe)


def bench_ocrmypdf(files: list[Path], work: Path) -> float | None:
    exe = ocrmypdf_bin()
    if exe is None:
        return None
    out = work / "ocrmypdf"
    out.mkdir(exist_ok=True)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.perf_counter()
    for f in files:
        _t, rc, log = timed([exe, "--jobs", str(CORES), "-l", "fra", "--output-type", "pdf",
                            "--sidecar", str(out / f"{f.stem}.txt"), str(f),
                            str(out / f.name)], env=env)
        if rc != 0:
            print(f"ocrmypdf failed on {f}: {log[-1500:]}", file=sys.stderr)
            return None
    return time.perf_counter() - started


def peak_rss(cmd: list[str]) -> tuple[float, int, float]:
    """(seconds, exit code, peak RSS in MiB summed over the process and its children)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = sum(p.memory_info().rss for p in procs if p.is_running())
                peak = max(peak, total)
            except psutil.Error:
                pass
            time.sleep(0.1)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    rc = proc.wait()
    stop.set()
    t.join()
    return time.perf_counter() - started, rc, peak / 2**20


def time_pairs(files: list[Path], work: Path, pairs: int, pages: int) -> int:
    """(a) then (c), `pairs` times: each ratio measured minutes apart at most."""
    ratios = []
    for i in range(pairs):
        a = bench_floor(files, work)
        out = work / f"out-pair-{i}"
        c, rc, log = timed([MISSIONS, "ingest", str(work / "corpus-c"), "--out", str(out)])
        assert rc == 0, log
        shutil.rmtree(out)
        ratios.append(c / a)
        print(f"pair {i + 1}: (a) {a:.1f} s, (c) {c:.1f} s ({pages / c:.2f} pages/s), "
              f"(c)/(a) = {c / a:.2f}", flush=True)
    ratios.sort()
    print(f"(c)/(a) over {pairs} pairs: median {ratios[len(ratios) // 2]:.2f}, "
          f"range {ratios[0]:.2f}-{ratios[-1]:.2f} (target ≤ 1.3)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--big", type=int, default=100, help="pages of the memory test PDF (0: skip)")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    ap.add_argument("--pairs", type=int, default=0,
                    help="only time (a) and (c) this many times, alternately, and print each "
                         "ratio and the median (this machine's speed drifts by ±20 %% over minutes)")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="missions-bench-"))
    print(f"work folder {work}; {CORES} cores; corpus of {args.pages} pages")
    files = make_corpus(work, args.pages)
    if args.pairs:
        return time_pairs(files, work, args.pairs, args.pages)
    rows: list[tuple[str, str, str]] = []
    busy = busy_seconds()
    a = bench_floor(files, work)
    a_cpu = busy_seconds() - busy
    rows.append(("(a) tesseract floor", f"{a:.1f} s", f"{args.pages / a:.2f} pages/s, {a_cpu:.0f} core-s"))
    b = None if args.skip_ocrmypdf else bench_ocrmypdf(files, work)
    rows.append(("(b) OCRmyPDF --jobs --sidecar", f"{b:.1f} s" if b else "n/a",
                 f"{args.pages / b:.2f} pages/s" if b else ""))
    out = work / "out"
    busy = busy_seconds()
    c, rc, log = timed([MISSIONS, "ingest", str(work / "corpus-c"), "--out", str(out)])
    c_cpu = busy_seconds() - busy
    assert rc == 0, log
    rows.append(("(c) missions ingest, cold", f"{c:.1f} s", f"{args.pages / c:.2f} pages/s, {c_cpu:.0f} core-s"))
    d, rc, log = timed([MISSIONS, "ingest", str(work / "corpus-c"), "--out", str(out)])
    assert rc == 0, log
    rows.append(("(d) missions ingest, again", f"{d:.1f} s", log.strip().splitlines()[-1][:60]))
    one = work / "one.txt"
    one.write_text("Madame la Ministre,\n", encoding="utf-8")
    s, rc, _log = timed([MISSIONS, "ingest", str(one), "--out", str(work / "out-one")])
    rows.append(("fixed start-up: one small .txt", f"{s:.1f} s", "(target ≤ 5 s)"))
    # The same two runs with a Prefect server kept between runs (`missions server start`):
    # what a nightly machine that keeps one pays, without the embedded server's boot.
    subprocess.run([MISSIONS, "server", "start"], capture_output=True, check=True)
    try:
        ck, rc, log = timed([MISSIONS, "ingest", str(work / "corpus-c"), "--out",
                             str(work / "out-kept")])
        assert rc == 0, log
        sk, rc, _log = timed([MISSIONS, "ingest", str(one), "--out", str(work / "out-one-kept")])
    finally:
        subprocess.run([MISSIONS, "server", "stop"], capture_output=True, check=False)
    rows.append(("(c) cold, kept server", f"{ck:.1f} s", f"{args.pages / ck:.2f} pages/s"))
    rows.append(("fixed start-up, kept server", f"{sk:.1f} s", ""))
    ratios = [f"(c)/(a) = {c / a:.2f} (target ≤ 1.3); with a kept server {ck / a:.2f}"]
    if b:
        ratios.append(f"(c)/(b) = {c / b:.2f} (target ≤ 0.5)")
    ratios.append(f"(d)/(c) = {d / c:.3f} (target ≤ 0.05)")
    if args.big:
        big = make_corpus(work, args.big, per_file=args.big, tag="big")[0]
        t, rc, mib = peak_rss([MISSIONS, "ingest", str(big), "--out", str(work / "out-big")])
        rows.append((f"peak RSS, {args.big}-page PDF", f"{mib:.0f} MiB", f"{t:.0f} s, exit {rc}"))
        small = make_corpus(work, 10, per_file=10, tag="small")[0]
        t2, rc2, mib2 = peak_rss([MISSIONS, "ingest", str(small), "--out", str(work / "out-sm")])
        rows.append(("peak RSS, 10-page PDF", f"{mib2:.0f} MiB", f"{t2:.0f} s, exit {rc2}"))
    width = max(len(r[0]) for r in rows)
    table = "\n".join(f"{r[0].ljust(width)}  {r[1]:>10}  {r[2]}" for r in rows)
    text = f"{table}\n" + "\n".join(ratios)
    print(text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "bench_ingest.md").write_text(f"```\n{text}\n```\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
