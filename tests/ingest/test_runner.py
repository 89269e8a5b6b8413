"""The import runner: idempotency, resume after a crash, quarantine, refusals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from hustings.errors import SourceUnreadableError, UnknownFormatError
from hustings.ingest.runner import ImportPlan, import_file, import_paths
from hustings.store import Store
from hustings.store.schema import import_batches, messages, quarantine
from tests.xpages import page, tweet, write_pages


def _count(store: Store, table=messages) -> int:  # type: ignore[no-untyped-def]
    with store.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_second_import_of_the_same_file_adds_nothing(any_store: Store, tmp_path: Path) -> None:
    path = write_pages(tmp_path / "x.jsonl", 50)
    first = import_file(any_store, path)
    second = import_file(any_store, path)
    assert (first.read, first.added) == (50, 50)
    assert (second.read, second.added, second.updated, second.unchanged) == (50, 0, 0, 50)
    assert _count(any_store) == 50


def test_threads_are_rebuilt_after_import(store: Store, tmp_path: Path) -> None:
    import_file(store, write_pages(tmp_path / "x.jsonl", 30))
    with store.begin() as conn:
        deepest = conn.execute(select(func.max(messages.c.depth))).scalar_one()
        roots = conn.execute(select(func.count(func.distinct(messages.c.root_id)))).scalar_one()
    assert (deepest, roots) == (29, 1)


def test_bad_lines_are_quarantined_with_line_and_reason(store: Store, tmp_path: Path) -> None:
    good = page([tweet(1)])
    bad_type = page([{**tweet(2), "created_at": 12}])
    naive = page([{**tweet(3), "created_at": "2026-10-01T10:00:00"}])
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\n".join([good, b'{"data": [{"id": "9"', b"\xff\xfe{}", bad_type,
                                 naive, page([tweet(4)])]) + b"\n")
    summary = import_file(store, path, ImportPlan(fmt="x-v2"))
    with store.begin() as conn:
        rows = conn.execute(select(quarantine.c.position, quarantine.c.reason)
                            .order_by(quarantine.c.position)).all()
    assert summary.added == 2
    assert [r.position for r in rows] == [2, 3, 4, 5]
    assert "invalid JSON" in rows[0].reason
    assert "UTF-8" in rows[1].reason
    assert "time zone" in rows[3].reason


def test_reimporting_a_bad_file_does_not_duplicate_quarantine(store: Store,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(page([tweet(1)]) + b"\n{broken\n")
    import_file(store, path)
    import_file(store, path)
    assert _count(store, quarantine) == 1


def test_a_fifty_megabyte_line_is_quarantined_and_the_rest_kept(store: Store,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    with path.open("wb") as out:
        out.write(page([tweet(1)]) + b"\n")
        out.write(b'{"data": [{"text": "' + b"a" * (50 * 2**20) + b'"}]}\n')
        out.write(page([tweet(2)]) + b"\n")
    summary = import_file(store, path)
    assert (summary.added, summary.quarantined) == (2, 1)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"\x00\x01\x02\x03binary\x00" * 100, "binary data"),
    (b"just some prose, not a platform export\n", "not a format Hustings reads"),
])
def test_unreadable_inputs_are_refused_with_a_clear_message(
        store: Store, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.dat"
    path.write_bytes(content)
    with pytest.raises((SourceUnreadableError, UnknownFormatError), match=message):
        import_file(store, path)
    assert _count(store, import_batches) == 0


def test_a_folder_skips_unknown_files_and_imports_the_rest(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    write_pages(folder / "a.jsonl", 5)
    (folder / "notes.txt").write_text("meeting notes\n")
    summaries = import_paths(store, [str(folder)])
    assert [(Path(s.source).name, s.added, bool(s.skipped)) for s in summaries] == [
        ("a.jsonl", 5, False), ("notes.txt", 0, True)]


def _run_import(db: Path, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hustings", "--db", f"sqlite:///{db}", "import", "--json",
         "--commit-every", "5", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_checkpoint(db: Path, proc: subprocess.Popen[bytes]) -> int:
    engine = create_engine(f"sqlite:///{db}")
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with engine.connect() as conn:
                    mark = conn.execute(select(func.max(import_batches.c.checkpoint))).scalar()
            except Exception:  # the schema may not exist yet
                mark = None
            if mark:
                return int(mark)
            time.sleep(0.02)
    finally:
        engine.dispose()
    raise AssertionError("the import finished before a checkpoint could be observed")


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(child) for task in tasks.iterdir()
            for child in (task / "children").read_text().split()]


def _assert_exited(pids: list[int]) -> None:
    """The parser process must not outlive its parent, however the parent died."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.05)
    alive = [p for p in pids if Path(f"/proc/{p}").exists()
             and Path(f"/proc/{p}/stat").read_text().split()[2] != "Z"]
    assert not alive, f"parser processes left running: {alive}"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_an_interrupted_import_resumes_without_loss_or_duplicates(
        tmp_path: Path, sig: signal.Signals) -> None:
    path = write_pages(tmp_path / "x.jsonl", 20_000)
    db = tmp_path / "crash.db"
    proc = _run_import(db, path)
    mark = _wait_for_checkpoint(db, proc)
    parser = _children(proc.pid)
    assert parser, "a file this size is parsed in a child process"
    os.kill(proc.pid, sig)
    proc.wait(timeout=60)
    _assert_exited(parser)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert b"resume" in proc.stderr.read()  # type: ignore[union-attr]
    rerun = subprocess.run([sys.executable, "-m", "hustings", "--db", f"sqlite:///{db}",
                            "import", "--json", str(path)], capture_output=True, check=True)
    store = Store.open(f"sqlite:///{db}")
    assert _count(store) == 20_000
    with store.begin() as conn:
        distinct = conn.execute(select(func.count(func.distinct(messages.c.platform_id))))
        assert distinct.scalar_one() == 20_000
        deepest = conn.execute(select(func.max(messages.c.depth))).scalar_one()
    assert deepest == 19_999
    assert mark > 0
    assert b'"resumed_from":' in rerun.stdout
    assert b'"resumed_from":0' not in rerun.stdout


def test_same_id_with_different_content_in_one_file_is_quarantined(store: Store,
                                                                    tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(page([tweet(1, text="first version")]) + b"\n"
                     + page([tweet(1, text="contradicting version")]) + b"\n")
    summary = import_file(store, path)
    with store.begin() as conn:
        kept = conn.execute(select(messages.c.text)).scalar_one()
        reason, position = conn.execute(select(quarantine.c.reason, quarantine.c.position)).one()
    assert (summary.added, summary.quarantined, kept) == (1, 1, "first version")
    assert position == 2
    assert "duplicate id with different content" in reason


def test_exact_repeat_inside_one_file_counts_as_unchanged(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(page([tweet(1)]) + b"\n" + page([tweet(1)]) + b"\n")
    summary = import_file(store, path)
    assert (summary.read, summary.added, summary.unchanged, summary.quarantined) == (2, 1, 1, 0)
