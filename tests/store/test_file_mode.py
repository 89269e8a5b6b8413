"""A new SQLite store, and the files SQLite writes beside it, are readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from hustings.store import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_database_file_is_0600(tmp_path: Path) -> None:
    path = tmp_path / "data" / "hustings.db"
    store = Store.open(f"sqlite:///{path}")
    try:
        assert _mode(path) == 0o600
    finally:
        store.close()


def test_wal_and_shm_files_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "hustings.db"
    store = Store.open(f"sqlite:///{path}")
    try:
        with store.begin() as conn:  # a write, so the WAL holds something
            conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
        sidecars = [Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(p.exists() for p in sidecars)
        assert [_mode(p) for p in sidecars] == [0o600, 0o600]
    finally:
        store.close()


def test_new_data_folder_is_0700(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    Store.open(f"sqlite:///{folder / 'hustings.db'}").close()
    assert _mode(folder) == 0o700
