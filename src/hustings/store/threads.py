"""Keep each stored message's thread root and depth in step with what has been imported.

Run after every import: a parent imported later completes the depth of replies imported
earlier. Reads only ids (a few dozen bytes a message), then writes the rows that changed.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select, update

from hustings.model import ReplyLink
from hustings.store.schema import messages
from hustings.threads import resolve_depths

__all__ = ["refresh_threads"]


def refresh_threads(conn: Connection, platform: str) -> int:
    """Recompute ``root_id`` and ``depth`` on ``platform``; return how many rows changed."""
    rows = conn.execute(
        select(
            messages.c.platform_id,
            messages.c.reply_to_id,
            messages.c.reply_link,
            messages.c.conversation_id,
            messages.c.root_id,
            messages.c.depth,
        ).where(messages.c.platform == platform)
    ).all()
    parents = {
        r.platform_id: (r.reply_to_id if r.reply_link == ReplyLink.MESSAGE.value else None)
        for r in rows
        if r.reply_link != ReplyLink.ACCOUNT.value
    }
    resolved = resolve_depths(parents)
    changes = []
    for r in rows:
        found = resolved.get(r.platform_id)
        root, depth = (found[0], found[1]) if found else (r.conversation_id, None)
        if (root, depth) != (r.root_id, r.depth):
            changes.append({"k_platform_id": r.platform_id, "v_root": root, "v_depth": depth})
    if changes:
        conn.execute(
            update(messages)
            .where(messages.c.platform == platform)
            .where(messages.c.platform_id == bindparam("k_platform_id"))
            .values(root_id=bindparam("v_root"), depth=bindparam("v_depth")),
            changes,
        )
    return len(changes)
