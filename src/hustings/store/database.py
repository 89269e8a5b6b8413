"""Where the store lives and how a connection to it is made.

The default is a SQLite file in the user's data directory, so ``hustings demo`` works with
no set-up; ``HUSTINGS_DATABASE_URL`` (any SQLAlchemy URL, e.g.
``postgresql+psycopg://user@127.0.0.1/hustings``) points a team at PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from hustings.errors import ConfigError, StoreError

__all__ = ["create_store_engine", "data_dir", "database_url", "migrate"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def data_dir() -> Path:
    """``HUSTINGS_HOME``, else ``$XDG_DATA_HOME/hustings``, else ``~/.local/share/hustings``."""
    home = os.environ.get("HUSTINGS_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "hustings"


def database_url() -> str:
    return os.environ.get("HUSTINGS_DATABASE_URL") or f"sqlite:///{data_dir() / 'hustings.db'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 32 MiB of page cache instead of 2: an import's index pages stay in memory, which
    # made inserting into a store of a few hundred thousand messages a fifth cheaper.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def _json_dumps(value: Any) -> str:
    """orjson for JSON columns: the stdlib encoder was a tenth of import time."""
    return orjson.dumps(value).decode()


def _create_private(path: Path) -> None:
    """Create an empty SQLite file readable by its owner only (0600), if there is none.

    The store holds citizens' messages and staff password hashes. SQLite would create the
    file 0644 (less the umask), readable by every local user; made here first, it is 0600,
    like the secret key, and SQLite gives its ``-wal`` and ``-shm`` files the database
    file's own mode. A new folder is made 0700. An existing file's mode is left alone: an
    operator may have chosen it.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file is created private (0600), WAL mode turned on."""
    try:
        engine = create_engine(url, json_serializer=_json_dumps, json_deserializer=orjson.loads)
    except (SQLAlchemyError, ValueError) as exc:
        raise ConfigError(f"cannot use database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not engine.url.query.get("uri"):
            _create_private(Path(database))
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision.

    On SQLite, foreign keys are off while migrating: a batch migration rebuilds a table
    (copy, drop, rename), and dropping ``people`` with foreign keys on deleted every row
    that cascades from it (identities, stance entries, tags, notes). The constraints are
    checked once the migration is done, and a violation refuses the upgrade.
    """
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if sqlite:  # a no-op inside a transaction, so before the migration's own
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    if sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                        if broken:
                            raise StoreError(
                                f"the migration left {len(broken)} rows pointing at nothing,"
                                f" first in table {broken[0][0]!r}: not upgraded"
                            )
            finally:
                if sqlite:
                    connection.rollback()  # whatever the failed upgrade left open
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the store at {engine.url!r}: {exc}") from exc
