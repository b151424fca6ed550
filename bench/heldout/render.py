"""Headless Chromium from its command line: HTML to PDF or screenshot, and PDF pages to images."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--disable-extensions"]
CSS_PX_PER_MM = 96 / 25.4


class RenderError(RuntimeError):
    """Chromium did not produce the file it was asked for."""


def chromium_path() -> str | None:
    """Returns the chromium executable, or None when the machine has none."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(args: list[str], out: Path) -> None:
    exe = chromium_path()
    if exe is None:
        raise RenderError("chromium not found on PATH")
    with tempfile.TemporaryDirectory(prefix="heldout-chromium-") as profile:
        proc = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=180, check=False)
    if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        raise RenderError(f"chromium failed to write {out.name} (rc={proc.returncode}): {tail}")


def print_pdf(html: Path, pdf: Path) -> None:
    """Prints an HTML file to PDF with Chromium (text layer kept, no header or footer)."""
    pdf.unlink(missing_ok=True)
    _run([f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.resolve().as_uri()], pdf)


def screenshot(html: Path, png: Path, size_mm: tuple[float, float], dpi: int) -> Image.Image:
    """Returns Chromium's own rendering of the first page at a given resolution."""
    w = round(size_mm[0] * CSS_PX_PER_MM)
    h = round(size_mm[1] * CSS_PX_PER_MM)
    png.unlink(missing_ok=True)
    _run([f"--screenshot={png}", f"--window-size={w},{h}",
          f"--force-device-scale-factor={dpi / 96:.4f}", html.resolve().as_uri()], png)
    with Image.open(png) as im:
        return im.convert("RGB")


def count_pages(pdf: Path) -> int:
    """Returns the number of pages of a PDF."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def rasterise(pdf: Path, dpi: int) -> list[Image.Image]:
    """Returns every page of a PDF as an RGB image at `dpi` (the printing half of a scan)."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()
