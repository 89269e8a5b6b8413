"""Planned posts: draft, edit, queue, post now, override a hold, cancel; and the send.

States: ``draft`` (written, not scheduled) -> ``queued`` (to go out at ``scheduled_at``) or
``held`` (the guard said hold: it leaves only once a manager overrides, with a reason) ->
``sending`` (handed to the exactly-once outbound, :mod:`hustings.connectors.outbound`) ->
``sent``; ``to_post`` where the workspace has no connection able to post for the account
("not sent: copy and open on the platform"); ``cancelled`` any time before it is handed
over. Each step that could put the post out judges it first and stores the verdict
(:func:`hustings.plan._record.judge_and_record`). Everything here is the workspace's own.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hustings.errors import ConflictError, InvalidInputError, NotFoundError
from hustings.model import Message, MessageKind, ReplyLink, Visibility
from hustings.plan._besttime import best_time
from hustings.plan._nudges import nudge
from hustings.plan._record import account_row, judge_and_record
from hustings.plan._rules import Verdict
from hustings.store import Store
from hustings.store.records import insert_own_message
from hustings.store.schema import (
    connections,
    messages,
    outbound,
    plan_verdicts,
    planned_posts,
    tracked_accounts,
    workspace_accounts,
)
from hustings.workspace import Actor, Role, audit

__all__ = [
    "EDITABLE",
    "account_id",
    "account_ids",
    "cancel",
    "draft",
    "edit",
    "get_post",
    "list_posts",
    "override",
    "post_now",
    "queue",
    "send_due",
]

EDITABLE = ("draft", "queued", "held", "to_post")
MAX_TEXT = 5000
NOT_SENT = "not sent: copy and open on the platform"


def _now() -> datetime:
    return datetime.now(UTC)


def account_id(conn: Connection, actor: Actor, account: str | int) -> int:
    """A tracked account of the actor's workspace, by id or handle ("platform:handle" when
    the handle is on several platforms)."""
    query = select(tracked_accounts.c.id).join(
        workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id
    ).where(workspace_accounts.c.workspace_id == actor.workspace_id)
    if isinstance(account, int) or (str(account).isascii() and str(account).isdigit()):
        query = query.where(tracked_accounts.c.id == int(account))
    else:
        platform, _, handle = str(account).rpartition(":")
        query = query.where(tracked_accounts.c.handle_lower == handle.lstrip("@").lower())
        if platform:
            query = query.where(tracked_accounts.c.platform == platform)
    found = conn.execute(query).scalars().all()
    if len(found) != 1:
        what = "several accounts match" if found else "no such account in this workspace"
        raise NotFoundError(f"{what}: {account}")
    return int(found[0])


def account_ids(conn: Connection, actor: Actor) -> list[int]:
    """The ids of the workspace's accounts, in id order."""
    return [int(i) for i in conn.execute(
        select(workspace_accounts.c.tracked_account_id)
        .where(workspace_accounts.c.workspace_id == actor.workspace_id)
        .order_by(workspace_accounts.c.tracked_account_id)).scalars()]


def get_post(conn: Connection, actor: Actor, post_id: int) -> Any:
    row = conn.execute(
        select(planned_posts).where(planned_posts.c.id == post_id,
                                    planned_posts.c.workspace_id == actor.workspace_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no planned post {post_id} in this workspace")
    return row


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInputError("a post needs some text")
    if len(text) > MAX_TEXT:
        raise InvalidInputError(f"a post is at most {MAX_TEXT} characters")
    return text


def _result(conn: Connection, actor: Actor, post_id: int, judgement: Any,
            nudged: dict[str, Any] | None = None) -> dict[str, Any]:
    row = get_post(conn, actor, post_id)
    return {**_as_dict(row), "findings": judgement.as_dict()["findings"], "nudge": nudged}


def _as_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "account_id": row.tracked_account_id, "platform": row.platform,
        "text": row.text, "state": row.state, "verdict": row.verdict,
        "scheduled_at": row.scheduled_at.isoformat() if row.scheduled_at else None,
        "thread_parent_id": row.thread_parent_id, "override_reason": row.override_reason,
    }


def draft(conn: Connection, actor: Actor, account: str | int, text: str,
          at: datetime | None = None, thread_parent_id: int | None = None) -> dict[str, Any]:
    """Write a draft; the guard judges it for ``at`` (or now) and the composer's nudge, if
    the account broadcasts more than it answers while people wait, comes back with it."""
    actor.require(Role.RESPONDER)
    tracked = account_id(conn, actor, account)
    if thread_parent_id is not None:
        get_post(conn, actor, thread_parent_id)
    now = _now()
    post_id = int(conn.execute(planned_posts.insert().returning(planned_posts.c.id), {
        "workspace_id": actor.workspace_id, "tracked_account_id": tracked,
        "platform": account_row(conn, tracked).platform, "text": _text(text),
        "scheduled_at": at, "state": "draft", "thread_parent_id": thread_parent_id,
        "created_by": actor.user_id, "created_at": now, "updated_at": now,
    }).scalar_one())
    judgement = _judge(conn, actor, post_id, at or now, "draft")
    audit(conn, actor, "plan.draft", "planned_post", post_id, {"verdict": judgement.verdict})
    result = _result(conn, actor, post_id, judgement, nudge(conn, actor, tracked, post_id))
    best = best_time(conn, actor, tracked, now)
    result["best_time"] = {"at": best["suggested_at"], "why": best["why"]}
    return result


def _judge(conn: Connection, actor: Actor, post_id: int, at: datetime, path: str) -> Any:
    row = get_post(conn, actor, post_id)
    judgement = judge_and_record(conn, actor.workspace_id, row.tracked_account_id, at,
                                 row.text, path, planned_post_id=post_id)
    conn.execute(update(planned_posts).where(planned_posts.c.id == post_id)
                 .values(verdict=judgement.verdict.value, updated_at=_now()))
    return judgement


def edit(conn: Connection, actor: Actor, post_id: int, text: str | None = None,
         at: datetime | None = None) -> dict[str, Any]:
    """Change a post's text or time until it is handed over, and judge it again.

    A queued post the new verdict holds becomes ``held``; a held one the guard now passes is
    ``queued`` again. A manager's override let the old text go at the old time, not this
    one, so an edit drops it (the audit log keeps it).
    """
    actor.require(Role.RESPONDER)
    row = get_post(conn, actor, post_id)
    if row.state not in EDITABLE:
        raise ConflictError(f"post {post_id} is {row.state}: it can no longer be edited")
    if text is None and at is None:
        raise InvalidInputError("say what to change: the text, the time or both")
    values: dict[str, Any] = {"updated_at": _now(), "override_reason": None,
                              "overridden_by": None}
    if text is not None:
        values["text"] = _text(text)
    if at is not None:
        values["scheduled_at"] = at
    conn.execute(update(planned_posts).where(planned_posts.c.id == post_id).values(values))
    judgement = _judge(conn, actor, post_id, at or row.scheduled_at or _now(), "edit")
    state = row.state
    if state in ("queued", "held"):
        state = "held" if judgement.verdict is Verdict.HOLD else "queued"
        conn.execute(update(planned_posts).where(planned_posts.c.id == post_id)
                     .values(state=state))
    audit(conn, actor, "plan.edit", "planned_post", post_id,
          {"verdict": judgement.verdict.value, "state": state,
           "changed": sorted(k for k in ("text", "scheduled_at") if k in values)})
    return _result(conn, actor, post_id, judgement)


def queue(conn: Connection, actor: Actor, post_id: int,
          at: datetime | None = None) -> dict[str, Any]:
    """Schedule the post for ``at`` (or its time, or now); a hold keeps it ``held``."""
    actor.require(Role.RESPONDER)
    row = get_post(conn, actor, post_id)
    if row.state not in EDITABLE:
        raise ConflictError(f"post {post_id} is {row.state}: it cannot be queued")
    when = at or row.scheduled_at or _now()
    judgement = _judge(conn, actor, post_id, when, "queue")
    state = ("held" if judgement.verdict is Verdict.HOLD and not row.override_reason
             else "queued")
    conn.execute(update(planned_posts).where(planned_posts.c.id == post_id)
                 .values(state=state, scheduled_at=when))
    audit(conn, actor, "plan.queue", "planned_post", post_id,
          {"verdict": judgement.verdict, "state": state})
    return _result(conn, actor, post_id, judgement)


def override(conn: Connection, actor: Actor, post_id: int, reason: str) -> dict[str, Any]:
    """A manager lets a held post go, saying why (kept on the post and in the audit log)."""
    actor.require(Role.MANAGER)
    row = get_post(conn, actor, post_id)
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("an override needs a reason")
    if row.verdict != Verdict.HOLD.value:
        raise ConflictError(f"post {post_id} is not held (verdict {row.verdict})")
    state = "queued" if row.state == "held" else row.state
    conn.execute(update(planned_posts).where(planned_posts.c.id == post_id).values(
        override_reason=reason, overridden_by=actor.user_id, state=state, updated_at=_now()))
    audit(conn, actor, "plan.override", "planned_post", post_id, {"reason": reason})
    return _as_dict(get_post(conn, actor, post_id))


def cancel(conn: Connection, actor: Actor, post_id: int) -> dict[str, Any]:
    actor.require(Role.RESPONDER)
    row = get_post(conn, actor, post_id)
    if row.state not in EDITABLE:
        raise ConflictError(f"post {post_id} is {row.state}: it can no longer be cancelled")
    conn.execute(update(planned_posts).where(planned_posts.c.id == post_id)
                 .values(state="cancelled", updated_at=_now()))
    audit(conn, actor, "plan.cancel", "planned_post", post_id, {})
    return _as_dict(get_post(conn, actor, post_id))


def list_posts(conn: Connection, actor: Actor, state: str | None = None,
               findings: bool = False) -> list[dict[str, Any]]:
    """The workspace's planned posts; with ``findings``, each with its latest verdict's
    findings (what the composer shows beside it)."""
    query = select(planned_posts).where(planned_posts.c.workspace_id == actor.workspace_id)
    if state:
        query = query.where(planned_posts.c.state == state)
    rows = [_as_dict(r) for r in
            conn.execute(query.order_by(planned_posts.c.scheduled_at, planned_posts.c.id))]
    if findings and rows:
        latest = conn.execute(
            select(plan_verdicts.c.planned_post_id, plan_verdicts.c.findings)
            .where(plan_verdicts.c.workspace_id == actor.workspace_id,
                   plan_verdicts.c.planned_post_id.in_([r["id"] for r in rows]))
            .order_by(plan_verdicts.c.id)
        ).all()
        by_post = {post_id: found for post_id, found in latest}
        for r in rows:
            r["findings"] = by_post.get(r["id"], [])
    return rows


def _hand_over(conn: Connection, actor: Actor, row: Any) -> str:
    """Queue the post on the exactly-once outbound when a connection can post for its
    account; else it stays ``to_post``. Returns the new state."""
    connection_id = conn.execute(
        select(connections.c.id).where(
            connections.c.workspace_id == actor.workspace_id,
            connections.c.tracked_account_id == row.tracked_account_id,
            connections.c.platform == row.platform, connections.c.secret.is_not(None))
    ).scalar()
    if connection_id is None or not _can_post(row.platform):
        conn.execute(update(planned_posts).where(planned_posts.c.id == row.id)
                     .values(state="to_post", updated_at=_now()))
        return "to_post"
    acct = account_row(conn, row.tracked_account_id)
    now = _now()
    parent = _thread_parent(conn, row)
    message = Message(
        platform=row.platform, platform_id=f"hustings-post-{uuid.uuid4().hex}",
        author_id=acct.platform_id or acct.handle, author_handle=acct.handle, created_at=now,
        text=row.text, kind=MessageKind.REPLY if parent else MessageKind.POST,
        visibility=Visibility.PUBLIC, reply_to_id=parent.platform_id if parent else None,
        reply_to_account_id=parent.author_id if parent else None,
        reply_link=ReplyLink.MESSAGE if parent else None,
    )
    message_id = insert_own_message(conn, message, parent.root_id if parent else None,
                                    parent.depth if parent else None,
                                    workspace_id=actor.workspace_id)
    outbound_id = conn.execute(outbound.insert().returning(outbound.c.id), {
        "workspace_id": actor.workspace_id, "connection_id": connection_id, "item_id": None,
        "message_id": message_id, "kind": "post", "idempotency_key": uuid.uuid4().hex,
        "state": "queued", "attempts": 0, "created_at": now, "updated_at": now,
    }).scalar_one()
    conn.execute(update(planned_posts).where(planned_posts.c.id == row.id).values(
        state="sending", outbound_id=outbound_id, message_id=message_id, updated_at=now))
    return "sending"


def _thread_parent(conn: Connection, row: Any) -> Any:
    if row.thread_parent_id is None:
        return None
    return conn.execute(
        select(messages).join(planned_posts, planned_posts.c.message_id == messages.c.id)
        .where(planned_posts.c.id == row.thread_parent_id, planned_posts.c.state == "sent")
    ).first()


def _can_post(platform: str) -> bool:
    from hustings.plugins import connectors

    found = connectors().get(platform)
    return bool(found is not None and found.posts)


def post_now(store: Store, actor: Actor, post_id: int,
             breaking: str | None = None) -> dict[str, Any]:
    """Judge the post for now and, unless held, hand it over and send it at once.

    ``breaking`` is the breaking-news override: a manager posts now through a hold (the
    guard's or a rule the workspace set), giving the reason; the verdict is still judged
    and stored, and the audit log keeps the reason with the rules it went through.
    """
    from hustings.connectors.outbound import deliver

    actor.require(Role.RESPONDER)
    reason = (breaking or "").strip()
    if breaking is not None:
        actor.require(Role.MANAGER)
        if not reason:
            raise InvalidInputError("breaking news needs a reason")
    with store.begin() as conn:
        row = get_post(conn, actor, post_id)
        if row.state not in EDITABLE:
            raise ConflictError(f"post {post_id} is {row.state}: it cannot be posted")
        judgement = _judge(conn, actor, post_id, _now(), "post")
        held = judgement.verdict is Verdict.HOLD and not row.override_reason
        if held and reason:
            conn.execute(update(planned_posts).where(planned_posts.c.id == post_id).values(
                override_reason=f"breaking news: {reason}", overridden_by=actor.user_id))
            audit(conn, actor, "plan.breaking", "planned_post", post_id, {
                "reason": reason, "verdict": judgement.verdict.value,
                "through": [f.rule for f in judgement.findings if f.verdict is Verdict.HOLD]})
        elif held:
            conn.execute(update(planned_posts).where(planned_posts.c.id == post_id)
                         .values(state="held"))
            audit(conn, actor, "plan.post", "planned_post", post_id,
                  {"state": "held", "verdict": judgement.verdict.value})
            return _result(conn, actor, post_id, judgement)
        state = _hand_over(conn, actor, get_post(conn, actor, post_id))
        audit(conn, actor, "plan.post", "planned_post", post_id,
              {"state": state, "verdict": judgement.verdict.value})
        outbound_id = get_post(conn, actor, post_id).outbound_id
    if outbound_id is not None:
        deliver(store, int(outbound_id))
    with store.begin() as conn:
        return _result(conn, actor, post_id, judgement)


def send_due(store: Store, workspace_id: int | None = None) -> list[int]:
    """Hand every queued post whose time has come to the outbound, judged once more at
    the moment it goes (the account may have posted by hand since it was queued)."""
    query = select(planned_posts.c.id, planned_posts.c.workspace_id).where(
        planned_posts.c.state == "queued", planned_posts.c.scheduled_at <= _now())
    if workspace_id is not None:
        query = query.where(planned_posts.c.workspace_id == workspace_id)
    with store.begin() as conn:
        due = conn.execute(query.order_by(planned_posts.c.scheduled_at)).all()
    handed = []
    for post_id, ws in due:
        actor = Actor.system(int(ws))
        with store.begin() as conn:
            row = get_post(conn, actor, int(post_id))
            judgement = _judge(conn, actor, row.id, _now(), "queue")
            if judgement.verdict is Verdict.HOLD and not row.override_reason:
                conn.execute(update(planned_posts).where(planned_posts.c.id == row.id)
                             .values(state="held"))
                continue
            state = _hand_over(conn, actor, row)
            audit(conn, actor, "plan.send", "planned_post", row.id,
                  {"state": state, "verdict": judgement.verdict.value})
            if state == "sending":
                handed.append(int(post_id))
    return handed
