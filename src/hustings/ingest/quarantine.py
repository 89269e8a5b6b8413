"""The quarantine as a to-do list: list it, retry it with today's code, or clear it.

Every bad record is kept with its file, place and reason (``hustings.store.batches``). Once
the code that refused it has been fixed (a parser bug, a missing mapping column, an account
imported since), ``retry`` re-reads each quarantined record of a file batch from the file,
with the importer and the options the batch was imported with, and writes what now parses
through the one intake seam (``write_units``) under the same batch. A record that parses
leaves the quarantine; one still bad stays, with the reason today's code gives. Running it
again changes nothing: writes are idempotent upserts and the quarantine keeps one row per
place and reason.

A record can only be re-read where its bytes still are: the batch's file, unchanged (same
fingerprint). Records from stdin, from a file since moved or changed, and from live sources
(connectors, pushes: no file batch) are left as they are, and the result says why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, delete, func, select

from hustings.errors import HustingsError, NotFoundError
from hustings.ingest.base import ImportOptions, Parsed
from hustings.ingest.intake import write_units
from hustings.model import ImportBatch
from hustings.plugins import importers
from hustings.store import Store
from hustings.store.batches import get_batch, save_checkpoint
from hustings.store.schema import quarantine

__all__ = [
    "QuarantineEntry",
    "RetryResult",
    "clear_batch",
    "count_entries",
    "list_entries",
    "retry",
]


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """One quarantined record as listed: its row id and batch (``None`` for a live source)."""

    id: int
    batch_id: int | None
    source: str
    position: int
    unit: str
    reason: str
    excerpt: str


@dataclass(slots=True)
class RetryResult:
    """What a retry did to one batch's quarantine.

    ``retried`` records were read again; ``imported`` of them now parse and were written
    (new, updated or already stored); ``still`` are quarantined again with today's reason;
    ``skipped`` were not read again, for the reason in ``note``.
    """

    batch_id: int
    source: str
    retried: int = 0
    imported: int = 0
    still: int = 0
    skipped: int = 0
    note: str | None = None
    reasons: list[str] = field(default_factory=list)


def list_entries(
    conn: Connection, batch_id: int | None = None, limit: int = 1000
) -> list[QuarantineEntry]:
    """Quarantined records, oldest first; only batch ``batch_id``'s when given."""
    query = select(quarantine).order_by(quarantine.c.id).limit(limit)
    if batch_id is not None:
        query = query.where(quarantine.c.batch_id == batch_id)
    return [
        QuarantineEntry(
            id=r.id, batch_id=r.batch_id, source=r.source, position=r.position, unit=r.unit,
            reason=r.reason, excerpt=r.excerpt,
        )
        for r in conn.execute(query)
    ]


def count_entries(conn: Connection, batch_id: int) -> int:
    """How many records batch ``batch_id`` has in quarantine (``NotFoundError``: no batch)."""
    if get_batch(conn, batch_id) is None:
        raise NotFoundError(f"no import batch {batch_id} (see hustings batches)")
    found = conn.execute(
        select(func.count()).select_from(quarantine).where(quarantine.c.batch_id == batch_id)
    )
    return int(found.scalar_one())


def clear_batch(conn: Connection, batch_id: int) -> int:
    """Forget batch ``batch_id``'s quarantined records; how many there were.

    The batch's counts keep saying how many were quarantined: that is what the import did.
    """
    if get_batch(conn, batch_id) is None:
        raise NotFoundError(f"no import batch {batch_id} (see hustings batches)")
    result = conn.execute(delete(quarantine).where(quarantine.c.batch_id == batch_id))
    return int(result.rowcount or 0)


def _batches_to_retry(store: Store, batch_id: int | None) -> list[int]:
    with store.begin() as conn:
        if batch_id is not None:
            if get_batch(conn, batch_id) is None:
                raise NotFoundError(f"no import batch {batch_id} (see hustings batches)")
            return [batch_id]
        found = conn.execute(
            select(quarantine.c.batch_id)
            .where(quarantine.c.batch_id.is_not(None))
            .group_by(quarantine.c.batch_id)
            .order_by(quarantine.c.batch_id)
        )
        return [int(b) for b in found.scalars()]


def retry(store: Store, batch_id: int | None = None) -> list[RetryResult]:
    """Re-read every quarantined record of file batch ``batch_id`` (of all, without it).

    Each batch is retried in one transaction of its own, so a batch that fails leaves the
    others' results in place.
    """
    return [_retry_batch(store, b) for b in _batches_to_retry(store, batch_id)]


def _path(batch: ImportBatch) -> Path | None:
    """The batch's file: kept in its options (absolute); for a batch imported before they
    were kept, its source as written, relative to where the command runs."""
    if "path" in batch.options:
        return Path(batch.options["path"])
    return None if batch.source == "<stdin>" else Path(batch.source)


def _unreadable(batch: ImportBatch) -> str | None:
    """Why ``batch``'s records cannot be read again, or ``None`` when they can."""
    from hustings.ingest.runner import fingerprint

    if batch.status == "running" and batch.pid not in (None, os.getpid()):
        return f"its import is running (pid {batch.pid}); retry when it has finished"
    path = _path(batch)
    if path is None:
        return "its input (stdin) was not kept; import the records again"
    if not path.is_file():
        return f"{path} is gone; import the records again"
    if fingerprint(path) != batch.fingerprint:
        return f"{path} has changed since it was imported; import it again"
    if batch.format not in importers():
        return f"the {batch.format} importer is not installed"
    return None


def _reread(batch: ImportBatch, positions: set[int]) -> Iterator[Parsed]:
    """The units of ``batch``'s file at ``positions``, parsed as the batch was imported."""
    importer = importers()[batch.format](ImportOptions.from_record(batch.options))
    last = max(positions)
    path = _path(batch)
    assert path is not None  # _unreadable said it can be read
    with path.open("rb") as handle:
        for unit in importer.parse(handle, batch.source):
            if unit.position in positions:
                yield unit
            if unit.position >= last:
                return


def _retry_batch(store: Store, batch_id: int) -> RetryResult:
    with store.begin() as conn:
        batch = get_batch(conn, batch_id)
        assert batch is not None  # listed a moment ago; batches are never deleted
        entries = list_entries(conn, batch_id, limit=1_000_000)
        outcome = RetryResult(batch_id, batch.source)
        why = _unreadable(batch) if entries else None
        if why is not None:
            outcome.skipped, outcome.note = len(entries), why
            return outcome
        positions = {e.position for e in entries}
        try:
            units = list(_reread(batch, positions)) if positions else []
        except HustingsError as exc:
            outcome.skipped, outcome.note = len(entries), str(exc)
            return outcome
        found = {u.position for u in units}
        retried = [e for e in entries if e.position in found]
        outcome.skipped = len(entries) - len(retried)
        if outcome.skipped:
            outcome.note = "no record starts there when the file is read today"
        if not retried:
            return outcome
        conn.execute(delete(quarantine).where(quarantine.c.id.in_([e.id for e in retried])))
        done = write_units(conn, units, batch)
        outcome.retried = len(retried)
        outcome.still = done.quarantined
        outcome.imported = max(0, len(retried) - done.quarantined)
        outcome.reasons = sorted(
            set(
                conn.execute(
                    select(quarantine.c.reason).where(
                        quarantine.c.batch_id == batch_id, quarantine.c.position.in_(found)
                    )
                ).scalars()
            )
        )
        _recount(batch, removed=len(retried), read=done.read, updated=done.updated,
                 unchanged=done.unchanged, quarantined=done.quarantined,
                 context=done.context_added, accounts=done.accounts_added)
        save_checkpoint(conn, batch)
        return outcome


def _recount(
    batch: ImportBatch, *, removed: int, read: int, updated: int, unchanged: int,
    quarantined: int, context: int, accounts: int,
) -> None:
    """Move the batch's counts from quarantined to what the records are now.

    The units re-read may hold records already stored by the import (a page of tweets of
    which one was refused): those come back ``unchanged`` and were counted the first time,
    so they are left out. What remains keeps ``read = added + updated + unchanged +
    quarantined`` for the batch.
    """
    counts = batch.counts
    new_read = read - unchanged
    added = new_read - updated - quarantined
    counts["read"] = counts.get("read", 0) + new_read - removed
    counts["added"] = counts.get("added", 0) + added
    counts["updated"] = counts.get("updated", 0) + updated
    counts["quarantined"] = counts.get("quarantined", 0) + quarantined - removed
    counts["context_added"] = counts.get("context_added", 0) + context
    counts["accounts_added"] = counts.get("accounts_added", 0) + accounts
