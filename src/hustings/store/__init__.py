"""The operational store: SQLite by default, PostgreSQL for teams.

``Store.open()`` creates or migrates the schema and hands out transactions; the modules
beside this one hold the writes (``records``), import bookkeeping (``batches``) and thread
maintenance (``threads``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

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
        """A transaction: committed when the block ends, rolled back when it raises.

        Unless it raised having written nothing (a lost claim, a 404): then it is committed,
        which for a transaction without writes is the same thing. psycopg forgets every
        statement it prepared on the connection at each ROLLBACK, so under load each 409
        had the next requests on that connection parse and plan all their statements
        again: planning was then most of PostgreSQL's time.
        """
        with self.engine.connect() as conn:
            transaction = conn.begin()
            try:
                yield conn
            except BaseException:
                if _wrote_nothing(conn):
                    transaction.commit()
                else:
                    transaction.rollback()
                raise
            transaction.commit()

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


def _wrote_nothing(conn: Connection) -> bool:
    """Whether a psycopg (PostgreSQL) transaction is healthy and has no transaction id yet:
    PostgreSQL assigns one at the first write or row lock, so without one there is nothing
    a commit could keep. False on other drivers, where a rollback costs nothing extra."""
    if conn.dialect.driver != "psycopg" or conn.invalidated:
        return False
    status = conn.connection.driver_connection.info.transaction_status  # type: ignore[union-attr]
    if status.name != "INTRANS":  # INERROR: a failed statement, only a rollback will do
        return False
    try:
        return conn.exec_driver_sql("SELECT txid_current_if_assigned()").scalar() is None
    except SQLAlchemyError:
        return False
