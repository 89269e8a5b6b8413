"""Replies written in the app, and canned replies that must be personalised before sending.

A reply is stored as an outgoing message (kind ``reply``, authored by the workspace's
account, answering the inbound message) so that threads and the person's history show it
like any other reply, plus an ``inbox_replies`` row. Where the workspace has a connection
for the item's account the reply is queued (``hustings.connectors.outbound``) and the item
becomes answered only once the platform has it; elsewhere it stays ``to_post`` and the inbox
says "not sent: copy and open on the platform". Until the platform has it the message is
the workspace's own row (``messages.workspace_id``): no other workspace sees it, and the
shared analytical export (the audit) leaves it out. Once sent it is a platform fact like
any other (``outbound`` hands it over), so the audit counts the answer.

A canned reply must contain at least one ``{placeholder}``, and a reply is refused while any
placeholder is unfilled: a template nobody edits is the spam this product fights.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hustings.errors import InvalidInputError, NotFoundError
from hustings.inbox.items import Status, get_item_row, require_hands_on
from hustings.model import Message, MessageKind, ReplyLink, Visibility
from hustings.store.records import insert_own_message
from hustings.store.schema import (
    canned_replies,
    inbox_items,
    inbox_replies,
)
from hustings.workspace import Actor, Role, audit

__all__ = [
    "delete_canned",
    "fill_placeholders",
    "list_canned",
    "placeholders",
    "reply",
    "save_canned",
]

_PLACEHOLDER = re.compile(r"\{\s*([A-Za-z_][\w ]{0,40}?)\s*\}")
_MAX_REPLY = 10_000


def placeholders(text: str) -> list[str]:
    """The distinct ``{name}`` fields in ``text``, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(text):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    """Substitute the given fields; unfilled ones stay, so ``reply`` can refuse them."""

    def sub(match: re.Match[str]) -> str:
        value = values.get(match.group(1).strip(), "").strip()
        return value or match.group(0)

    return _PLACEHOLDER.sub(sub, body)


def save_canned(conn: Connection, actor: Actor, name: str, body: str) -> int:
    actor.require(Role.MANAGER)
    name, body = name.strip(), body.strip()
    if not name or not body:
        raise InvalidInputError("a canned reply needs a name and a body")
    if not placeholders(body):
        raise InvalidInputError(
            "a canned reply needs at least one {placeholder} the responder must fill in"
        )
    found = conn.execute(
        select(canned_replies.c.id).where(
            canned_replies.c.workspace_id == actor.workspace_id, canned_replies.c.name == name
        )
    ).first()
    if found is None:
        result = conn.execute(
            canned_replies.insert().values(workspace_id=actor.workspace_id, name=name, body=body)
        )
        (canned_id,) = result.inserted_primary_key or (0,)
    else:
        canned_id = found.id
        conn.execute(
            canned_replies.update().where(canned_replies.c.id == canned_id).values(body=body)
        )
    audit(conn, actor, "canned.save", "canned_reply", int(canned_id), {"name": name})
    return int(canned_id)


def list_canned(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(canned_replies)
        .where(canned_replies.c.workspace_id == actor.workspace_id)
        .order_by(canned_replies.c.name)
    )
    return [
        {"id": r.id, "name": r.name, "body": r.body, "fields": placeholders(r.body)} for r in rows
    ]


def delete_canned(conn: Connection, actor: Actor, canned_id: int) -> None:
    actor.require(Role.MANAGER)
    result = conn.execute(
        canned_replies.delete().where(
            canned_replies.c.id == canned_id, canned_replies.c.workspace_id == actor.workspace_id
        )
    )
    if result.rowcount != 1:
        raise NotFoundError(f"no canned reply {canned_id}")
    audit(conn, actor, "canned.delete", "canned_reply", canned_id)


def canned_body(conn: Connection, actor: Actor, canned_id: int) -> str:
    body = conn.execute(
        select(canned_replies.c.body).where(
            canned_replies.c.id == canned_id, canned_replies.c.workspace_id == actor.workspace_id
        )
    ).scalar()
    if body is None:
        raise NotFoundError(f"no canned reply {canned_id}")
    return str(body)


# Built once, as every reply runs it.
_INSERT_REPLY = inbox_replies.insert().returning(inbox_replies.c.id)


def reply(
    conn: Connection,
    actor: Actor,
    item_id: int,
    text: str,
    *,
    wait_for_answer: bool = False,
) -> int:
    """Record a reply to the item's message and close the wait; return the reply's id.

    The item becomes ``answered`` (or ``waiting`` when the reply asks the person something
    and staff expect an answer) and is assigned to whoever replied if it was unassigned.
    """
    row = get_item_row(conn, actor, item_id)
    require_hands_on(actor, row)
    text = text.strip()
    if not text:
        raise InvalidInputError("a reply needs some text")
    if len(text) > _MAX_REPLY:
        raise InvalidInputError(f"a reply is at most {_MAX_REPLY} characters")
    unfilled = placeholders(text)
    if unfilled:
        names = ", ".join("{" + n + "}" for n in unfilled)
        raise InvalidInputError(f"fill in the personalisation fields first: {names}")
    now = datetime.now(UTC)
    # The item row carries the inbound message and the account it reached: no more lookups.
    outgoing = Message(
        platform=row.channel,
        platform_id=f"hustings-reply-{uuid.uuid4().hex}",
        author_id=row.account_platform_id or row.account_handle or "workspace",
        author_handle=row.account_handle,
        created_at=now,
        text=text,
        kind=MessageKind.REPLY,
        visibility=Visibility(row.visibility),
        reply_to_id=row.message_platform_id,
        reply_to_account_id=row.author_id,
        reply_to_handle=row.author_handle,
        reply_link=ReplyLink.MESSAGE,
        conversation_id=row.conversation_id or row.message_platform_id,
        subject=f"Re: {row.subject}" if row.subject else None,
    )
    message_id = insert_own_message(
        conn, outgoing, row.root_id, row.message_depth, workspace_id=actor.workspace_id
    )
    reply_id = conn.execute(
        _INSERT_REPLY,
        {
            "item_id": item_id,
            "message_id": message_id,
            "author_id": actor.user_id,
            "status": "to_post",
            "created_at": now,
        },
    ).scalar_one()
    if _hand_to_connector(conn, actor, row, int(reply_id), message_id, wait_for_answer, now):
        return int(reply_id)
    verdict = _verdict(conn, row, message_id, now)
    status = Status.WAITING if wait_for_answer else Status.ANSWERED
    conn.execute(
        update(inbox_items)
        .where(inbox_items.c.id == item_id)
        .values(
            status=status.value,
            assignee_id=row.assignee_id or actor.user_id,
            first_response_at=row.first_response_at or now,
            last_response_at=now,
            updated_at=now,
        )
    )
    audit(conn, actor, "item.reply", "inbox_item", item_id,
          {"reply_id": int(reply_id), "verdict": verdict})
    return int(reply_id)


def _verdict(conn: Connection, row: Any, message_id: int, now: datetime) -> str | None:
    """The plan guard's verdict on this reply (judged now if no path judged it yet), for
    its audit entry: every outward act in the log carries one."""
    from hustings.plan._record import judge_reply

    return judge_reply(conn, row.workspace_id, row.tracked_account_id, message_id, now)


def _hand_to_connector(
    conn: Connection,
    actor: Actor,
    row: Any,
    reply_id: int,
    message_id: int,
    wait_for_answer: bool,
    now: datetime,
) -> bool:
    """Queue the reply on the item's channel when a connection can send it; the item is
    then answered by the send, not now. False (nothing done) where none can."""
    from hustings.connectors.outbound import queue_reply

    outbound_id = queue_reply(conn, row, reply_id, message_id, wait_for_answer)
    if outbound_id is None:
        return False
    conn.execute(
        update(inbox_items)
        .where(inbox_items.c.id == row.id)
        .values(assignee_id=row.assignee_id or actor.user_id, updated_at=now)
    )
    audit(
        conn, actor, "item.reply", "inbox_item", row.id,
        {"reply_id": reply_id, "outbound_id": outbound_id,
         "verdict": _verdict(conn, row, message_id, now)},
    )
    return True
