"""The Alembic migrations build exactly the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hustings.store import Store
from hustings.store.schema import metadata


def test_migrations_match_the_declared_schema(any_store: Store) -> None:
    with any_store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_opening_a_store_twice_keeps_its_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'h.db'}"
    first = Store.open(url)
    with first.begin() as conn:
        conn.execute(metadata.tables["tracked_accounts"].insert().values(
            platform="x", handle="A", handle_lower="a", role="leader"))
    first.close()
    assert Store.open(url).counts()["tracked_accounts"] == 1
