"""The demo team's answers: items its accounts already answered on the platform are answered.

The simulated campaign's own accounts reply to citizens on X, Mastodon and by e-mail, and
those replies are imported like any other message. An inbox item only learns of an answer
typed in Hustings, so without this step every item of the demo would look unanswered and
the dashboard's response time and reply rate would be empty. Here each open item whose
message has a reply from one of the workspace's accounts takes that reply's time as its
first response, as if the team had answered from Hustings.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update

from hustings.errors import ConfigError
from hustings.inbox.items import OPEN, Status
from hustings.store import Store
from hustings.store.schema import (
    inbox_items,
    messages,
    tracked_accounts,
    workspace_accounts,
    workspaces,
)

__all__ = ["record_platform_answers"]


def record_platform_answers(store: Store, workspace: str) -> int:
    """Mark the open items of ``workspace`` (a name) that its accounts answered on the
    platform as answered at that reply's time; return how many."""
    with store.begin() as conn:
        found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == workspace))
        workspace_id = found.scalar_one_or_none()
        if workspace_id is None:
            raise ConfigError(f"no workspace named {workspace!r}")
        return _record(conn, workspace_id)


def _record(conn: Connection, workspace_id: int) -> int:
    own: dict[str, list[str]] = {}
    for row in conn.execute(
        select(tracked_accounts.c.platform, tracked_accounts.c.platform_id)
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(
            workspace_accounts.c.workspace_id == workspace_id,
            tracked_accounts.c.platform_id.is_not(None),
        )
    ):
        own.setdefault(row.platform, []).append(row.platform_id)
    first_answer: dict[tuple[str, str], datetime] = {}
    for platform, ids in own.items():
        for row in conn.execute(
            select(messages.c.reply_to_id, func.min(messages.c.created_at).label("at"))
            .where(
                messages.c.platform == platform,
                messages.c.author_id.in_(ids),
                messages.c.reply_to_id.is_not(None),
            )
            .group_by(messages.c.reply_to_id)
        ):
            first_answer[(platform, row.reply_to_id)] = row.at
    items = conn.execute(
        select(inbox_items.c.id, messages.c.platform, messages.c.platform_id)
        .join(messages, messages.c.id == inbox_items.c.message_id)
        .where(inbox_items.c.workspace_id == workspace_id, inbox_items.c.status.in_(OPEN))
    ).all()
    answered = [
        {"item": r.id, "at": at}
        for r in items
        if (at := first_answer.get((r.platform, r.platform_id))) is not None
    ]
    if answered:
        conn.execute(
            update(inbox_items)
            .where(inbox_items.c.id == bindparam("item"))
            .values(
                status=Status.ANSWERED.value,
                first_response_at=bindparam("at"),
                last_response_at=bindparam("at"),
                updated_at=bindparam("at"),
            ),
            answered,
        )
    return len(answered)
