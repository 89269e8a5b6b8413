"""The background worker ``hustings serve`` starts: connectors off the request path.

One thread pulls every connection every ``pull_every`` seconds (each connection's outcome
is its health) and sends the queued replies every ``send_every`` seconds, so a reply
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

from hustings.connectors.connections import sync_connection
from hustings.connectors.outbound import deliver_due
from hustings.errors import HustingsError
from hustings.store import Store
from hustings.store.schema import connections

__all__ = ["run_worker", "start_worker"]

_log = logging.getLogger(__name__)


def run_worker(
    store: Store, stop: threading.Event, pull_every: float = 60.0, send_every: float = 5.0
) -> None:
    """Pull and send until ``stop`` is set."""
    next_pull = 0.0
    while not stop.is_set():
        try:
            if time.monotonic() >= next_pull:
                next_pull = time.monotonic() + pull_every
                with store.begin() as conn:
                    ids = list(conn.execute(select(connections.c.id)).scalars())
                for connection_id in ids:
                    report = sync_connection(store, connection_id)
                    if report.error:
                        _log.warning("connection %s: %s", connection_id, report.error)
            deliver_due(store)
        except (HustingsError, SQLAlchemyError):
            _log.exception("connector worker: this round failed; trying again")
        stop.wait(send_every)


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
