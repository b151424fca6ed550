"""The QA report's crops as JPEG files beside it (`report-files/` of the release, listed in its
manifest), loaded lazily by the page: the report grows with what it shows, not with the crops'
bytes. Files are named by their content, so a crop shown twice is written once."""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flows.release.layout import REPORT_FILES
from flows.report.crops import DATA_URI

FILES_DIR = REPORT_FILES  # in the release folder, beside report.html
# The page is opened as DIR/report.html, a link into DIR/.current/: its crops are reached
# through the same link (`.current/report-files/…`), so no other link of DIR is needed.
LINK_PREFIX = f".current/{FILES_DIR}/"
PREFIX = "data:image/jpeg;base64,"


class CropFiles:
    """Turns crop data URIs into files under `folder` and gives the `src` the page uses; with
    no folder (a report rendered on its own), the data URI itself."""

    def __init__(self, folder: Path | None, link_prefix: str = LINK_PREFIX) -> None:
        self.folder, self.link_prefix = folder, link_prefix
        self.written: dict[str, str] = {}  # file name -> src

    def src(self, data_uri: str) -> str:
        if self.folder is None or not DATA_URI.fullmatch(data_uri):
            return data_uri
        data = base64.b64decode(data_uri.removeprefix(PREFIX))
        name = f"{hashlib.sha256(data).hexdigest()[:24]}.jpg"
        if name not in self.written:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / name).write_bytes(data)
            self.written[name] = self.link_prefix + name
        return self.written[name]

    def files(self) -> list[str]:
        """The files written, relative to the release folder (for the manifest)."""
        return sorted(f"{FILES_DIR}/{name}" for name in self.written)
