"""A release's files: the SQLite database (tables commented, indexed, full-text indexes), the
Parquet and CSV files, each with the schema's types; and fsync, so they reach the disk."""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flows.access.csvsafe import neutralise_frame
from flows.release.layout import FTS_INDEXES
from models.schema import SCHEMA_VERSION, TABLES, Table

# Only documents' key is unique by construction (one row per doc_id, enforced by publish and by
# flows.release.tables); the other tables' keys can repeat (a number read twice, a page read
# twice), so they get a plain index on their key, which leads with doc_id.
PRIMARY_KEY_TABLES = frozenset({"documents"})
_ARROW_TYPES = {"string": pa.string(), "Int64": pa.int64(), "Float64": pa.float64()}
FTS_TOKENIZER = "unicode61 remove_diacritics 2"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(table: Table) -> str:
    """CREATE TABLE for one table, each column commented with its description (kept by SQLite)."""
    pk = table.name in PRIMARY_KEY_TABLES
    lines = []
    for i, column in enumerate(table.columns):
        last = i == len(table.columns) - 1 and not pk
        not_null = " NOT NULL" if pk and column.name in table.key else ""
        comment = column.description.replace("\n", " ")
        sep = "" if last else ","
        lines.append(f"  {_quote(column.name)} {column.sql_type}{not_null}{sep} -- {comment}")
    if pk:
        lines.append(f"  PRIMARY KEY ({', '.join(_quote(k) for k in table.key)})")
    return f"CREATE TABLE {_quote(table.name)} (\n" + "\n".join(lines) + "\n)"


def create_index_sql(table: Table) -> list[str]:
    """Plain indexes for the tables whose key is not a primary key; every key leads with doc_id."""
    if table.name in PRIMARY_KEY_TABLES:
        return []
    columns = ", ".join(_quote(k) for k in table.key)
    return [f"CREATE INDEX {_quote(table.name + '_key')} ON {_quote(table.name)} ({columns})"]


def _sql_rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    columns = [[None if v is pd.NA else v for v in frame[c].tolist()] for c in frame.columns]
    return zip(*columns, strict=True)


def write_sqlite(path: Path, frames: Mapping[str, pd.DataFrame]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # A fresh file that nobody reads until it is published: no journal, and the finished
        # file is fsynced by the caller.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(f"PRAGMA user_version={int(SCHEMA_VERSION)}")
        conn.execute("BEGIN")
        for table in TABLES:
            conn.execute(create_table_sql(table))
            marks = ", ".join("?" for _ in table.columns)
            conn.executemany(
                f"INSERT INTO {_quote(table.name)} VALUES ({marks})", _sql_rows(frames[table.name])
            )
            for statement in create_index_sql(table):
                conn.execute(statement)
        for statement in create_fts_sql():
            conn.execute(statement)
        conn.execute("COMMIT")
    finally:
        conn.close()


def create_fts_sql() -> list[str]:
    """FTS5 indexes over page text and measure titles, filled from their content tables."""
    statements = []
    for name, content, columns in FTS_INDEXES:
        cols = ", ".join(_quote(c) for c in columns)
        statements.append(
            f"CREATE VIRTUAL TABLE {_quote(name)} USING fts5({cols}, content=\"{content}\", "
            f"content_rowid=\"rowid\", tokenize='{FTS_TOKENIZER}')")
        statements.append(f"INSERT INTO {_quote(name)}({_quote(name)}) VALUES ('rebuild')")
    return statements


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.dtype], nullable=True) for c in table.columns])


def write_parquet(path: Path, table: Table, frame: pd.DataFrame) -> None:
    arrow = pa.Table.from_pandas(frame, schema=arrow_schema(table), preserve_index=False)
    pq.write_table(arrow, path)


FILE_NAME_COLUMN = "source_name"  # added beside doc_id in CSV and spreadsheet exports


def with_file_names(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables with the document's file name (`source_name`, from `documents`) right after
    `doc_id` wherever a table has a doc_id and no name of its own: a CSV or a spreadsheet is
    read by people, who know files by name, not by sha256. (SQLite and Parquet join.)"""
    docs = frames.get("documents")
    names = (dict(zip(docs["doc_id"], docs["source_name"], strict=True))
             if docs is not None and not docs.empty else {})
    named: dict[str, pd.DataFrame] = {}
    for name, frame in frames.items():
        if "doc_id" not in frame.columns or FILE_NAME_COLUMN in frame.columns:
            named[name] = frame
            continue
        frame = frame.copy()
        at = list(frame.columns).index("doc_id") + 1
        values = pd.array([names.get(d) for d in frame["doc_id"]], dtype="string")
        frame.insert(at, FILE_NAME_COLUMN, values)
        named[name] = frame
    return named


def write_csv(path: Path, table: Table, frame: pd.DataFrame) -> None:
    """The table as CSV, its formula-like cells made inert (see flows.access.csvsafe); `frame`
    may carry `source_name` beside doc_id (`with_file_names`)."""
    neutralise_frame(frame).to_csv(path, index=False, encoding="utf-8", na_rep="",
                                   lineterminator="\n")


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
