"""The release described for re-users: `datapackage.json` (Frictionless Data Package v2, a Table
Schema per CSV and Parquet table, the SQLite file with its hash), written from models/schema.py."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.release.layout import CSV_DIR, PARQUET_DIR, SQLITE_NAME
from flows.release.writers import FILE_NAME_COLUMN
from models.schema import (
    DATASET_DESCRIPTION,
    DATASET_LICENSE,
    DATASET_NAME,
    DATASET_SOURCE,
    DATASET_TITLE,
    SCHEMA_VERSION,
    TABLES,
    Column,
    Table,
)

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
_FIELD_TYPES = {"string": "string", "Int64": "integer", "Float64": "number"}
# Where a table's rows point at a document: its doc_id column is one of `documents`'. Superseded
# versions left the documents table by definition, so `superseded` has no such key.
_NOT_DOCUMENT_ROWS = frozenset({"documents", "superseded"})


def _field(table: Table, column: Column) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": column.name, "type": _FIELD_TYPES[column.dtype],
                            "description": column.description}
    constraints: dict[str, Any] = {}
    if column.values:
        constraints["enum"] = list(column.values)
    if table.unique and column.name in table.key:
        constraints["required"] = True  # frictionless does not imply it from the primary key
    if constraints:
        spec["constraints"] = constraints
    return spec


def _columns(table: Table, named: bool) -> list[Column]:
    """The table's columns as the file holds them: a CSV has the document's file name right
    after doc_id where the table has none of its own (flows.release.writers.with_file_names)."""
    columns = list(table.columns)
    if named and "doc_id" in table.column_names and FILE_NAME_COLUMN not in table.column_names:
        at = table.column_names.index("doc_id") + 1
        columns.insert(at, Column(FILE_NAME_COLUMN, "string", "the document's file (from "
                                  "`documents`), beside doc_id for people reading the CSV"))
    return columns


def table_schema(table: Table, suffix: str, named: bool = False) -> dict[str, Any]:
    """The Table Schema of one table; `suffix` names the format's resources (foreign keys point
    to the `documents` resource of the same format); `named`: the CSV form (`_columns`)."""
    schema: dict[str, Any] = {"fields": [_field(table, c) for c in _columns(table, named)],
                              "missingValues": [""]}
    if table.unique:
        schema["primaryKey"] = list(table.key)
    if table.name not in _NOT_DOCUMENT_ROWS and "doc_id" in table.column_names:
        schema["foreignKeys"] = [{"fields": ["doc_id"], "reference": {
            "resource": f"documents{suffix}", "fields": ["doc_id"]}}]
    return schema


def _hashed(entry: Mapping[str, Any] | None) -> dict[str, Any]:
    if entry is None:
        return {}
    return {"hash": f"sha256:{entry['sha256']}", "bytes": entry["bytes"]}


def datapackage(files: Mapping[str, Mapping[str, Any]], head: Mapping[str, Any]) -> dict[str, Any]:
    """The descriptor of a release whose files (name → {sha256, bytes}) are `files`; `head` is
    the manifest's head (release id, pipeline version, created_at)."""
    resources: list[dict[str, Any]] = []
    for sub, ext, suffix, media in ((CSV_DIR, "csv", "", "text/csv"),
                                    (PARQUET_DIR, "parquet", "-parquet",
                                     "application/vnd.apache.parquet")):
        for table in TABLES:
            path = f"{sub}/{table.name}.{ext}"
            resource: dict[str, Any] = {
                "name": f"{table.name}{suffix}", "type": "table", "path": path,
                "title": f"{table.name} ({ext.upper()})", "description": table.description,
                "format": ext, "mediatype": media,
                # frictionless reads Parquet through pyarrow and counts no bytes: its sha256
                # is in manifest.json (checked by every run), not here
                **(_hashed(files.get(path)) if ext == "csv" else {}),
                "schema": table_schema(table, suffix, named=ext == "csv"),
            }
            if ext == "csv":
                resource["encoding"] = "utf-8"
                resource["dialect"] = {"header": True, "delimiter": ",", "quoteChar": '"'}
            resources.append(resource)
    resources.append({
        "name": "missions-sqlite", "type": "file", "path": SQLITE_NAME, "format": "sqlite",
        "mediatype": "application/vnd.sqlite3", "title": "The same tables as one SQLite database",
        "description": "Every table above, with full-text indexes on page text and measure "
                       "titles (pages_fts, measures_fts); each column commented.",
        **_hashed(files.get(SQLITE_NAME)),
    })
    return {
        "$schema": PROFILE,
        "name": DATASET_NAME,
        "title": DATASET_TITLE,
        "description": DATASET_DESCRIPTION,
        "version": f"schema {SCHEMA_VERSION}, release {head.get('release', '?')}",
        "created": head.get("created_at"),
        "licenses": [dict(DATASET_LICENSE)],
        "sources": [{"title": DATASET_SOURCE}],
        "contributors": [{"title": f"missions pipeline {head.get('pipeline_version', '?')}",
                          "roles": ["producer"]}],
        "resources": resources,
    }

