"""``write_units``: the one intake seam, idempotent, quarantining, filing into the inbox."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from hustings.ingest.base import Parsed
from hustings.ingest.intake import write_units
from hustings.ingest.mastodon import MastodonImporter
from hustings.model import FollowerSnapshot, Message, MessageKind
from hustings.store import Store
from hustings.store.schema import quarantine


def _units(shared_data: Path) -> list[Parsed]:
    path = shared_data / "fixtures" / "mastodon" / "conversations_direct.json"
    return list(MastodonImporter().parse(io.BytesIO(path.read_bytes()), str(path)))


def test_writing_the_same_units_twice_adds_nothing(any_store: Store, shared_data: Path) -> None:
    units = _units(shared_data)
    with any_store.begin() as conn:
        first = write_units(conn, units, "connector:mastodon:1")
    with any_store.begin() as conn:
        second = write_units(conn, units, "connector:mastodon:1")
    assert first.added > 0 and first.accounts_added > 0
    assert (second.added, second.updated, second.accounts_added) == (0, 0, 0)


def test_a_snapshot_of_an_unknown_account_is_quarantined_once(store: Store) -> None:
    snap = FollowerSnapshot(
        platform="mastodon", account_id=None, handle="nobody@example.org",
        taken_at=datetime(2026, 1, 1, tzinfo=UTC), followers=5,
    )
    unit = Parsed(position=7, snapshots=(snap,))
    for _ in range(2):
        with store.begin() as conn:
            done = write_units(conn, [unit], "connector:mastodon:2")
        assert done.quarantined == 1
    with store.begin() as conn:
        (row,) = conn.execute(select(quarantine)).all()
    assert row.source == "connector:mastodon:2" and row.position == 7
    assert "no mastodon account with handle 'nobody@example.org'" in row.reason


def test_a_message_the_store_refuses_is_quarantined_and_its_page_written(
    any_store: Store,
) -> None:
    """The same bounds as file imports (``hustings.store.bounds``): one message id over
    512 characters costs that message, not the page, on SQLite and PostgreSQL alike."""
    def post(platform_id: str) -> Message:
        return Message(
            platform="mastodon", platform_id=platform_id, author_id="1",
            created_at=datetime(2026, 1, 1, tzinfo=UTC), text=f"post {platform_id[:5]}",
            kind=MessageKind.POST,
        )

    unit = Parsed(position=3, messages=(post("1"), post("9" * 513), post("2")))
    with any_store.begin() as conn:
        done = write_units(conn, [unit], "connector:mastodon:3")
    with any_store.begin() as conn:
        (row,) = conn.execute(select(quarantine)).all()
    assert (done.added, done.quarantined) == (2, 1)
    assert (row.position, row.reason) == (3, "id is 513 characters long; at most 512 are kept")
