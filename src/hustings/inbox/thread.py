"""The thread view of an item: the whole conversation, notes, replies, and the person's
history on every channel, so a responder answers the person and not just the message.

What a thread shows a workspace (the tenancy rule, ``docs/security.md``):

- public messages of the conversation (same conversation id or thread root);
- private ones (DMs, e-mail, chat, anything not public) only when they pass between one of
  this workspace's accounts and the item's correspondent (the item's author): never a DM
  the same person sent another campaign, nor a stranger's private message that happens to
  share a conversation id;
- rows a workspace typed or pushed (``messages.workspace_id``) only when they are this
  workspace's own: never another workspace's unsent draft of a reply to the same e-mail.

E-mail threads are keyed on the correspondent pair (the person's address and the
workspace's addresses), not on ``References``: a newsletter that hundreds of constituents
replied to is every reply's root, and keying on it showed each one all the others. The
item's own message is always shown, and so are this workspace's own messages that shown ones
answer (the newsletter itself, the first mail of an exchange: e-mail records no recipient for
a mail that answers nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Connection, and_, bindparam, func, or_, select

from hustings.inbox.items import get_item_row, item_dict, with_stances
from hustings.inbox.sla import joined_policy
from hustings.model import MessageKind, Visibility
from hustings.store.schema import (
    inbox_items,
    inbox_notes,
    inbox_replies,
    messages,
    tracked_accounts,
    users,
    workspace_accounts,
)
from hustings.workspace import Actor

__all__ = ["item_detail"]

_THREAD_LIMIT = 200
_HISTORY_LIMIT = 50


# The thread view's queries are built once, with bound parameters: opening an item is among
# the commonest requests, and a prebuilt statement skips its construction and cache key.
_KEYS: BindParameter[str] = bindparam("keys", expanding=True)
_PERSON: BindParameter[str] = bindparam("person", expanding=True)
_OWN: BindParameter[str] = bindparam("own", expanding=True)
_EITHER: BindParameter[str] = bindparam("parties", expanding=True)
_PRIVATE_KINDS = (MessageKind.DM.value, MessageKind.EMAIL.value, MessageKind.CHAT.value)
_PUBLIC = and_(
    messages.c.visibility == Visibility.PUBLIC.value, messages.c.kind.not_in(_PRIVATE_KINDS)
)
_PARTIES = or_(
    messages.c.author_id.in_(_EITHER),
    func.lower(messages.c.author_handle).in_(_EITHER),
)
_COLUMNS = (
    messages.c.id,
    messages.c.platform_id,
    messages.c.author_handle,
    messages.c.author_id,
    messages.c.text,
    messages.c.created_at,
    messages.c.kind,
    messages.c.visibility,
    messages.c.reply_to_id,
    messages.c.reply_to_account_id,
    messages.c.reply_to_handle,
    messages.c.conversation_id,
    messages.c.mentions,
    inbox_replies.c.status.label("reply_status"),
)


def _thread_query(which: ColumnElement[bool]) -> Any:
    """This platform's messages that ``which`` picks and the workspace may see, oldest first."""
    return (
        select(*_COLUMNS)
        .outerjoin(inbox_replies, inbox_replies.c.message_id == messages.c.id)
        .where(
            messages.c.platform == bindparam("platform"),
            or_(
                messages.c.workspace_id.is_(None),
                messages.c.workspace_id == bindparam("workspace_id"),
            ),
            which,
        )
        .order_by(messages.c.created_at, messages.c.id)
        .limit(_THREAD_LIMIT)
    )


# A conversation: its public messages, and private ones sent by the correspondent or by one
# of the workspace's accounts (``_between`` then checks whom they were sent to), so that
# strangers' private messages never take the places of the thread's own.
_THREAD = _thread_query(
    and_(
        or_(
            messages.c.conversation_id.in_(_KEYS),
            messages.c.root_id.in_(_KEYS),
            messages.c.platform_id.in_(_KEYS),
        ),
        or_(_PUBLIC, _PARTIES),
    )
)
# Private e-mail: the correspondence between the person and the workspace's addresses,
# whatever thread each mail names, and the item itself.
_MAIL_THREAD = _thread_query(
    or_(
        and_(messages.c.author_id.in_(_PERSON), messages.c.reply_to_account_id.in_(_OWN)),
        and_(messages.c.author_id.in_(_OWN), messages.c.reply_to_account_id.in_(_PERSON)),
        messages.c.platform_id == bindparam("item_pid"),
    )
)
# The workspace's own messages that shown ones answer (a newsletter, the first mail of an
# exchange: e-mail records no recipient for a mail that answers nothing).
_ANSWERED = _thread_query(
    and_(messages.c.platform_id.in_(bindparam("answered", expanding=True)), _PARTIES)
)
_OWN_ACCOUNTS = (
    select(tracked_accounts.c.handle_lower, tracked_accounts.c.platform_id)
    .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
    .where(
        workspace_accounts.c.workspace_id == bindparam("workspace_id"),
        tracked_accounts.c.platform == bindparam("platform"),
    )
)
_HISTORY = (
    select(
        inbox_items.c.id,
        inbox_items.c.channel,
        inbox_items.c.status,
        inbox_items.c.received_at,
        messages.c.text,
    )
    .join(messages, messages.c.id == inbox_items.c.message_id)
    .where(
        inbox_items.c.workspace_id == bindparam("workspace_id"),
        inbox_items.c.person_id == bindparam("person_id"),
        inbox_items.c.id != bindparam("item_id"),
    )
    .order_by(inbox_items.c.received_at.desc())
    .limit(_HISTORY_LIMIT)
)
_NOTES = (
    select(inbox_notes, users.c.email)
    .outerjoin(users, users.c.id == inbox_notes.c.author_id)
    .where(inbox_notes.c.item_id == bindparam("item_id"))
    .order_by(inbox_notes.c.id)
)
_REPLIES = (
    select(inbox_replies, messages.c.text, users.c.email)
    .join(messages, messages.c.id == inbox_replies.c.message_id)
    .outerjoin(users, users.c.id == inbox_replies.c.author_id)
    .where(inbox_replies.c.item_id == bindparam("item_id"))
    .order_by(inbox_replies.c.id)
)


def _ids(*values: str | None) -> set[str]:
    """Account ids and handles as messages name them, without a leading ``@``: as given and
    in lower case (handles and addresses ignore case; some platforms' ids do not)."""
    given = {v.lstrip("@") for v in values if v}
    return given | {v.lower() for v in given}


def _recipients(m: Any) -> set[str]:
    """Whom a stored message was addressed to, as far as its record says."""
    found = _ids(m.reply_to_account_id, m.reply_to_handle, *(m.mentions or ()))
    if m.kind == MessageKind.DM.value and m.conversation_id:
        found |= _ids(*m.conversation_id.split("-"))  # X: the two participants' ids
    return found


def _public(m: Any) -> bool:
    return bool(m.visibility == Visibility.PUBLIC.value and m.kind not in _PRIVATE_KINDS)


def _between(m: Any, person: set[str], own: set[str]) -> bool:
    """Whether private ``m`` passed between the correspondent and one of ``own``."""
    author = _ids(m.author_id, m.author_handle)
    to = _recipients(m)
    return bool((author & person and to & own) or (author & own and to & person))


def _thread(conn: Connection, actor: Actor, row: Any) -> list[dict[str, Any]]:
    """The messages of the item's conversation this workspace may see, oldest first."""
    own = set()
    for account in conn.execute(
        _OWN_ACCOUNTS, {"workspace_id": actor.workspace_id, "platform": row.channel}
    ):
        own |= _ids(account.handle_lower, account.platform_id)
    person = _ids(row.author_id, row.author_handle) - own
    params: dict[str, Any] = {"platform": row.channel, "workspace_id": actor.workspace_id}
    if row.kind == MessageKind.EMAIL.value:
        mail = {"person": sorted(person), "own": sorted(own), "item_pid": row.message_platform_id}
        found = conn.execute(_MAIL_THREAD, params | mail)
    else:
        keys = sorted({k for k in (row.conversation_id, row.root_id, row.message_platform_id) if k})
        found = conn.execute(_THREAD, params | {"keys": keys, "parties": sorted(person | own)})
    shown = [m for m in found if m.id == row.message_id or _public(m) or _between(m, person, own)]
    have = {m.platform_id for m in shown}
    answered = sorted({m.reply_to_id for m in shown if m.reply_to_id} - have)
    if answered:
        more = conn.execute(_ANSWERED, params | {"answered": answered, "parties": sorted(own)})
        shown += [m for m in more if _ids(m.author_id, m.author_handle) & own]
        shown.sort(key=lambda m: (m.created_at, m.id))
    return [
        {
            "id": m.id,
            "author": m.author_handle or m.author_id,
            "text": m.text,
            "created_at": m.created_at,
            "kind": m.kind,
            "to_post": m.reply_status == "to_post",
            "is_item": m.id == row.message_id,
        }
        for m in shown
    ]


def _history(conn: Connection, actor: Actor, row: Any) -> list[dict[str, Any]]:
    """The person's other items in this workspace, on any channel, newest first."""
    if row.person_id is None:
        return []
    found = conn.execute(
        _HISTORY,
        {"workspace_id": actor.workspace_id, "person_id": row.person_id, "item_id": row.id},
    )
    return [dict(r._mapping) for r in found]


def item_detail(conn: Connection, actor: Actor, item_id: int) -> dict[str, Any]:
    row = get_item_row(conn, actor, item_id)
    detail = item_dict(row, datetime.now(UTC), joined_policy(row).warn_minutes)
    with_stances(conn, actor.workspace_id, [detail])
    detail["thread"] = _thread(conn, actor, row)
    detail["history"] = _history(conn, actor, row)
    detail["notes"] = [
        {"id": n.id, "text": n.text, "author": n.email, "created_at": n.created_at}
        for n in conn.execute(_NOTES, {"item_id": item_id})
    ]
    detail["replies"] = [
        {"id": r.id, "status": r.status, "text": r.text, "author": r.email, "at": r.created_at}
        for r in conn.execute(_REPLIES, {"item_id": item_id})
    ]
    return detail
