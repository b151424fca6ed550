"""One tesseract command-line call on an image, writing several renderers from one recognition
pass (tsv, alto, pdf, …): pytesseract cannot ask for more than one with a config."""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from contextlib import suppress

import pytesseract
from PIL import Image

# What each renderer writes, as tesseract names its files: OUTBASE.<suffix>.
SUFFIXES = {"tsv": "tsv", "alto": "xml", "pdf": "pdf", "hocr": "hocr", "txt": "txt"}


class TesseractFailed(RuntimeError):
    """Tesseract exited with an error; `message` is what it said."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"tesseract exited with {status}: {message}")
        self.status, self.message = status, message


class TesseractTimeout(RuntimeError):
    """Tesseract ran past its time and was stopped (its whole process group)."""


def run_tesseract(image: Image.Image, *, lang: str, config: str, outputs: tuple[str, ...],
                  timeout: float | None) -> dict[str, bytes]:
    """`tesseract page.bmp out -l LANG CONFIG OUTPUTS…` on `image`, one recognition pass: the
    bytes of each renderer asked for (`outputs`, e.g. ("tsv", "alto", "pdf")), by name.

    The image is written as BMP (encoding is ~free, unlike PNG) into a temporary folder that
    goes with everything tesseract wrote, whatever happens. One OpenMP thread (a page per core
    already). Past `timeout` seconds tesseract's process group is killed: TesseractTimeout.
    TesseractFailed when it exits with an error.
    """
    unknown = [o for o in outputs if o not in SUFFIXES]
    if unknown or not outputs:
        raise ValueError(f"unknown tesseract renderers: {unknown or 'none asked for'}")
    with tempfile.TemporaryDirectory(prefix="missions-ocr-") as tmp:
        bmp, base = os.path.join(tmp, "page.bmp"), os.path.join(tmp, "out")
        image.save(bmp, format="BMP")
        cmd = [pytesseract.pytesseract.tesseract_cmd, bmp, base, "-l", lang, *config.split(),
               *outputs]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)  # its own group: killed as one
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            raise TesseractTimeout(f"tesseract ran past {timeout:.0f} s") from exc
        except BaseException:
            _kill_group(proc)
            raise
        if proc.returncode != 0:
            raise TesseractFailed(proc.returncode, err.decode("utf-8", "replace").strip())
        found: dict[str, bytes] = {}
        for name in outputs:
            path = f"{base}.{SUFFIXES[name]}"
            try:
                with open(path, "rb") as fh:
                    found[name] = fh.read()
            except FileNotFoundError as exc:
                raise TesseractFailed(0, f"it wrote no {name} output "
                                         f"({err.decode('utf-8', 'replace').strip()[:200]})") from exc
        return found


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with suppress(Exception):
        proc.communicate(timeout=5)
