"""Connect to an analytical engine and read the Parquet snapshot into Ibis tables.

One code path serves both engines: DuckDB (embedded, the default) and Spark (``--engine
spark``, local mode or a cluster given by ``--master``). What differs between them is kept
here, as data: how a connection is made and how a hive-partitioned folder is read.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from hustings.errors import ConfigError, HustingsError
from hustings.metrics._params import ENGINES

__all__ = [
    "ENGINES",
    "AuditInput",
    "connect",
    "drop",
    "fetch_all",
    "materialize",
    "materialize_all",
    "read_snapshot",
    "upload",
    "with_ts",
]


_SPARK_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "3g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}


def connect(engine: str = "duckdb", master: str | None = None) -> BaseBackend:
    """An Ibis backend for ``engine``; Spark gets a UTC session on ``master`` (default local)."""
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        # No query relies on the order rows were inserted in (results are keyed, lists are
        # sorted), and keeping it costs memory and serialises the cached tables' inserts.
        con.raw_sql("SET TimeZone = 'UTC'; SET preserve_insertion_order = false")
        return con
    if engine != "spark":
        raise ConfigError(f"unknown engine {engine!r}; engines: {', '.join(ENGINES)}")
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError as exc:
        raise ConfigError("the Spark engine needs pyspark: pip install 'hustings[spark]'") from exc
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder: Any = SparkSession.builder.appName("hustings-audit").master(master or "local[*]")
    for key, value in _SPARK_CONF.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


@dataclass(frozen=True)
class AuditInput:
    """The canonical tables as Ibis expressions on one backend.

    ``messages`` carries ``ts``, ``created_at`` in integer epoch seconds (see :func:`with_ts`).
    ``needs_reply`` is the hook for the ``hustings.nlp`` classifier: a table of
    ``(platform, platform_id, score)`` written beside the snapshot as ``needs_reply.parquet``.
    When it is absent the audit falls back on the documented heuristic.
    """

    con: BaseBackend
    messages: ir.Table
    accounts: ir.Table
    tracked: ir.Table
    snapshots: ir.Table
    needs_reply: ir.Table | None = None


MESSAGE_COLUMNS = (
    "platform",
    "platform_id",
    "author_id",
    "author_handle",
    "created_at",
    "text",
    "kind",
    "visibility",
    "reply_to_id",
    "reply_to_account_id",
    "reply_to_handle",
    "conversation_id",
    "root_id",
    "mentions",
    "client",
    "partial",
)


def _read(con: BaseBackend, path: Path, folder: bool = False) -> ir.Table:
    """The Parquet file (or hive-partitioned folder) as a table every query can read.

    On DuckDB a view of the database, not Ibis's ``read_parquet``: that registers a
    temporary view, which the cursors of :func:`materialize_all` cannot see.
    """
    if con.name != "duckdb":
        return con.read_parquet(str(path))
    glob = str(path / "**" / "*.parquet") if folder else str(path)
    literal = "'" + glob.replace("'", "''") + "'"
    name = _name("parquet")
    hive = ", hive_partitioning = true" if folder else ""
    con.raw_sql(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({literal}{hive})')
    return con.table(name)


def _epoch(created_at: dt.Timestamp(timezone="UTC")) -> dt.float64:  # type: ignore[empty-body,valid-type]
    """DuckDB's own ``epoch`` of a ``TIMESTAMP WITH TIME ZONE`` (the signature Ibis binds)."""


_duckdb_epoch: Any = ibis.udf.scalar.builtin(_epoch, name="epoch")


def with_ts(con: BaseBackend | None, messages: ir.Table) -> ir.Table:
    """``messages`` with ``ts``: ``created_at`` in whole epoch seconds, every table's clock.

    The fraction is dropped (floored), as Spark's ``unix_timestamp`` does: DuckDB's epoch is
    fractional and a plain cast would round, so a Mastodon reply at 23:59:59.6 would fall on
    the next day on one engine and not the other.

    Ibis's ``epoch_seconds`` first casts to a naive timestamp, which on DuckDB is a time-zone
    conversion per row: a third of a 10-million-message audit's scans went on it. DuckDB takes
    the epoch of the zoned value directly (the same number: sessions run in UTC).
    """
    created = messages.created_at
    seconds = _duckdb_epoch(created) if con is not None and con.name == "duckdb" else None
    ts = created.epoch_seconds() if seconds is None else seconds
    return messages.mutate(ts=ts.floor().cast("int64"))


def read_snapshot(con: BaseBackend, snapshot: Path) -> AuditInput:
    """Read ``export_parquet``'s folder; refuse one with no messages instead of auditing nothing."""
    folder = snapshot / "messages"
    if not folder.is_dir() or not any(folder.rglob("*.parquet")):
        raise HustingsError(f"{snapshot}: no messages to audit (import some first)")
    messages = with_ts(con, _read(con, folder, folder=True).select(*MESSAGE_COLUMNS))
    nr_path = snapshot / "needs_reply.parquet"
    return AuditInput(
        con=con,
        messages=messages,
        accounts=_read(con, snapshot / "accounts.parquet"),
        tracked=_read(con, snapshot / "tracked_accounts.parquet"),
        snapshots=_read(con, snapshot / "follower_snapshots.parquet"),
        needs_reply=_read(con, nr_path) if nr_path.exists() else None,
    )


def _name(kind: str) -> str:
    return f"hustings_{kind}_{uuid.uuid4().hex[:10]}"


def upload(con: BaseBackend | None, table: pa.Table, name: str) -> ir.Table:
    """Hand a small Python-side table to the engine under a name every query can read.

    On Spark a named view rather than a bare memtable: ``cache()`` compiles an expression
    without registering the memtables inside it. On DuckDB a table: a memtable (and a view
    over one) is local to the connection that registered it, and :func:`fetch_all` reads
    from several. Without a backend (compiling SQL for the docs) the memtable is returned.
    """
    if con is None:
        return ibis.memtable(table)
    if con.name == "duckdb":
        return con.create_table(_name(name), table)
    return con.create_view(_name(name), ibis.memtable(table), overwrite=True)


def materialize(con: BaseBackend, expr: ir.Table) -> ir.Table:
    """Compute ``expr`` once and keep it on the engine for the queries that read it.

    Spark caches it; DuckDB stores it as a table of the database rather than through
    ``cache()``, whose temporary tables only the connection that made them can read.
    """
    if con.name == "duckdb":
        return con.create_table(_name("kept"), expr)
    return expr.cache()


def drop(con: BaseBackend, table: ir.Table) -> None:
    """Free what :func:`materialize` kept."""
    if con.name == "duckdb":
        op: Any = table.op()  # a database table: its bare name, not the qualified one
        con.drop_table(op.name)
    else:
        table.release()


def _side_by_side(con: BaseBackend, sqls: Iterable[str], fetch: bool) -> list[pa.Table | None]:
    """Run DuckDB statements at once, each on its own cursor; the rows of each, if fetched.

    A grouping's reduction (a few groups, medians) mostly keeps one thread busy, so one
    query at a time left a core idle for half the audit. ``sqls`` may be a generator: each
    statement starts as soon as it is compiled, while Ibis compiles the next (compiling all
    of them first left the engine idle for over half a second).
    """
    raw: Any = con
    threads = int(raw.con.sql("SELECT current_setting('threads')").fetchall()[0][0])

    def run(sql: str) -> pa.Table | None:
        cursor = raw.con.cursor()
        try:
            if not fetch:
                cursor.execute(sql).fetchall()
                return None
            table: pa.Table = cursor.sql(sql).to_arrow_table()
            return table
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return list(pool.map(run, sqls))


def materialize_all(con: BaseBackend, exprs: Sequence[ir.Table]) -> list[ir.Table]:
    """:func:`materialize` for independent tables; DuckDB fills them side by side."""
    if con.name != "duckdb":
        return [materialize(con, expr) for expr in exprs]
    # Created empty with the expression's schema, as Ibis does, so a sum stays a BIGINT.
    tables = [con.create_table(_name("kept"), schema=expr.schema()) for expr in exprs]
    inserts = (
        f"INSERT INTO {table.op().name} {con.compile(expr)}"  # type: ignore[attr-defined]
        for table, expr in zip(tables, exprs, strict=True)
    )
    _side_by_side(con, inserts, fetch=False)
    return tables


def fetch_all(con: BaseBackend, exprs: Sequence[ir.Table]) -> list[pa.Table]:
    """The results of independent queries, in order: side by side on DuckDB (see
    :func:`_side_by_side`), one after the other on Spark, as its scheduler prefers."""
    if con.name != "duckdb":
        return [expr.to_pyarrow() for expr in exprs]
    from ibis.backends.duckdb.converter import DuckDBPyArrowData

    tables = _side_by_side(con, (str(con.compile(expr)) for expr in exprs), fetch=True)
    return [
        expr.__pyarrow_result__(table, data_mapper=DuckDBPyArrowData)
        for expr, table in zip(exprs, tables, strict=True)
    ]
