"""Two imports of the same file at once (issue 16, item 15): the second is refused by name
while the first lives, and the first finishes with true counts."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson
from sqlalchemy import func, select, text

from hustings.store import Store
from hustings.store.batches import list_batches
from hustings.store.schema import import_batches, messages
from tests.xpages import write_pages


def _import(url: str, path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "hustings", "--db", url, "import", "--json", *extra, str(path)]


def _wait_for_checkpoint(store: Store, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with store.begin() as conn:
            mark = conn.execute(select(func.max(import_batches.c.checkpoint))).scalar()
        if mark:
            return
        time.sleep(0.05)
    raise AssertionError("the first import finished before a checkpoint could be observed")


def test_a_second_import_of_a_running_file_is_refused_naming_the_pid(
    any_store: Store, tmp_path: Path
) -> None:
    # Small transactions, so the first import is still running when the second starts
    # (SQLite commits much faster than a PostgreSQL server: one tweet per commit there).
    sqlite = any_store.engine.dialect.name == "sqlite"
    path = write_pages(tmp_path / "x.jsonl", 6000, per_page=1 if sqlite else 10)
    url = any_store.engine.url.render_as_string(hide_password=False)
    every = "1" if sqlite else "5"
    first = subprocess.Popen(
        _import(url, path, "--commit-every", every), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _wait_for_checkpoint(any_store, first)
        if sqlite:
            second = subprocess.run(_import(url, path), capture_output=True, timeout=120)
        else:
            # PostgreSQL commits fast enough that a busy machine let the first import end
            # before the second started: hold its writes (reads still pass) meanwhile, so
            # the second meets a live import whatever the load.
            with any_store.engine.connect() as hold:
                hold.execute(text("LOCK TABLE messages IN EXCLUSIVE MODE"))
                second = subprocess.run(_import(url, path), capture_output=True, timeout=120)
                hold.rollback()
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 1, second.stderr
    assert f"an import of this file is running, pid {first.pid}" in second.stderr.decode()
    assert first.returncode == 0, err
    summary = orjson.loads(out)
    assert (summary["read"], summary["added"], summary["unchanged"]) == (6000, 6000, 0)
    with any_store.begin() as conn:
        (batch,) = list_batches(conn)
        stored = conn.execute(select(func.count()).select_from(messages)).scalar_one()
    assert (batch.status, batch.counts["added"], stored) == ("finished", 6000, 6000)
