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

from sqlalchemy import ColumnElement, Connection, exists, select

from hustings.store.keys import keys_in
from hustings.store.records import insert_ignoring_duplicates
from hustings.store.schema import people, person_identities, person_stances, stance_targets

__all__ = ["UNKNOWN", "Author", "people_for_authors", "stance_matches", "stances_of"]

# No stance yet toward a target (``hustings.people.core.Stance.UNKNOWN``): no row for it.
UNKNOWN = "unknown"


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


def stance_matches(
    person_id: ColumnElement[Any], target: str | None, value: str
) -> ColumnElement[bool]:
    """The person's current stance toward ``target`` is ``value`` (no target: toward any).

    ``unknown`` means no stance recorded toward the target (no target: toward none). The
    inbox and the people list both filter with it, on ``person_stances``.
    """
    where = [person_stances.c.person_id == person_id]
    if target is not None:
        where.append(person_stances.c.target == target)
    if value == UNKNOWN:
        return ~exists().where(*where)
    return exists().where(*where, person_stances.c.value == value)


def stances_of(
    conn: Connection, workspace_id: int, person_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """Each person's current stance per target, in the order the workspace named its targets
    (a target it no longer names last): what the people list and a person's page show."""
    if not person_ids:
        return {}
    order = {
        name: n
        for n, name in enumerate(
            conn.execute(
                select(stance_targets.c.name)
                .where(stance_targets.c.workspace_id == workspace_id)
                .order_by(stance_targets.c.id)
            ).scalars()
        )
    }
    rows = conn.execute(
        select(person_stances).where(
            person_stances.c.workspace_id == workspace_id,
            person_stances.c.person_id.in_(person_ids),
        )
    ).all()
    found: dict[int, list[dict[str, Any]]] = {p: [] for p in person_ids}
    for r in sorted(rows, key=lambda r: (order.get(r.target, len(order)), r.target)):
        found[r.person_id].append(
            {"target": r.target, "value": r.value, "source": r.source, "since": r.since}
        )
    return found
