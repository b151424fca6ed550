"""Browsing a release: Datasette on 127.0.0.1, read-only (immutable), with the schema's column
descriptions and the full-text indexes searchable."""
from __future__ import annotations

import errno
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

from flows.release.layout import FTS_INDEXES, MANIFEST_NAME, SQLITE_NAME, current_release
from models.errors import BadArguments
from models.schema import (
    DATASET_DESCRIPTION,
    DATASET_LICENSE,
    DATASET_SOURCE,
    DATASET_TITLE,
    TABLES,
)

HOST = "127.0.0.1"
DEFAULT_PORT = 8001
DATABASE = "missions"  # Datasette names a database after its file: missions.sqlite
FTS = {content: index for index, content, _columns in FTS_INDEXES}  # table -> its index


def datasette_metadata(manifest: dict[str, Any] | None = None) -> dict[str, Any]:
    """Datasette metadata: the dataset (title, description, source, licence) and every table and
    column described from models/schema.py, as the release's datapackage.json is."""
    tables: dict[str, Any] = {}
    for table in TABLES:
        entry: dict[str, Any] = {
            "description": table.description,
            "columns": {c.name: c.description for c in table.columns},
        }
        if table.name in FTS:
            entry.update({"fts_table": FTS[table.name], "fts_pk": "rowid"})
        tables[table.name] = entry
    manifest = manifest or {}
    about = (f"release {manifest.get('release', '?')} · pipeline "
             f"{manifest.get('pipeline_version', '?')} · created {manifest.get('created_at', '?')}")
    return {
        "title": DATASET_TITLE,
        "description": f"{DATASET_DESCRIPTION} ({about}). Search box on pages and measures: "
                       "accents and case do not matter.",
        "source": DATASET_SOURCE,
        "license": DATASET_LICENSE["title"],
        "license_url": DATASET_LICENSE["path"],
        "databases": {DATABASE: {"tables": tables}},
    }


def check_port(host: str, port: int) -> None:
    """BadArguments when the port cannot be listened on (in use, or privileged)."""
    if not 0 < port < 65536:
        raise BadArguments(f"--port {port} is not a TCP port (1-65535)")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            raise BadArguments(f"port {port} on {host} {why}; choose another with --port") from exc


def release_database(out: Path) -> tuple[Path, dict[str, Any] | None]:
    """The current release's SQLite file (resolved, so the served file never changes under
    Datasette) and its manifest."""
    link = out / SQLITE_NAME
    if not link.exists():
        current_release(out)  # .current missing or dangling: exit 5, « run missions verify »
        raise BadArguments(f"no release in {out}: run `missions ingest … --out {out}` first")
    db = Path(os.path.realpath(link))
    manifest_file = db.parent / MANIFEST_NAME
    manifest = json.loads(manifest_file.read_text(encoding="utf-8")) if manifest_file.exists() else None
    return db, manifest


def serve(out: Path, port: int = DEFAULT_PORT, host: str = HOST) -> None:
    """Serve the current release until interrupted (Ctrl-C or SIGTERM)."""
    db, manifest = release_database(out)
    check_port(host, port)
    import uvicorn
    from datasette.app import Datasette

    from flows.access.csvsafe import csv_guard
    from flows.release.publish import holding

    ds = Datasette(immutables=[str(db)], metadata=datasette_metadata(manifest),
                   settings={"sql_time_limit_ms": 5000, "default_page_size": 50})
    release = (manifest or {}).get("release", db.parent.name)
    print(f"missions: serving release {release} read-only at http://{host}:{port}/{DATABASE} "
          "(Ctrl-C to stop; restart to see a newer release)", flush=True)
    sys.stdout.flush()
    # The release served is held (not pruned by later publishes: /missions.db keeps working),
    # and every CSV export has its formula-like cells made inert (flows/access/csvsafe.py).
    with holding(db.parent):
        uvicorn.run(csv_guard(ds.app()), host=host, port=port, log_level="warning",
                    lifespan="on", workers=1)
