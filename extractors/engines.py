"""The OCR engine seam: the one place the tesseract binary is run, and which engine a process uses.

Every tesseract call of a run (a page's words, its orientation, the enlarged digits and labels of
its marks, the version and language check) goes through an `OcrEngine`. The default,
`TesseractEngine`, runs Debian's tesseract as a subprocess. Which engine a process uses is read
from $MISSIONS_OCR_ENGINE where it is obtained (`engine()`), so that it crosses into the reader
pool's forkserver processes and Dask workers with the environment:

    tesseract        the real binary (the default)
    recorded:DIR     outputs recorded once from real tesseract, replayed (tests; see
                     extractors/engine_doubles.py); a missing recording fails loudly
    recording:DIR    the same, recording what is missing with the real binary
    crashing         a tesseract that dies of a signal on every call
    hanging          a tesseract that never answers (stopped at the page's time budget)
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from functools import cached_property
from typing import Protocol

from PIL import Image

from models.errors import MissingDependency

ENGINE_ENV = "MISSIONS_OCR_ENGINE"
DEFAULT_ENGINE = "tesseract"
# What each output asks of tesseract, and the file it writes it to ("osd" is a mode: psm 0).
OUTPUT_ARGS: dict[str, tuple[str, ...]] = {
    "tsv": ("-c", "tessedit_create_tsv=1"),
    "txt": ("-c", "tessedit_create_txt=1"),
    "hocr": ("-c", "tessedit_create_hocr=1"),
    "alto": ("-c", "tessedit_create_alto=1"),
    "pdf": ("-c", "tessedit_create_pdf=1"),
    "osd": ("--psm", "0"),
}
OUTPUT_FILES = {"tsv": "tsv", "txt": "txt", "hocr": "hocr", "alto": "xml", "pdf": "pdf",
                "osd": "osd"}
_LANG = re.compile(r"^[a-z_]+$")


class OcrTimeout(Exception):
    """The engine's call ran past its timeout and was stopped."""


class OcrFailed(Exception):
    """Tesseract ended in error (a non-zero exit, a signal, an output it did not write)."""

    def __init__(self, returncode: int, message: str) -> None:
        super().__init__(returncode, message)
        self.returncode, self.message = returncode, message

    def __str__(self) -> str:
        return f"({self.returncode}, {self.message!r})"


class OcrEngine(Protocol):
    """Reads an image: `outputs` names tesseract's renderers and modes ("tsv", "txt", "osd" —
    psm 0 —, "alto", "pdf"), and the answer holds each one's bytes. OcrTimeout when `timeout`
    seconds pass, OcrFailed when tesseract fails."""

    name: str

    def run(self, image: Image.Image, *, lang: str, config: str,
            outputs: tuple[str, ...], timeout: float | None) -> dict[str, bytes]: ...

    def version(self) -> str:
        """What identifies the answers this engine gives (part of the page cache's key)."""
        ...

    def languages(self) -> set[str]:
        """The language data the engine can read with."""
        ...

    def check(self) -> None:
        """MissingDependency when the engine cannot run at all."""
        ...


class TesseractEngine:
    """Debian's tesseract, one subprocess per call: the image is written as BMP (encoding is
    ~free, unlike PNG) to a folder of its own, and tesseract writes its outputs beside it. The
    subprocess stays in the caller's process group (a reader worker leads its own, see
    flows/pipeline/lifeline.py: it dies with it) and runs one OpenMP thread (one page per core
    already) unless OMP_THREAD_LIMIT says otherwise."""

    name = "tesseract"

    def __init__(self, command: str = "tesseract") -> None:
        self.command = command

    def argv(self, image_path: str, out_base: str, lang: str, config: str,
             outputs: tuple[str, ...]) -> list[str]:
        flags = [arg for out in outputs for arg in OUTPUT_ARGS[out]]
        return [self.command, image_path, out_base, "-l", lang, *flags, *shlex.split(config)]

    def run(self, image: Image.Image, *, lang: str, config: str,
            outputs: tuple[str, ...], timeout: float | None) -> dict[str, bytes]:
        unknown = [out for out in outputs if out not in OUTPUT_ARGS]
        if unknown:
            raise ValueError(f"tesseract has no output {unknown[0]!r} (known: {sorted(OUTPUT_ARGS)})")
        env = dict(os.environ)
        env.setdefault("OMP_THREAD_LIMIT", "1")
        with tempfile.TemporaryDirectory(prefix="missions-ocr-") as tmp:
            bmp, base = os.path.join(tmp, "image.bmp"), os.path.join(tmp, "out")
            image.save(bmp, format="BMP")
            proc = subprocess.Popen(self.argv(bmp, base, lang, config, outputs),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env)
            try:
                _out, err = proc.communicate(timeout=timeout or None)
            except subprocess.TimeoutExpired as exc:
                _stop(proc)
                raise OcrTimeout(f"{self.name} ran past {timeout:.0f} s and was stopped") from exc
            message = " ".join(err.decode("utf-8", "replace").splitlines()).strip()
            if proc.returncode:
                raise OcrFailed(proc.returncode, message)
            found: dict[str, bytes] = {}
            for out in outputs:
                try:
                    with open(f"{base}.{OUTPUT_FILES[out]}", "rb") as fh:
                        found[out] = fh.read()
                except FileNotFoundError:
                    raise OcrFailed(0, message or f"tesseract wrote no {out} output") from None
            return found

    @cached_property
    def _version(self) -> str:
        try:
            done = subprocess.run([self.command, "--version"], stdin=subprocess.DEVNULL,
                                  capture_output=True, check=False, timeout=60)
        except OSError as exc:
            raise _not_installed() from exc
        found = re.search(r"(\d+(?:\.\d+)+)", (done.stdout + done.stderr).decode("utf-8", "replace"))
        if done.returncode or not found:
            raise MissingDependency(f"tesseract does not run (its --version says "
                                    f"{done.stderr.decode('utf-8', 'replace')[:200]!r}); "
                                    "reinstall tesseract-ocr.")
        return ".".join(str(int(part)) for part in found.group(1).split("."))

    def version(self) -> str:
        return self._version

    def languages(self) -> set[str]:
        try:
            done = subprocess.run([self.command, "--list-langs"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
                                  timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            raise MissingDependency(f"tesseract does not run ({exc}); reinstall tesseract-ocr.") from exc
        if done.returncode not in (0, 1):
            raise MissingDependency(f"tesseract does not run (exit code {done.returncode}); "
                                    "reinstall tesseract-ocr.")
        return {ln.strip() for ln in done.stdout.decode("utf-8", "replace").splitlines()
                if _LANG.match(ln.strip())}

    def check(self) -> None:
        """MissingDependency when the binary is not on PATH."""
        if shutil.which(self.command) is None:
            raise _not_installed()


def _not_installed() -> MissingDependency:
    return MissingDependency("tesseract is not installed or not on PATH; install Debian's "
                             "tesseract-ocr and tesseract-ocr-fra (the README's set-up command "
                             "does it).")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """A tesseract past its time: asked to stop, then killed."""
    proc.terminate()
    try:
        proc.wait(1)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def parse_tsv(tsv: bytes) -> dict[str, list]:
    """Tesseract's TSV as columns (`level`, `page_num`, … `conf`, `text`): numbers as ints
    (confidences truncated, as pytesseract's `image_to_data` gave them), `text` as it is."""
    rows = [row.split("\t") for row in tsv.decode("utf-8").strip().split("\n")]
    if len(rows) < 2:
        return {}
    header, body = rows[0], rows[1:]
    if len(body[-1]) < len(header):
        body[-1].append("")  # a last word with no text loses its final cell
    columns: dict[str, list] = {}
    for i, head in enumerate(header):
        last = i == len(header) - 1
        columns[head] = [row[i] if last else _number(row[i]) for row in body if len(row) > i]
    return columns


def _number(cell: str) -> int | str:
    try:
        return int(float(cell))
    except ValueError:
        return cell


_engines: dict[str, OcrEngine] = {}


def engine() -> OcrEngine:
    """The engine $MISSIONS_OCR_ENGINE names (`tesseract` when unset), one per process."""
    spec = os.environ.get(ENGINE_ENV, "").strip() or DEFAULT_ENGINE
    if spec not in _engines:
        _engines[spec] = _make(spec)
    return _engines[spec]


def _make(spec: str) -> OcrEngine:
    kind, _, arg = spec.partition(":")
    if kind == "tesseract" and not arg:
        return TesseractEngine()
    from extractors import engine_doubles

    if kind in ("recorded", "recording") and arg:
        return engine_doubles.RecordedEngine(arg, record=kind == "recording")
    if kind == "crashing" and not arg:
        return engine_doubles.CrashingEngine()
    if kind == "hanging" and not arg:
        return engine_doubles.HangingEngine()
    raise MissingDependency(f"{ENGINE_ENV}={spec!r} names no OCR engine; use tesseract (the "
                            "default), recorded:DIR, recording:DIR, crashing or hanging.")
