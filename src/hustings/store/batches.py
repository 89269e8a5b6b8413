"""Import batches, their checkpoints, and the quarantine of records that could not be read.

A batch's checkpoint is written in the same transaction as the records up to it, so a
crash or Ctrl-C leaves the store exactly at the checkpoint and the next run resumes there.

A running batch names the process that runs it (``pid``). ``claim_batch`` decides, under a
lock on the file's fingerprint, whether an import may go ahead: a batch still held by a
live process is refused by name, one whose process is gone (killed, crashed, Ctrl-C) is
resumed. The pid is only meaningful on the machine that wrote it: two machines importing
the same file into one PostgreSQL server at the same moment are not told apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, false, func, select, update

from hustings.errors import ImportRunningError
from hustings.model import ImportBatch, Quarantined
from hustings.store.bounds import clean_text, short_reason
from hustings.store.schema import import_batches, quarantine

__all__ = [
    "RESUMABLE",
    "claim_batch",
    "finish_batch",
    "get_batch",
    "interrupted_batch",
    "list_batches",
    "list_quarantine",
    "quarantine_records",
    "save_checkpoint",
    "start_batch",
]


RESUMABLE = ("running", "interrupted", "failed")
"""Statuses of a batch that stopped before its end: the next import of its bytes resumes it."""


_OPTIONS = "options"
"""The key under which a batch's options ride in its ``counts`` JSON (no column of their own)."""


def _batch(row: Any) -> ImportBatch:
    counts = dict(row.counts)
    options = counts.pop(_OPTIONS, None)
    return ImportBatch(
        id=row.id,
        source=row.source,
        format=row.format,
        fingerprint=row.fingerprint,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=row.status,
        checkpoint=row.checkpoint,
        counts=counts,
        pid=row.pid,
        options=dict(options) if isinstance(options, dict) else {},
    )


def _counts(batch: ImportBatch) -> dict[str, Any]:
    """What the ``counts`` column holds: the counts, and the options when there are some."""
    return {**batch.counts, _OPTIONS: dict(batch.options)} if batch.options else dict(batch.counts)


def get_batch(conn: Connection, batch_id: int) -> ImportBatch | None:
    row = conn.execute(select(import_batches).where(import_batches.c.id == batch_id)).first()
    return None if row is None else _batch(row)


def interrupted_batch(conn: Connection, fingerprint: str, fmt: str) -> ImportBatch | None:
    """The newest unfinished batch of the same bytes in the same format, to resume."""
    row = conn.execute(
        select(import_batches)
        .where(import_batches.c.fingerprint == fingerprint, import_batches.c.format == fmt)
        .order_by(import_batches.c.id.desc())
        .limit(1)
    ).first()
    if row is None or row.status not in RESUMABLE:
        return None
    return _batch(row)


def _lock(conn: Connection, fingerprint: str) -> None:
    """Hold a write lock for these bytes until the transaction ends, so that two imports
    starting at once cannot both find no batch and both start one."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(fingerprint, 0))))
    else:  # a write, even of nothing, takes SQLite's one write lock (others wait for it)
        conn.execute(update(import_batches).where(false()).values(pid=None))


def claim_batch(
    conn: Connection,
    source: str,
    fmt: str,
    fingerprint: str,
    pid: int,
    alive: Callable[[int], bool],
) -> tuple[ImportBatch, bool]:
    """The batch process ``pid`` will run for these bytes: the unfinished one, resumed, or a
    new one; ``True`` when resumed.

    Refuses (``ImportRunningError``) while another process that ``alive`` says is running
    holds the unfinished batch: resuming it would have both write the same rows.
    """
    _lock(conn, fingerprint)
    batch = interrupted_batch(conn, fingerprint, fmt)
    if batch is None:
        return start_batch(conn, source, fmt, fingerprint, pid), False
    holder = batch.pid
    if batch.status == "running" and holder is not None and holder != pid and alive(holder):
        raise ImportRunningError(
            f"{source}: an import of this file is running, pid {holder} (batch {batch.id}); "
            "wait for it to finish, or stop it and import again to resume"
        )
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch.id)
        .values(pid=pid, status="running")
    )
    batch.pid, batch.status = pid, "running"
    return batch, True


def start_batch(
    conn: Connection, source: str, fmt: str, fingerprint: str, pid: int | None = None
) -> ImportBatch:
    now = datetime.now(UTC)
    source = clean_text(source)
    result = conn.execute(
        import_batches.insert().values(
            pid=pid,
            source=source,
            format=fmt,
            fingerprint=fingerprint,
            started_at=now,
            status="running",
            checkpoint=0,
            counts={},
        )
    )
    (batch_id,) = result.inserted_primary_key or (None,)
    return ImportBatch(
        id=batch_id, source=source, format=fmt, fingerprint=fingerprint, started_at=now, pid=pid
    )


def save_checkpoint(conn: Connection, batch: ImportBatch) -> None:
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch.id)
        .values(checkpoint=batch.checkpoint, counts=_counts(batch))
    )


def finish_batch(conn: Connection, batch: ImportBatch, status: str = "finished") -> None:
    batch.status = status
    batch.finished_at = datetime.now(UTC)
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch.id)
        .values(
            checkpoint=batch.checkpoint,
            counts=_counts(batch),
            status=status,
            finished_at=batch.finished_at,
        )
    )


def quarantine_records(
    conn: Connection, batch: ImportBatch, records: Iterable[Quarantined]
) -> None:
    """Keep each bad record once per place in the same bytes, however often it is imported.

    Its text is cleaned and its reason shortened as ``hustings.store.bounds`` says, so that
    recording a bad record never fails on either database.
    """
    for record in records:
        record = Quarantined(
            source=clean_text(record.source),
            position=record.position,
            unit=record.unit,
            reason=short_reason(record.reason),
            excerpt=clean_text(record.excerpt),
        )
        exists = conn.execute(
            select(quarantine.c.id).where(
                quarantine.c.fingerprint == batch.fingerprint,
                quarantine.c.position == record.position,
                quarantine.c.unit == record.unit,
                quarantine.c.reason == record.reason,
            )
        ).first()
        if exists is None:
            conn.execute(
                quarantine.insert().values(
                    batch_id=batch.id,
                    fingerprint=batch.fingerprint,
                    source=record.source,
                    position=record.position,
                    unit=record.unit,
                    reason=record.reason,
                    excerpt=record.excerpt,
                )
            )


def list_batches(conn: Connection, limit: int = 50) -> list[ImportBatch]:
    rows = conn.execute(select(import_batches).order_by(import_batches.c.id.desc()).limit(limit))
    return [_batch(row) for row in rows]


def list_quarantine(
    conn: Connection, batch_id: int | None = None, limit: int = 1000
) -> list[Quarantined]:
    query = select(quarantine).order_by(quarantine.c.id).limit(limit)
    if batch_id is not None:
        query = query.where(quarantine.c.batch_id == batch_id)
    return [
        Quarantined(
            source=r.source, position=r.position, unit=r.unit, reason=r.reason, excerpt=r.excerpt
        )
        for r in conn.execute(query)
    ]
