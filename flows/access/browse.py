"""Browsing a release: Datasette on 127.0.0.1, read-only (immutable), with the schema's column
descriptions and the full-text indexes searchable."""
from __future__ import annotations

import json
import logging
import os
import sys
import types
from pathlib import Path
from typing import Any

from flows.checks import check_port
from flows.release.layout import FTS_INDEXES, MANIFEST_NAME, SQLITE_NAME, current_release
from models.errors import BadArguments
from models.schema import (
    DATASET_DESCRIPTION,
    DATASET_LICENSE,
    DATASET_SOURCE,
    DATASET_TITLE,
    TABLES,
)

log = logging.getLogger("missions")
PLUGIN = "missions_one_line_errors"

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


def _one_line(datasette: Any, request: Any, exception: BaseException) -> None:
    """Datasette's `handle_exception` hook: the error a request met (a 404, a bad SQL query)
    logged as one line; returns None, so the page the user sees is Datasette's own."""
    status = getattr(exception, "status", 500)
    what = str(exception.args[0] if exception.args else exception) or type(exception).__name__
    log.warning("browse: %s %s: %s", status,
            getattr(request, "path", "?"), " ".join(what.split())[:300])


def quiet_errors() -> None:
    """Datasette's errors as one log line each, not tracebacks with every local variable."""
    import datasette.handle_exception as default
    from datasette import hookimpl
    from datasette.plugins import pm

    default.rich = None  # its handler prints a traceback with locals when rich is installed
    if pm.get_plugin(PLUGIN) is None:
        plugin = types.ModuleType(PLUGIN, "missions: Datasette errors as one log line each")
        plugin.handle_exception = hookimpl(tryfirst=True)(_one_line)  # type: ignore[attr-defined]
        pm.register(plugin, name=PLUGIN)


def serve(out: Path, port: int = DEFAULT_PORT, host: str = HOST) -> None:
    """Serve the current release until interrupted (Ctrl-C or SIGTERM)."""
    db, manifest = release_database(out)
    check_port(host, port)
    import uvicorn
    from datasette.app import Datasette

    from flows.access.csvsafe import csv_guard
    from flows.release.publish import holding

    quiet_errors()
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
