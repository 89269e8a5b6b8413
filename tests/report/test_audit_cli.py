"""``hustings audit`` as a user meets it: over files, over the store, errors on one line."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from hustings.cli.main import app
from tests.xpages import write_pages

runner = CliRunner()


def _invoke(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", f"sqlite:///{db}", *args])


def test_audit_over_files_prints_one_json_row_per_busy_account(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 70)
    result = _invoke(tmp_path / "h.db", "audit", str(path), "--min-posts", "10", "--json")
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["handle"] for r in rows) == [f"user{i}" for i in range(1, 8)]
    assert all(r["reply_share"] == 1.0 or r["handle"] == "user1" for r in rows)


def test_audit_with_no_account_above_min_posts_says_so(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 70)
    result = _invoke(tmp_path / "h.db", "audit", str(path), "--min-posts", "11", "--json")
    assert result.exit_code == 1
    assert "no account has 11 or more public messages" in result.output


def test_audit_over_the_store_after_an_import(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 70)
    assert _invoke(tmp_path / "h.db", "import", str(path)).exit_code == 0
    result = _invoke(tmp_path / "h.db", "audit", "--min-posts", "10", "--json")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 7


def test_audit_out_writes_the_report_and_accounts_csv(tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 70)
    out = tmp_path / "audit"
    result = _invoke(tmp_path / "h.db", "audit", str(path), "--min-posts", "10", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    assert (out / "accounts.csv").read_text().startswith("platform,handle,")


def test_audit_of_an_empty_store_is_one_red_line(tmp_path: Path) -> None:
    result = _invoke(tmp_path / "h.db", "audit")
    assert result.exit_code == 1
    assert "no messages to audit" in result.output


def test_audit_refuses_an_unknown_engine(tmp_path: Path) -> None:
    result = _invoke(tmp_path / "h.db", "audit", "--engine", "oracle")
    assert result.exit_code == 1
    assert "unknown engine 'oracle'" in result.output
