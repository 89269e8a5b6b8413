"""Import batches, their checkpoints, and the quarantine of records that could not be read.

A batch's checkpoint is written in the same transaction as the records up to it, so a
crash or Ctrl-C leaves the store exactly at the checkpoint and the next run resumes there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hustings.model import ImportBatch, Quarantined
from hustings.store.schema import import_batches, quarantine

__all__ = [
    "finish_batch",
    "interrupted_batch",
    "list_batches",
    "list_quarantine",
    "quarantine_records",
    "save_checkpoint",
    "start_batch",
]


def _batch(row: Any) -> ImportBatch:
    return ImportBatch(
        id=row.id,
        source=row.source,
        format=row.format,
        fingerprint=row.fingerprint,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=row.status,
        checkpoint=row.checkpoint,
        counts=dict(row.counts),
    )


def interrupted_batch(conn: Connection, fingerprint: str, fmt: str) -> ImportBatch | None:
    """The newest unfinished batch of the same bytes in the same format, to resume."""
    row = conn.execute(
        select(import_batches)
        .where(import_batches.c.fingerprint == fingerprint, import_batches.c.format == fmt)
        .order_by(import_batches.c.id.desc())
        .limit(1)
    ).first()
    if row is None or row.status != "running":
        return None
    return _batch(row)


def start_batch(conn: Connection, source: str, fmt: str, fingerprint: str) -> ImportBatch:
    now = datetime.now(UTC)
    result = conn.execute(
        import_batches.insert().values(
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
        id=batch_id, source=source, format=fmt, fingerprint=fingerprint, started_at=now
    )


def save_checkpoint(conn: Connection, batch: ImportBatch) -> None:
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch.id)
        .values(checkpoint=batch.checkpoint, counts=dict(batch.counts))
    )


def finish_batch(conn: Connection, batch: ImportBatch, status: str = "finished") -> None:
    batch.status = status
    batch.finished_at = datetime.now(UTC)
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch.id)
        .values(
            checkpoint=batch.checkpoint,
            counts=dict(batch.counts),
            status=status,
            finished_at=batch.finished_at,
        )
    )


def quarantine_records(
    conn: Connection, batch: ImportBatch, records: Iterable[Quarantined]
) -> None:
    """Keep each bad record once per place in the same bytes, however often it is imported."""
    for record in records:
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
