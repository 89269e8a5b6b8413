"""One person's whole record: shown to staff, exported to the person, or erased.

Erasure lives in ``hustings.people.erasure`` (re-exported here): what it removes, keeps and
redacts is described there and in ``docs/security.md``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from hustings.people.core import get_person_row, identities_of, notes_and_tags, stances_of
from hustings.people.erasure import erase_person
from hustings.people.merge import merges_of
from hustings.people.stance import stance_history
from hustings.store.schema import inbox_items, messages
from hustings.workspace import Actor, Role, audit

__all__ = ["erase_person", "export_person", "person_detail"]


def person_detail(conn: Connection, actor: Actor, person_id: int) -> dict[str, Any]:
    """Everything staff see on a person's page; ``stances`` is the current stance per target."""
    row = get_person_row(conn, actor, person_id)
    notes, tags = notes_and_tags(conn, person_id)
    return {
        "id": row.id,
        "name": row.name,
        "stances": stances_of(conn, actor.workspace_id, [person_id])[person_id],
        "created_at": row.created_at,
        "identities": identities_of(conn, person_id),
        "stance_history": stance_history(conn, person_id),
        "tags": tags,
        "notes": notes,
        "merges": merges_of(conn, person_id),
        "items": _items_of(conn, actor, person_id),
    }


_ITEMS_LIMIT = 200


def _items_of(conn: Connection, actor: Actor, person_id: int) -> list[dict[str, Any]]:
    """The person's inbox items in this workspace, newest first: what a person's page lists
    and an export holds. Read here from the shared tables rather than through the inbox's
    filters, so that people and inbox stay two capabilities on the workspace layer."""
    found = conn.execute(
        select(
            inbox_items.c.id,
            inbox_items.c.message_id,
            inbox_items.c.channel,
            inbox_items.c.kind,
            inbox_items.c.status,
            inbox_items.c.received_at,
            inbox_items.c.first_response_at,
            messages.c.text,
        )
        .join(messages, messages.c.id == inbox_items.c.message_id)
        .where(
            inbox_items.c.workspace_id == actor.workspace_id,
            inbox_items.c.person_id == person_id,
        )
        .order_by(inbox_items.c.received_at.desc(), inbox_items.c.id.desc())
        .limit(_ITEMS_LIMIT)
    )
    return [dict(r._mapping) for r in found]


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
