"""The release's datapackage.json: `frictionless validate` passes on the samples' release, and a
release whose tables break their schema (a status outside its vocabulary, a row pointing to no
document, a missing key) fails it."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from frictionless import validate

from flows.access.browse import datasette_metadata
from flows.release.layout import file_digest
from models.schema import DATASET_LICENSE, TABLES
from tests.conftest import Release


def errors(report: object) -> set[str]:
    return {e.type for task in report.tasks for e in task.errors}  # type: ignore[attr-defined]


def test_the_samples_release_validates(sample_release: Release) -> None:
    package = sample_release.out / "datapackage.json"
    report = validate(str(package))
    assert report.valid, [(t.name, [e.message for e in t.errors[:2]])
                          for t in report.tasks if not t.valid]
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert {t.name for t in TABLES} | {f"{t.name}-parquet" for t in TABLES} < names
    sqlite = next(r for r in descriptor["resources"] if r["path"] == "missions.sqlite")
    assert sqlite["hash"] == "sha256:" + file_digest(sample_release.out / "missions.sqlite")
    measures = next(r for r in descriptor["resources"] if r["name"] == "measures")["schema"]
    status = next(f for f in measures["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"][0] == "tres_satisfaisant" and status["description"]
    assert measures["primaryKey"] == ["doc_id", "position"]
    assert measures["foreignKeys"][0]["reference"] == {"resource": "documents",
                                                       "fields": ["doc_id"]}
    manifest = json.loads((sample_release.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["datapackage.json"]["sha256"] == file_digest(package)


def test_datasette_metadata_comes_from_the_same_source(sample_release: Release) -> None:
    descriptor = json.loads((sample_release.out / "datapackage.json").read_text(encoding="utf-8"))
    meta = datasette_metadata()
    assert meta["title"] == descriptor["title"]
    assert meta["license"] == descriptor["licenses"][0]["title"] == DATASET_LICENSE["title"]
    assert meta["source"] == descriptor["sources"][0]["title"]
    fields = {f["name"]: f["description"] for f in next(  # Parquet: the columns SQLite has
        r for r in descriptor["resources"] if r["name"] == "pages-parquet")["schema"]["fields"]}
    assert meta["databases"]["missions"]["tables"]["pages"]["columns"] == fields


def _copy(release: Release, tmp_path: Path) -> Path:
    """The current release's files as plain files in a folder of the test's."""
    dest = tmp_path / "copy"
    shutil.copytree(release.out / ".current", dest)
    return dest


def _rehash(folder: Path, path: str) -> None:
    """Say in datapackage.json that `path` is what it now is (a producer that broke its data
    and its hash together): what fails is then the schema, not the hash."""
    package = folder / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["path"] == path:
            resource["hash"] = "sha256:" + file_digest(folder / path)
            resource["bytes"] = (folder / path).stat().st_size
    package.write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.mark.parametrize("damage, expected", [
    ("status", "constraint-error"),
    ("orphan", "foreign-key"),
    ("no-key", "constraint-error"),
])
def test_a_release_that_breaks_its_schema_fails(sample_release: Release, tmp_path: Path,
                                                 damage: str, expected: str) -> None:
    folder = _copy(sample_release, tmp_path)
    csv = folder / "csv" / "measures.csv"
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    if damage == "status":
        frame.loc[0, "status"] = "excellent"
    elif damage == "orphan":
        frame.loc[0, "doc_id"] = "0" * 64
    else:
        frame.loc[0, "position"] = ""
    frame.to_csv(csv, index=False)
    _rehash(folder, "csv/measures.csv")
    report = validate(str(folder / "datapackage.json"))
    assert not report.valid and expected in errors(report)


def test_a_parquet_table_outside_its_vocabulary_fails(sample_release: Release,
                                                       tmp_path: Path) -> None:
    folder = _copy(sample_release, tmp_path)
    path = folder / "parquet" / "measures.parquet"
    table = pq.read_table(path)
    statuses = table.column("status").to_pylist()
    statuses[0] = "excellent"
    index = table.schema.get_field_index("status")
    pq.write_table(table.set_column(index, "status", pa.array(statuses, pa.string())), path)
    report = validate(str(folder / "datapackage.json"))
    assert not report.valid and "constraint-error" in errors(report)


def test_a_changed_sqlite_file_fails_its_hash(sample_release: Release, tmp_path: Path) -> None:
    folder = _copy(sample_release, tmp_path)
    with open(folder / "missions.sqlite", "ab") as fh:
        fh.write(b"\0")
    report = validate(str(folder / "datapackage.json"))
    assert not report.valid and errors(report) & {"hash-count", "byte-count"}
