"""Idempotent writes of canonical records, keyed on platform + platform id.

Each write reports what it did (added, updated, unchanged, conflicting) so that an import
can print honest counts and a second run of the same file can show that it added nothing.
Rows are looked up in chunks before writing, which works the same on SQLite and PostgreSQL
and keeps the counts exact without dialect-specific ``RETURNING`` tricks. Every record first
passes ``hustings.store.bounds`` (messages through ``encode_message``), which raises
``RecordRefusedError`` for one neither database would keep; the import runner has already
quarantined those, so only callers writing unchecked records see it.

Messages have an owner (``messages.workspace_id``, see ``hustings.store.schema``): a writer
changes only rows it owns. An import (owner ``None``) never overwrites what a workspace
typed or pushed; a workspace's push never overwrites a platform fact nor another
workspace's row. Where a write meets a row it does not own, the same content counts as
unchanged and different content is a conflict with its reason, never an update.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hustings.model import Account, FollowerSnapshot, Message, TrackedAccount
from hustings.store.bounds import admit_account, admit_snapshot, admit_tracked
from hustings.store.keys import keys_in
from hustings.store.rows import MessageRow, encode_message
from hustings.store.schema import accounts, follower_snapshots, messages, tracked_accounts
from hustings.store.threads import parent_key, place_rows, reseat_descendants, stored_placement

__all__ = [
    "NOT_IMPORTS",
    "NOT_YOURS",
    "SAME_ID_TWICE",
    "WriteResult",
    "insert_ignoring_duplicates",
    "insert_own_message",
    "write_accounts",
    "write_message_rows",
    "write_messages",
    "write_snapshots",
    "write_tracked",
]

_LOOKUP_CHUNK = 500


# Why a write did not change a stored message. The push reason is the same for a platform
# fact and for another workspace's row, so a refusal never tells whose a message is.
NOT_IMPORTS = "a workspace's own message holds this id: an import never overwrites it"
NOT_YOURS = "a message this workspace did not add holds this id: a push never changes it"
SAME_ID_TWICE = "duplicate id with different content in this file"


@dataclass(slots=True)
class WriteResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    context_added: int = 0
    conflicts: list[tuple[MessageRow, str]] = field(default_factory=list)


def _existing(
    conn: Connection, table: Any, keys: Iterable[tuple[str, str]], columns: Sequence[str]
) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    cols = [table.c.platform, table.c.platform_id, *(table.c[name] for name in columns)]
    keys = list(keys)
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start : start + _LOOKUP_CHUNK]
        query = select(*cols).where(keys_in(table.c.platform, table.c.platform_id, chunk))
        for row in conn.execute(query):
            found[(row[0], row[1])] = row
    return found


def _update(
    conn: Connection,
    table: Any,
    rows: Sequence[Mapping[str, Any]],
    only: ColumnElement[bool] | None = None,
) -> None:
    """Update ``rows`` by platform and platform id, and only where ``only`` holds."""
    if not rows:
        return
    names = [k for k in rows[0] if k not in ("platform", "platform_id")]
    statement = (
        update(table)
        .where(table.c.platform == bindparam("k_platform"))
        .where(table.c.platform_id == bindparam("k_platform_id"))
        .values({name: bindparam(f"v_{name}") for name in names})
    )
    if only is not None:
        statement = statement.where(only)
    params = [
        {
            "k_platform": r["platform"],
            "k_platform_id": r["platform_id"],
            **{f"v_{name}": r[name] for name in names},
        }
        for r in rows
    ]
    conn.execute(statement, params)


def _insert_sql(conn: Connection, owned: bool = False) -> str:
    """The insert of encoded rows; ``owned`` adds the owning workspace as a last value."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = [*MessageRow._fields, *(["workspace_id"] if owned else [])]
    marks = ", ".join([mark] * len(names))
    return f"INSERT INTO messages ({', '.join(names)}) VALUES ({marks})"


def _insert_rows(conn: Connection, rows: Sequence[MessageRow], owner: int | None) -> None:
    """Plain ``executemany``: the rows are encoded already, so nothing is left to process."""
    if owner is None:
        conn.exec_driver_sql(_insert_sql(conn), list(rows))
    else:
        conn.exec_driver_sql(_insert_sql(conn, owned=True), [(*row, owner) for row in rows])


def insert_own_message(
    conn: Connection,
    message: Message,
    parent_root: str | None,
    parent_depth: int | None,
    *,
    workspace_id: int,
) -> int:
    """Store a message a workspace just wrote in Hustings (an inbox reply); return its row id.

    The row is the workspace's own (``workspace_id``): no other workspace sees or changes
    it. Its id was minted a moment ago, so nothing stored can be it or reply to it: unlike
    ``write_messages`` this needs no lookup and re-places no descendants, only the placement
    (``parent_root``, ``parent_depth``) of the stored message it answers.
    """
    row = encode_message(message, None, conn.dialect.name)
    up = parent_key(row)
    stored = {up: stored_placement(parent_root, parent_depth)} if up is not None else {}
    (placed,) = place_rows([row], stored)
    sql = _insert_sql(conn, owned=True) + " RETURNING id"
    inserted = conn.exec_driver_sql(sql, (*placed, workspace_id))
    return int(inserted.scalar_one())


def _update_rows(conn: Connection, rows: Sequence[MessageRow], owner: int | None) -> None:
    """Edited messages: rare, so SQLAlchemy's typed update is fine; decode what was encoded.

    The update names the owner too, so that it can only ever change the writer's own rows.
    """
    decoded = []
    for row in rows:
        values = row._asdict()
        for name in ("mentions", "hashtags", "urls"):
            values[name] = orjson.loads(values[name])
        if isinstance(row.created_at, str):
            values["created_at"] = datetime.fromisoformat(row.created_at).replace(tzinfo=UTC)
        decoded.append(values)
    owned = messages.c.workspace_id
    _update(conn, messages, decoded, owned.is_(None) if owner is None else owned == owner)


def write_messages(
    conn: Connection,
    batch: Iterable[Message],
    batch_id: int | None,
    *,
    owner: int | None = None,
) -> WriteResult:
    """Write canonical messages; see ``write_message_rows``."""
    dialect = conn.dialect.name
    rows = [encode_message(m, batch_id, dialect) for m in batch]
    return write_message_rows(conn, rows, owner=owner)


def write_message_rows(
    conn: Connection, batch: Sequence[MessageRow], *, owner: int | None = None
) -> WriteResult:
    """Insert new messages, update edited ones, keep full records over context-only ones.

    ``owner`` is who writes: ``None`` for an import of platform facts, a workspace's id for
    what that workspace pushes. New rows get that owner; a stored row is updated only when
    it has the same owner, and otherwise left as it is (see the module's docstring).

    Within one import batch the same id with different content is a conflict the caller
    quarantines: a file should not say two things about one message. Every row written gets
    its thread root and depth, and replies stored earlier below it are re-placed, so
    threads stay whole in whatever order their messages arrive.
    """
    result = WriteResult()
    rows: dict[tuple[str, str], MessageRow] = {}
    for row in batch:
        key = (row.platform, row.platform_id)
        seen = rows.get(key)
        if seen is None or (seen.partial and not row.partial):
            rows[key] = row
        elif not row.partial and seen.content_hash != row.content_hash:
            result.conflicts.append((row, SAME_ID_TWICE))
        elif not row.partial:
            result.unchanged += 1
    # One lookup finds both the rows already stored and the stored parents that place them.
    parents = {up for row in rows.values() if (up := parent_key(row)) is not None}
    columns = ("content_hash", "partial", "batch_id", "root_id", "depth", "workspace_id")
    existing = _existing(conn, messages, rows.keys() | parents, columns)
    inserts: list[MessageRow] = []
    updates: list[MessageRow] = []
    for key, row in rows.items():
        old = existing.get(key)
        if old is None:
            inserts.append(row)
            if row.partial:
                result.context_added += 1
            else:
                result.added += 1
        elif old.workspace_id != owner:  # not the writer's row: never changed
            if row.partial:
                continue
            if old.content_hash == row.content_hash:
                result.unchanged += 1
            else:
                result.conflicts.append((row, NOT_IMPORTS if owner is None else NOT_YOURS))
        elif old.content_hash == row.content_hash and (row.partial or not old.partial):
            if not row.partial:
                result.unchanged += 1
        elif row.partial and not old.partial:
            continue
        elif row.batch_id is not None and old.batch_id == row.batch_id and not old.partial:
            result.conflicts.append((row, SAME_ID_TWICE))
        else:
            updates.append(row)
            if not row.partial:
                result.updated += 1
    stored = {key: stored_placement(r.root_id, r.depth) for key, r in existing.items()}
    placed = place_rows([*inserts, *updates], stored)
    if inserts:
        _insert_rows(conn, placed[: len(inserts)], owner)
    _update_rows(conn, placed[len(inserts) :], owner)
    reseat_descendants(conn, placed)
    return result


def account_row(account: Account, batch_id: int | None) -> dict[str, Any]:
    return {
        "platform": account.platform,
        "platform_id": account.platform_id,
        "handle": account.handle,
        "handle_lower": account.handle.lower() if account.handle else None,
        "display_name": account.display_name,
        "description": account.description,
        "followers": account.followers,
        "following": account.following,
        "created_at": account.created_at,
        "verified": account.verified,
        "url": account.url,
        "batch_id": batch_id,
    }


_ACCOUNT_FIELDS = (
    "handle",
    "display_name",
    "description",
    "followers",
    "following",
    "created_at",
    "verified",
    "url",
)


def write_accounts(conn: Connection, batch: Iterable[Account], batch_id: int | None) -> int:
    """Upsert accounts; a field a source leaves missing never erases a known value."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for account in map(admit_account, batch):
        key = (account.platform, account.platform_id)
        row = account_row(account, batch_id)
        previous = rows.get(key)
        rows[key] = row if previous is None else _merge(previous, row)
    existing = _existing(conn, accounts, list(rows), _ACCOUNT_FIELDS)
    inserts = [row for key, row in rows.items() if key not in existing]
    updates = []
    for key, row in rows.items():
        old = existing.get(key)
        if old is None:
            continue
        merged = _merge(dict(old._mapping), row)
        if any(merged[name] != old._mapping[name] for name in _ACCOUNT_FIELDS):
            merged["handle_lower"] = merged["handle"].lower() if merged["handle"] else None
            merged["batch_id"] = batch_id
            updates.append({k: merged[k] for k in row})
    if inserts:
        conn.execute(accounts.insert(), inserts)
    _update(conn, accounts, updates)
    return len(inserts)


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {key: (new[key] if new.get(key) is not None else old.get(key)) for key in new}


def _account_ids_by_handle(
    conn: Connection, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    if not wanted:
        return {}
    query = select(accounts.c.platform, accounts.c.handle_lower, accounts.c.platform_id).where(
        keys_in(accounts.c.platform, accounts.c.handle_lower, wanted)
    )
    return {(r.platform, r.handle_lower): r.platform_id for r in conn.execute(query)}


def write_snapshots(
    conn: Connection, batch: Iterable[FollowerSnapshot]
) -> tuple[int, list[FollowerSnapshot]]:
    """Insert new snapshots; return how many were added and those whose handle is unknown.

    A snapshot known only by handle is stored under the account id the store has for that
    handle, so follower series and messages join on one key.
    """
    snapshots = [admit_snapshot(s) for s in batch]
    by_handle = _account_ids_by_handle(
        conn, {(s.platform, s.handle.lower()) for s in snapshots if not s.account_id and s.handle}
    )
    rows: dict[tuple[str, str, datetime], int] = {}
    unknown: list[FollowerSnapshot] = []
    for snap in snapshots:
        account_id = snap.account_id or by_handle.get((snap.platform, (snap.handle or "").lower()))
        if account_id is None:
            unknown.append(snap)
        else:
            rows[(snap.platform, account_id, snap.taken_at)] = snap.followers
    keys = list(rows)
    existing: set[tuple[str, str, datetime]] = set()
    table = follower_snapshots
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start : start + _LOOKUP_CHUNK]
        query = select(table.c.platform, table.c.account_id, table.c.taken_at).where(
            keys_in(table.c.platform, table.c.account_id, {(k[0], k[1]) for k in chunk}),
            table.c.taken_at.in_({k[2] for k in chunk}),
        )
        existing.update((r[0], r[1], r[2]) for r in conn.execute(query))
    inserts = [
        {"platform": key[0], "account_id": key[1], "taken_at": key[2], "followers": count}
        for key, count in rows.items()
        if key not in existing
    ]
    if inserts:
        conn.execute(table.insert(), inserts)
    return len(inserts), unknown


def write_tracked(conn: Connection, batch: Sequence[TrackedAccount]) -> int:
    """Upsert registry entries on platform + handle; return how many were new."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in map(admit_tracked, batch):
        handle = entry.handle.lstrip("@")
        row = {
            "platform": entry.platform,
            "handle": entry.handle.lstrip("@"),
            "handle_lower": entry.handle.lstrip("@").lower(),
            "role": entry.role.value,
            "name": entry.name,
            "party": entry.party,
            "district": entry.district,
            "office": entry.office,
            "country": entry.country,
            "platform_id": entry.platform_id,
            "registry": entry.registry,
        }
        rows[(entry.platform, handle.lower())] = row
    if not rows:
        return 0
    existing = {
        (r.platform, r.handle_lower)
        for r in conn.execute(
            select(tracked_accounts.c.platform, tracked_accounts.c.handle_lower).where(
                keys_in(tracked_accounts.c.platform, tracked_accounts.c.handle_lower, rows)
            )
        )
    }
    inserts = [row for key, row in rows.items() if key not in existing]
    if inserts:
        conn.execute(tracked_accounts.insert(), inserts)
    for key, row in rows.items():
        if key in existing:
            conn.execute(
                update(tracked_accounts)
                .where(
                    tracked_accounts.c.platform == key[0], tracked_accounts.c.handle_lower == key[1]
                )
                .values(row)
            )
    return len(inserts)


def insert_ignoring_duplicates(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows``, skipping any that a unique key says exist already (a concurrent
    writer's, usually): one statement, on SQLite and PostgreSQL alike. Returns how many
    rows were inserted, counted from ``RETURNING``: a driver that pipelines an
    ``executemany`` (psycopg 3) reports the row count of only part of it."""
    if not rows:
        return 0
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return len(conn.execute(statement, rows).all())
