"""Nudges from broadcasting toward answering.

When an account has published more broadcasts (posts, quotes, reposts) than replies over the
last ``WINDOW`` and its inbox holds people waiting (open items), the
composer shows the top ``TOP`` waiting questions (those that need a reply first, then
oldest first) and offers to answer them
instead. Each nudge shown is stored, and then what the user did with it: ``revised`` the
post, ``deferred`` it, ``answered`` a waiting person instead, or ``posted_anyway``.
:func:`reply_share` gives the account's share of replies among its public messages before
the first nudge and since, which is what the nudges are for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select, update

from hustings.errors import InvalidInputError, NotFoundError
from hustings.plan._record import account_row, own_messages
from hustings.store.schema import inbox_items, messages, plan_nudges
from hustings.workspace import Actor, Role, audit

__all__ = ["OUTCOMES", "TOP", "WINDOW", "decide", "get_nudge", "nudge", "reply_share"]

WINDOW = timedelta(days=7)
TOP = 3
OUTCOMES = ("revised", "deferred", "answered", "posted_anyway")
_BROADCASTS = ("post", "quote", "repost")
_OPEN = ("new", "assigned")
# Open items that need a reply first, then those not yet read, then the rest, oldest first.
_QUESTIONS_FIRST = case((inbox_items.c.needs_reply.is_(True), 0),
                        (inbox_items.c.needs_reply.is_(None), 1), else_=2)


def _counts(conn: Connection, acct: Any, workspace_id: int, lo: datetime | None,
            hi: datetime | None) -> tuple[int, int]:
    where = [own_messages(acct, workspace_id)]
    if lo is not None:
        where.append(messages.c.created_at >= lo)
    if hi is not None:
        where.append(messages.c.created_at < hi)
    rows = conn.execute(
        select(messages.c.kind, func.count()).where(*where).group_by(messages.c.kind)
    ).all()
    by = {k: int(n) for k, n in rows}
    return sum(by.get(k, 0) for k in _BROADCASTS), by.get("reply", 0)


def nudge(conn: Connection, actor: Actor, tracked_id: int, planned_post_id: int | None = None,
          now: datetime | None = None) -> dict[str, Any] | None:
    """The nudge for a draft on this account, stored as shown; None when none is due."""
    now = now or datetime.now(UTC)
    acct = account_row(conn, tracked_id)
    broadcasts, replies = _counts(conn, acct, actor.workspace_id, now - WINDOW, None)
    if broadcasts <= replies:
        return None
    waiting = conn.execute(
        select(inbox_items.c.id, messages.c.text, messages.c.author_handle,
               inbox_items.c.received_at)
        .join(messages, messages.c.id == inbox_items.c.message_id)
        .where(inbox_items.c.workspace_id == actor.workspace_id,
               inbox_items.c.tracked_account_id == tracked_id,
               inbox_items.c.status.in_(_OPEN))
        .order_by(_QUESTIONS_FIRST, inbox_items.c.received_at, inbox_items.c.id)
        .limit(TOP)
    ).all()
    if not waiting:
        return None
    items = [{"item_id": w.id, "author": w.author_handle, "text": w.text,
              "received_at": w.received_at.isoformat()} for w in waiting]
    nudge_id = int(conn.execute(plan_nudges.insert().returning(plan_nudges.c.id), {
        "workspace_id": actor.workspace_id, "tracked_account_id": tracked_id,
        "planned_post_id": planned_post_id, "item_ids": [i["item_id"] for i in items],
        "broadcasts": broadcasts, "replies": replies, "user_id": actor.user_id,
        "shown_at": now,
    }).scalar_one())
    audit(conn, actor, "plan.nudge", "plan_nudge", nudge_id,
          {"broadcasts": broadcasts, "replies": replies, "waiting": len(items)})
    return {
        "id": nudge_id, "broadcasts": broadcasts, "replies": replies, "waiting": items,
        "message": f"{broadcasts} broadcasts and {replies} replies in the last "
        f"{WINDOW.days} days while {len(items)}+ people wait: answer them instead?",
    }


def get_nudge(conn: Connection, actor: Actor, nudge_id: int) -> dict[str, Any]:
    """A nudge of this workspace with its waiting items as shown (still open or not)."""
    row = conn.execute(select(plan_nudges).where(
        plan_nudges.c.id == nudge_id, plan_nudges.c.workspace_id == actor.workspace_id)).first()
    if row is None:
        raise NotFoundError(f"no nudge {nudge_id} in this workspace")
    waiting = conn.execute(
        select(inbox_items.c.id, messages.c.text, messages.c.author_handle)
        .join(messages, messages.c.id == inbox_items.c.message_id)
        .where(inbox_items.c.workspace_id == actor.workspace_id,
               inbox_items.c.id.in_(list(row.item_ids)))
        .order_by(inbox_items.c.received_at, inbox_items.c.id)
    ).all()
    return {"id": row.id, "broadcasts": row.broadcasts, "replies": row.replies,
            "outcome": row.outcome,
            "waiting": [{"item_id": w.id, "author": w.author_handle, "text": w.text}
                        for w in waiting]}


def decide(conn: Connection, actor: Actor, nudge_id: int, outcome: str) -> None:
    """Record what the user did with a nudge."""
    actor.require(Role.RESPONDER)
    if outcome not in OUTCOMES:
        raise InvalidInputError(f"outcome must be one of {', '.join(OUTCOMES)}")
    done = conn.execute(
        update(plan_nudges)
        .where(plan_nudges.c.id == nudge_id, plan_nudges.c.workspace_id == actor.workspace_id)
        .values(outcome=outcome, decided_at=datetime.now(UTC), user_id=actor.user_id)
    )
    if done.rowcount == 0:
        raise NotFoundError(f"no nudge {nudge_id} in this workspace")
    audit(conn, actor, "plan.nudge.decide", "plan_nudge", nudge_id, {"outcome": outcome})


def reply_share(conn: Connection, actor: Actor, tracked_id: int) -> dict[str, float | None]:
    """The account's replies as a share of its replies and broadcasts, before the first
    nudge and since (None where there is nothing to divide)."""
    first = conn.execute(
        select(func.min(plan_nudges.c.shown_at)).where(
            plan_nudges.c.workspace_id == actor.workspace_id,
            plan_nudges.c.tracked_account_id == tracked_id)
    ).scalar()
    acct = account_row(conn, tracked_id)

    def share(lo: datetime | None, hi: datetime | None) -> float | None:
        b, r = _counts(conn, acct, actor.workspace_id, lo, hi)
        return r / (b + r) if b + r else None

    if first is None:
        return {"before": share(None, None), "after": None}
    return {"before": share(None, first), "after": share(first, None)}
