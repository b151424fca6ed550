"""Records, with the real tesseract, the OCR calls the test suite makes (tests/data/ocr).

    python -m bench.record_ocr                 # the whole suite; recordings no test asked for go
    python -m bench.record_ocr tests/test_marks.py   # only what these tests lack is added

Run it when the recordings no longer answer (the suite says so): after a tesseract upgrade, or a
change to the image tesseract is given (deskew, upscaling, the marks' tiles) or to its config.
It prints how many recordings there are and their size.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from extractors.engine_doubles import USED_ENV

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "tests" / "data" / "ocr"


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="missions-record-") as tmp:
        used = Path(tmp) / "used.txt"
        env = {**os.environ, USED_ENV: str(used)}
        env.pop("MISSIONS_OCR_ENGINE", None)
        code = subprocess.run([sys.executable, "-m", "pytest", "-q", "--record-ocr", *argv],
                              cwd=ROOT, env=env, check=False).returncode
        keys = set(used.read_text(encoding="utf-8").split()) if used.exists() else set()
    files = sorted(RECORDINGS.glob("*/*.json.gz"))
    if code == 0 and not argv:  # the whole suite passed: what it did not ask for is stale
        stale = [f for f in files if f.name.removesuffix(".json.gz") not in keys]
        for f in stale:
            f.unlink()
        print(f"removed {len(stale)} recording(s) no test asks for")
        files = sorted(RECORDINGS.glob("*/*.json.gz"))
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} recordings in {RECORDINGS.relative_to(ROOT)}: {size / 1024:.0f} KiB")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
