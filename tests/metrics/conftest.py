"""Engines and snapshots for the metric tests.

``con`` runs a test on DuckDB and on Spark (local mode). The Spark session is session-scoped
because it takes seconds to start; Spark cases carry the ``spark`` mark so they can be run or
left out as a group (``-m spark`` / ``-m "not spark"``), and skip when pyspark is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hustings.metrics import AuditParams, connect, read_snapshot, run_audit
from hustings.metrics._scorecard import Scorecard
from hustings.store import Store
from hustings.store.parquet import export_parquet
from hustings.store.records import write_accounts, write_messages, write_tracked
from tests.metrics import handmade


@pytest.fixture(scope="session")
def spark_backend() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="the Spark engine needs pip install '.[spark]'")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    con = connect("spark", "local[2]")
    yield con
    con.disconnect()


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def con(request: pytest.FixtureRequest) -> Any:
    """An Ibis backend: DuckDB, or the session's local Spark."""
    if request.param == "spark":
        return request.getfixturevalue("spark_backend")
    return connect("duckdb")


def build_snapshot(
    out: Path,
    messages: list[Any],
    tracked: list[Any] = (),  # type: ignore[assignment]
    accounts: list[Any] = (),
) -> Path:  # type: ignore[assignment]
    """Write records into a fresh SQLite store, thread them, and export the Parquet snapshot."""
    store = Store.open(f"sqlite:///{out / 'store.db'}")
    with store.begin() as conn:
        write_accounts(conn, accounts, None)
        write_messages(conn, messages, None)
        write_tracked(conn, list(tracked))
    export_parquet(store, out / "snapshot")
    store.close()
    return out / "snapshot"


@pytest.fixture(scope="session")
def handmade_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot(
        tmp_path_factory.mktemp("handmade"), handmade.MESSAGES, handmade.TRACKED, handmade.ACCOUNTS
    )


HANDMADE_PARAMS = AuditParams(since=handmade.SINCE, until=handmade.UNTIL)


@pytest.fixture
def handmade_card(con: Any, handmade_snapshot: Path) -> Scorecard:
    return run_audit(read_snapshot(con, handmade_snapshot), HANDMADE_PARAMS, engine=con.name)

