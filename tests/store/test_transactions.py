"""``Store.begin``: a block that raises keeps none of its writes, on SQLite and PostgreSQL;
and on PostgreSQL one that raised without writing (a lost claim, a 404) leaves the
connection's prepared statements in place, so the requests after it are not planned anew."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text

from hustings.errors import ConflictError
from hustings.store import Store
from hustings.store.schema import workspaces


def _count(store: Store) -> int:
    with store.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(workspaces)).scalar_one())


def test_a_block_that_raises_after_writing_keeps_nothing(any_store: Store) -> None:
    with pytest.raises(ConflictError), any_store.begin() as conn:
        conn.execute(workspaces.insert().values(name="Riding HQ", created_at=datetime.now(UTC)))
        raise ConflictError("someone got there first")
    assert _count(any_store) == 0


def test_a_block_that_succeeds_keeps_its_writes(any_store: Store) -> None:
    with any_store.begin() as conn:
        conn.execute(workspaces.insert().values(name="Riding HQ", created_at=datetime.now(UTC)))
    assert _count(any_store) == 1


def _prepared(store: Store) -> int:
    with store.begin() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one())


def test_a_failed_read_keeps_the_prepared_statements(postgres_url: str) -> None:
    Store.open(postgres_url).close()  # migrated
    store = Store(create_engine(postgres_url, pool_size=1, max_overflow=0))  # one connection
    for _ in range(6):  # psycopg prepares a statement at its fifth run
        _count(store)
    assert _prepared(store) >= 1
    with pytest.raises(ConflictError), store.begin() as conn:
        conn.execute(select(func.count()).select_from(workspaces))
        raise ConflictError("someone got there first")
    assert _prepared(store) >= 1
    store.close()


def test_a_failed_statement_is_rolled_back_and_the_connection_reusable(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    with pytest.raises(Exception, match="division by zero"), store.begin() as conn:
        conn.execute(text("SELECT 1 / 0"))
    assert _count(store) == 0
    store.close()
