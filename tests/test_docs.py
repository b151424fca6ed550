"""The README documents every table, column, exit code and command (kept true by this test)."""
from __future__ import annotations

import re
from pathlib import Path

from flows.usage import build_parser
from models.errors import ExitCode
from models.schema import TABLES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_table_and_column_is_in_the_data_dictionary() -> None:
    for table in TABLES:
        assert f"### `{table.name}`" in README, table.name
        section = README.split(f"### `{table.name}`", 1)[1].split("\n### ", 1)[0]
        for col in table.columns:
            assert re.search(rf"^\| `{col.name}` \|", section, re.MULTILINE), f"{table.name}.{col.name}"


def test_every_exit_code_is_documented() -> None:
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \| `{code.name}` \|", README, re.MULTILINE), code.name


def test_every_command_is_documented() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"missions {name}" in README, name


def test_the_two_commands_are_the_scripts() -> None:
    assert "bash scripts/run-samples.sh" in README
    assert "bash scripts/test.sh" in README
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci
