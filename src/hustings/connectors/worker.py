"""The background worker ``hustings serve`` starts: connectors off the request path.

One thread pulls every connection every ``pull_every`` seconds (each connection's outcome
is its health), except the connections whose stream setting is set (a Bluesky connection's
``jetstream``, a Mastodon one's ``streaming_url``: the connector's ``stream_setting``),
which each get a thread following the stream (``follow_connection``) instead, started on
the first round that sees them. It sends the queued replies every ``send_every`` seconds,
so a reply
written in the web inbox leaves within seconds without a request ever waiting on a
platform. A failure is logged and the loop goes on: one bad connection, or a database
hiccup, must not stop every other channel until a restart.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from hustings.connectors.connections import follow_connection, sync_connection
from hustings.connectors.outbound import deliver_due
from hustings.errors import HustingsError
from hustings.plugins import connectors
from hustings.store import Store
from hustings.store.schema import connections

__all__ = ["run_worker", "start_worker"]

_log = logging.getLogger(__name__)


def run_worker(
    store: Store, stop: threading.Event, pull_every: float = 60.0, send_every: float = 5.0
) -> None:
    """Pull and send until ``stop`` is set."""
    next_pull = 0.0
    followers: dict[int, threading.Thread] = {}
    while not stop.is_set():
        try:
            if time.monotonic() >= next_pull:
                next_pull = time.monotonic() + pull_every
                with store.begin() as conn:
                    rows = conn.execute(
                        select(connections.c.id, connections.c.platform,
                               connections.c.settings)
                    ).all()
                ids = []
                for row in rows:
                    if not _streams(row.platform, row.settings or {}):
                        ids.append(row.id)
                    elif row.id not in followers or not followers[row.id].is_alive():
                        followers[row.id] = threading.Thread(
                            target=_follow, args=(store, row.id, stop),
                            name=f"hustings-stream-{row.id}", daemon=True,
                        )
                        followers[row.id].start()
                for connection_id in ids:
                    report = sync_connection(store, connection_id)
                    if report.error:
                        _log.warning("connection %s: %s", connection_id, report.error)
            deliver_due(store)
        except (HustingsError, SQLAlchemyError):
            _log.exception("connector worker: this round failed; trying again")
        stop.wait(send_every)


def _streams(platform: str, settings: dict[str, object]) -> bool:
    """Whether a connection is followed live: its connector's stream setting is set."""
    found = connectors().get(platform)
    return bool(found is not None and found.stream_setting
                and settings.get(found.stream_setting))


def _follow(store: Store, connection_id: int, stop: threading.Event) -> None:
    """One connection's stream until ``stop``; it ends by itself if the connection goes."""
    try:
        follow_connection(store, connection_id, stop)
    except (HustingsError, SQLAlchemyError):
        _log.exception("connection %s: following its stream stopped", connection_id)


def start_worker(
    store: Store, pull_every: float = 60.0, send_every: float = 5.0
) -> tuple[threading.Thread, threading.Event]:
    """Run ``run_worker`` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, args=(store, stop, pull_every, send_every),
        name="hustings-connectors", daemon=True,
    )
    thread.start()
    return thread, stop
