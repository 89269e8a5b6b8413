"""Shared fixtures: real data from ../shared, fresh stores, the PostgreSQL server if started."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hustings.store import Store

REPO = Path(__file__).resolve().parent.parent

# Real local servers (Bluesky, Redis, Dovecot, SMTP), each started once per session.
pytest_plugins = ["tests.servers.fixtures"]


def shared_data_dir() -> Path:
    return Path(os.environ.get("HUSTINGS_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data beside the checkout; tests that need it skip when it is absent."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real data folder {path} is absent (set HUSTINGS_SHARED_DATA)")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated SQLite store per test."""
    opened = Store.open(f"sqlite:///{tmp_path / 'hustings.db'}")
    yield opened
    opened.close()


def _postgres_url() -> str:
    url = os.environ.get("HUSTINGS_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: run the suite with scripts/test.sh")
        pytest.skip("no PostgreSQL server: scripts/test.sh starts one and sets "
                    "HUSTINGS_TEST_POSTGRES_URL")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL database, dropped after the test."""
    from sqlalchemy import create_engine, text

    admin_url = _postgres_url()
    name = f"hustings_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same test on the embedded SQLite store and on a real PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hustings.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = Store.open(url)
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real store."""
    monkeypatch.setenv("HUSTINGS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HUSTINGS_DATABASE_URL", raising=False)
