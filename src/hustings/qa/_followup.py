"""After the event: each unanswered question becomes an inbox item addressed to its asker,
in the channel they used, with the event named.

A question is unanswered when the event has ended and it was neither answered nor
dismissed (a held question a moderator never released counts as dismissed-by-silence and
stays out: the filter held it as uncivil). It goes through the inbox's own filing
(``inbox.sync.file_written``): the question is written as a message of the workspace
(``messages.workspace_id`` set: the workspace's row, not a platform fact) from the asker,
addressed to the workspace's own account on that platform, with the subject "Unanswered at
<event>", so the inbox files it as it files any message to that account, once (the chat
message's id is its key), with the asker's person, due time and assignment rules.

What stays out, and is counted so the host can say so: questions from the web form and
typed in by hand (they carry a name at most, no address to answer), and questions from a
platform on which the workspace has no account of its own (nothing to answer from).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from hustings.errors import ConflictError
from hustings.inbox.sync import file_written
from hustings.model import Message, MessageKind
from hustings.qa._queue import get_event
from hustings.qa._roles import authorize
from hustings.store.records import write_messages
from hustings.store.schema import qa_questions, tracked_accounts, workspace_accounts
from hustings.workspace import Actor

__all__ = ["FollowUps", "file_unanswered"]

_CHAT_SOURCES = {"youtube": "youtube"}  # queue source -> platform of its askers


@dataclass(frozen=True)
class FollowUps:
    """How many unanswered questions were filed, and why the others stayed out."""

    filed: int
    no_contact: int
    no_account: int


def _own_account(conn: Connection, workspace_id: int, platform: str) -> tuple[str, str] | None:
    row = conn.execute(
        select(tracked_accounts.c.platform_id, tracked_accounts.c.handle)
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id,
               tracked_accounts.c.platform == platform)
        .order_by(tracked_accounts.c.id)
    ).first()  # fmt: skip
    if row is None:
        return None
    return (row.platform_id or row.handle), row.handle


def file_unanswered(
    conn: Connection, actor: Actor, event_id: int, now: datetime | None = None
) -> FollowUps:
    """File the ended event's unanswered questions as inbox items (the host only)."""
    authorize(conn, actor, event_id, "follow_up")
    ws = actor.workspace_id
    event = get_event(conn, ws, event_id)
    if event.ends_at > (now or datetime.now(UTC)):
        raise ConflictError("the event has not ended: its questions may still be answered")
    rows = conn.execute(
        select(qa_questions).where(
            qa_questions.c.workspace_id == ws,
            qa_questions.c.event_id == event_id,
            qa_questions.c.status.in_(("received", "approved")),
        ).order_by(qa_questions.c.id)
    ).all()  # fmt: skip
    no_contact = no_account = 0
    written: list[Message] = []
    for row in rows:
        platform = _CHAT_SOURCES.get(row.source)
        if platform is None or not row.author_id or not row.source_id:
            no_contact += 1
            continue
        own = _own_account(conn, ws, platform)
        if own is None:
            no_account += 1
            continue
        written.append(
            Message(
                platform=platform, platform_id=row.source_id, author_id=row.author_id,
                author_handle=row.author, created_at=row.received_at,
                text=row.original_text or row.text, kind=MessageKind.CHAT,
                reply_to_account_id=own[0], reply_to_handle=own[1],
                subject=f"Unanswered at {event.title} ({event.starts_at:%d %b %Y})",
            )
        )  # fmt: skip
    filed = 0
    if written:
        write_messages(conn, written, None, owner=ws)
        filed, _ = file_written(conn, ws, written)
    return FollowUps(filed, no_contact, no_account)
