"""The command line as a user meets it: exit codes, --json output, one-line errors, help."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from hustings.cli.main import app
from tests.xpages import page, tweet, write_pages

runner = CliRunner()


def _invoke(db: Path, *args: str, **kw: object):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", f"sqlite:///{db}", *args], **kw)  # type: ignore[arg-type]


def test_import_json_reports_the_documented_counts(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 12)
    result = _invoke(tmp_path / "h.db", "import", "--json", str(path))
    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.stdout)
    assert {k: summary[k] for k in ("read", "added", "updated", "quarantined")} == {
        "read": 12, "added": 12, "updated": 0, "quarantined": 0}


def test_import_exits_3_when_records_were_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(page([tweet(1)]) + b"\n{not json\n")
    result = _invoke(tmp_path / "h.db", "import", "--json", str(path))
    assert result.exit_code == 3
    assert orjson.loads(result.stdout)["quarantined"] == 1
    listed = _invoke(tmp_path / "h.db", "quarantine", "list", "--json")
    entry = orjson.loads(listed.stdout.splitlines()[0])
    assert (entry["position"], entry["unit"]) == (2, "line")


def test_import_reads_stdin(tmp_path: Path) -> None:
    data = write_pages(tmp_path / "x.jsonl", 3).read_bytes()
    result = _invoke(tmp_path / "h.db", "import", "--json", "-", input=data)
    assert orjson.loads(result.stdout)["added"] == 3


def test_missing_file_is_one_red_line_and_exit_1(tmp_path: Path) -> None:
    result = _invoke(tmp_path / "h.db", "import", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: {tmp_path / 'nope.jsonl'}: no such "
                                                  "file or folder"]


def test_unknown_forced_format_is_an_error_naming_the_formats(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 1)
    result = _invoke(tmp_path / "h.db", "import", "--format", "myspace", str(path))
    assert result.exit_code == 1
    assert "unknown format 'myspace'" in result.stderr and "x-v2" in result.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert _invoke(tmp_path / "h.db", "import").exit_code == 2


def test_thread_shows_the_conversation_in_turn_order(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    _invoke(db, "import", str(write_pages(tmp_path / "x.jsonl", 4)))
    result = _invoke(db, "thread", "x", "1002", "--json")
    turns = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(t["id"], t["depth"]) for t in turns] == [("1000", 0), ("1001", 1), ("1002", 2),
                                                      ("1003", 3)]


def test_status_counts_rows(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    _invoke(db, "import", str(write_pages(tmp_path / "x.jsonl", 4)))
    status = orjson.loads(_invoke(db, "status", "--json").stdout)
    assert status["counts"]["messages"] == 4


def test_export_parquet_writes_messages_readable_by_duckdb(tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "h.db"
    _invoke(db, "import", str(write_pages(tmp_path / "x.jsonl", 6)))
    result = _invoke(db, "export", "parquet", str(tmp_path / "pq"), "--json")
    assert result.exit_code == 0, result.output
    rows = duckdb.sql(
        f"select platform, month, count(*), max(depth) from read_parquet("
        f"'{tmp_path}/pq/messages/**/*.parquet', hive_partitioning=true) group by all").fetchall()
    assert rows == [("x", "2026-10", 6, 5)]


def _commands() -> list[tuple[str, ...]]:
    import typer

    found: list[tuple[str, ...]] = []

    def walk(command: typer.main.TyperGroup | object, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            found.append(path)
            return
        for name, sub in subcommands.items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_import_table_at_80_columns_shows_counts_that_add_up(tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "riverside-campaign-2026"
    folder.mkdir(parents=True)
    write_pages(folder / "x-search-results-week-one-of-the-campaign.jsonl", 12)
    (folder / "x-search-results-week-two-of-the-campaign.jsonl").write_bytes(
        page([tweet(1), tweet(40)]) + b"\n{not json\n"
    )
    result = _invoke(tmp_path / "h.db", "import", str(folder), env={"COLUMNS": "80"})
    assert result.exit_code == 3, result.output
    lines = result.stderr.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if "read" in line and "┃" in line)
    names = [cell.strip() for cell in header.strip("┃ ").split("┃")]
    assert names[:6] == ["file", "read", "added", "updated", "unchanged", "quarantined"]
    counts = [
        [int(cell) for cell in row.strip("│ ").split("│")[1:6]]
        for row in lines
        if row.startswith("│") and row.split("│")[2].strip()
    ]
    assert counts == [[12, 12, 0, 0, 0], [3, 1, 1, 0, 1]]  # tweet 1 now without its parent
    assert all(read == sum(rest) for read, *rest in counts)
    assert str(folder) in "".join(result.stderr.split())  # said once, in the title
