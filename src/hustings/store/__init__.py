"""The operational store: SQLite by default, PostgreSQL for teams.

``Store.open()`` creates or migrates the schema and hands out transactions; the modules
beside this one hold the writes (``records``), import bookkeeping (``batches``) and thread
maintenance (``threads``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, select

from hustings.store.database import create_store_engine, data_dir, database_url, migrate
from hustings.store.schema import metadata

__all__ = ["Store", "data_dir", "database_url"]


class Store:
    """A migrated database. Cheap to pass around; the engine pools its connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        engine = create_store_engine(url or database_url())
        migrate(engine)
        return cls(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def counts(self) -> dict[str, int]:
        """Rows per table: what ``hustings status`` shows."""
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in metadata.tables.items()
                if name != "alembic_version"
            }

    def close(self) -> None:
        self.engine.dispose()
