"""Write the canonical tables as Parquet for the analytics layer (Ibis on DuckDB or Spark).

Why Parquet rather than letting Ibis read the operational store directly: DuckDB reaches
SQLite and PostgreSQL through extensions it downloads on first use, and Hustings never
downloads at run time; Spark reads Parquet natively on a laptop and on a cluster; and a
columnar snapshot keeps analytical scans off the database the inbox is writing to.

Messages are partitioned Hive-style by ``platform`` and ``month`` (of ``created_at``), the
two filters every scorecard applies first. The export streams in chunks, so memory stays
flat however large the store.

The snapshot is shared analysis over every workspace, so it holds the platform facts only
(``messages.workspace_id`` NULL): what a workspace typed or pushed is its own and stays out.
That leaves out unsent reply drafts, which would otherwise count as answers that nobody has
sent yet (and twice once the platform's copy is imported), and pushed messages, which one
workspace could use to move another's scorecard. A reply counts once the platform's own copy
of it is imported.

When ``hustings nlp enrich`` has scored messages for needs-reply, the export also writes
``needs_reply.parquet`` (platform, platform id, probability that the message needs a reply),
which the audit uses instead of its heuristic for the messages it covers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from sqlalchemy import Column, ColumnElement, Table, select

from hustings.store import Store
from hustings.store.schema import (
    UTCDateTime,
    accounts,
    follower_snapshots,
    messages,
    tracked_accounts,
)
from hustings.store.scores import NEEDS_REPLY, needs_reply_query, probability_of

__all__ = ["ROW_GROUP_ROWS", "export_parquet"]

_CHUNK = 50_000
ROW_GROUP_ROWS = 122_880
"""Rows per Parquet row group of the messages: DuckDB's own row group size. The messages
arrive in chunks of ``_CHUNK`` rows spread over months, and written as they came, their row
groups held about ten thousand rows each; reading that many small groups made a
ten-million-message audit several per cent slower."""
_TS = pa.timestamp("us", tz="UTC")

MESSAGE_SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("platform_id", pa.string()),
        ("author_id", pa.string()),
        ("author_handle", pa.string()),
        ("created_at", _TS),
        ("text", pa.string()),
        ("kind", pa.string()),
        ("visibility", pa.string()),
        ("reply_to_id", pa.string()),
        ("reply_to_account_id", pa.string()),
        ("reply_to_handle", pa.string()),
        ("reply_link", pa.string()),
        ("conversation_id", pa.string()),
        ("root_id", pa.string()),
        ("depth", pa.int32()),
        ("quote_of_id", pa.string()),
        ("repost_of_id", pa.string()),
        ("mentions", pa.list_(pa.string())),
        ("hashtags", pa.list_(pa.string())),
        ("urls", pa.list_(pa.string())),
        ("language", pa.string()),
        ("client", pa.string()),
        ("partial", pa.bool_()),
        ("month", pa.string()),
    ]
)


# The rows the shared snapshot may hold: platform facts, never a workspace's own.
_SHARED = messages.c.workspace_id.is_(None)


def _batches(
    store: Store,
    table: Table,
    schema: pa.Schema,
    derive: Any = None,
    where: ColumnElement[bool] | None = None,
) -> Iterator[pa.RecordBatch]:
    names = [f.name for f in schema if f.name in table.c]
    query = select(*(table.c[n] for n in names))
    if where is not None:
        query = query.where(where)
    query = query.execution_options(yield_per=_CHUNK)
    with store.engine.connect() as conn:
        for part in conn.execute(query).partitions(_CHUNK):
            rows = [dict(zip(names, row, strict=True)) for row in part]
            if derive:
                for row in rows:
                    derive(row)
            yield pa.RecordBatch.from_pylist(rows, schema=schema)


NEEDS_REPLY_SCHEMA = pa.schema(
    [("platform", pa.string()), ("platform_id", pa.string()), ("score", pa.float64())]
)


def _write_needs_reply(store: Store, target: Path) -> bool:
    """Write the stored needs-reply probabilities; ``False`` (and no file) when there are none.

    A stale file from an earlier export is removed, so the audit never reads scores of a
    store they no longer describe.
    """
    target.unlink(missing_ok=True)
    writer: pq.ParquetWriter | None = None
    query = needs_reply_query().where(_SHARED).execution_options(yield_per=_CHUNK)
    with store.engine.connect() as conn, contextlib.ExitStack() as stack:
        for part in conn.execute(query).partitions(_CHUNK):
            rows = [
                {
                    "platform": row.platform,
                    "platform_id": row.platform_id,
                    "score": probability_of(NEEDS_REPLY, row.label, row.score),
                }
                for row in part
            ]
            if writer is None:
                writer = stack.enter_context(pq.ParquetWriter(target, NEEDS_REPLY_SCHEMA))
            writer.write_batch(pa.RecordBatch.from_pylist(rows, schema=NEEDS_REPLY_SCHEMA))
    return writer is not None


def _month(row: dict[str, Any]) -> None:
    row["month"] = row["created_at"].strftime("%Y-%m")


def _arrow_type(column: Column[Any]) -> pa.DataType:
    if isinstance(column.type, UTCDateTime):
        return _TS
    return {int: pa.int64(), bool: pa.bool_()}.get(column.type.python_type, pa.string())


def _schema_of(table: Table) -> pa.Schema:
    return pa.schema([(c.name, _arrow_type(c)) for c in table.c if c.name != "id"])


def export_parquet(store: Store, out_dir: Path) -> dict[str, Path]:
    """Write messages (platform facts only), accounts, tracked accounts, follower snapshots
    (and needs-reply scores, if any) under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {"messages": out_dir / "messages"}
    pads.write_dataset(
        _batches(store, messages, MESSAGE_SCHEMA, _month, _SHARED),
        written["messages"],
        schema=MESSAGE_SCHEMA,
        format="parquet",
        partitioning=["platform", "month"],
        partitioning_flavor="hive",
        existing_data_behavior="delete_matching",
        min_rows_per_group=ROW_GROUP_ROWS,
        max_rows_per_group=ROW_GROUP_ROWS,
    )
    for table in (accounts, tracked_accounts, follower_snapshots):
        schema = _schema_of(table)
        target = out_dir / f"{table.name}.parquet"
        with pq.ParquetWriter(target, schema) as writer:
            for batch in _batches(store, table, schema):
                writer.write_batch(batch)
        written[str(table.name)] = target
    if _write_needs_reply(store, out_dir / "needs_reply.parquet"):
        written[NEEDS_REPLY] = out_dir / "needs_reply.parquet"
    return written
