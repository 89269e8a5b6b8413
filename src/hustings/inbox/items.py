"""Inbox items: list and filter them, claim, assign, prioritise, change status, take notes.

Claiming is one conditional ``UPDATE … WHERE assignee_id IS NULL``: the database decides
who wins when two responders click at once, on SQLite and PostgreSQL alike, with no lock
held across a round trip. A responder may act on unassigned items and their own; a manager
on any item of the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, func, literal, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from hustings.errors import ConflictError, InvalidInputError, NotFoundError
from hustings.inbox.sla import active_policy, joined_policy, sla_state, with_active_policy
from hustings.store.cursor import decode_cursor, encode_cursor
from hustings.store.schema import (
    inbox_items,
    inbox_notes,
    memberships,
    messages,
    people,
    tracked_accounts,
    users,
    workspaces,
)
from hustings.workspace import Actor, Role, audit
from hustings.workspace.directory import UNKNOWN, stance_matches, stances_of

__all__ = [
    "OPEN",
    "Filters",
    "Page",
    "Sort",
    "Status",
    "add_note",
    "assign",
    "assign_round_robin",
    "claim",
    "get_item_row",
    "is_open",
    "item_dict",
    "list_items",
    "page_items",
    "set_priority",
    "set_status",
    "with_stances",
]


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    WAITING = "waiting"
    ANSWERED = "answered"
    CLOSED = "closed"
    SPAM = "spam"


OPEN = (Status.NEW.value, Status.ASSIGNED.value)
PRIORITIES = ("low", "normal", "high", "urgent")


def is_open() -> ColumnElement[bool]:
    """Status new or assigned, with the statuses written into the SQL as constants.

    PostgreSQL uses the partial queue index only when the query's text implies its
    ``status IN ('new', 'assigned')``, which a bound parameter in a cached plan does not.
    """
    return inbox_items.c.status.in_([literal(s, literal_execute=True) for s in OPEN])


@dataclass(frozen=True, slots=True)
class Filters:
    """What a list or a saved view selects; every field optional, all combined with AND.

    ``assignee`` is ``"me"``, ``"none"`` or a user id; ``sla`` is ``"warning"`` or
    ``"breached"``; ``status`` ``"open"`` means new or assigned. ``stance`` is the
    person's current stance toward ``stance_target`` (toward any target when none is given;
    a target alone: any known stance toward it).
    """

    status: str | None = "open"
    channel: str | None = None
    assignee: str | None = None
    needs_reply: bool | None = None
    sla: str | None = None
    stance: str | None = None
    stance_target: str | None = None
    priority: int | None = None
    person_id: int | None = None
    q: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Filters:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _now() -> datetime:
    return datetime.now(UTC)


def _base() -> Select[Any]:
    """Items with their messages, people and owners."""
    return (
        select(
            inbox_items,
            messages.c.text,
            messages.c.platform_id.label("message_platform_id"),
            messages.c.author_id,
            messages.c.author_handle,
            messages.c.created_at.label("message_created_at"),
            messages.c.conversation_id,
            messages.c.root_id,
            messages.c.depth.label("message_depth"),
            messages.c.subject,
            messages.c.visibility,
            people.c.name.label("person_name"),
            users.c.email.label("assignee_email"),
            tracked_accounts.c.handle.label("account_handle"),
            tracked_accounts.c.platform_id.label("account_platform_id"),
        )
        .join(messages, messages.c.id == inbox_items.c.message_id)
        .outerjoin(people, people.c.id == inbox_items.c.person_id)
        .outerjoin(users, users.c.id == inbox_items.c.assignee_id)
        .outerjoin(tracked_accounts, tracked_accounts.c.id == inbox_items.c.tracked_account_id)
    )


# Most urgent first: soonest due (undated last), then highest priority, then oldest. The
# same order as the queue index (``ix_inbox_items_queue``), so a page of open items is read
# off the index in order, without sorting them all.
_URGENT_FIRST = (
    inbox_items.c.due_at.asc().nulls_last(),
    inbox_items.c.priority.desc(),
    inbox_items.c.id,
)


def item_dict(row: Any, now: datetime, warn_minutes: int) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "channel": row.channel,
        "kind": row.kind,
        "priority": row.priority,
        "priority_name": PRIORITIES[row.priority],
        "needs_reply": row.needs_reply,
        "assignee_id": row.assignee_id,
        "assignee": row.assignee_email,
        "account": row.account_handle,
        "person_id": row.person_id,
        "person_name": row.person_name,
        "stances": [],
        "message_id": row.message_id,
        "author_handle": row.author_handle or row.author_id,
        "text": row.text,
        "subject": row.subject,
        "received_at": row.received_at,
        "due_at": row.due_at,
        "first_response_at": row.first_response_at,
        "last_response_at": row.last_response_at,
        "closed_at": row.closed_at,
        "sla": sla_state(row.status, row.due_at, row.first_response_at, now, warn_minutes).value,
    }


def _conditions(
    conn: Connection, f: Filters, actor: Actor, now: datetime
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [inbox_items.c.workspace_id == actor.workspace_id]
    if f.status == "open":
        where.append(is_open())
    elif f.status:
        where.append(inbox_items.c.status == Status(f.status).value)
    if f.channel:
        where.append(inbox_items.c.channel == f.channel)
    if f.assignee == "me":
        where.append(inbox_items.c.assignee_id == actor.user_id)
    elif f.assignee == "none":
        where.append(inbox_items.c.assignee_id.is_(None))
    elif f.assignee:
        if not f.assignee.isdigit():
            raise InvalidInputError("assignee is 'me', 'none' or a user id")
        where.append(inbox_items.c.assignee_id == int(f.assignee))
    if f.needs_reply is not None:
        where.append(inbox_items.c.needs_reply.is_(f.needs_reply))
    if f.sla in ("breached", "warning"):
        where.append(is_open())
        if f.sla == "breached":
            where.append(inbox_items.c.due_at < now)
        else:
            warn = active_policy(conn, actor.workspace_id).warn_minutes
            where.append(
                and_(
                    inbox_items.c.due_at >= now,
                    inbox_items.c.due_at < now + timedelta(minutes=warn),
                )
            )
    elif f.sla:
        raise InvalidInputError("sla filter is 'warning' or 'breached'")
    if f.stance:
        where.append(stance_matches(inbox_items.c.person_id, f.stance_target or None, f.stance))
    elif f.stance_target:
        where.append(~stance_matches(inbox_items.c.person_id, f.stance_target, UNKNOWN))
    if f.priority is not None:
        where.append(inbox_items.c.priority >= f.priority)
    if f.person_id is not None:
        where.append(inbox_items.c.person_id == f.person_id)
    if f.q:
        pattern = f"%{f.q.lower()}%"
        where.append(
            or_(
                func.lower(messages.c.text).like(pattern),
                func.lower(messages.c.author_handle).like(pattern),
            )
        )
    return where


def _matching(conn: Connection, what: Any, f: Filters, actor: Actor, now: datetime) -> Select[Any]:
    """``what`` from the items matching ``f``, joined only to the tables the filters read."""
    query = select(what).select_from(inbox_items)
    if f.q:
        query = query.join(messages, messages.c.id == inbox_items.c.message_id)
    return query.where(*_conditions(conn, f, actor, now))


class Sort(StrEnum):
    """The orders a list of items can be read in; every one ends on the id, so it is total."""

    DUE = "due"
    PRIORITY = "priority"
    NEWEST = "newest"


_ORDERS: dict[Sort, tuple[ColumnElement[Any], ...]] = {
    Sort.DUE: _URGENT_FIRST,
    Sort.PRIORITY: (
        inbox_items.c.priority.desc(),
        inbox_items.c.due_at.asc().nulls_last(),
        inbox_items.c.id,
    ),
    Sort.NEWEST: (inbox_items.c.received_at.desc(), inbox_items.c.id.desc()),
}

# What a cursor holds for each order: the last row's sort key, in order, ending on its id.
_KEY_KINDS: dict[Sort, tuple[type, ...]] = {
    Sort.DUE: (datetime, int, int),
    Sort.PRIORITY: (int, datetime, int),
    Sort.NEWEST: (datetime, int),
}


def _after_due(due: datetime | None, then: ColumnElement[bool]) -> ColumnElement[bool]:
    """Rows after ``due`` in "soonest first, undated last" order; ``then`` breaks a tie."""
    c = inbox_items.c.due_at
    if due is None:
        return and_(c.is_(None), then)
    return or_(c > due, c.is_(None), and_(c == due, then))


def _after(sort: Sort, key: list[Any]) -> ColumnElement[bool]:
    """The keyset condition: rows strictly after the row whose sort key is ``key``."""
    c = inbox_items.c
    if sort is Sort.DUE:
        due, priority, last_id = key
        if priority is None or last_id is None:
            raise InvalidInputError("the page cursor is not valid for this list")
        lower = or_(c.priority < priority, and_(c.priority == priority, c.id > last_id))
        return _after_due(due, lower)
    if sort is Sort.PRIORITY:
        priority, due, last_id = key
        if priority is None or last_id is None:
            raise InvalidInputError("the page cursor is not valid for this list")
        return or_(
            c.priority < priority, and_(c.priority == priority, _after_due(due, c.id > last_id))
        )
    received, last_id = key
    if received is None or last_id is None:
        raise InvalidInputError("the page cursor is not valid for this list")
    return or_(c.received_at < received, and_(c.received_at == received, c.id < last_id))


def _key_of(sort: Sort, item: dict[str, Any]) -> list[Any]:
    def iso(when: datetime | None) -> str | None:
        return when.isoformat() if when is not None else None

    if sort is Sort.DUE:
        return [iso(item["due_at"]), item["priority"], item["id"]]
    if sort is Sort.PRIORITY:
        return [item["priority"], iso(item["due_at"]), item["id"]]
    return [iso(item["received_at"]), item["id"]]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its rows, how many rows match in all, where the page starts
    (0-based) and the cursor for the next page (``None`` on the last)."""

    rows: list[dict[str, Any]]
    total: int
    start: int
    next_cursor: str | None


def page_items(
    conn: Connection,
    actor: Actor,
    filters: Filters,
    sort: Sort = Sort.DUE,
    limit: int = 50,
    cursor: str | None = None,
    offset: int = 0,
) -> Page:
    """A page of the items matching ``filters`` in ``sort`` order, with the total.

    A cursor from the previous page (keyset paging) reads on from its last row, so a page
    stays cheap however deep it is and no row is skipped or repeated when items arrive or
    close meanwhile; ``offset`` is kept for API clients that page by count.
    """
    now = _now()
    scope = f"items:{sort.value}"
    query = _matching(conn, inbox_items.c.id, filters, actor, now)
    start = offset
    if cursor:
        key, start = decode_cursor(scope, cursor, _KEY_KINDS[sort])
        query = query.where(_after(sort, key))
    elif offset:
        query = query.offset(offset)
    ids = list(conn.execute(query.order_by(*_ORDERS[sort]).limit(limit + 1)).scalars())
    total = int(
        conn.execute(_matching(conn, func.count(), filters, actor, now).order_by(None)).scalar_one()
    )
    found = _read(conn, ids[:limit], now)
    following = None
    if len(ids) > limit:
        following = encode_cursor(scope, _key_of(sort, found[-1]), start + len(found))
    return Page(found, total, start, following)


def list_items(
    conn: Connection,
    actor: Actor,
    filters: Filters,
    limit: int = 50,
    offset: int = 0,
    sort: Sort = Sort.DUE,
) -> list[dict[str, Any]]:
    """Items matching ``filters``: most urgent first (soonest due, then highest priority).

    The page is chosen from the items table alone, then only its rows are read with their
    messages and people (and the workspace's SLA policy, for their SLA states): joining
    first would read every open item's message to keep fifty.
    """
    now = _now()
    page = list(
        conn.execute(
            _matching(conn, inbox_items.c.id, filters, actor, now)
            .order_by(*_ORDERS[sort])
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
    return _read(conn, page, now)


def _read(conn: Connection, page: list[int], now: datetime) -> list[dict[str, Any]]:
    """The items ``page`` names, in that order, with their messages, people and SLA states."""
    if not page:
        return []
    rows = {r.id: r for r in conn.execute(_ITEMS_QUERY, {"ids": page})}
    warn = joined_policy(rows[page[0]]).warn_minutes
    items = [item_dict(rows[i], now, warn) for i in page]
    return with_stances(conn, rows[page[0]].workspace_id, items)


def with_stances(
    conn: Connection, workspace_id: int, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Fill each item's ``stances``: its person's current stance per named target."""
    persons = sorted({it["person_id"] for it in items if it["person_id"] is not None})
    found = stances_of(conn, workspace_id, persons)
    for it in items:
        if it["person_id"] is not None:
            it["stances"] = found.get(it["person_id"], [])
    return items


# Built once: claims, replies and the thread view all start here, and a prebuilt statement
# skips rebuilding the five-table join and recomputing its cache key on every request. The
# workspace's SLA policy comes along (``joined_policy``): the SLA state needs it.
_ITEM_QUERY = with_active_policy(_base(), inbox_items.c.workspace_id).where(
    inbox_items.c.id == bindparam("item_id"),
    inbox_items.c.workspace_id == bindparam("workspace_id"),
)


_ITEMS_QUERY = with_active_policy(_base(), inbox_items.c.workspace_id).where(
    inbox_items.c.id.in_(bindparam("ids", expanding=True))
)


def get_item_row(conn: Connection, actor: Actor, item_id: int) -> Any:
    """The item with its message, or ``NotFoundError`` (also for another workspace's)."""
    row = conn.execute(
        _ITEM_QUERY, {"item_id": item_id, "workspace_id": actor.workspace_id}
    ).first()
    if row is None:
        raise NotFoundError(f"no inbox item {item_id}")
    return row


def require_hands_on(actor: Actor, row: Any) -> None:
    """Responders act on unassigned items and their own; managers on any."""
    actor.require(Role.RESPONDER)
    if row.assignee_id not in (None, actor.user_id) and actor.role.rank < Role.MANAGER.rank:
        raise ConflictError(f"item {row.id} is assigned to {row.assignee_email}")


def claim(conn: Connection, actor: Actor, item_id: int) -> None:
    """Take an unassigned open item; exactly one of several simultaneous claims succeeds."""
    actor.require(Role.RESPONDER)
    result = conn.execute(
        update(inbox_items)
        .where(
            inbox_items.c.id == item_id,
            inbox_items.c.workspace_id == actor.workspace_id,
            inbox_items.c.assignee_id.is_(None),
            inbox_items.c.status.in_(OPEN),
        )
        .values(assignee_id=actor.user_id, status=Status.ASSIGNED.value, updated_at=_now())
    )
    if result.rowcount != 1:
        row = get_item_row(conn, actor, item_id)
        who = row.assignee_email or "nobody"
        raise ConflictError(f"item {item_id} cannot be claimed: {row.status}, assigned to {who}")
    audit(conn, actor, "item.claim", "inbox_item", item_id)


def _check_member(conn: Connection, actor: Actor, user_id: int) -> None:
    found = conn.execute(
        select(memberships.c.role).where(
            memberships.c.workspace_id == actor.workspace_id, memberships.c.user_id == user_id
        )
    ).first()
    if found is None or found.role == Role.VIEWER.value:
        raise InvalidInputError(f"user {user_id} is not a responder in this workspace")


def assign(conn: Connection, actor: Actor, item_id: int, user_id: int | None) -> None:
    """Hand an item to a member (managers), or to nobody (back to the queue)."""
    actor.require(Role.MANAGER)
    row = get_item_row(conn, actor, item_id)
    if user_id is not None:
        _check_member(conn, actor, user_id)
    status = row.status
    if status in OPEN:
        status = Status.ASSIGNED.value if user_id is not None else Status.NEW.value
    conn.execute(
        update(inbox_items)
        .where(inbox_items.c.id == item_id)
        .values(assignee_id=user_id, status=status, updated_at=_now())
    )
    audit(conn, actor, "item.assign", "inbox_item", item_id, {"assignee_id": user_id})


def assign_round_robin(conn: Connection, actor: Actor, item_id: int) -> int:
    """Give the item to the next responder after the last one round-robin picked."""
    actor.require(Role.MANAGER)
    get_item_row(conn, actor, item_id)
    last = conn.execute(
        select(workspaces.c.round_robin_user_id)
        .where(workspaces.c.id == actor.workspace_id)
        .with_for_update()
    ).scalar()
    members = list(
        conn.execute(
            select(memberships.c.user_id)
            .where(
                memberships.c.workspace_id == actor.workspace_id,
                memberships.c.role != Role.VIEWER.value,
            )
            .order_by(memberships.c.user_id)
        ).scalars()
    )
    if not members:
        raise InvalidInputError("no responders in this workspace")
    later = [m for m in members if last is None or m > last]
    chosen = int((later or members)[0])
    conn.execute(
        update(workspaces)
        .where(workspaces.c.id == actor.workspace_id)
        .values(round_robin_user_id=chosen)
    )
    assign(conn, actor, item_id, chosen)
    return chosen


def set_status(conn: Connection, actor: Actor, item_id: int, status: Status) -> None:
    """Move an item: close it, mark it spam, wait on the person, or reopen it."""
    row = get_item_row(conn, actor, item_id)
    require_hands_on(actor, row)
    values: dict[str, Any] = {"status": status.value, "updated_at": _now()}
    if status in (Status.CLOSED, Status.SPAM):
        values["closed_at"] = _now()
    elif status is Status.NEW:
        values.update(closed_at=None, assignee_id=None)
    elif status is Status.ASSIGNED:
        values.update(closed_at=None, assignee_id=row.assignee_id or actor.user_id)
    conn.execute(update(inbox_items).where(inbox_items.c.id == item_id).values(**values))
    audit(conn, actor, "item.status", "inbox_item", item_id, {"status": status.value})


def set_priority(conn: Connection, actor: Actor, item_id: int, priority: int) -> None:
    if not 0 <= priority < len(PRIORITIES):
        raise InvalidInputError(f"priority is 0 to {len(PRIORITIES) - 1} ({', '.join(PRIORITIES)})")
    row = get_item_row(conn, actor, item_id)
    require_hands_on(actor, row)
    conn.execute(
        update(inbox_items)
        .where(inbox_items.c.id == item_id)
        .values(priority=priority, updated_at=_now())
    )
    audit(conn, actor, "item.priority", "inbox_item", item_id, {"priority": priority})


def add_note(conn: Connection, actor: Actor, item_id: int, text: str) -> int:
    """An internal note: seen by the team, never sent to the person."""
    actor.require(Role.RESPONDER)
    get_item_row(conn, actor, item_id)
    if not text.strip():
        raise InvalidInputError("a note needs some text")
    result = conn.execute(
        inbox_notes.insert().values(
            item_id=item_id, author_id=actor.user_id, text=text.strip(), created_at=_now()
        )
    )
    audit(conn, actor, "item.note", "inbox_item", item_id)
    (note_id,) = result.inserted_primary_key or (0,)
    return int(note_id)
