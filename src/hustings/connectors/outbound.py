"""Replies leave exactly once: queued, recorded before and after, checked before a retry.

States of an ``outbound`` row: ``queued -> sending -> sent``, or ``failed`` with a reason
and, when it may work later, a ``retry_at``. The row is set to ``sending`` (and committed)
before the request leaves, and to ``sent`` with the platform's id after. A row found in
``sending`` (a timeout, a crash mid-send) is never sent again blindly: the platform is asked
first (``find_sent``), and a retry carries the same idempotency key, which the platform
uses to refuse a second copy.

On ``sent`` the workspace's own message row takes the real platform id (so the platform's
copy, read back later, updates it instead of doubling it), the inbox reply becomes ``sent``
and only then is the item ``answered`` (or ``waiting``). Where the workspace has no
connection able to send for the item's account, nothing is queued: the reply stays
``to_post`` and the inbox says "not sent: copy and open on the platform".
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from hustings.connectors.base import OutgoingReply, Sent
from hustings.connectors.connections import open_connector
from hustings.errors import (
    ConnectorError,
    CredentialsError,
    PlatformUnavailableError,
    SendOutcomeUnknownError,
)
from hustings.ingest.intake import write_units
from hustings.plan._record import judge_and_record, verdict_before_send
from hustings.store import Store
from hustings.store.schema import (
    connections,
    inbox_items,
    inbox_replies,
    messages,
    outbound,
    planned_posts,
)

__all__ = ["NOT_SENT", "OWN_DELIVERY", "deliver", "deliver_due", "queue_reply"]

_log = logging.getLogger(__name__)
NOT_SENT = "not sent: copy and open on the platform"
_RETRY = timedelta(minutes=1)
_MAX_ATTEMPTS = 8
_KINDS = {"reply": "answered", "reply_wait": "waiting"}
OWN_DELIVERY = frozenset({"policy_alert"})
"""Outbound kinds their capability delivers itself (policy alerts are new mails to a
person, not replies on a channel): ``deliver_due`` leaves them alone."""


def queue_reply(
    conn: Connection, item: Any, reply_id: int, message_id: int, wait_for_answer: bool
) -> int | None:
    """Queue the reply on the item's channel if the workspace has a connection for the
    item's account; return the outbound id, or None (then it stays "to post").

    ``item`` is the row ``inbox.items.get_item_row`` returns. In the caller's transaction.
    """
    connection_id = conn.execute(
        select(connections.c.id).where(
            connections.c.workspace_id == item.workspace_id,
            connections.c.tracked_account_id == item.tracked_account_id,
            connections.c.platform == item.channel,
            connections.c.secret.is_not(None),
        )
    ).scalar()
    if connection_id is None:
        return None
    now = datetime.now(UTC)
    if item.tracked_account_id is not None:
        text = conn.execute(select(messages.c.text).where(messages.c.id == message_id)).scalar()
        judge_and_record(conn, item.workspace_id, item.tracked_account_id, now, text or "",
                         "reply", message_id=message_id)
    outbound_id = conn.execute(
        outbound.insert().returning(outbound.c.id),
        {
            "workspace_id": item.workspace_id,
            "connection_id": connection_id,
            "item_id": item.id,
            "message_id": message_id,
            "kind": "reply_wait" if wait_for_answer else "reply",
            "idempotency_key": uuid.uuid4().hex,
            "state": "queued",
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    conn.execute(
        update(inbox_replies).where(inbox_replies.c.id == reply_id).values(status="queued")
    )
    return int(outbound_id)


def _set(conn: Connection, outbound_id: int, **values: Any) -> None:
    values["updated_at"] = datetime.now(UTC)
    conn.execute(update(outbound).where(outbound.c.id == outbound_id).values(values))


def _reply_status(conn: Connection, row: Any, status: str) -> None:
    conn.execute(
        update(inbox_replies)
        .where(inbox_replies.c.message_id == row.message_id)
        .values(status=status)
    )


def _hand_over(conn: Connection, row: Any, taken: int | None, platform_id: str) -> None:
    """The sent reply becomes a platform fact: the workspace's draft row takes the platform's
    id and loses its owner, so the platform's copy (in ``sent.units`` now, or from a later
    sync) updates it like any imported message and the audit counts the answer. If a sync
    already brought the platform's copy, the draft gives way to it."""
    if taken is None:
        conn.execute(
            update(messages)
            .where(messages.c.id == row.message_id)
            .values(platform_id=platform_id, workspace_id=None)
        )
        return
    if taken == row.message_id:
        conn.execute(update(messages).where(messages.c.id == taken).values(workspace_id=None))
        return
    conn.execute(
        update(inbox_replies)
        .where(inbox_replies.c.message_id == row.message_id)
        .values(message_id=taken)
    )
    conn.execute(update(outbound).where(outbound.c.id == row.id).values(message_id=taken))
    conn.execute(delete(messages).where(messages.c.id == row.message_id))


def _mark_sent(store: Store, row: Any, sent: Sent, source: str, platform: str) -> None:
    now = datetime.now(UTC)
    with store.begin() as conn:
        taken = conn.execute(
            select(messages.c.id).where(
                messages.c.platform == platform, messages.c.platform_id == sent.platform_id
            )
        ).scalar()
        _reply_status(conn, row, "sent")  # before the hand-over, which may repoint it
        _hand_over(conn, row, taken, sent.platform_id)
        write_units(conn, sent.units, source)
        _set(conn, row.id, state="sent", platform_id=sent.platform_id, sent_at=now,
             error=None, retry_at=None)
        conn.execute(
            update(planned_posts)
            .where(planned_posts.c.outbound_id == row.id)
            .values(state="sent", updated_at=now)
        )
        if row.item_id is not None:
            item = conn.execute(
                select(inbox_items.c.first_response_at).where(inbox_items.c.id == row.item_id)
            ).first()
            if item is not None:
                conn.execute(
                    update(inbox_items)
                    .where(inbox_items.c.id == row.item_id)
                    .values(
                        status=_KINDS.get(row.kind, "answered"),
                        first_response_at=item.first_response_at or now,
                        last_response_at=now,
                        updated_at=now,
                    )
                )


def _answered(store: Store, platform: str, message: Any) -> tuple[bool, str | None]:
    """Whether the message answered is a direct message, and its conversation."""
    if message.reply_to_id is None:
        return False, None
    with store.begin() as conn:
        parent = conn.execute(
            select(messages.c.kind, messages.c.conversation_id).where(
                messages.c.platform == platform, messages.c.platform_id == message.reply_to_id
            )
        ).first()
    if parent is None:
        return False, None
    return parent.kind == "dm", parent.conversation_id


def deliver(store: Store, outbound_id: int) -> str:
    """Send one queued reply, exactly once; return its new state."""
    now = datetime.now(UTC)
    with store.begin() as conn:
        row = conn.execute(select(outbound).where(outbound.c.id == outbound_id)).first()
        if row is None or row.state == "sent":
            return "sent" if row is not None else "missing"
        was_sending = row.state == "sending"
        if row.connection_id is None:
            _set(conn, row.id, state="failed", error="the connection was removed: " + NOT_SENT)
            _reply_status(conn, row, "to_post")
            return "failed"
        try:
            connector, _ = open_connector(conn, row.connection_id)
        except ConnectorError as exc:  # credentials unreadable: nothing can leave
            _set(conn, row.id, state="failed", error=str(exc), retry_at=None)
            _reply_status(conn, row, "failed")
            return "failed"
        message = conn.execute(
            select(messages.c.text, messages.c.reply_to_id).where(
                messages.c.id == row.message_id
            )
        ).first()
        # The plan guard's verdict is stored before anything leaves, whatever the path.
        refused = verdict_before_send(conn, row) if not was_sending else None
        if refused is not None:
            connector.close()
            _set(conn, row.id, state="failed", error=refused, retry_at=None)
            return "failed"
        # Recorded before it leaves: a crash from here on leaves "sending", checked next time.
        _set(conn, row.id, state="sending", attempts=row.attempts + 1)
    if message is None or (message.reply_to_id is None and row.kind != "post"):
        with store.begin() as conn:
            _set(conn, row.id, state="failed", error="the reply's message is gone")
        return "failed"
    reply = OutgoingReply(message.text, message.reply_to_id, row.idempotency_key,
                          row.created_at, *_answered(store, connector.platform, message))
    try:
        sent = connector.find_sent(reply) if was_sending else None
        if sent is None:
            sent = connector.send(reply)
    except SendOutcomeUnknownError as exc:
        with store.begin() as conn:
            _set(conn, row.id, error=str(exc), retry_at=now + _RETRY)
        return "sending"
    except ConnectorError as exc:
        retry = isinstance(exc, PlatformUnavailableError) and row.attempts + 1 < _MAX_ATTEMPTS
        with store.begin() as conn:
            _set(
                conn, row.id, state="failed", error=str(exc),
                retry_at=now + _RETRY * (row.attempts + 1) if retry else None,
            )
            _reply_status(conn, row, "failed" if retry or isinstance(exc, CredentialsError)
                          else "to_post")
        return "failed"
    finally:
        connector.close()
    _mark_sent(store, row, sent, connector.source, connector.platform)
    return "sent"


def deliver_due(store: Store, workspace_id: int | None = None) -> dict[int, str]:
    """Send every queued reply, and retry those whose ``retry_at`` has come."""
    now = datetime.now(UTC)
    query = (
        select(outbound.c.id)
        .where(
            or_(
                outbound.c.state == "queued",
                (outbound.c.state.in_(("sending", "failed")))
                & outbound.c.retry_at.is_not(None)
                & (outbound.c.retry_at <= now),
            )
        )
        .where(outbound.c.kind.not_in(OWN_DELIVERY))
        .order_by(outbound.c.id)
    )
    if workspace_id is not None:
        query = query.where(outbound.c.workspace_id == workspace_id)
    with store.begin() as conn:
        ids = list(conn.execute(query).scalars())
    return {i: deliver(store, i) for i in ids}
