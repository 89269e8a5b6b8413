"""Turn inbound messages into inbox items: every message to a workspace's account, once.

A message is inbound to a tracked account when it replies to it (by account id or handle),
mentions it, or is a DM or e-mail addressed to it, and was not written by one of the
workspace's own accounts. Reposts are not conversation and are skipped.

Only messages the workspace may see are filed: platform facts (``messages.workspace_id`` is
NULL) and its own rows, never what another workspace pushed or typed (the tenancy rule of
``hustings.store.schema`` and ``docs/security.md``).

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

from sqlalchemy import ColumnElement, Connection, Select, and_, case, func, or_, select, update

from hustings.errors import InvalidInputError
from hustings.inbox.sla import Policy, joined_policy, with_active_policy
from hustings.model import Message
from hustings.store import Store
from hustings.store.keys import keys_in
from hustings.store.records import insert_ignoring_duplicates
from hustings.store.schema import (
    accounts,
    inbox_items,
    messages,
    tracked_accounts,
    workspace_accounts,
    workspaces,
)
from hustings.store.scores import NEEDS_REPLY, probability_of, with_stored_label
from hustings.workspace.directory import Author, people_for_authors

__all__ = [
    "Refusal",
    "file_pushed",
    "file_written",
    "pushing_inbox",
    "sync_inbox",
    "sync_workspace",
    "visible_to",
    "warm_up",
]

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


@dataclass(frozen=True, slots=True)
class _Inbox:
    """What filing into one workspace's inbox needs: its own accounts and its SLA policy."""

    workspace_id: int
    own: list[_Account]
    policy: Policy


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


def warm_up() -> None:
    """Load the needs-reply model now, so that the first push does not wait for it."""
    _classifier()


def _heuristic(texts: Sequence[str], kinds: Sequence[str]) -> list[bool]:
    """Without a model: a question, or any private message. Deliberately generous: a false
    "needs reply" costs a glance, a false "no" a voter."""
    return [
        kind in ("dm", "email", "chat") or bool(_QUESTION.search(text))
        for text, kind in zip(texts, kinds, strict=True)
    ]


def _reply_probabilities(rows: Sequence[Any]) -> list[float | None]:
    """How likely each message needs a reply: its stored score (``hustings nlp enrich``),
    else the live model's, else unknown (``None``, where the heuristic decides)."""
    stored = {
        r.id: probability_of(NEEDS_REPLY, r.stored_label, r.stored_score)
        for r in rows
        if r.stored_score is not None
    }
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


class _Own:
    """A workspace's accounts indexed for ``match``: a dict look-up per field of a message
    instead of a loop over every account (filing 100 accounts' mentions was 2 ms a row)."""

    def __init__(self, own: list[_Account]) -> None:
        self.own = own
        self.senders: dict[str, tuple[set[str], set[str]]] = {}  # ids, handles
        self.to: dict[str, dict[str, int]] = {}  # reply_to_account_id -> first account
        self.handle: dict[str, dict[str, int]] = {}
        self.pid_lower: dict[str, dict[str, int]] = {}
        self.pid: dict[str, dict[str, int]] = {}
        for n, account in enumerate(own):
            ids, handles = self.senders.setdefault(account.platform, (set(), set()))
            handles.add(account.handle)
            ids.update(i for i in (account.handle, account.platform_id) if i is not None)
            to = self.to.setdefault(account.platform, {})
            for key in (account.platform_id, account.handle):
                if key is not None:
                    to.setdefault(key, n)
            self.handle.setdefault(account.platform, {}).setdefault(account.handle, n)
            if account.platform_id is not None:
                self.pid_lower.setdefault(account.platform, {}).setdefault(
                    account.platform_id.lower(), n)
                self.pid.setdefault(account.platform, {}).setdefault(account.platform_id, n)

    def match(self, row: Any) -> _Account | None:
        """The first own account ``row`` is inbound to (a reply to it, a mention of it by
        handle or, on Bluesky, by DID, a DM in its conversation); None for one of our own
        messages, whatever it mentions, and for a message to none of them."""
        platform = row.platform
        senders = self.senders.get(platform)
        if senders is None:
            return None
        if row.author_id in senders[0] or (row.author_handle or "").lower() in senders[1]:
            return None
        handle, pid_lower = self.handle.get(platform, {}), self.pid_lower.get(platform, {})
        found: list[int] = []
        to_id = row.reply_to_account_id
        if to_id is not None and to_id in self.to[platform]:
            found.append(self.to[platform][to_id])
        replied = (row.reply_to_handle or "").lower().lstrip("@")
        if replied in handle:
            found.append(handle[replied])
        for mention in row.mentions or ():
            name = mention.lower().lstrip("@")
            found.extend(index[name] for index in (handle, pid_lower) if name in index)
        if row.kind == "dm":
            pid = self.pid.get(platform, {})
            found.extend(pid[part] for part in (row.conversation_id or "").split("-")
                         if part in pid)
        return self.own[min(found)] if found else None


def _involves(message: Message, own: list[_Account] | _Own) -> bool:
    """Whether one of ``own`` sent ``message`` or it is inbound to one of them."""
    index = own if isinstance(own, _Own) else _Own(own)
    senders = index.senders.get(message.platform)
    if senders is None:
        return False
    if (message.author_id in senders[0]
            or (message.author_handle or "").lower() in senders[1]):
        return True
    return index.match(message) is not None


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


def _inboxes(conn: Connection, where: ColumnElement[bool]) -> list[_Inbox]:
    """The inboxes of the workspaces ``where`` picks, by workspace id, in one statement."""
    query = (
        with_active_policy(
            select(
                workspace_accounts.c.workspace_id,
                tracked_accounts.c.id,
                tracked_accounts.c.platform,
                tracked_accounts.c.handle_lower,
                tracked_accounts.c.platform_id,
            ).select_from(
                workspace_accounts.join(
                    tracked_accounts,
                    tracked_accounts.c.id == workspace_accounts.c.tracked_account_id,
                )
            ),
            workspace_accounts.c.workspace_id,
        )
        .where(where)
        .order_by(workspace_accounts.c.workspace_id, tracked_accounts.c.id)
    )
    found: dict[int, _Inbox] = {}
    for r in conn.execute(query):
        inbox = found.get(r.workspace_id)
        if inbox is None:
            inbox = found[r.workspace_id] = _Inbox(r.workspace_id, [], joined_policy(r))
        inbox.own.append(_Account(r.id, r.platform, r.handle_lower, r.platform_id))
    return list(found.values())


def _follow_ups(conn: Connection, workspace_id: int, person_ids: set[int]) -> dict[int, Any]:
    """For each person answered before, who handled their last answered item.

    An item waiting on a person ends when they write again: it is closed and the new item
    goes to the same responder, so one person keeps one voice.
    """
    if not person_ids:
        return {}
    latest = (
        select(func.max(inbox_items.c.id))
        .where(
            inbox_items.c.workspace_id == workspace_id,
            inbox_items.c.person_id.in_(person_ids),
            inbox_items.c.first_response_at.is_not(None),
        )
        .group_by(inbox_items.c.person_id)
    )
    rows = conn.execute(
        select(
            inbox_items.c.id,
            inbox_items.c.person_id,
            inbox_items.c.status,
            inbox_items.c.assignee_id,
        ).where(inbox_items.c.id.in_(latest))
    ).all()
    waiting = sorted(r.id for r in rows if r.status == "waiting")
    if waiting:
        now = datetime.now(UTC)
        conn.execute(
            update(inbox_items)
            .where(inbox_items.c.id.in_(waiting))
            .values(status="closed", closed_at=now, updated_at=now)
        )
    return {int(r.person_id): r.assignee_id for r in rows}


def visible_to(workspace_id: int) -> ColumnElement[bool]:
    """Messages a workspace may see: platform facts and its own rows, not another's."""
    return or_(messages.c.workspace_id.is_(None), messages.c.workspace_id == workspace_id)


def _candidates(inbox: _Inbox) -> Select[Any]:
    """Messages on the workspace's platforms that could be inbound and are not items yet,
    with all ``_file`` reads about them: their stored needs-reply score, and the URL and bio
    of their author's account (``author_url``, ``author_description``: merge evidence)."""
    filed = select(inbox_items.c.id).where(
        inbox_items.c.workspace_id == inbox.workspace_id,
        inbox_items.c.message_id == messages.c.id,
    )
    query = select(
        messages,
        accounts.c.url.label("author_url"),
        accounts.c.description.label("author_description"),
    ).outerjoin(
        accounts,
        and_(
            accounts.c.platform == messages.c.platform,
            accounts.c.platform_id == messages.c.author_id,
        ),
    )
    return with_stored_label(query, messages.c.id, NEEDS_REPLY).where(
        messages.c.platform.in_(sorted({a.platform for a in inbox.own})),
        messages.c.partial.is_(False),
        messages.c.kind != "repost",
        visible_to(inbox.workspace_id),
        ~filed.exists(),
    )


def _file(conn: Connection, inbox: _Inbox, rows: Sequence[Any]) -> int:
    """Make items of the ``rows`` (from ``_candidates``) that are inbound to one of the
    workspace's own accounts; return how many.

    A constant number of statements per call, whatever the number of rows: those finding
    or creating the authors' people, one for their follow-up state, one for the new items.
    """
    own = _Own(inbox.own)
    matched = [(r, a) for r in rows if (a := own.match(r)) is not None]
    if not matched:
        return 0
    workspace_id, policy = inbox.workspace_id, inbox.policy
    probabilities = _reply_probabilities([r for r, _ in matched])
    guesses = _heuristic([r.text for r, _ in matched], [r.kind for r, _ in matched])
    people = people_for_authors(
        conn,
        workspace_id,
        [
            Author(
                r.platform,
                r.author_id,
                r.author_handle,
                _linked(r.author_url, r.author_description),
            )
            for r, _ in matched
        ],
    )
    follow_ups = _follow_ups(conn, workspace_id, set(people.values()))
    now = datetime.now(UTC)
    items = []
    for (row, account), p, guess in zip(matched, probabilities, guesses, strict=True):
        flag = guess if p is None else p >= _REPLY_THRESHOLD
        person = people[(row.platform, row.author_id)]
        assignee = follow_ups.get(person)
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
                "due_at": policy.due(row.created_at, person in follow_ups) if flag else None,
                "updated_at": now,
            }
        )
    insert_ignoring_duplicates(conn, inbox_items, sorted(items, key=lambda i: i["message_id"]))
    return len(items)


def sync_workspace(conn: Connection, workspace_id: int) -> int:
    """Create the items for messages that arrived since the last sync; return how many."""
    found = _inboxes(conn, workspace_accounts.c.workspace_id == workspace_id)
    if not found:
        return 0
    (inbox,) = found
    candidates = _candidates(inbox)
    cursor = conn.execute(
        select(workspaces.c.inbox_cursor).where(workspaces.c.id == workspace_id)
    ).scalar_one()
    high = conn.execute(select(func.max(messages.c.id))).scalar() or 0
    created, start, finished = 0, max(0, int(cursor) - _LOOKBACK), False
    for _ in range(_MAX_CHUNKS):
        rows = conn.execute(
            candidates.where(messages.c.id > start).order_by(messages.c.id).limit(_CHUNK)
        ).all()
        if not rows:
            finished = True
            break
        start = rows[-1].id
        created += _file(conn, inbox, rows)
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


@dataclass(frozen=True, slots=True)
class Refusal:
    """A pushed message that was not stored, and why."""

    platform: str
    platform_id: str
    reason: str


def pushing_inbox(conn: Connection, workspace_id: int, batch: Sequence[Message]) -> _Inbox:
    """The inbox a push of ``batch`` files into, once it is known to be the workspace's to
    push: every message must involve one of the workspace's accounts (sent by it, replying
    to it, mentioning it, or a DM or e-mail addressed to it), else ``InvalidInputError``
    names the first few that do not and nothing may be stored.

    ``hustings.ingest.intake.write_units`` calls this before it writes a push, and hands
    the result to ``file_pushed`` after.
    """
    found = _inboxes(conn, workspace_accounts.c.workspace_id == workspace_id)
    if not found:
        raise InvalidInputError("this workspace has no accounts: add one before pushing")
    (inbox,) = found
    own = _Own(inbox.own)
    strangers = [m for m in batch if not _involves(m, own)]
    if strangers:
        named = ", ".join(f"{m.platform} {m.platform_id}" for m in strangers[:5])
        more = f" and {len(strangers) - 5} more" if len(strangers) > 5 else ""
        raise InvalidInputError(
            f"{len(strangers)} message(s) neither sent by nor addressed to one of this "
            f"workspace's accounts: {named}{more}"
        )
    return inbox


def file_pushed(conn: Connection, inbox: _Inbox, keys: Sequence[tuple[str, str]]) -> int:
    """File the pushed messages (``(platform, platform id)`` keys) into ``inbox`` (from
    ``pushing_inbox``) and no other; return how many items were made.

    Only the pushed messages are filed, not what lies behind the sync cursor (which a push
    leaves alone, so pushes do not queue on the workspace row's lock). The statements are a
    constant number, however large the batch.
    """
    pushed = keys_in(messages.c.platform, messages.c.platform_id, list(keys))
    return _file(conn, inbox, conn.execute(_candidates(inbox).where(pushed)).all())


def file_written(conn: Connection, workspace_id: int,
                 written: Sequence[Any]) -> tuple[int, bool]:
    """File just-written messages (rows with ``platform``, ``platform_id``, ``author_id``,
    ``author_handle``, ``reply_to_id``) into the workspace's inbox, without a sync: what a
    live stream does for each small batch, instead of rescanning what lies behind the sync
    cursor (the periodic ``sync_inbox`` files what other sources brought). Returns how many
    items were made and whether one of the messages is a reply by one of the workspace's
    own accounts (then it may answer an item: ``inbox.answered``)."""
    found = _inboxes(conn, workspace_accounts.c.workspace_id == workspace_id)
    if not found or not written:
        return 0, False
    (inbox,) = found
    own = _Own(inbox.own)
    ours = False
    for row in written:
        senders = own.senders.get(row.platform)
        if row.reply_to_id is not None and senders is not None and (
            row.author_id in senders[0] or (row.author_handle or "").lower() in senders[1]
        ):
            ours = True
            break
    keys = [(row.platform, row.platform_id) for row in written]
    return file_pushed(conn, inbox, keys), ours
