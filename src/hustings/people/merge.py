"""Merging people: suggested only on strong unique evidence, done by a human, undoable.

Hustings never merges on its own and never suggests on a similar name. A suggestion needs
one of:

- a profile that links to another identity (its URL or bio names ``x.com/handle``, a
  ``bsky.app/profile/…`` page, a Mastodon ``https://host/@user`` or a ``mailto:``), and
  exactly one other person holds that identity;
- a verified e-mail identity on one person equal to an e-mail identity of exactly one other.

A merge moves the identities, stance entries, tags, notes and inbox items of the merged
person to the kept one, records which rows moved, and marks the merged person as merged
(not deleted). Undo moves exactly those rows back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update

from hustings.errors import ConflictError, InvalidInputError, NotFoundError
from hustings.people.core import get_person_row
from hustings.people.stance import refresh_stance
from hustings.store.schema import (
    inbox_items,
    people,
    person_identities,
    person_merges,
    person_notes,
    person_tags,
    stance_entries,
)
from hustings.workspace import Actor, Role, audit

__all__ = ["merge_people", "suggest_merges", "undo_merge"]

_MOVED: dict[str, Table] = {
    "identities": person_identities,
    "stance": stance_entries,
    "notes": person_notes,
    "items": inbox_items,
}


def _live_identities(conn: Connection, workspace_id: int) -> Sequence[Any]:
    return conn.execute(
        select(person_identities)
        .join(people, people.c.id == person_identities.c.person_id)
        .where(person_identities.c.workspace_id == workspace_id, people.c.merged_into_id.is_(None))
    ).all()


def suggest_merges(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """Pairs of people that the evidence says are one, each with the reason."""
    actor.require(Role.VIEWER)
    rows = _live_identities(conn, actor.workspace_id)
    by_key: dict[tuple[str, str], set[int]] = {}
    for r in rows:
        for value in {r.account_id.lower(), (r.handle or "").lower().lstrip("@")} - {""}:
            by_key.setdefault((r.platform, value), set()).add(r.person_id)
    found: dict[tuple[int, int], str] = {}
    for r in rows:
        claims = [(str(p), str(v)) for p, v in r.linked or []]
        if r.platform == "email" and r.verified:
            claims.append(("email", r.account_id.lower()))
        for platform, value in claims:
            others = by_key.get((platform, value), set()) - {r.person_id}
            if len(others) == 1:
                other = next(iter(others))
                pair = (min(r.person_id, other), max(r.person_id, other))
                found.setdefault(
                    pair, f"{r.platform}:{r.handle or r.account_id} links to {platform}:{value}"
                )
    return [{"keep_id": a, "merge_id": b, "reason": why} for (a, b), why in sorted(found.items())]


def merge_people(conn: Connection, actor: Actor, keep_id: int, merge_id: int) -> int:
    """Merge ``merge_id`` into ``keep_id`` and return the merge's id (for undo)."""
    actor.require(Role.MANAGER)
    if keep_id == merge_id:
        raise InvalidInputError("cannot merge a person with themselves")
    kept = get_person_row(conn, actor, keep_id)
    merged = get_person_row(conn, actor, merge_id)
    moved: dict[str, list[int]] = {}
    for name, table in _MOVED.items():
        ids = list(conn.execute(select(table.c.id).where(table.c.person_id == merge_id)).scalars())
        moved[name] = ids
        if ids:
            conn.execute(update(table).where(table.c.id.in_(ids)).values(person_id=keep_id))
    kept_tags = set(
        conn.execute(select(person_tags.c.tag).where(person_tags.c.person_id == keep_id)).scalars()
    )
    tags = conn.execute(
        select(person_tags.c.id, person_tags.c.tag).where(person_tags.c.person_id == merge_id)
    ).all()
    moved["tags"] = [t.id for t in tags if t.tag not in kept_tags]
    if moved["tags"]:
        conn.execute(
            update(person_tags).where(person_tags.c.id.in_(moved["tags"])).values(person_id=keep_id)
        )
    conn.execute(update(people).where(people.c.id == merge_id).values(merged_into_id=keep_id))
    if not kept.name and merged.name:
        conn.execute(update(people).where(people.c.id == keep_id).values(name=merged.name))
    refresh_stance(conn, keep_id)
    refresh_stance(conn, merge_id)  # its entries moved: it keeps no current stance
    result = conn.execute(
        person_merges.insert().values(
            workspace_id=actor.workspace_id,
            kept_id=keep_id,
            merged_id=merge_id,
            moved=moved,
            by_user_id=actor.user_id,
            created_at=datetime.now(UTC),
        )
    )
    (merge_row,) = result.inserted_primary_key or (0,)
    audit(conn, actor, "person.merge", "person", keep_id, {"merged_id": merge_id})
    return int(merge_row)


def undo_merge(conn: Connection, actor: Actor, merge_row_id: int) -> None:
    """Move back exactly what the merge moved and bring the merged person back."""
    actor.require(Role.MANAGER)
    row = conn.execute(
        select(person_merges).where(
            person_merges.c.id == merge_row_id,
            person_merges.c.workspace_id == actor.workspace_id,
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no merge {merge_row_id}")
    if row.undone_at is not None:
        raise ConflictError(f"merge {merge_row_id} was already undone")
    later = conn.execute(
        select(person_merges.c.id).where(
            person_merges.c.merged_id == row.kept_id,
            person_merges.c.undone_at.is_(None),
        )
    ).first()
    if later is not None:
        raise ConflictError(f"undo merge {later.id} first: it merged the kept person away")
    for name, table in {**_MOVED, "tags": person_tags}.items():
        ids = [int(i) for i in row.moved.get(name, [])]
        if ids:
            conn.execute(
                update(table)
                .where(table.c.id.in_(ids), table.c.person_id == row.kept_id)
                .values(person_id=row.merged_id)
            )
    conn.execute(update(people).where(people.c.id == row.merged_id).values(merged_into_id=None))
    conn.execute(
        update(person_merges)
        .where(person_merges.c.id == merge_row_id)
        .values(undone_at=datetime.now(UTC))
    )
    refresh_stance(conn, row.kept_id)
    refresh_stance(conn, row.merged_id)
    audit(conn, actor, "person.unmerge", "person", row.kept_id, {"merged_id": row.merged_id})


def merges_of(conn: Connection, person_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(person_merges)
        .where(person_merges.c.kept_id == person_id, person_merges.c.undone_at.is_(None))
        .order_by(person_merges.c.id)
    )
    return [{"id": r.id, "merged_id": r.merged_id, "at": r.created_at} for r in rows]
