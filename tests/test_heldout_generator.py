"""The held-out generator (bench/heldout) writes readable documents whose truth files hold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from bench.heldout.generate import plan_set
from bench.heldout.render import chromium_path
from bench.heldout.truth import check_truth

ROOT = Path(__file__).resolve().parents[1]


def _pages_in(path: Path) -> int:
    if path.suffix == ".pdf":
        doc = pdfium.PdfDocument(str(path))
        try:
            return len(doc)
        finally:
            doc.close()
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def test_same_seed_plans_the_same_documents() -> None:
    assert plan_set(5, 11) == plan_set(5, 11)
    assert plan_set(5, 11) != plan_set(5, 12)


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed: nothing renders")
def test_two_documents_are_written_with_consistent_truth(tmp_path: Path) -> None:
    out = tmp_path / "heldout"
    proc = subprocess.run([sys.executable, "-m", "bench.heldout.generate", str(out), "--n", "2",
                           "--seed", "6"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert (out / ".missionsignore").read_text(encoding="utf-8").split() == ["*.json"]
    truths = sorted(out.glob("*.expected.json"))
    assert len(truths) == 2
    for path in truths:
        truth = json.loads(path.read_text(encoding="utf-8"))
        doc = out / truth["source"]
        assert path.name == f"{truth['source']}.expected.json"
        assert check_truth(truth, out) == []
        assert truth["generator"] == "B" and truth["seed"] == 6
        assert _pages_in(doc) == truth["n_pages"]
        assert doc.stat().st_size <= 1_000_000
        assert truth["classes"], "every document carries its class tags"
        positions = [m["position"] for m in truth["measures"]]
        assert positions == list(range(1, len(positions) + 1))
