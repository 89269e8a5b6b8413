"""The guard against the store: read an account's timeline, judge, record the verdict.

Every path that can put a post out (a draft, the queue, post now, inbox replies, the send
itself, and posts that sync brings in from outside Hustings) goes through
:func:`judge_and_record`, so each verdict is stored, with its findings, before anything
leaves (or, for an outside post, as soon as it is seen). The rows are the workspace's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, func, or_, select

from hustings.plan._guard import WEEK, Draft, GuardParams, Judgement, Timeline, judge
from hustings.plan._rules import Verdict
from hustings.store.schema import (
    messages,
    outbound,
    plan_verdicts,
    planned_posts,
    tracked_accounts,
    workspace_accounts,
)

__all__ = [
    "account_row",
    "judge_and_record",
    "judge_reply",
    "judge_synced",
    "own_messages",
    "verdict_before_send",
]

PRIVATE_KINDS = ("dm", "email", "chat")
_SYNC_WINDOW = timedelta(days=7)


def account_row(conn: Connection, tracked_id: int) -> Any:
    return conn.execute(
        select(tracked_accounts).where(tracked_accounts.c.id == tracked_id)
    ).first()


def own_messages(acct: Any, workspace_id: int) -> Any:
    """Public messages written by the tracked account, as this workspace sees them (shared
    platform facts and its own rows, never another workspace's)."""
    by_id = messages.c.author_id == acct.platform_id if acct.platform_id else None
    by_handle = func.lower(messages.c.author_handle) == acct.handle_lower
    return and_(
        messages.c.platform == acct.platform,
        or_(by_id, by_handle) if by_id is not None else by_handle,
        messages.c.kind.not_in(PRIVATE_KINDS),
        messages.c.visibility != "direct",
        or_(messages.c.workspace_id.is_(None), messages.c.workspace_id == workspace_id),
    )


def _seconds(values: Sequence[datetime | None]) -> list[int]:
    return [int(v.timestamp()) for v in values if v is not None]


def _timeline(conn: Connection, workspace_id: int, acct: Any, at: datetime,
              skip_post: int | None, skip_message: int | None) -> Timeline:
    lo = at - timedelta(seconds=GuardParams().lookback_weeks * WEEK)
    published = conn.execute(
        select(messages.c.created_at).where(
            own_messages(acct, workspace_id), messages.c.created_at >= lo,
            messages.c.created_at <= at,
            messages.c.id != (skip_message if skip_message is not None else -1),
        )
    ).scalars().all()
    queued = conn.execute(
        select(planned_posts.c.scheduled_at).where(
            planned_posts.c.workspace_id == workspace_id,
            planned_posts.c.tracked_account_id == acct.id,
            planned_posts.c.state == "queued",
            planned_posts.c.id != (skip_post if skip_post is not None else -1),
        )
    ).scalars().all()
    return Timeline(acct.handle, acct.platform,
                    np.sort(np.asarray(_seconds(published), dtype=np.int64)),
                    np.sort(np.asarray(_seconds(queued), dtype=np.int64)))


def _campaign(conn: Connection, workspace_id: int, acct: Any, at: datetime) -> list[Timeline]:
    """The workspace's other accounts on the same platform (they post to the same people)."""
    rows = conn.execute(
        select(tracked_accounts)
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id,
               tracked_accounts.c.platform == acct.platform, tracked_accounts.c.id != acct.id)
    ).all()
    return [_timeline(conn, workspace_id, r, at, None, None) for r in rows]


def judge_and_record(
    conn: Connection, workspace_id: int, tracked_id: int, at: datetime, text: str, path: str,
    *, planned_post_id: int | None = None, message_id: int | None = None,
) -> Judgement:
    """Judge a post the account would make at ``at`` and store the verdict, in the caller's
    transaction (so the verdict is committed with whatever the path does next)."""
    acct = account_row(conn, tracked_id)
    own = _timeline(conn, workspace_id, acct, at, planned_post_id, message_id)
    from hustings.plan._user_rules import rules_for

    judgement = judge(Draft(int(at.timestamp()), text), own,
                      _campaign(conn, workspace_id, acct, at),
                      user_rules=rules_for(conn, workspace_id, tracked_id))
    conn.execute(plan_verdicts.insert(), {
        "workspace_id": workspace_id, "tracked_account_id": tracked_id,
        "planned_post_id": planned_post_id, "message_id": message_id, "path": path,
        "verdict": judgement.verdict.value, "findings": judgement.as_dict()["findings"],
        "post_at": at, "judged_at": datetime.now(UTC),
    })
    return judgement


def judge_reply(conn: Connection, workspace_id: int, tracked_id: int | None,
                message_id: int, at: datetime) -> str | None:
    """The verdict on an inbox reply (message ``message_id``), judged and stored now unless
    a path already judged it; None when the item reached no tracked account (nothing to
    judge against). The reply's audit entry carries it."""
    known = conn.execute(
        select(plan_verdicts.c.verdict).where(plan_verdicts.c.message_id == message_id)
        .order_by(plan_verdicts.c.id.desc()).limit(1)
    ).scalar()
    if known is not None:
        return str(known)
    if tracked_id is None:
        return None
    text = conn.execute(select(messages.c.text).where(messages.c.id == message_id)).scalar()
    return judge_and_record(conn, workspace_id, tracked_id, at, text or "", "reply",
                            message_id=message_id).verdict.value


def verdict_before_send(conn: Connection, row: Any) -> str | None:
    """Called by the outbound send before anything leaves: make sure a verdict is stored for
    this outward act (judging it now, path ``send``, if no path did), and return why it may
    not leave (a planned post held and not overridden), or None."""
    post = conn.execute(
        select(planned_posts).where(planned_posts.c.outbound_id == row.id)
    ).first()
    where = (plan_verdicts.c.planned_post_id == post.id if post is not None
             else plan_verdicts.c.message_id == row.message_id)
    known = conn.execute(select(plan_verdicts.c.verdict).where(where).limit(1)).first()
    if known is None:
        msg = conn.execute(select(messages).where(messages.c.id == row.message_id)).first()
        tracked = post.tracked_account_id if post is not None else _tracked_of(conn, row)
        if msg is None or tracked is None:
            return None
        judgement = judge_and_record(
            conn, row.workspace_id, tracked, datetime.now(UTC), msg.text, "send",
            planned_post_id=post.id if post is not None else None, message_id=row.message_id,
        )
        if post is not None and judgement.verdict is Verdict.HOLD and not post.override_reason:
            return "held by the plan guard: " + "; ".join(judgement.reasons)
    return None


def _tracked_of(conn: Connection, row: Any) -> int | None:
    from hustings.store.schema import connections

    found = conn.execute(
        select(connections.c.tracked_account_id).where(connections.c.id == row.connection_id)
    ).scalar()
    return int(found) if found is not None else None


def judge_synced(conn: Connection, workspace_id: int, now: datetime | None = None) -> int:
    """Judge, after the fact, the workspace accounts' posts of the last week that sync
    brought in and no path of Hustings sent (posted by hand on the platform, or by another
    tool); return how many were judged. Each is judged against the posts before it."""
    now = now or datetime.now(UTC)
    ours = select(outbound.c.message_id).where(outbound.c.message_id.is_not(None))
    judged = select(plan_verdicts.c.message_id).where(
        plan_verdicts.c.workspace_id == workspace_id, plan_verdicts.c.message_id.is_not(None)
    )
    accounts = conn.execute(
        select(tracked_accounts)
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id)
    ).all()
    count = 0
    for acct in accounts:
        rows = conn.execute(
            select(messages.c.id, messages.c.created_at, messages.c.text)
            .where(own_messages(acct, workspace_id), messages.c.created_at >= now - _SYNC_WINDOW,
                   messages.c.workspace_id.is_(None),  # platform facts, not unsent drafts
                   messages.c.id.not_in(ours), messages.c.id.not_in(judged))
            .order_by(messages.c.created_at, messages.c.id)
        ).all()
        for m in rows:
            judge_and_record(conn, workspace_id, acct.id, m.created_at, m.text, "sync",
                             message_id=m.id)
            count += 1
    return count
