"""Find stored messages by who wrote them, whom they address, what they say and when.

The query behind ``hustings messages``: a way in to the store for someone who has a handle
or a phrase and needs a message id (to open its thread, say). Handles match without the
``@`` and regardless of case, and a bare Mastodon name matches the full ``name@host``.
Results come newest first, at most ``limit`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, cast, func, or_, select

from hustings.store.schema import messages, tracked_accounts

__all__ = ["MessageQuery", "list_tracked", "search_messages", "tracked_parties"]


@dataclass(frozen=True, slots=True)
class MessageQuery:
    """What to look for; every field left ``None`` matches everything."""

    sender: str | None = None
    to: str | None = None
    mentions: str | None = None
    text: str | None = None
    since: datetime | None = None
    platform: str | None = None
    limit: int = 50


def _escape(value: str) -> str:
    """``value`` as a literal inside a LIKE pattern (handles often hold ``_``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _handle(value: str) -> str:
    return value.strip().removeprefix("@").lower()


def _is_handle(column: Any, handle: str) -> ColumnElement[bool]:
    """The column holds ``handle``, or ``handle@host`` (a Mastodon account on any server)."""
    lowered = func.lower(column)
    return or_(lowered == handle, lowered.like(_escape(handle) + "@%", escape="\\"))


def _mentions(handle: str) -> ColumnElement[bool]:
    """The JSON list of mentioned handles holds ``handle`` (or ``handle@host``)."""
    listed = func.lower(cast(messages.c.mentions, String))
    return or_(
        listed.like(f'%"{_escape(handle)}"%', escape="\\"),
        listed.like(f'%"{_escape(handle)}@%', escape="\\"),
    )


def search_messages(conn: Connection, query: MessageQuery) -> list[dict[str, Any]]:
    """Platform facts matching every given field of ``query``, newest first. A workspace's
    own rows (drafts, pushes) are never listed: they are that workspace's, not the store's."""
    where: list[ColumnElement[bool]] = [messages.c.workspace_id.is_(None)]
    if query.sender:
        sender = _handle(query.sender)
        where.append(
            or_(_is_handle(messages.c.author_handle, sender), messages.c.author_id == sender)
        )
    if query.to:
        to = _handle(query.to)
        where.append(or_(_is_handle(messages.c.reply_to_handle, to), _mentions(to)))
    if query.mentions:
        where.append(_mentions(_handle(query.mentions)))
    if query.text:
        pattern = f"%{_escape(query.text.lower())}%"
        where.append(func.lower(messages.c.text).like(pattern, escape="\\"))
    if query.since is not None:
        where.append(messages.c.created_at >= query.since)
    if query.platform:
        where.append(messages.c.platform == query.platform)
    rows = conn.execute(
        select(
            messages.c.platform,
            messages.c.platform_id,
            messages.c.created_at,
            messages.c.author_handle,
            messages.c.author_id,
            messages.c.kind,
            messages.c.reply_to_handle,
            messages.c.text,
        )
        .where(*where)
        .order_by(messages.c.created_at.desc(), messages.c.id.desc())
        .limit(query.limit)
    )
    return [
        {
            "platform": r.platform,
            "id": r.platform_id,
            "created_at": r.created_at,
            "author": r.author_handle or r.author_id,
            "kind": r.kind,
            "reply_to": r.reply_to_handle,
            "text": r.text,
        }
        for r in rows
    ]


def tracked_parties(conn: Connection) -> list[str]:
    """Every party named in the registry of tracked accounts, in order."""
    query = select(tracked_accounts.c.party).distinct().where(tracked_accounts.c.party.is_not(None))
    return sorted(str(p) for p in conn.execute(query).scalars())


def list_tracked(
    conn: Connection, party: str | None = None, role: str | None = None
) -> list[dict[str, Any]]:
    """Tracked accounts, by party, role and handle; ``party`` and ``role`` as stored."""
    query = select(tracked_accounts).order_by(
        tracked_accounts.c.party, tracked_accounts.c.role, tracked_accounts.c.handle_lower
    )
    if party is not None:
        query = query.where(tracked_accounts.c.party == party)
    if role is not None:
        query = query.where(tracked_accounts.c.role == role)
    return [{str(k): v for k, v in r._mapping.items()} for r in conn.execute(query)]
