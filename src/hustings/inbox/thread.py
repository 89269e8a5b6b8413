"""The thread view of an item: the whole conversation, notes, replies, and the person's
history on every channel, so a responder answers the person and not just the message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, or_, select

from hustings.inbox.items import get_item_row, item_dict
from hustings.inbox.sla import joined_policy
from hustings.inbox.workspaces import Actor
from hustings.store.schema import inbox_items, inbox_notes, inbox_replies, messages, users

__all__ = ["item_detail"]

_THREAD_LIMIT = 200
_HISTORY_LIMIT = 50


# The thread view's queries are built once, with bound parameters: opening an item is among
# the commonest requests, and a prebuilt statement skips its construction and cache key.
_KEYS: BindParameter[str] = bindparam("keys", expanding=True)
_THREAD = (
    select(
        messages.c.id,
        messages.c.author_handle,
        messages.c.author_id,
        messages.c.text,
        messages.c.created_at,
        messages.c.kind,
        inbox_replies.c.status.label("reply_status"),
    )
    .outerjoin(inbox_replies, inbox_replies.c.message_id == messages.c.id)
    .where(
        messages.c.platform == bindparam("platform"),
        or_(
            messages.c.conversation_id.in_(_KEYS),
            messages.c.root_id.in_(_KEYS),
            messages.c.platform_id.in_(_KEYS),
        ),
    )
    .order_by(messages.c.created_at, messages.c.id)
    .limit(_THREAD_LIMIT)
)
_HISTORY = (
    select(
        inbox_items.c.id,
        inbox_items.c.channel,
        inbox_items.c.status,
        inbox_items.c.received_at,
        messages.c.text,
    )
    .join(messages, messages.c.id == inbox_items.c.message_id)
    .where(
        inbox_items.c.workspace_id == bindparam("workspace_id"),
        inbox_items.c.person_id == bindparam("person_id"),
        inbox_items.c.id != bindparam("item_id"),
    )
    .order_by(inbox_items.c.received_at.desc())
    .limit(_HISTORY_LIMIT)
)
_NOTES = (
    select(inbox_notes, users.c.email)
    .outerjoin(users, users.c.id == inbox_notes.c.author_id)
    .where(inbox_notes.c.item_id == bindparam("item_id"))
    .order_by(inbox_notes.c.id)
)
_REPLIES = (
    select(inbox_replies, messages.c.text, users.c.email)
    .join(messages, messages.c.id == inbox_replies.c.message_id)
    .outerjoin(users, users.c.id == inbox_replies.c.author_id)
    .where(inbox_replies.c.item_id == bindparam("item_id"))
    .order_by(inbox_replies.c.id)
)


def _thread(conn: Connection, row: Any) -> list[dict[str, Any]]:
    """Messages sharing the item's conversation (or root), oldest first."""
    keys = sorted({k for k in (row.conversation_id, row.root_id, row.message_platform_id) if k})
    return [
        {
            "id": m.id,
            "author": m.author_handle or m.author_id,
            "text": m.text,
            "created_at": m.created_at,
            "kind": m.kind,
            "to_post": m.reply_status == "to_post",
            "is_item": m.id == row.message_id,
        }
        for m in conn.execute(_THREAD, {"platform": row.channel, "keys": keys})
    ]


def _history(conn: Connection, actor: Actor, row: Any) -> list[dict[str, Any]]:
    """The person's other items in this workspace, on any channel, newest first."""
    if row.person_id is None:
        return []
    found = conn.execute(
        _HISTORY,
        {"workspace_id": actor.workspace_id, "person_id": row.person_id, "item_id": row.id},
    )
    return [dict(r._mapping) for r in found]


def item_detail(conn: Connection, actor: Actor, item_id: int) -> dict[str, Any]:
    row = get_item_row(conn, actor, item_id)
    detail = item_dict(row, datetime.now(UTC), joined_policy(row).warn_minutes)
    detail["thread"] = _thread(conn, row)
    detail["history"] = _history(conn, actor, row)
    detail["notes"] = [
        {"id": n.id, "text": n.text, "author": n.email, "created_at": n.created_at}
        for n in conn.execute(_NOTES, {"item_id": item_id})
    ]
    detail["replies"] = [
        {"id": r.id, "status": r.status, "text": r.text, "author": r.email, "at": r.created_at}
        for r in conn.execute(_REPLIES, {"item_id": item_id})
    ]
    return detail
