"""A workspace's connections: connect, list with health, detach, and sync.

Connecting needs the account's own credentials: the connector authenticates, and the
account it names (not one the user types) is attached to the workspace (a tracked account
plus a ``workspace_accounts`` row) and its encrypted credentials stored. Two workspaces
may attach the same public account (to follow it, read-only, through imports), and each
may connect it only with credentials for it: holding the token is the proof that the
account is theirs (an MP's office and the riding campaign can share one). Each
connection is then its own (its own credentials, cursor and health), and the messages it
reads are platform facts, filed into every inbox that owns the account.

A sync writes each page and its cursor in one transaction (``write_units``), so one killed
midway restarts exactly where the last committed page ended. Its outcome is the health a
``hustings connections`` listing shows: ``ok``, or ``error`` with the reason (never a
credential: errors are built from status codes and the platform's own message).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from queue import Empty, Queue
from typing import Any

from sqlalchemy import Connection, func, select, update

from hustings.connectors.base import Connector, Cursor, Event, Identity
from hustings.connectors.secrets import Secret, decrypt, encrypt
from hustings.errors import (
    ConfigError,
    ConnectorError,
    NotFoundError,
    PlatformUnavailableError,
)
from hustings.ingest.intake import IntakeResult, connector_source, write_units
from hustings.model import Role as AccountRole
from hustings.plugins import connectors
from hustings.store import Store
from hustings.store.schema import (
    connections,
    inbox_items,
    tracked_accounts,
    workspace_accounts,
)
from hustings.workspace import Actor, Role, audit, claim_account

__all__ = [
    "ConnectionHealth",
    "SyncReport",
    "attach_account",
    "connect",
    "detach",
    "detach_account",
    "follow_connection",
    "list_connections",
    "open_connector",
    "sync_all",
    "sync_connection",
    "watched",
    "write_events",
]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConnectionHealth:
    """One connection as its owner sees it: who, where, and whether it works."""

    id: int
    platform: str
    account: str
    status: str
    last_ok_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    items_per_day: float
    server: str | None
    notice: str | None = None
    stream: str | None = None
    """The live stream it follows (Bluesky's Jetstream URL), or None when it is polled."""

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class SyncReport:
    connection_id: int
    platform: str
    added: int = 0
    filed: int = 0
    quarantined: int = 0
    error: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _connector_class(platform: str) -> type[Connector]:
    found = connectors()
    if platform not in found:
        raise ConfigError(
            f"no connector for {platform!r}; connectors: {', '.join(sorted(found)) or 'none'}"
        )
    return found[platform]


def _ensure_tracked(
    conn: Connection, platform: str, handle: str, platform_id: str | None, role: AccountRole
) -> int:
    handle = handle.lstrip("@")
    row = conn.execute(
        select(tracked_accounts.c.id, tracked_accounts.c.platform_id).where(
            tracked_accounts.c.platform == platform,
            tracked_accounts.c.handle_lower == handle.lower(),
        )
    ).first()
    if row is not None:
        if platform_id and row.platform_id != platform_id:
            conn.execute(
                update(tracked_accounts)
                .where(tracked_accounts.c.id == row.id)
                .values(platform_id=platform_id)
            )
        return int(row.id)
    result = conn.execute(
        tracked_accounts.insert().values(
            platform=platform,
            handle=handle,
            handle_lower=handle.lower(),
            role=role.value,
            platform_id=platform_id,
        )
    )
    (tracked_id,) = result.inserted_primary_key or (0,)
    return int(tracked_id)


def _attach(conn: Connection, actor: Actor, tracked_id: int, *, proven: bool) -> None:
    if claim_account(conn, actor, tracked_id, proven=proven):
        audit(conn, actor, "account.attach", "tracked_account", tracked_id)


def attach_account(
    conn: Connection,
    actor: Actor,
    platform: str,
    handle: str,
    role: AccountRole = AccountRole.CANDIDATE,
) -> int:
    """Attach a public account to the workspace (tracked first if new); no credentials, so
    the workspace follows it through imports. Owner only. Returns the tracked account id."""
    actor.require(Role.OWNER)
    if not handle.strip().lstrip("@"):
        raise ConfigError("an account needs a handle")
    tracked_id = _ensure_tracked(conn, platform, handle.strip(), None, role)
    _attach(conn, actor, tracked_id, proven=False)
    return tracked_id


def detach_account(conn: Connection, actor: Actor, platform: str, handle: str) -> None:
    """Remove the account from the workspace, with its connection and credentials."""
    actor.require(Role.OWNER)
    row = conn.execute(
        select(tracked_accounts.c.id).where(
            tracked_accounts.c.platform == platform,
            tracked_accounts.c.handle_lower == handle.strip().lstrip("@").lower(),
        )
    ).first()
    if row is None:
        raise NotFoundError(f"{platform} account {handle!r} is not attached to this workspace")
    conn.execute(
        connections.delete().where(
            connections.c.workspace_id == actor.workspace_id,
            connections.c.tracked_account_id == row.id,
        )
    )
    done = conn.execute(
        workspace_accounts.delete().where(
            workspace_accounts.c.workspace_id == actor.workspace_id,
            workspace_accounts.c.tracked_account_id == row.id,
        )
    )
    if done.rowcount != 1:
        raise NotFoundError(f"{platform} account {handle!r} is not attached to this workspace")
    audit(conn, actor, "account.detach", "tracked_account", int(row.id))


def connect(
    store: Store,
    actor: Actor,
    platform: str,
    settings: Mapping[str, Any],
    secret: Secret,
    role: AccountRole = AccountRole.CANDIDATE,
) -> ConnectionHealth:
    """Check the credentials with the platform, then attach the account they belong to and
    store them encrypted. Owner only. Reconnecting replaces the credentials and settings
    and keeps the cursor."""
    actor.require(Role.OWNER)
    cls = _connector_class(platform)
    options = cls.Options.from_mapping(settings)
    connector = cls(options.for_check(), secret, connector_source(platform, 0))
    try:
        identity: Identity = connector.authenticate()  # outside any transaction: network
    except PlatformUnavailableError as exc:
        raise PlatformUnavailableError(
            f"{exc}; nothing was saved: check the server address, or connect again once "
            "the server answers"
        ) from None
    finally:
        connector.close()
    now = _now()
    with store.begin() as conn:
        tracked_id = _ensure_tracked(conn, platform, identity.handle, identity.platform_id, role)
        _attach(conn, actor, tracked_id, proven=True)
        found = conn.execute(
            select(connections.c.id).where(
                connections.c.workspace_id == actor.workspace_id,
                connections.c.tracked_account_id == tracked_id,
            )
        ).first()
        values = {
            "platform": platform,
            "secret": encrypt(secret),
            "settings": options.as_mapping(),
            "status": "ok",
            "last_error": None,
            "last_ok_at": now,
            "last_attempt_at": now,
        }
        if found is None:
            result = conn.execute(
                connections.insert().values(
                    workspace_id=actor.workspace_id,
                    tracked_account_id=tracked_id,
                    cursor={},
                    created_at=now,
                    **values,
                )
            )
            (connection_id,) = result.inserted_primary_key or (0,)
        else:
            connection_id = found.id
            conn.execute(update(connections).where(connections.c.id == found.id).values(values))
        write_units(conn, identity.units, connector_source(platform, int(connection_id)))
        audit(conn, actor, "connection.add", "connection", int(connection_id),
              {"platform": platform})
        (health,) = [h for h in list_connections(conn, actor) if h.id == connection_id]
        return health


def list_connections(conn: Connection, actor: Actor) -> list[ConnectionHealth]:
    """The workspace's connections with their health; items per day over the last week."""
    since = _now() - timedelta(days=7)
    items = (
        select(func.count())
        .where(
            inbox_items.c.workspace_id == actor.workspace_id,
            inbox_items.c.tracked_account_id == connections.c.tracked_account_id,
            inbox_items.c.received_at >= since,
        )
        .scalar_subquery()
    )
    rows = conn.execute(
        select(connections, tracked_accounts.c.handle, items.label("recent"))
        .join(tracked_accounts, tracked_accounts.c.id == connections.c.tracked_account_id)
        .where(connections.c.workspace_id == actor.workspace_id)
        .order_by(connections.c.id)
    )
    return [
        ConnectionHealth(
            id=r.id,
            platform=r.platform,
            account=r.handle,
            status=r.status,
            last_ok_at=r.last_ok_at,
            last_attempt_at=r.last_attempt_at,
            last_error=r.last_error,
            items_per_day=round(int(r.recent) / 7, 1),
            server=_server_of(r.platform, r.settings or {}),
            notice=(r.cursor or {}).get("notice"),
            stream=_stream_of(r.platform, r.settings or {}),
        )
        for r in rows
    ]


def _server_of(platform: str, settings: Mapping[str, Any]) -> str | None:
    """The server a connection talks to: the setting its connector names for it."""
    found = connectors().get(platform)
    value = settings.get(found.server_setting) if found is not None else None
    return str(value) if value else None


def _stream_of(platform: str, settings: Mapping[str, Any]) -> str | None:
    """The live stream a connection follows: the setting its connector names for it."""
    found = connectors().get(platform)
    name = found.stream_setting if found is not None else None
    value = settings.get(name) if name else None
    return str(value) if value else None


def detach(conn: Connection, actor: Actor, connection_id: int) -> None:
    """Remove a connection and its credentials; the account stays attached (read-only)."""
    actor.require(Role.OWNER)
    done = conn.execute(
        connections.delete().where(
            connections.c.id == connection_id, connections.c.workspace_id == actor.workspace_id
        )
    )
    if done.rowcount != 1:
        raise NotFoundError(f"no connection {connection_id}")
    audit(conn, actor, "connection.remove", "connection", connection_id)


def open_connector(conn: Connection, connection_id: int) -> tuple[Connector, Any]:
    """The connector of a stored connection (credentials decrypted in memory only) and its
    row."""
    row = conn.execute(select(connections).where(connections.c.id == connection_id)).first()
    if row is None:
        raise NotFoundError(f"no connection {connection_id}")
    cls = _connector_class(row.platform)
    if row.secret is None:
        raise ConnectorError(f"connection {connection_id} has no credentials: connect again")
    secret = decrypt(row.secret)
    options = cls.Options.from_mapping(row.settings)
    return cls(options, secret, connector_source(row.platform, row.id)), row


def _record(store: Store, connection_id: int, error: str | None) -> None:
    now = _now()
    values: dict[str, Any] = {"last_attempt_at": now, "last_error": error}
    values["status"] = "error" if error else "ok"
    if error is None:
        values["last_ok_at"] = now
    with store.begin() as conn:
        conn.execute(update(connections).where(connections.c.id == connection_id).values(values))


def _pull(store: Store, connector: Connector, row: Any, report: SyncReport) -> None:
    cursor: Cursor = dict(row.cursor or {})
    for page in connector.pull(cursor):
        with store.begin() as conn:
            # Only the page's own messages are filed (as a stream's batch is): rescanning
            # the whole inbox and its open items for every page made a 10,000-comment
            # Facebook sync quadratic; the periodic inbox sync files what imports bring.
            done = write_units(conn, page.units, connector.source, row.workspace_id,
                               whole_inbox=False)
            conn.execute(
                update(connections)
                .where(connections.c.id == row.id)
                .values(cursor=page.cursor)
            )
        report.added += done.added
        report.filed += done.filed
        report.quarantined += done.quarantined


def sync_connection(store: Store, connection_id: int) -> SyncReport:
    """Pull everything new on one connection; its outcome becomes the connection's health.
    A ``ConnectorError`` is recorded and reported, not raised: one broken connection must
    not stop the others."""
    try:
        with store.begin() as conn:
            connector, row = open_connector(conn, connection_id)
    except ConnectorError as exc:
        _record(store, connection_id, str(exc))
        return SyncReport(connection_id, "?", error=str(exc))
    report = SyncReport(connection_id, row.platform)
    try:
        _pull(store, connector, row, report)
    except ConnectorError as exc:
        report.error = str(exc)
    finally:
        connector.close()
    _record(store, connection_id, report.error)
    return report


def sync_all(store: Store, workspace_id: int | None = None) -> list[SyncReport]:
    """Sync every connection (of one workspace, or all), then send what is due."""
    from hustings.connectors.outbound import deliver_due

    query = select(connections.c.id).order_by(connections.c.id)
    if workspace_id is not None:
        query = query.where(connections.c.workspace_id == workspace_id)
    with store.begin() as conn:
        ids = list(conn.execute(query).scalars())
    reports = [sync_connection(store, i) for i in ids]
    _plan(store, workspace_id)
    deliver_due(store, workspace_id)
    return reports


def _plan(store: Store, workspace_id: int | None) -> None:
    """After a pull: judge the posts sync brought in that Hustings did not send (after the
    fact), then hand the planned posts whose time has come to the outbound."""
    from hustings.plan import judge_synced, send_due
    from hustings.store.schema import workspaces

    with store.begin() as conn:
        ids = ([workspace_id] if workspace_id is not None
               else list(conn.execute(select(workspaces.c.id)).scalars()))
        for ws in ids:
            judge_synced(conn, int(ws))
    send_due(store, workspace_id)


_STREAM_BATCH = 2000
_END = object()
_ALONE = ("open", "resume")  # connection markers: each is a batch of its own


def _batched(events: Iterator[Event], limit: int) -> Iterator[list[Event]]:
    """The stream's events in batches of what has arrived (at most ``limit``), so a burst is
    written and filed in one transaction while a quiet stream still writes each event at
    once. A reader thread keeps reading while a batch is written (and while the pull after
    ``open`` runs), so nothing waits on the network; ``open`` and ``resume`` are always a
    batch alone."""
    queue: Queue[object] = Queue(maxsize=limit * 4)

    def read() -> None:
        try:
            for event in events:
                queue.put(event)
        except BaseException as exc:  # handed to the consumer, which raises it
            queue.put(exc)
        queue.put(_END)

    threading.Thread(target=read, daemon=True).start()
    pending: object = None
    while True:
        item = queue.get() if pending is None else pending
        pending = None
        if isinstance(item, BaseException):
            raise item
        if item is _END:
            return
        assert isinstance(item, Event)
        batch = [item]
        while item.kind not in _ALONE and len(batch) < limit:
            try:
                nxt = queue.get_nowait()
            except Empty:
                break
            if not isinstance(nxt, Event) or nxt.kind in _ALONE:
                pending = nxt
                break
            batch.append(nxt)
        yield batch


def watched(conn: Connection, workspace_id: int, platform: str) -> list[str]:
    """The platform ids of the accounts ``workspace_id`` tracks on ``platform``: what a
    network-wide stream (Jetstream) is filtered to."""
    return list(conn.execute(
        select(tracked_accounts.c.platform_id)
        .join(workspace_accounts,
              workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id,
               tracked_accounts.c.platform == platform,
               tracked_accounts.c.platform_id.is_not(None))
    ).scalars())


def write_events(conn: Connection, batch: list[Event], source: str, row: Any) -> IntakeResult:
    """Write one batch of stream events, and the cursor the last of them carries, in the
    caller's transaction: a batch and its cursor commit together."""
    done = write_units(conn, [u for event in batch for u in event.units], source,
                       row.workspace_id, whole_inbox=False)
    moved = [event.cursor for event in batch if event.cursor]
    if moved:
        stored = conn.execute(
            select(connections.c.cursor).where(connections.c.id == row.id)
        ).scalar()
        merged = {**(stored or {})}
        for cursor in moved:
            merged.update(cursor)
        conn.execute(update(connections).where(connections.c.id == row.id)
                     .values(cursor=merged))
    return done


def _poll(store: Store, connection_id: int, stop: threading.Event, max_connects: int | None,
          poll_every: float) -> int:
    connects = 0
    while not stop.is_set() and (max_connects is None or connects < max_connects):
        connects += 1
        report = sync_connection(store, connection_id)
        if report.error:
            _log.info("connection %s: %s", connection_id, report.error)
        stop.wait(poll_every)
    return connects


def follow_connection(
    store: Store,
    connection_id: int,
    stop: threading.Event,
    reconnect_delay: float = 1.0,
    max_connects: int | None = None,
    poll_every: float = 15.0,
) -> int:
    """Stream one connection until ``stop`` is set; return how many times it connected.

    On every (re)connection of a stream that says ``open``, everything since the stored
    cursor is pulled first: nothing that arrived while disconnected is lost, and what the
    stream then repeats is written again as a no-op. A stream that resumes from its own
    cursor (Jetstream) says ``resume`` and replays the gap itself; each batch is written
    with the cursor it reached. A connection that does not stream (Bluesky without a
    ``jetstream`` setting) is pulled every ``poll_every`` seconds instead; each pull counts
    as a connection.
    """
    connects = 0
    try:
        with store.begin() as conn:
            connector, _row = open_connector(conn, connection_id)
    except ConnectorError:  # no credentials: the poll records it as the connection's health
        return _poll(store, connection_id, stop, max_connects, poll_every)
    live = connector.live()
    connector.close()
    if not live:
        return _poll(store, connection_id, stop, max_connects, poll_every)
    while not stop.is_set() and (max_connects is None or connects < max_connects):
        try:
            with store.begin() as conn:
                connector, row = open_connector(conn, connection_id)
                watch = watched(conn, row.workspace_id, row.platform)
        except ConnectorError as exc:
            _record(store, connection_id, str(exc))
            stop.wait(reconnect_delay)
            continue
        report = SyncReport(connection_id, row.platform)
        error: str | None = None
        try:
            for batch in _batched(connector.stream(dict(row.cursor or {}), watch),
                                  _STREAM_BATCH):
                if batch[0].kind in _ALONE:
                    connects += 1
                    if batch[0].kind == "open":
                        _pull(store, connector, row, report)
                    _record(store, connection_id, None)
                    continue
                with store.begin() as conn:
                    write_events(conn, batch, connector.source, row)
                if stop.is_set():
                    break
        except ConnectorError as exc:
            error = str(exc)
            _log.info("connection %s: %s", connection_id, error)
        finally:
            connector.close()
        if error is not None:
            _record(store, connection_id, error)
            if not stop.is_set():
                time.sleep(reconnect_delay)
        else:
            break
    return connects
