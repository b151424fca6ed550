"""The archivist's real inbox (issue 15): nested French folder names, a duplicate copy, OS junk,
an Office lock file, a download in progress, the output folder inside the inbox — run three
times with a file deleted between runs. Legacy text only: no OCR."""
from __future__ import annotations

import shutil
from pathlib import Path

from extractors.sources import scan_inputs
from flows.pipeline.run import ingest
from flows.release.layout import read_release
from models.errors import ExitCode
from tests.conftest import LEGACY, SAMPLES, run_cli

CORPUS = SAMPLES.parent / "tests" / "corpus"
JUNK = ("Thumbs.db", "desktop.ini", ".DS_Store", "~$note de synthèse.docx",
        "rapport final.pdf.crdownload", "brouillon.tmp")


def build_inbox(root: Path) -> tuple[Path, Path]:
    """The inbox of the issue, and the output folder inside it."""
    inbox = root / "Arrivées"
    reports = inbox / "2020 — Rapports de la mission"
    follow = inbox / "2021 - suivi à un an"
    reports.mkdir(parents=True)
    follow.mkdir()
    shutil.copy(LEGACY, reports / "rapport d'étape.txt")
    shutil.copy(LEGACY, follow / "copie du rapport d'étape.txt")  # the duplicate copy
    shutil.copy(CORPUS / "gen-alliances-slides-0.txt", follow / "suivi.txt")
    (inbox / "note de synthèse.docx").write_bytes(b"PK\x03\x04" + b"\0" * 26 + b"word/document.xml")
    for name in JUNK:
        (inbox / name).write_bytes(b"\0\1\2 junk")
    (reports / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0 thumbnails")
    return inbox, inbox / "résultats"


def names_in(out: Path) -> set[str]:
    frames = read_release(out)
    return set(frames["documents"]["source_name"]) | set(frames["document_names"]["source_name"])


def test_an_inbox_run_three_times_describes_it_as_it_is(tmp_path: Path) -> None:
    inbox, out = build_inbox(tmp_path)
    first = ingest([str(inbox)], str(out), workers=1)
    assert len(first.new) == 2 and len(first.duplicates) == 1
    assert [Path(n).name for n, _ in first.quarantined] == ["note de synthèse.docx"]
    assert "Word document" in first.quarantined[0][1] and ".missionsignore" in first.quarantined[0][1]
    said = dict(first.notes)
    assert said[str(inbox / "rapport final.pdf.crdownload")] == (
        "a download not complete yet; it will be read when it is")
    assert "Office lock file" in said[str(inbox / "~$note de synthèse.docx")]
    assert "Windows thumbnail cache" in said[str(inbox / "2020 — Rapports de la mission" / "Thumbs.db")]

    second = ingest([str(inbox)], str(out), workers=1)  # the output folder now holds a release
    assert str(out) in second.ignored and str(out) not in dict(second.notes)  # counted, not said
    assert not second.new and len(second.quarantined) == 1  # the .docx is still there: exit 3
    stored = names_in(out)
    assert not {Path(n).name for n in stored} & set(JUNK)
    assert not [n for n in stored if n.startswith(str(out))], "nothing of ours is an input"

    (inbox / "note de synthèse.docx").unlink()  # the archivist deletes the refused file
    third = ingest([str(inbox)], str(out), workers=1)
    assert third.quarantined == [] and third.release is not None
    frames = read_release(out)
    assert set(frames["documents"]["state"]) == {"published"}
    gone = frames["superseded"]
    assert gone[["source_name", "reason", "state"]].values.tolist() == [
        [str(inbox / "note de synthèse.docx"), "gone", "quarantined"]]

    again = run_cli("ingest", str(inbox), "--out", str(out))  # the next night, as a user runs it
    assert again.returncode == ExitCode.ok, again.stderr
    assert "nothing new" in again.stdout and "0 quarantined" in again.stdout


def test_a_file_now_listed_in_missionsignore_leaves_the_release(tmp_path: Path) -> None:
    inbox, out = build_inbox(tmp_path)
    ingest([str(inbox)], str(out), workers=1)
    (inbox / ".missionsignore").write_text("suivi.txt\n*.docx\n")
    summary = ingest([str(inbox)], str(out), workers=1)
    assert summary.quarantined == []
    frames = read_release(out)
    left = dict(zip(frames["superseded"]["source_name"].map(lambda n: Path(n).name),
                    frames["superseded"]["reason"], strict=True))
    assert left == {"suivi.txt": "ignored", "note de synthèse.docx": "ignored"}
    assert len(frames["documents"]) == 1  # the report, under its two names


def test_parent_missionsignore_applies_to_a_run_on_a_sub_folder(tmp_path: Path) -> None:
    (tmp_path / ".missionsignore").write_text("*.json\n")
    sub = tmp_path / "lot"
    sub.mkdir()
    (sub / "x.expected.json").write_text("{}")
    shutil.copy(LEGACY, sub / "rapport.txt")
    found = {Path(f.name).name: f.ignored for f in scan_inputs([sub])}
    assert found == {"x.expected.json": True, "rapport.txt": False}
    found = {Path(f.name).name: f.ignored for f in scan_inputs([sub / "x.expected.json"])}
    assert found == {"x.expected.json": True}


def test_a_folder_laid_out_as_a_release_is_never_read(tmp_path: Path) -> None:
    inbox, _ = build_inbox(tmp_path)
    elsewhere = tmp_path / "autre-sortie"
    ingest([str(LEGACY)], str(elsewhere), workers=1)
    shutil.move(str(elsewhere), str(inbox / "ancienne sortie"))  # a release moved into the inbox
    entries = {Path(f.name).name: f for f in scan_inputs([inbox])}
    assert entries["ancienne sortie"].ignored and "release folder" in (entries["ancienne sortie"].note or "")
    assert not any("ancienne sortie/" in f.name for f in scan_inputs([inbox]))


def test_forget_takes_a_document_out_and_records_it(tmp_path: Path, capsys) -> None:
    from flows.cli import main

    inbox, out = build_inbox(tmp_path)
    ingest([str(inbox)], str(out), workers=1)
    assert main(["forget", "nulle-part", "--out", str(out)]) == ExitCode.bad_arguments
    assert main(["forget", ".txt", "--out", str(out)]) == ExitCode.bad_arguments  # two documents
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "--all" in err
    assert main(["forget", "suivi.txt", "--out", str(out)]) == ExitCode.ok
    assert "forgotten: " in capsys.readouterr().out
    frames = read_release(out)
    assert frames["superseded"]["reason"].tolist() == ["forgotten"]
    assert not any(n.endswith("suivi.txt") for n in frames["documents"]["source_name"])


def test_forget_and_correct_refuse_a_folder_with_no_release(tmp_path: Path, capsys) -> None:
    """Both open on the release the same way: none yet is a one-line refusal, nothing written."""
    from flows.cli import main

    out = tmp_path / "out"
    out.mkdir()
    assert main(["forget", "suivi.txt", "--out", str(out)]) == ExitCode.bad_arguments
    assert main(["correct", "legacy", "3", "status", "satisfaisant", "--out", str(out)]) == (
        ExitCode.bad_arguments)
    assert capsys.readouterr().err.splitlines() == [
        f"missions: there is no release in {out} to forget anything from",
        f"missions: no release in {out}: run `missions ingest … --out {out}` first"]
    assert [p.name for p in out.iterdir()] == [".lock"]  # the folder's lock, and nothing else


def test_what_a_run_says_about_its_inbox(tmp_path: Path) -> None:
    import io

    from flows.messages import tell

    inbox, out = build_inbox(tmp_path)
    summary = ingest([str(inbox)], str(out), workers=1)
    err, said = io.StringIO(), io.StringIO()
    tell(summary, out, stdout=said, stderr=err)
    lines = err.getvalue().splitlines()
    assert sum(line.startswith("skipped: ") for line in lines) == 2  # the download; the junk
    assert "skipped: 6 system or application file(s), not documents (" in err.getvalue()
    assert any(line.endswith("rapport final.pdf.crdownload: a download not complete yet; it will "
                             "be read when it is") for line in lines)
    assert any(line.startswith("quarantined: ") and "note de synthèse.docx" in line
               for line in lines)
    assert said.getvalue().startswith("missions: 2 new, 0 unchanged, 1 quarantined, 1 duplicate")
    assert f"release in {out}" in said.getvalue()
