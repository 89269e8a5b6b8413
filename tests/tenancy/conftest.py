"""The two-workspace world, built once per backend and copied for every test that writes.

``template`` builds the world once per session on SQLite (a file) and on PostgreSQL (a
database used as a template); ``fresh`` hands a test its own copy (see ``Template.copy``),
in a fraction of the time building it takes.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hustings.store import Store
from tests.conftest import _postgres_url
from tests.tenancy.harness import Copy, Template, sign_in
from tests.tenancy.world import build_world


def _sqlite(folder: Path) -> tuple[str, Callable[[], str], Callable[[], None]]:
    source = folder / "world.db"

    def make() -> str:
        target = folder / f"copy-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"

    return f"sqlite:///{source}", make, lambda: None


def _postgresql() -> tuple[str, Callable[[], str], Callable[[], None]]:
    admin_url = _postgres_url()
    base = admin_url.rsplit("/", 1)[0]
    name = f"hustings_world_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    made = [name]
    # Throwaway databases: a commit need not wait for its WAL to reach the disk.
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))

    def make() -> str:
        copy = f"{name}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'))
            conn.execute(text(f'ALTER DATABASE "{copy}" SET synchronous_commit TO off'))
        made.append(copy)
        return f"{base}/{copy}"

    def drop() -> None:
        with admin.connect() as conn:
            for db in reversed(made):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", make, drop


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Template]:
    """The world on SQLite and on PostgreSQL, built once per session (per xdist worker)."""
    if request.param == "sqlite":
        url, make, drop = _sqlite(tmp_path_factory.mktemp("tenancy"))
    else:
        url, make, drop = _postgresql()
    store = Store.open(url)
    try:
        built = Template(request.param, build_world(store), make)
        sign_in(built, store)
    finally:
        store.close()  # a template database must have no connection left when copied
    yield built
    built.close()
    drop()


@pytest.fixture
def fresh(template: Template) -> Iterator[Copy]:
    """A private copy of the world for a test that writes."""
    copy = template.copy()
    yield copy
    copy.close()
