"""Exports that open right where researchers open them: CSV for Excel (a byte-order mark, `;`
between fields, CRLF) and `.xlsx` workbooks of the release or of a query (openpyxl), with the
file name beside each doc_id and formula-like text kept as text."""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from flows.access.csvsafe import neutralise

BOM = "\ufeff"
XLSX_CELL_MAX = 32_767  # characters Excel holds in one cell


def excel_csv(cols: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV as French Excel reads it on a double click: UTF-8 *with* a byte-order mark (without
    one it decodes as Windows-1252: « Ã© » for « é »), fields separated by `;` (a `,` is the
    decimal separator there), CRLF line ends, formula-like cells made inert."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(cols)
    writer.writerows([neutralise(v) for v in r] for r in rows)
    return BOM + buf.getvalue()


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if len(value) > XLSX_CELL_MAX:
            note = f" […cut: {len(value):,} characters; the whole text is in missions.sqlite]"
            value = value[:XLSX_CELL_MAX - len(note)] + note
    return value


def write_workbook(path: Path, sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]],
                   notes: Sequence[tuple[str, str, str]] = ()) -> Path:
    """An .xlsx with one sheet per entry (name → columns, rows): a bold, frozen header; text
    stays text (a title `=HYPERLINK(…)` is not a formula); `notes` (sheet, column, meaning)
    make a last sheet « columns ». Written aside and renamed into place."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    all_sheets = dict(sheets)
    if notes:
        all_sheets["columns"] = (("sheet", "column", "meaning"), notes)
    for name, (cols, rows) in all_sheets.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.freeze_panes = "A2"
        header = []
        for col in cols:
            cell = WriteOnlyCell(sheet, value=col)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=_cell_value(value))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever it starts with
                cells.append(cell)
            sheet.append(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    book.save(partial)
    partial.replace(path)
    return path


def frame_rows(frame: pd.DataFrame) -> tuple[list[str], Iterable[Sequence[Any]]]:
    """A frame's columns and rows (NA as None) for `write_workbook` / `excel_csv`."""
    return list(frame.columns), frame.astype(object).itertuples(index=False, name=None)


def export_release(out: Path, to: Path, fmt: str = "xlsx", excel: bool = False) -> Path:
    """The current release as one workbook (a sheet per table, and the columns' meanings), or
    as a folder of CSV files (`excel`: with a byte-order mark and `;`), the file name beside
    each doc_id. Returns what was written."""
    from flows.release.layout import read_release
    from flows.release.writers import FILE_NAME_COLUMN, with_file_names
    from models.schema import TABLES

    frames = with_file_names(read_release(out))
    if fmt == "xlsx":
        notes = [(t.name, c.name, c.description) for t in TABLES for c in t.columns]
        named = "the document's file name (from documents), beside doc_id for reading"
        notes += [(t.name, FILE_NAME_COLUMN, named) for t in TABLES
                  if FILE_NAME_COLUMN in frames[t.name].columns
                  and FILE_NAME_COLUMN not in t.column_names]
        return write_workbook(to, {t.name: frame_rows(frames[t.name]) for t in TABLES}, notes)
    to.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        cols, rows = frame_rows(frames[table.name])
        if excel:
            text = excel_csv(cols, rows)
        else:
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(cols)
            writer.writerows([neutralise(v) for v in r] for r in rows)
            text = buf.getvalue()
        (to / f"{table.name}.csv").write_text(text, encoding="utf-8", newline="")
    return to
