"""The workspace's directory of who wrote in: a person for each author's identity.

Filing messages into an inbox needs the person behind each author, and the people
capability builds its CRM on the same rows; both use this module, so neither imports the
other (``docs``: the ``workspace`` layer sits under ``inbox`` and ``people``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from hustings.store.keys import keys_in
from hustings.store.records import insert_ignoring_duplicates
from hustings.store.schema import people, person_identities

__all__ = ["Author", "people_for_authors"]

# A new person's stance until someone records one (``hustings.people.core.Stance.UNKNOWN``).
_UNKNOWN = "unknown"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Author:
    """Someone who wrote in: an identity, the handle shown for it, and linked profiles."""

    platform: str
    account_id: str
    handle: str | None = None
    linked: list[list[str]] = field(default_factory=list)


def _owners(conn: Connection, workspace_id: int, keys: Iterable[tuple[str, str]]) -> dict[Any, int]:
    rows = conn.execute(
        select(
            person_identities.c.platform,
            person_identities.c.account_id,
            person_identities.c.person_id,
        ).where(
            person_identities.c.workspace_id == workspace_id,
            keys_in(person_identities.c.platform, person_identities.c.account_id, keys),
        )
    )
    return {(r.platform, r.account_id): int(r.person_id) for r in rows}


def people_for_authors(
    conn: Connection, workspace_id: int, authors: Sequence[Author]
) -> dict[tuple[str, str], int]:
    """The person behind each author's identity, creating people on first sight.

    A constant number of statements however many authors, so that filing a batch of
    messages does not cost a round trip per message. Two syncs can meet the same new author
    at once: the unique identity key keeps the first identity written, and the loser's
    freshly created person, left without an identity, is deleted again.
    """
    wanted = {(a.platform, a.account_id): a for a in authors}
    found = _owners(conn, workspace_id, wanted)
    new = [a for key, a in wanted.items() if key not in found]
    if not new:
        return found
    now = _now()
    created = (
        conn.execute(
            people.insert().returning(people.c.id, sort_by_parameter_order=True),
            [
                {
                    "workspace_id": workspace_id,
                    "name": a.handle,
                    "stance": _UNKNOWN,
                    "created_at": now,
                }
                for a in new
            ],
        )
        .scalars()
        .all()
    )
    owners = {(a.platform, a.account_id): int(p) for a, p in zip(new, created, strict=True)}
    inserted = insert_ignoring_duplicates(
        conn,
        person_identities,
        [
            {
                "workspace_id": workspace_id,
                "person_id": owners[(a.platform, a.account_id)],
                "platform": a.platform,
                "account_id": a.account_id,
                "handle": a.handle,
                "verified": False,
                "linked": a.linked,
            }
            for a in new
        ],
    )
    if inserted < len(new):  # another sync got there first for some: read who owns them
        owners = _owners(conn, workspace_id, owners)
        orphans = {int(i) for i in created} - set(owners.values())
        conn.execute(people.delete().where(people.c.id.in_(orphans)))
    return {**found, **owners}
