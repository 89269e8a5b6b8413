"""Upgrading a store that already holds people and stance entries to named stance targets
(migration 0007), on SQLite and PostgreSQL: nothing is lost, and every old entry is now
toward the workspace's own candidate (or "our campaign" when its accounts name none)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from hustings.people.privacy import person_detail
from hustings.store.database import _MIGRATIONS, create_store_engine, migrate
from hustings.workspace import Actor

T0 = datetime(2026, 9, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def old_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a store migrated only to 0006, the revision before named targets."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_store_engine(url)
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
    yield engine
    engine.dispose()


def _fill(engine: Engine) -> dict[str, int]:
    """Two workspaces as 0006 stored them: Riverside owns its candidate's account, the
    office owns none; people with identities, tags and stance entries from every source."""
    ids: dict[str, int] = {}
    with engine.begin() as conn:

        def insert(sql: str, **values: object) -> int:
            return int(conn.execute(text(sql + " RETURNING id"), values).scalar_one())

        ids["riverside"] = insert(
            "INSERT INTO workspaces (name, created_at, inbox_cursor) VALUES (:n, :t, 0)",
            n="Riverside", t=T0,
        )  # fmt: skip
        ids["office"] = insert(
            "INSERT INTO workspaces (name, created_at, inbox_cursor) VALUES (:n, :t, 0)",
            n="Office", t=T0,
        )  # fmt: skip
        tracked = insert(
            "INSERT INTO tracked_accounts (platform, handle, handle_lower, role, name) "
            "VALUES ('x', 'JaneDoe', 'janedoe', 'candidate', 'Jane Doe')"
        )
        staffer = insert(
            "INSERT INTO tracked_accounts (platform, handle, handle_lower, role) "
            "VALUES ('x', 'JaneTeam', 'janeteam', 'staff')"
        )
        for account in (staffer, tracked):
            conn.execute(
                text("INSERT INTO workspace_accounts (workspace_id, tracked_account_id) "
                     "VALUES (:w, :a)"),
                {"w": ids["riverside"], "a": account},
            )  # fmt: skip
        for name, workspace, stance in (
            ("ana", "riverside", "support"),
            ("bo", "riverside", "unknown"),
            ("cy", "office", "oppose"),
        ):
            ids[name] = insert(
                "INSERT INTO people (workspace_id, name, stance, created_at) "
                "VALUES (:w, :n, :s, :t)",
                w=ids[workspace], n=name, s=stance, t=T0,
            )  # fmt: skip
            conn.execute(
                text("INSERT INTO person_identities (workspace_id, person_id, platform, "
                     "account_id, verified, linked) VALUES (:w, :p, 'x', :a, false, '[]')"),
                {"w": ids[workspace], "p": ids[name], "a": f"{name}-id"},
            )  # fmt: skip
            conn.execute(
                text("INSERT INTO person_tags (person_id, tag) VALUES (:p, 'volunteer')"),
                {"p": ids[name]},
            )
        for person, workspace, value, source, hours in (
            ("ana", "riverside", "support", "staff", 1),
            ("ana", "riverside", "oppose", "model", 5),  # newer, but staff outranks a model
            ("bo", "riverside", "undecided", "self_declared", 2),
            ("cy", "office", "oppose", "staff", 3),
        ):
            conn.execute(
                text("INSERT INTO stance_entries (workspace_id, person_id, value, source, "
                     "created_at) VALUES (:w, :p, :v, :s, :t)"),
                {"w": ids[workspace], "p": ids[person], "v": value, "s": source,
                 "t": T0 + timedelta(hours=hours)},
            )  # fmt: skip
    return ids


def test_upgrade_moves_every_entry_to_a_named_target_and_loses_nothing(
    old_store: Engine,
) -> None:
    ids = _fill(old_store)
    migrate(old_store)
    with old_store.begin() as conn:
        targets = conn.execute(
            text("SELECT workspace_id, name, kind FROM stance_targets ORDER BY workspace_id")
        ).all()
        entries = conn.execute(
            text("SELECT person_id, target, value, source FROM stance_entries ORDER BY id")
        ).all()
        identities = conn.execute(text("SELECT count(*) FROM person_identities")).scalar()
        tags = conn.execute(text("SELECT count(*) FROM person_tags")).scalar()
    assert [tuple(t) for t in targets] == [
        (ids["riverside"], "Jane Doe", "candidate"),
        (ids["office"], "our campaign", "other"),
    ]
    assert [(e.person_id, e.target) for e in entries] == [
        (ids["ana"], "Jane Doe"),
        (ids["ana"], "Jane Doe"),
        (ids["bo"], "Jane Doe"),
        (ids["cy"], "our campaign"),
    ]
    # Rebuilding ``people`` (to drop its one stance column) once took every row that
    # cascades from it on SQLite: identities, tags, stance entries.
    assert (identities, tags) == (3, 3)
    assert "stance" not in {c["name"] for c in inspect(old_store).get_columns("people")}

    with old_store.begin() as conn:
        riverside, office = Actor.system(ids["riverside"]), Actor.system(ids["office"])
        ana = person_detail(conn, riverside, ids["ana"])
        bo = person_detail(conn, riverside, ids["bo"])
        cy = person_detail(conn, office, ids["cy"])
    assert [(s["target"], s["value"], s["source"]) for s in ana["stances"]] == [
        ("Jane Doe", "support", "staff")
    ]
    assert [(s["target"], s["value"]) for s in bo["stances"]] == [("Jane Doe", "undecided")]
    assert [(s["target"], s["value"]) for s in cy["stances"]] == [("our campaign", "oppose")]
