"""Turn inbound messages into inbox items: every message to a workspace's account, once.

A message is inbound to a tracked account when it replies to it (by account id or handle),
mentions it, or is a DM or e-mail addressed to it, and was not written by one of the
workspace's own accounts. Reposts are not conversation and are skipped.

Each workspace keeps a cursor (the highest message row id it has examined). A sync looks a
little behind the cursor as well (``_LOOKBACK`` ids): on PostgreSQL a transaction can
commit a lower id after a higher one, and the unique ``(workspace, message)`` key makes the
re-examination free of duplicates. Safe to run from several processes at once.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hustings.inbox.sla import active_policy
from hustings.inbox.workspaces import workspace_account_ids
from hustings.model import Message
from hustings.people.core import person_for_author
from hustings.store import Store
from hustings.store.keys import keys_in
from hustings.store.records import write_messages
from hustings.store.schema import (
    accounts,
    inbox_items,
    messages,
    tracked_accounts,
    workspaces,
)
from hustings.store.scores import NEEDS_REPLY, label_probabilities

__all__ = ["needs_reply", "receive_messages", "sync_inbox", "sync_workspace"]

_log = logging.getLogger(__name__)
_LOOKBACK = 2000
_REPLY_THRESHOLD = 0.5
_SURE = 0.8
_CHUNK = 1000
_MAX_CHUNKS = 1000
_QUESTION = re.compile(
    r"\?|\b(how|when|where|why|what|who|can you|could you|will you|please)\b", re.I
)
_PROFILE = re.compile(
    r"(?:twitter\.com|x\.com)/(?P<x>\w{1,15})|bsky\.app/profile/(?P<bsky>[\w.-]+)"
    r"|https?://(?P<host>[\w.-]+)/@(?P<masto>\w+)|mailto:(?P<email>[^\s?]+)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class _Account:
    id: int
    platform: str
    handle: str
    platform_id: str | None


@functools.cache
def _classifier() -> Callable[[Sequence[str]], list[float]] | None:
    from hustings import nlp  # loads numpy models: only when the inbox first triages

    try:
        model = nlp.load("needs_reply")
    except (nlp.NlpError, KeyError, ValueError, OSError) as exc:
        # No fitted model shipped, or a model file this version cannot read: say so, and
        # triage with the heuristic rather than leave messages out of the inbox.
        _log.warning("needs_reply model unavailable (%s): using the heuristic", exc)
        return None

    def predict(texts: Sequence[str]) -> list[float]:
        return [p.scores[NEEDS_REPLY] for p in model.predict(list(texts))]

    return predict


def needs_reply(texts: Sequence[str], kinds: Sequence[str]) -> list[bool]:
    """Whether each message asks for an answer: the ``hustings.nlp`` model when installed,
    else a heuristic (a question, or any private message) documented here because it is
    deliberately generous: a false "needs reply" costs a glance, a false "no" a voter."""
    model = _classifier()
    if model is not None and texts:
        return [p >= _REPLY_THRESHOLD for p in model(texts)]
    return _heuristic(texts, kinds)


def _heuristic(texts: Sequence[str], kinds: Sequence[str]) -> list[bool]:
    return [
        kind in ("dm", "email", "chat") or bool(_QUESTION.search(text))
        for text, kind in zip(texts, kinds, strict=True)
    ]


def _reply_probabilities(conn: Connection, rows: Sequence[Any]) -> list[float | None]:
    """How likely each message needs a reply: its stored score (``hustings nlp enrich``),
    else the live model's, else unknown (``None``, where the heuristic decides)."""
    stored = label_probabilities(conn, NEEDS_REPLY, NEEDS_REPLY, [r.id for r in rows])
    missing = [r for r in rows if r.id not in stored]
    model = _classifier()
    if model is not None and missing:
        stored |= dict(zip((r.id for r in missing), model([r.text for r in missing]), strict=True))
    return [stored.get(r.id) for r in rows]


def _priority(probability: float | None) -> int:
    """High when the model is sure a reply is needed, low when sure it is not, else normal."""
    if probability is None:
        return 1
    return 2 if probability >= _SURE else 0 if probability < 1.0 - _SURE else 1


def _match(row: Any, own: list[_Account]) -> _Account | None:
    mentions = {m.lower().lstrip("@") for m in row.mentions or []}
    for account in own:
        if account.platform != row.platform:
            continue
        ids = {account.handle, account.platform_id} - {None}
        if row.author_id in ids or (row.author_handle or "").lower() == account.handle:
            return None  # our own message is not inbound, whatever it mentions
    for account in own:
        if account.platform != row.platform:
            continue
        to_id = row.reply_to_account_id
        if (
            (to_id is not None and to_id in (account.platform_id, account.handle))
            or (row.reply_to_handle or "").lower().lstrip("@") == account.handle
            or account.handle in mentions
            or (
                row.kind == "dm"
                and account.platform_id is not None
                and account.platform_id in (row.conversation_id or "").split("-")
            )
        ):
            return account
    return None


def _linked(url: str | None, description: str | None) -> list[list[str]]:
    """Profiles an account links to itself (its URL, its bio): merge evidence in ``merge``."""
    found: list[list[str]] = []
    for m in _PROFILE.finditer(" ".join(filter(None, [url, description]))):
        if m["x"]:
            found.append(["x", m["x"].lower()])
        elif m["bsky"]:
            found.append(["bluesky", m["bsky"].lower()])
        elif m["masto"]:
            found.append(["mastodon", f"{m['masto']}@{m['host']}".lower()])
        elif m["email"]:
            found.append(["email", m["email"].lower()])
    return found


def _own_accounts(conn: Connection, workspace_id: int) -> list[_Account]:
    ids = workspace_account_ids(conn, workspace_id)
    rows = conn.execute(select(tracked_accounts).where(tracked_accounts.c.id.in_(ids)))
    return [_Account(r.id, r.platform, r.handle_lower, r.platform_id) for r in rows]


def _insert_ignoring_duplicates(conn: Connection, rows: list[dict[str, Any]]) -> None:
    dialect = conn.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    conn.execute(insert(inbox_items).on_conflict_do_nothing(), rows)


def _follow_up_state(conn: Connection, workspace_id: int, person_id: int) -> tuple[bool, Any]:
    """Whether the person was answered before, and who handled their last open thread.

    An item waiting on this person ends when they write again: it is closed and the new
    item goes to the same responder, so one person keeps one voice.
    """
    last = conn.execute(
        select(inbox_items.c.id, inbox_items.c.status, inbox_items.c.assignee_id)
        .where(
            inbox_items.c.workspace_id == workspace_id,
            inbox_items.c.person_id == person_id,
            inbox_items.c.first_response_at.is_not(None),
        )
        .order_by(inbox_items.c.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return False, None
    if last.status == "waiting":
        conn.execute(
            update(inbox_items)
            .where(inbox_items.c.id == last.id)
            .values(status="closed", closed_at=datetime.now(UTC), updated_at=datetime.now(UTC))
        )
    return True, last.assignee_id


def _profile(conn: Connection, row: Any) -> list[list[str]]:
    acct = conn.execute(
        select(accounts.c.url, accounts.c.description).where(
            accounts.c.platform == row.platform, accounts.c.platform_id == row.author_id
        )
    ).first()
    return _linked(acct.url, acct.description) if acct else []


def sync_workspace(
    conn: Connection, workspace_id: int, only: Sequence[tuple[str, str]] | None = None
) -> int:
    """Create the items for messages that arrived since the last sync; return how many.

    ``only`` (platform, platform id) pairs restricts the work to just-received messages and
    leaves the cursor alone: a live connector's push then costs one indexed lookup instead
    of a scan behind the cursor, and pushes do not queue on the workspace row's lock.
    """
    own = _own_accounts(conn, workspace_id)
    cursor = conn.execute(
        select(workspaces.c.inbox_cursor).where(workspaces.c.id == workspace_id)
    ).scalar_one()
    if not own:
        return 0
    platforms = sorted({a.platform for a in own})
    policy = active_policy(conn, workspace_id)
    high = conn.execute(select(func.max(messages.c.id))).scalar() or 0
    created, start, finished = 0, max(0, int(cursor) - _LOOKBACK), False
    for _ in range(_MAX_CHUNKS):
        done = select(inbox_items.c.message_id).where(
            inbox_items.c.workspace_id == workspace_id, inbox_items.c.message_id > start
        )
        rows = conn.execute(
            select(messages)
            .where(
                messages.c.platform.in_(platforms),
                messages.c.partial.is_(False),
                messages.c.kind != "repost",
                messages.c.id.not_in(done),
                keys_in(messages.c.platform, messages.c.platform_id, only)
                if only is not None
                else messages.c.id > start,
            )
            .order_by(messages.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            finished = True
            break
        start = rows[-1].id
        matched = [(r, a) for r in rows if (a := _match(r, own)) is not None]
        probabilities = _reply_probabilities(conn, [r for r, _ in matched])
        guesses = _heuristic([r.text for r, _ in matched], [r.kind for r, _ in matched])
        items = []
        now = datetime.now(UTC)
        for (row, account), p, guess in zip(matched, probabilities, guesses, strict=True):
            flag = guess if p is None else p >= _REPLY_THRESHOLD
            person = person_for_author(
                conn,
                workspace_id,
                row.platform,
                row.author_id,
                row.author_handle,
                _profile(conn, row),
            )
            follow_up, assignee = _follow_up_state(conn, workspace_id, person)
            items.append(
                {
                    "workspace_id": workspace_id,
                    "message_id": row.id,
                    "tracked_account_id": account.id,
                    "person_id": person,
                    "channel": row.platform,
                    "kind": row.kind,
                    "status": "assigned" if assignee else "new",
                    "assignee_id": assignee,
                    "priority": _priority(p),
                    "needs_reply": flag,
                    "sla_policy_id": policy.id,
                    "received_at": row.created_at,
                    "due_at": policy.due(row.created_at, follow_up) if flag else None,
                    "updated_at": now,
                }
            )
        if items:
            _insert_ignoring_duplicates(conn, items)
            created += len(items)
        if only is not None:
            return created  # the pushed messages fit one chunk; the cursor is not ours
    reached = high if finished else start
    conn.execute(
        update(workspaces)
        .where(workspaces.c.id == workspace_id)
        .values(
            inbox_cursor=case(
                (workspaces.c.inbox_cursor < reached, reached), else_=workspaces.c.inbox_cursor
            )
        )
    )
    return created


def sync_inbox(store: Store, workspace_id: int | None = None) -> int:
    """Sync one workspace, or all of them; each in its own transaction."""
    with store.begin() as conn:
        ids = (
            [workspace_id]
            if workspace_id is not None
            else list(conn.execute(select(workspaces.c.id)).scalars())
        )
    created = 0
    for ws in ids:
        with store.begin() as conn:
            created += sync_workspace(conn, ws)
    return created


def receive_messages(store: Store, batch: Sequence[Message]) -> int:
    """Store messages pushed by a live connector and file them into every inbox at once."""
    with store.begin() as conn:
        write_messages(conn, batch, None)
        ids = list(conn.execute(select(workspaces.c.id)).scalars())
    keys = [(m.platform, m.platform_id) for m in batch]
    created = 0
    for ws in ids:
        with store.begin() as conn:
            created += sync_workspace(conn, ws, keys)
    return created
