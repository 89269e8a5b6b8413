"""``hustings quarantine list | retry | clear`` as a user meets them, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.store import Store
from hustings.store.schema import follower_snapshots, messages
from tests.xpages import page, tweet

DATA = Path(__file__).resolve().parent.parent / "data" / "csv"
WRONG_FORMAT = "%Y-%m-%d %H:%M"
RIGHT_FORMAT = "%d/%m/%Y %H:%M"


def run(store: Store, *args: str, **kw: Any) -> Any:
    return CliRunner().invoke(app, ["--db", store.url, *args], **kw)


def lines(result: Any) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in result.stdout.splitlines()]


def _scheduler(folder: Path, fmt: str) -> tuple[Path, Path]:
    """The campaign scheduler's export and its mapping, with ``fmt`` as its time format."""
    mapping = folder / "scheduler.yaml"
    text = (DATA / "scheduler-mapping.yaml").read_text()
    mapping.write_text(text.replace(RIGHT_FORMAT, fmt))
    export = folder / "export.csv"
    shutil.copy(DATA / "scheduler-export.csv", export)
    return export, mapping


def _stored_ids(store: Store) -> list[str]:
    with store.begin() as conn:
        return sorted(conn.execute(select(messages.c.platform_id)).scalars())


def test_retry_reads_again_with_the_batchs_fixed_mapping(
    any_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    _export, mapping = _scheduler(work, WRONG_FORMAT)
    monkeypatch.chdir(work)  # relative paths, as a user types them
    first = run(any_store, "import", "export.csv", "--mapping", "scheduler.yaml", "--json")
    assert first.exit_code == 3 and orjson.loads(first.stdout)["quarantined"] == 4
    mapping.write_text(mapping.read_text().replace(WRONG_FORMAT, RIGHT_FORMAT))
    monkeypatch.chdir(tmp_path)  # a retry may run from anywhere

    retried = run(any_store, "quarantine", "retry", "--json")

    assert retried.exit_code == 0, retried.output
    [result] = lines(retried)
    assert (result["retried"], result["imported"], result["still"]) == (4, 3, 1)
    assert _stored_ids(any_store) == [
        "110000000000000001", "110000000000000002", "110000000000000003"
    ]
    [left] = lines(run(any_store, "quarantine", "list", "--json"))
    assert (left["source"], left["position"]) == ("export.csv", 5)
    assert left["reason"] == f"unreadable timestamp '31/09/2025 19:10' (expected {RIGHT_FORMAT})"
    [batch] = lines(run(any_store, "batches", "--json"))
    counts = {k: batch[k] for k in ("read", "added", "updated", "unchanged", "quarantined")}
    assert counts == {"read": 4, "added": 3, "updated": 0, "unchanged": 0, "quarantined": 1}


def test_retry_again_changes_nothing(any_store: Store, tmp_path: Path) -> None:
    export, mapping = _scheduler(tmp_path, WRONG_FORMAT)
    run(any_store, "import", str(export), "--mapping", str(mapping))
    mapping.write_text(mapping.read_text().replace(WRONG_FORMAT, RIGHT_FORMAT))
    run(any_store, "quarantine", "retry")
    before = (
        _stored_ids(any_store),
        lines(run(any_store, "quarantine", "list", "--json")),
        lines(run(any_store, "batches", "--json")),
    )

    again = run(any_store, "quarantine", "retry", "--json")

    assert again.exit_code == 0, again.output
    assert [(r["retried"], r["imported"], r["still"]) for r in lines(again)] == [(1, 0, 1)]
    after = (
        _stored_ids(any_store),
        [{**q, "id": None} for q in lines(run(any_store, "quarantine", "list", "--json"))],
        lines(run(any_store, "batches", "--json")),
    )
    assert after == (before[0], [{**q, "id": None} for q in before[1]], before[2])


def test_retry_writes_snapshots_once_their_account_is_stored(
    any_store: Store, tmp_path: Path
) -> None:
    followers = tmp_path / "followers.csv"
    followers.write_text(
        "platform,handle,taken_at,followers\n"
        "x,user2,2026-10-01T00:00:00+00:00,1200\n"
        "x,user2,2026-10-02T00:00:00+00:00,1210\n"
    )
    first = run(any_store, "import", str(followers), "--json")
    assert orjson.loads(first.stdout)["quarantined"] == 2
    posts = tmp_path / "posts.jsonl"
    posts.write_bytes(page([tweet(1)]) + b"\n")
    run(any_store, "import", str(posts))

    retried = run(any_store, "quarantine", "retry", "--json")

    assert [(r["imported"], r["still"]) for r in lines(retried)] == [(2, 0)]
    with any_store.begin() as conn:
        counts = conn.execute(select(follower_snapshots.c.followers)).scalars().all()
    assert sorted(counts) == [1200, 1210]
    assert lines(run(any_store, "quarantine", "list", "--json")) == []


def test_retry_leaves_records_read_from_stdin_and_says_why(any_store: Store) -> None:
    run(any_store, "import", "-", input=page([tweet(1)]) + b"\n{not json\n")

    retried = run(any_store, "quarantine", "retry", "--json")

    [result] = lines(retried)
    assert (result["retried"], result["skipped"]) == (0, 1)
    assert "stdin" in result["note"]
    assert len(lines(run(any_store, "quarantine", "list", "--json"))) == 1


def test_retry_leaves_records_of_a_file_changed_since(any_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(page([tweet(1)]) + b"\n{not json\n")
    run(any_store, "import", str(path))
    path.write_bytes(page([tweet(1)]) + b"\n" + page([tweet(2)]) + b"\n")

    [result] = lines(run(any_store, "quarantine", "retry", "--json"))

    assert result["skipped"] == 1 and "has changed" in result["note"]
    assert _stored_ids(any_store) == ["1001"]


def _two_bad_batches(store: Store, folder: Path) -> None:
    for n, name in enumerate(("a.jsonl", "b.jsonl"), start=1):
        path = folder / name
        path.write_bytes(page([tweet(n)]) + b"\n{not json\n")
        run(store, "import", str(path))


def test_clear_without_a_terminal_asks_for_yes(store: Store, tmp_path: Path) -> None:
    _two_bad_batches(store, tmp_path)
    result = run(store, "quarantine", "clear", "--batch", "1")
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    assert len(lines(run(store, "quarantine", "list", "--json"))) == 2


def test_clear_forgets_one_batch_only(store: Store, tmp_path: Path) -> None:
    _two_bad_batches(store, tmp_path)
    result = run(store, "quarantine", "clear", "--batch", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert "Cleared 1 quarantined records of batch 1" in result.stderr
    assert [q["batch"] for q in lines(run(store, "quarantine", "list", "--json"))] == [2]


def test_clear_of_an_unknown_batch_is_a_usage_error(store: Store) -> None:
    result = run(store, "quarantine", "clear", "--batch", "7", "--yes")
    assert result.exit_code == 2
    assert "no import batch 7" in result.stderr


def test_bare_quarantine_lists_as_the_readme_says(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _two_bad_batches(store, Path("."))
    result = run(store, "quarantine", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "a.jsonl" in result.stderr and "b.jsonl" in result.stderr
    assert "line 2" in result.stderr and "invalid JSON" in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) <= 80
