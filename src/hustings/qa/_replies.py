"""Replies to the event's post on Bluesky or Mastodon as a source of questions.

The platform's connector (``hustings.connectors``, run by ``hustings serve``'s worker)
already pulls the replies to the campaign's accounts into ``messages``; this reads those
below the event's post (the thread's root is the post) that the workspace may see (platform
facts and its own rows), keeps the questions (the same detector as chat) and the "+1"
replies as votes, and puts them into the queue keyed by the reply's id, so reading the
thread again adds nothing twice. ``LivePolling`` does it every round while the event runs;
the web form's and chat's rules (pre-filter, merging) apply alike.
"""

from __future__ import annotations

from sqlalchemy import Connection, or_, select

from hustings.qa._chatvotes import chat_vote
from hustings.qa._detect import QuestionDetector, load_detector
from hustings.qa._queue import add_question, get_event
from hustings.store.schema import messages

__all__ = ["take_replies"]


def take_replies(
    conn: Connection, workspace_id: int, event_id: int, detector: QuestionDetector | None = None
) -> int:
    """Take the questions and votes among the replies to the event's post; return how many
    replies were questions (``0`` for an event without a post)."""
    event = get_event(conn, workspace_id, event_id)
    if event.post is None:
        return 0
    platform, post_id = event.post
    rows = conn.execute(
        select(messages.c.platform_id, messages.c.author_id, messages.c.author_handle,
               messages.c.text)
        .where(
            messages.c.platform == platform,
            # Below the post in its thread, or answering it directly when the thread could
            # not be placed (a parent not collected yet).
            or_(messages.c.root_id == post_id, messages.c.reply_to_id == post_id),
            messages.c.platform_id != post_id,
            messages.c.kind == "reply",
            or_(messages.c.workspace_id.is_(None), messages.c.workspace_id == workspace_id),
        )
        .order_by(messages.c.created_at, messages.c.id)
    ).all()  # fmt: skip
    if not rows:
        return 0
    keep = (detector or load_detector()).is_question([r.text for r in rows])
    taken = 0
    for row, is_question in zip(rows, keep, strict=True):
        voter = f"{platform}:{row.author_id}"
        if chat_vote(conn, workspace_id, event_id, platform, row.text, voter) is not None:
            continue
        if is_question:
            add_question(conn, workspace_id, event_id, row.text, platform,
                         row.author_handle or row.author_id, source_id=row.platform_id,
                         author_id=row.author_id)  # fmt: skip
            taken += 1
    return taken
