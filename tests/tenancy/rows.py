"""A workspace's data as rows: what the attack suite compares before and after each attack.

``owned_rows`` takes every row of every table with a ``workspace_id`` of the workspace, the
child rows of those (tags, notes, replies), its members and its tracked accounts, and the
shared platform facts its inbox shows: the messages it holds and the conversations around
them, messages by or to its people's and its own accounts, their scores and their profiles.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table, select

from hustings.store.schema import (
    accounts,
    inbox_items,
    inbox_replies,
    memberships,
    message_scores,
    messages,
    metadata,
    people,
    person_identities,
    stance_entries,
    tracked_accounts,
    users,
    workspace_accounts,
)

__all__ = ["CHILD_TABLES", "NOT_WORKSPACE_DATA", "owned_rows", "rows_diff"]

# Tables without a ``workspace_id`` whose rows belong to a workspace through a parent, with
# how ``owned_rows`` finds them; and the store's tables that hold no workspace's data.
CHILD_TABLES = {
    "person_tags",
    "person_notes",
    "inbox_notes",
    "inbox_replies",
    "users",
    "tracked_accounts",
    "messages",
    "message_scores",
    "accounts",
}
NOT_WORKSPACE_DATA = {
    "import_batches": "bookkeeping of file imports, which no workspace owns",
    "quarantine": "records an import could not read, before any inbox saw them",
    "follower_snapshots": "public follower counts of tracked accounts",
    "login_attempts": "rate-limit counters keyed by the address typed, before any session",
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return value


def _rows(conn: Connection, table: Table, *where: Any) -> list[tuple[Any, ...]]:
    found = conn.execute(select(table).where(*where)).all()
    return sorted((tuple(_plain(v) for v in r) for r in found), key=repr)


def _keys(rows: Iterable[Any], *names: str) -> set[tuple[str, str]]:
    return {(r.platform, getattr(r, n)) for r in rows for n in names if getattr(r, n)}


def owned_rows(conn: Connection, workspace_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``workspace_id``'s data, and the shared facts its inbox shows, by table."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for name, table in metadata.tables.items():
        if "workspace_id" in table.c and name != "messages":
            found[name] = _rows(conn, table, table.c.workspace_id == workspace_id)
    found["workspaces"] = _rows(
        conn, metadata.tables["workspaces"], metadata.tables["workspaces"].c.id == workspace_id
    )
    live = select(people.c.id).where(people.c.workspace_id == workspace_id)
    held = select(inbox_items.c.id).where(inbox_items.c.workspace_id == workspace_id)
    for name in ("person_tags", "person_notes"):
        table = metadata.tables[name]
        found[name] = _rows(conn, table, table.c.person_id.in_(live))
    for name in ("inbox_notes", "inbox_replies"):
        table = metadata.tables[name]
        found[name] = _rows(conn, table, table.c.item_id.in_(held))
    members = select(memberships.c.user_id).where(memberships.c.workspace_id == workspace_id)
    found["users"] = _rows(conn, users, users.c.id.in_(members))
    own = select(workspace_accounts.c.tracked_account_id).where(
        workspace_accounts.c.workspace_id == workspace_id
    )
    tracked = conn.execute(select(tracked_accounts).where(tracked_accounts.c.id.in_(own))).all()
    found["tracked_accounts"] = _rows(conn, tracked_accounts, tracked_accounts.c.id.in_(own))
    idents = conn.execute(
        select(person_identities.c.platform, person_identities.c.account_id).where(
            person_identities.c.workspace_id == workspace_id
        )
    ).all()
    parties = _keys(idents, "account_id") | _keys(tracked, "platform_id", "handle_lower")
    found["messages"] = _messages(conn, workspace_id, parties)
    shown = [m[0] for m in found["messages"]]
    found["message_scores"] = _rows(conn, message_scores, message_scores.c.message_id.in_(shown))
    found["accounts"] = sorted(
        (
            tuple(_plain(v) for v in r)
            for r in conn.execute(select(accounts)).all()
            if (r.platform, r.platform_id) in parties
        ),
        key=repr,
    )
    return found


def _messages(
    conn: Connection, workspace_id: int, parties: set[tuple[str, str]]
) -> list[tuple[Any, ...]]:
    """Messages A owns or holds; and the platform facts (no owner) in the conversations of
    A's items or written by or to the accounts A's people and A's own accounts use. A row
    another workspace owns is that workspace's, wherever it points, unless A holds it."""
    held = {
        r[0]
        for query in (
            select(inbox_items.c.message_id).where(inbox_items.c.workspace_id == workspace_id),
            select(inbox_replies.c.message_id)
            .join(inbox_items, inbox_items.c.id == inbox_replies.c.item_id)
            .where(inbox_items.c.workspace_id == workspace_id),
            select(stance_entries.c.evidence_message_id).where(
                stance_entries.c.workspace_id == workspace_id
            ),
        )
        for r in conn.execute(query)
    }
    every = conn.execute(select(messages)).all()
    threads = {
        (m.platform, key)
        for m in every
        if m.id in held
        for key in (m.conversation_id, m.root_id, m.platform_id)
        if key
    }
    chosen = [
        m
        for m in every
        if m.id in held
        or m.workspace_id == workspace_id
        or (
            m.workspace_id is None
            and (
                (m.platform, m.conversation_id) in threads
                or (m.platform, m.root_id) in threads
                or (m.platform, m.author_id) in parties
                or (m.platform, m.reply_to_account_id) in parties
            )
        )
    ]
    return sorted((tuple(_plain(v) for v in m) for m in chosen), key=repr)


def rows_diff(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> str:
    """What changed, table by table, in words a failing test can print."""
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        for row in sorted(old - new, key=repr):
            lines.append(f"{name}: lost or changed {row}")
        for row in sorted(new - old, key=repr):
            lines.append(f"{name}: new or changed {row}")
    return "\n".join(lines) or "(no difference)"
