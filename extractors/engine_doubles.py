"""OCR engines for tests: tesseract's outputs recorded once and replayed, and a tesseract that
crashes or hangs (selected by $MISSIONS_OCR_ENGINE, see extractors/engines.py).

A recording is keyed by the sha256 of the image as tesseract would see it (mode, size, pixels)
and of the call (language, config, outputs), and kept gzip'd in DIR/<2 hex>/<key>.json.gz with
the tesseract version and languages it came from in DIR/tesseract.json. Rasterising (pdfium) and
the image processing before OCR are deterministic, so a test run asks for the same keys each
time. What invalidates recordings: another tesseract version or language data, or any change to
the image tesseract is given or the config it is called with (deskew, upscaling, tiles of the
marks…): the missing ones fail loudly, naming the command that records them again
(`python -m bench.record_ocr`, or `pytest --record-ocr`).
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path

from PIL import Image

from extractors.engines import OcrFailed, TesseractEngine

MISSES_ENV = "MISSIONS_OCR_MISSES"  # a file each missing recording's key is appended to
USED_ENV = "MISSIONS_OCR_USED"  # a file each recording's key is appended to as it is used
RECORD_HINT = "python -m bench.record_ocr (or: pytest --record-ocr)"


class MissingRecording(RuntimeError):
    """The recorded engine was asked for a call nobody recorded."""


def recording_key(image: Image.Image, lang: str, config: str, outputs: tuple[str, ...]) -> str:
    """The sha256 of the pixels tesseract would be given and of the call."""
    digest = hashlib.sha256()
    head = json.dumps([image.mode, image.size, lang, config, list(outputs)])
    digest.update(head.encode("utf-8"))
    digest.update(image.tobytes())
    return digest.hexdigest()


class RecordedEngine:
    """Tesseract's outputs replayed from DIR; with `record`, what is missing is read by the real
    tesseract and recorded (its failures too: a crash replays as a crash)."""

    name = "recorded"

    def __init__(self, folder: str | os.PathLike[str], record: bool = False) -> None:
        self.root, self.record = Path(folder), record
        self._real = TesseractEngine() if record else None

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json.gz"

    def run(self, image: Image.Image, *, lang: str, config: str,
            outputs: tuple[str, ...], timeout: float | None) -> dict[str, bytes]:
        key = recording_key(image, lang, config, outputs)
        if os.environ.get(USED_ENV):
            with open(os.environ[USED_ENV], "a", encoding="utf-8") as fh:
                fh.write(key + "\n")
        try:
            entry = json.loads(gzip.decompress(self.path(key).read_bytes()))
        except FileNotFoundError:
            entry = self._record(key, image, lang, config, outputs, timeout)
        if "error" in entry:
            raise OcrFailed(entry["error"]["returncode"], entry["error"]["message"])
        return {out: _decoded(entry["outputs"][out]) for out in outputs}

    def _record(self, key: str, image: Image.Image, lang: str, config: str,
                outputs: tuple[str, ...], timeout: float | None) -> dict:
        if self._real is None:
            if os.environ.get(MISSES_ENV):
                with open(os.environ[MISSES_ENV], "a", encoding="utf-8") as fh:
                    fh.write(f"{key} {lang} {config!r} {','.join(outputs)} {image.mode} "
                             f"{image.size[0]}x{image.size[1]}\n")
            raise MissingRecording(f"no recorded OCR for this image ({lang}, {config!r}, "
                                   f"{'+'.join(outputs)}, {image.size[0]}x{image.size[1]}, key "
                                   f"{key[:12]}) in {self.root}; record it: {RECORD_HINT}")
        entry: dict = {"lang": lang, "config": config, "outputs_asked": list(outputs)}
        try:
            found = self._real.run(image, lang=lang, config=config, outputs=outputs,
                                   timeout=timeout)
            entry["outputs"] = {out: _encoded(data) for out, data in found.items()}
        except OcrFailed as exc:
            entry["error"] = {"returncode": exc.returncode, "message": exc.message}
        self._write(self.path(key), gzip.compress(
            json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8"), 9, mtime=0))
        self._write_identity()
        return entry

    def _write_identity(self) -> None:
        """What the recordings came from: the tesseract version and its languages."""
        assert self._real is not None
        ident = {"version": self._real.version(), "languages": sorted(self._real.languages())}
        path = self.root / "tesseract.json"
        text = json.dumps(ident, indent=1) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            self._write(path, text.encode("utf-8"))

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def _identity(self) -> dict:
        try:
            return json.loads((self.root / "tesseract.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            if self._real is not None:
                return {"version": self._real.version(), "languages": sorted(self._real.languages())}
            raise MissingRecording(f"{self.root} holds no recordings (no tesseract.json); "
                                   f"record them: {RECORD_HINT}") from None

    def version(self) -> str:
        """The recorded tesseract's version, marked: a page read from recordings is never
        taken for one read by the real engine in a page cache."""
        return f"recorded-{self._identity()['version']}"

    def languages(self) -> set[str]:
        return set(self._identity()["languages"])

    def check(self) -> None:
        self._identity()


def _encoded(data: bytes) -> dict[str, str]:
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def _decoded(stored: dict[str, str]) -> bytes:
    if "text" in stored:
        return stored["text"].encode("utf-8")
    return base64.b64decode(stored["base64"])


class CrashingEngine(TesseractEngine):
    """A tesseract that dies of SIGSEGV on every call, as a real crash does (a real process,
    its exit seen the way the real engine's is); the version and languages are the real one's."""

    name = "crashing"

    def argv(self, image_path: str, out_base: str, lang: str, config: str,
             outputs: tuple[str, ...]) -> list[str]:
        return ["sh", "-c", "echo 'Segmentation fault (core dumped)' >&2; kill -SEGV $$"]


class HangingEngine(TesseractEngine):
    """A tesseract that never answers: a real process that sleeps, stopped when the call's
    time runs out (the page's budget), as a hung tesseract is."""

    name = "hanging"

    def argv(self, image_path: str, out_base: str, lang: str, config: str,
             outputs: tuple[str, ...]) -> list[str]:
        return ["sleep", "3600"]
