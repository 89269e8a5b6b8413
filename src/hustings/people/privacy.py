"""One person's whole record: shown to staff, exported to the person, or erased.

Erasure (the right to be forgotten) deletes, in one transaction: the person and anyone
merged into them; their identities, stance entries, tags and notes; this workspace's inbox
items from them with those items' notes and replies; the messages they wrote (except ones
another workspace's inbox still holds: that workspace answers for its own data) and the
replies written to them; and their cached account profiles. Audit entries about them keep
who did what and when, but lose their details (a tag name can be personal). What remains
is one ``erasures`` row with counts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select

from hustings.inbox.items import Filters, list_items
from hustings.inbox.workspaces import Actor, Role, audit
from hustings.people.core import get_person_row, identities_of, notes_and_tags
from hustings.people.merge import merges_of
from hustings.people.stance import stance_history
from hustings.store.keys import keys_in
from hustings.store.schema import (
    accounts,
    audit_log,
    erasures,
    inbox_items,
    inbox_notes,
    inbox_replies,
    messages,
    people,
    person_identities,
    person_merges,
    person_notes,
    person_tags,
    stance_entries,
)

__all__ = ["erase_person", "export_person", "person_detail"]


def person_detail(conn: Connection, actor: Actor, person_id: int) -> dict[str, Any]:
    """Everything staff see on a person's page."""
    row = get_person_row(conn, actor, person_id)
    notes, tags = notes_and_tags(conn, person_id)
    return {
        "id": row.id,
        "name": row.name,
        "stance": row.stance,
        "created_at": row.created_at,
        "identities": identities_of(conn, person_id),
        "stance_history": stance_history(conn, person_id),
        "tags": tags,
        "notes": notes,
        "merges": merges_of(conn, person_id),
        "items": list_items(conn, actor, Filters(status=None, person_id=person_id), limit=200),
    }


def export_person(conn: Connection, actor: Actor, person_id: int) -> dict[str, Any]:
    """A subject-access export: the person's record plus every message of theirs we hold."""
    actor.require(Role.MANAGER)
    detail = person_detail(conn, actor, person_id)
    detail["messages"] = [
        dict(m._mapping)
        for m in conn.execute(
            select(
                messages.c.platform,
                messages.c.platform_id,
                messages.c.created_at,
                messages.c.kind,
                messages.c.text,
            )
            .join(inbox_items, inbox_items.c.message_id == messages.c.id)
            .where(
                inbox_items.c.workspace_id == actor.workspace_id,
                inbox_items.c.person_id == person_id,
            )
            .order_by(messages.c.created_at)
        )
    ]
    audit(conn, actor, "person.export", "person", person_id)
    return detail


def _ids(conn: Connection, query: Any) -> list[int]:
    return [int(i) for i in conn.execute(query).scalars()]


def erase_person(conn: Connection, actor: Actor, person_id: int) -> dict[str, int]:
    """Delete the person's data everywhere it is held; return what was deleted, by kind."""
    actor.require(Role.MANAGER)
    get_person_row(conn, actor, person_id)
    person_ids = [
        person_id,
        *_ids(conn, select(people.c.id).where(people.c.merged_into_id == person_id)),
    ]
    keys = [
        (r.platform, r.account_id)
        for r in conn.execute(
            select(person_identities.c.platform, person_identities.c.account_id).where(
                person_identities.c.person_id.in_(person_ids)
            )
        )
    ]
    item_ids = _ids(
        conn,
        select(inbox_items.c.id).where(
            inbox_items.c.workspace_id == actor.workspace_id,
            inbox_items.c.person_id.in_(person_ids),
        ),
    )
    reply_message_ids = _ids(
        conn, select(inbox_replies.c.message_id).where(inbox_replies.c.item_id.in_(item_ids))
    )
    held_elsewhere = select(inbox_items.c.message_id).where(
        inbox_items.c.workspace_id != actor.workspace_id
    )
    authored = (
        or_(
            keys_in(messages.c.platform, messages.c.author_id, keys),
            keys_in(messages.c.platform, messages.c.reply_to_account_id, keys),
        )
        if keys
        else messages.c.id.is_(None)
    )
    message_ids = _ids(
        conn,
        select(messages.c.id).where(
            or_(
                and_(authored, messages.c.id.not_in(held_elsewhere)),
                messages.c.id.in_(reply_message_ids),
            )
        ),
    )
    counts: dict[str, int] = {
        "people": len(person_ids),
        "identities": len(keys),
        "inbox_items": len(item_ids),
        "messages": len(message_ids),
    }
    steps: list[tuple[str | None, Any]] = [
        ("item_notes", delete(inbox_notes).where(inbox_notes.c.item_id.in_(item_ids))),
        ("replies", delete(inbox_replies).where(inbox_replies.c.item_id.in_(item_ids))),
        (None, delete(inbox_items).where(inbox_items.c.id.in_(item_ids))),
        (None, delete(inbox_items).where(inbox_items.c.message_id.in_(message_ids))),
        (None, delete(messages).where(messages.c.id.in_(message_ids))),
        (
            "profiles",
            delete(accounts).where(keys_in(accounts.c.platform, accounts.c.platform_id, keys))
            if keys
            else None,
        ),
        (
            "stance_entries",
            delete(stance_entries).where(stance_entries.c.person_id.in_(person_ids)),
        ),
        ("tags", delete(person_tags).where(person_tags.c.person_id.in_(person_ids))),
        ("notes", delete(person_notes).where(person_notes.c.person_id.in_(person_ids))),
        (None, delete(person_identities).where(person_identities.c.person_id.in_(person_ids))),
        (
            "merges",
            delete(person_merges).where(
                or_(
                    person_merges.c.kept_id.in_(person_ids),
                    person_merges.c.merged_id.in_(person_ids),
                )
            ),
        ),
        (
            None,
            audit_log.update()
            .where(
                audit_log.c.workspace_id == actor.workspace_id,
                audit_log.c.target_type == "person",
                audit_log.c.target_id.in_(person_ids),
            )
            .values(detail={}),
        ),
        (None, people.update().where(people.c.id.in_(person_ids)).values(merged_into_id=None)),
        (None, delete(people).where(people.c.id.in_(person_ids))),
    ]
    for name, statement in steps:
        if statement is None:
            continue
        result = conn.execute(statement)
        if name is not None:
            counts[name] = int(result.rowcount)
    conn.execute(
        erasures.insert().values(
            workspace_id=actor.workspace_id,
            by_user_id=actor.user_id,
            erased_at=datetime.now(UTC),
            counts=counts,
        )
    )
    audit(conn, actor, "person.erase", "person", person_id, counts)
    return counts
