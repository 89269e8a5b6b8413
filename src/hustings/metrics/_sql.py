"""Show the SQL a metric runs on each engine, compiled from the one expression.

The base tables are built from unbound Ibis tables with the snapshot's schema, so no data
and no connection is needed: the docs and ``--help`` can print DuckDB and Spark SQL side by
side for every metric.
"""

from __future__ import annotations

from functools import cache

import ibis
import ibis.expr.types as ir

from hustings.metrics._bursts import SUMMARY_SCHEMA
from hustings.metrics._directory import (
    AUDITED_SCHEMA,
    RESPONDER_SCHEMA,
    TARGET_SCHEMA,
    Directory,
)
from hustings.metrics._engine import AuditInput, with_ts
from hustings.metrics._params import AuditParams
from hustings.metrics._registry import Metric
from hustings.metrics._tables import build_bases
from hustings.store.parquet import MESSAGE_SCHEMA

__all__ = ["metric_sql"]

_DIALECTS = {"duckdb": "duckdb", "spark": "pyspark"}


@cache
def _base_schemas() -> dict[str, ibis.Schema]:
    messages = ibis.table(ibis.Schema.from_pyarrow(MESSAGE_SCHEMA), name="messages")
    accounts = ibis.table(
        {"platform": "string", "platform_id": "string", "handle_lower": "string"},
        name="accounts",
    )
    tracked = ibis.table({"platform": "string", "handle": "string"}, name="tracked_accounts")
    snaps = ibis.table(
        {
            "platform": "string",
            "account_id": "string",
            "taken_at": "timestamp('UTC')",
            "followers": "int64",
        },
        name="follower_snapshots",
    )
    directory = Directory(
        audited=AUDITED_SCHEMA.empty_table(),
        responders=RESPONDER_SCHEMA.empty_table(),
        targets=TARGET_SCHEMA.empty_table(),
        from_registry=True,
    )
    inp = AuditInput(
        con=None,
        messages=with_ts(None, messages),
        accounts=accounts,  # type: ignore[arg-type]
        tracked=tracked,
        snapshots=snaps,
    )
    bases = build_bases(inp, directory, AuditParams(), 0, 0, 0, cache=False)
    schemas = {
        name: bases.get(name).schema()
        for name in ("own", "gaps", "inbound", "answers", "dialogues", "people", "days")
    }
    schemas["bursts"] = ibis.Schema.from_pyarrow(SUMMARY_SCHEMA)
    return schemas


def metric_sql(metric: Metric, engine: str = "duckdb") -> str:
    """The SQL ``metric`` runs per account on ``engine`` (``duckdb`` or ``spark``)."""
    base: ir.Table = ibis.table(_base_schemas()[metric.base], name=metric.base)
    t = base.mutate(weeks=ibis.literal(1.0), period_days=ibis.literal(7.0))
    if engine == "spark":
        _ = ibis.pyspark  # loading the backend registers the compiler's options
    expr = t.group_by("aid").aggregate(**{metric.name: metric.expr(t)})
    return str(ibis.to_sql(expr, dialect=_DIALECTS[engine]))
