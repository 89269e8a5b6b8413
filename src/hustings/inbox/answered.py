"""Items answered on the platform itself: the account replied in its own app, not here.

Staff do not only answer in Hustings: a candidate replies from the Bluesky or Mastodon app
on their phone. Once a connector reads that reply back (the account's own feed), the item
it answers is answered, with the reply's time as its response time, so the queue does not
ask a responder to answer a person twice and the SLA figures count the real answer.

Kept apart from ``inbox.sync`` (which files inbound messages and never looks at what the
workspace's own accounts write) and called by the intake seam after filing, so a reply
read in the same page as the message it answers still counts. A reply written in Hustings
is left to ``connectors.outbound``, which answers its item once the platform has it: such
a message has an ``inbox_replies`` row and is skipped here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, and_, func, or_, select, update

from hustings.inbox.items import Status, is_open
from hustings.store.schema import (
    inbox_items,
    inbox_replies,
    messages,
    tracked_accounts,
    workspace_accounts,
)

__all__ = ["mark_answered_on_platform"]


def mark_answered_on_platform(conn: Connection, workspace_id: int) -> int:
    """Answer the workspace's open items that one of its own accounts has replied to on the
    platform; return how many. In the caller's transaction."""
    own = conn.execute(
        select(tracked_accounts.c.platform, tracked_accounts.c.platform_id,
               tracked_accounts.c.handle_lower)
        .join(workspace_accounts,
              workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id)
    ).all()
    if not own:
        return 0
    answer = messages.alias("answer")
    by_us = or_(*(
        and_(
            answer.c.platform == a.platform,
            or_(answer.c.author_id.in_([i for i in (a.platform_id, a.handle_lower) if i]),
                func.lower(answer.c.author_handle) == a.handle_lower),
        )
        for a in own
    ))
    typed_here = select(inbox_replies.c.id).where(inbox_replies.c.message_id == answer.c.id)
    rows = conn.execute(
        select(
            inbox_items.c.id,
            inbox_items.c.first_response_at,
            func.min(answer.c.created_at).label("first"),
            func.max(answer.c.created_at).label("last"),
        )
        .join(messages, messages.c.id == inbox_items.c.message_id)
        .join(answer, and_(answer.c.platform == messages.c.platform,
                           answer.c.reply_to_id == messages.c.platform_id))
        .where(inbox_items.c.workspace_id == workspace_id, is_open(), by_us,
               ~typed_here.exists())
        .group_by(inbox_items.c.id, inbox_items.c.first_response_at)
    ).all()
    now = datetime.now(UTC)
    for row in rows:
        conn.execute(
            update(inbox_items)
            .where(inbox_items.c.id == row.id)
            .values(status=Status.ANSWERED.value,
                    first_response_at=row.first_response_at or row.first,
                    last_response_at=row.last, updated_at=now)
        )
    return len(rows)
