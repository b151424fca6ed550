"""kill -9 a run at random moments; check the previous release stays complete and nothing of
ours is left running.

Usage:
  .venv/bin/python bench/kill_loop.py RELEASE_DIR [--kills 50] [--seed 7]   # publishing only
  .venv/bin/python bench/kill_loop.py --whole-run [--kills 30] [--seed 7]   # `missions ingest`

Publishing only: RELEASE_DIR (e.g. output/ after `bash scripts/run-samples.sh`) is copied to a
scratch folder, and a child process republishes its tables in a loop there until it is killed
with SIGKILL at a random instant.

Whole run: a scratch inbox gets, before each run, one new legacy text and one new scanned page
(so every run boots Prefect's server, starts the reader pool, OCRs, extracts and publishes);
`missions ingest` is killed with SIGKILL at a random instant of a run's length, every process
it started is followed by PID (psutil), and after each kill: none of them is left, the lock is
free, the release matches its manifest, and no document published before is missing. A last
run, not killed, must then publish every file of the inbox.

After each kill: the manifest read through the links matches every file's sha256, the row
counts match, SQLite's integrity check passes.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from flows.release.layout import acquire_lock, read_manifest, read_release
from flows.release.verify import verify_release

PUBLISHER = """
import sys
sys.path.insert(0, sys.argv[2])
from flows.release.layout import read_release
from flows.release.publish import publish_release
from flows.report.render import report_writer
frames = read_release(sys.argv[1])
report = report_writer(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    publish_release(sys.argv[1], frames, f"kill-loop-{i}", report=report)
    i += 1
"""


def intact(out: Path) -> tuple[bool, str]:
    problems = verify_release(out)
    if problems:
        return False, "; ".join(problems[:3])
    manifest = read_manifest(out)
    if manifest is None:
        return False, "no manifest"
    counts = {name: len(f) for name, f in read_release(out).items()}
    expected = {k: v for k, v in manifest["row_counts"].items() if k in counts}
    if any(counts[k] != v for k, v in expected.items()):
        return False, f"row counts {counts} != manifest {expected}"
    con = sqlite3.connect(f"file:{out / 'missions.sqlite'}?mode=ro", uri=True)
    ok = con.execute("pragma integrity_check").fetchone()[0]
    con.close()
    return ok == "ok", ok


def publish_loop(release: str, kills: int, rng: random.Random) -> int:
    out = Path(tempfile.mkdtemp(prefix="missions-kill-")) / "out"
    shutil.copytree(release, out, symlinks=True, ignore=shutil.ignore_patterns(".cache"))
    intact_n = mid_publish = 0
    for i in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", PUBLISHER, str(out), str(ROOT)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if any(p.name.endswith(".partial") for p in (out / ".releases").iterdir()):
            mid_publish += 1
        ok, why = intact(out)
        intact_n += ok
        if not ok:
            print(f"kill {i}: release damaged: {why}")
    print(f"kills: {kills}; landed mid-publish (a .partial left): {mid_publish}; "
          f"previous release intact: {intact_n}/{kills}")
    return 0 if intact_n == kills else 1


# --------------------------------------------------------------------------- the whole run


def _add_inputs(inbox: Path, i: int) -> None:
    from PIL import Image, ImageDraw, ImageFont

    legacy = (ROOT / "samples" / "rapport-2020-legacy.txt").read_bytes()
    (inbox / f"note-{i:03d}.txt").write_bytes(legacy + f"\nNote {i}.\n".encode())
    img = Image.new("RGB", (1100, 300), "white")
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 36)
    ImageDraw.Draw(img).text((40, 60), f"Note de suivi numéro {i} de la mission", fill="black",
                             font=font)
    img.save(inbox / f"page-{i:03d}.png", dpi=(300, 300))


def _processes(root: int) -> dict[tuple[int, float], str]:
    import psutil

    found = {}
    try:
        for child in psutil.Process(root).children(recursive=True):
            try:
                found[(child.pid, child.create_time())] = child.name()
            except psutil.NoSuchProcess:
                pass
    except psutil.NoSuchProcess:
        pass
    return found


def _alive(pids: dict[tuple[int, float], str]) -> list[str]:
    import psutil

    left = []
    for (pid, started), name in pids.items():
        try:
            p = psutil.Process(pid)
            if p.create_time() == started and p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{name}[{pid}]")
        except psutil.NoSuchProcess:
            pass
    return left


def _run(inbox: Path, out: Path, env: dict[str, str], kill_after: float | None
         ) -> tuple[int | None, dict[tuple[int, float], str], str]:
    """One `missions ingest`, killed after `kill_after` s (None: to its end); the processes it
    started, and what was running when it was killed."""
    proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "ingest", str(inbox), "--out",
                             str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    seen: dict[tuple[int, float], str] = {}
    started = time.monotonic()
    while proc.poll() is None:
        seen |= _processes(proc.pid)
        if kill_after is not None and time.monotonic() - started >= kill_after:
            running = sorted(set(_alive(seen)))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return None, seen, ",".join(n.split("[")[0] for n in running)
        time.sleep(0.05)
    return proc.returncode, seen, "not killed"


def _phase(running: str, out: Path, releases_before: set[str], page: Path) -> str:
    """Where the kill landed, from what it left: a partial release, a new release, the new
    page's OCR in the page cache, a tesseract running at the kill."""
    releases = {p.name for p in (out / ".releases").iterdir()}
    if any(n.endswith(".partial") for n in releases):
        return "mid-publish"
    if releases - releases_before:
        return "after the swap"
    doc_id = hashlib.sha256(page.read_bytes()).hexdigest()
    if list((out / ".cache" / "pages" / doc_id[:2] / doc_id).glob("00001-*.json")):
        return "after OCR (extracting, publishing)"
    if "tesseract" in running:
        return "during OCR"
    if "python" in running:  # the embedded server's lifeline, the reader pool
        return "start-up, opening files"
    return "early start-up (no child yet)"


def whole_run_loop(kills: int, rng: random.Random) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="missions-kill-run-"))
    inbox, out = scratch / "inbox", scratch / "out"
    inbox.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "PREFECT_HOME": os.environ.get("PREFECT_HOME", str(scratch / "prefect"))}
    _add_inputs(inbox, 0)
    began = time.monotonic()
    code, _seen, _ = _run(inbox, out, env, None)
    length = time.monotonic() - began
    assert code == 0, f"the first run failed ({code})"
    print(f"a complete run takes {length:.1f} s; killing at random instants in [0, {length:.1f}]")
    published = set(read_release(out)["documents"]["doc_id"])
    phases: Counter[str] = Counter()
    ok_n = kills_done = 0
    i = 0
    while kills_done < kills:
        i += 1
        _add_inputs(inbox, i)
        releases_before = {p.name for p in (out / ".releases").iterdir()}
        began = time.monotonic()
        _code, seen, running = _run(inbox, out, env, rng.uniform(0.0, length))
        if running == "not killed":  # it ended first: the next kill has more to interrupt
            length = max(length, time.monotonic() - began)
            print(f"run {i:2d} ended before its kill time ({length:.1f} s): not counted")
            continue
        kills_done += 1
        phase = _phase(running, out, releases_before, inbox / f"page-{i:03d}.png")
        phases[phase] += 1
        problems = []
        deadline = time.monotonic() + 20
        while (left := _alive(seen)) and time.monotonic() < deadline:
            time.sleep(0.2)
        if left:
            problems.append(f"left running: {', '.join(left)}")
            for name in left:  # still ours (same start time): leave the machine clean
                with contextlib.suppress(OSError):
                    os.kill(int(name.rsplit("[", 1)[1].rstrip("]")), signal.SIGKILL)
        good, why = intact(out)
        if not good:
            problems.append(f"release damaged: {why}")
        now = set(read_release(out)["documents"]["doc_id"])
        if not published <= now:
            problems.append(f"{len(published - now)} published document(s) lost")
        published |= now
        try:
            with acquire_lock(out):
                pass
        except Exception as exc:  # noqa: BLE001 (reported as a failure of the loop)
            problems.append(f"lock not free: {exc}")
        ok_n += not problems
        print(f"kill {kills_done:2d} ({phase}, {len(seen)} processes started): "
              + ("ok" if not problems else "; ".join(problems)), flush=True)
    code, _seen, _ = _run(inbox, out, env, None)
    docs = read_release(out)["documents"]
    expected = len(list(inbox.iterdir()))
    final = code == 0 and len(docs) == expected and (docs["state"] == "published").all()
    print(f"kills: {kills}; where they landed: {dict(phases)}; clean after the kill (no process "
          f"left, lock free, release intact, nothing published lost): {ok_n}/{kills}; last run: "
          f"exit {code}, {len(docs)}/{expected} files published")
    shutil.rmtree(scratch, ignore_errors=True)
    return 0 if ok_n == kills and final else 1


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("release", nargs="?")
    ap.add_argument("--whole-run", action="store_true")
    ap.add_argument("--kills", type=int, default=None)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if args.whole_run:
        return whole_run_loop(args.kills or 30, rng)
    if not args.release:
        ap.error("give RELEASE_DIR, or --whole-run")
    return publish_loop(args.release, args.kills or 50, rng)


if __name__ == "__main__":
    sys.exit(main())
