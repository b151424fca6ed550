"""kill -9 a publishing process at random moments; check the previous release stays complete.

Usage: .venv/bin/python bench/kill_loop.py RELEASE_DIR [--kills 50] [--seed 7]

RELEASE_DIR is an existing release (e.g. output/ after `bash scripts/run-samples.sh`); it is
copied to a scratch folder, and a child process republishes its tables in a loop there until
it is killed with SIGKILL at a random instant. After each kill: the manifest read through the
links matches every file's sha256, the row counts match, SQLite's integrity check passes.
"""
from __future__ import annotations

import argparse
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from flows.publish import read_manifest, read_release, verify_release

PUBLISHER = """
import sys
sys.path.insert(0, sys.argv[2])
from flows.publish import publish_release, read_release
frames = read_release(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    publish_release(sys.argv[1], frames, f"kill-loop-{i}")
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("release")
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = Path(tempfile.mkdtemp(prefix="missions-kill-")) / "out"
    shutil.copytree(args.release, out, symlinks=True, ignore=shutil.ignore_patterns(".cache"))
    intact_n = mid_publish = 0
    for i in range(args.kills):
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
    print(f"kills: {args.kills}; landed mid-publish (a .partial left): {mid_publish}; "
          f"previous release intact: {intact_n}/{args.kills}")
    return 0 if intact_n == args.kills else 1


if __name__ == "__main__":
    sys.exit(main())
