"""The dialogic scorecard: engagement metrics as Ibis expressions, run on DuckDB or Spark.

Read a Parquet snapshot (``hustings.store.parquet.export_parquet``) with :func:`read_snapshot`
on a backend from :func:`connect`, then :func:`run_audit` computes every registered metric
per account, party, role, riding and week, the league table by dialogue score, the
waiting-people list and the bursts. Every metric is a frozen :class:`Metric` in one registry
(:func:`all_metrics`); its ``definition`` is what every output prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hustings._lazy import lazy_getattr
from hustings.metrics._params import ENGINES, AuditParams, Denominator

if TYPE_CHECKING:
    from hustings.metrics._engine import AuditInput, connect, read_snapshot
    from hustings.metrics._registry import (
        Direction,
        Metric,
        all_metrics,
        get_metric,
        register_metric,
    )
    from hustings.metrics._scope import Scope
    from hustings.metrics._scorecard import (
        GROUPINGS,
        SCORE_DEFINITION,
        SCORE_PARTS,
        SCORE_WEIGHTS,
        Scorecard,
        dialogue_score,
        run_audit,
        to_records,
    )
    from hustings.metrics._sql import metric_sql
    from hustings.metrics._store import audit_store
    from hustings.metrics._titles import COLUMN_TITLES, column_title, inbound_kind_title

_HOMES = {
    **dict.fromkeys(["AuditInput", "connect", "read_snapshot"], "_engine"),
    **dict.fromkeys(
        ["Direction", "Metric", "all_metrics", "get_metric", "register_metric"], "_registry"
    ),
    **dict.fromkeys(
        [
            "GROUPINGS",
            "SCORE_DEFINITION",
            "SCORE_PARTS",
            "SCORE_WEIGHTS",
            "Scorecard",
            "dialogue_score",
            "run_audit",
            "to_records",
        ],
        "_scorecard",
    ),
    "Scope": "_scope",
    **dict.fromkeys(["COLUMN_TITLES", "column_title", "inbound_kind_title"], "_titles"),
    "metric_sql": "_sql",
    "audit_store": "_store",
}


# The engine-bound parts (Ibis, pandas, DuckDB) take a second and a half to import.
__getattr__ = lazy_getattr(__name__, _HOMES, globals())

__all__ = [
    "COLUMN_TITLES",
    "ENGINES",
    "GROUPINGS",
    "SCORE_DEFINITION",
    "SCORE_PARTS",
    "SCORE_WEIGHTS",
    "AuditInput",
    "AuditParams",
    "Denominator",
    "Direction",
    "Metric",
    "Scope",
    "Scorecard",
    "all_metrics",
    "audit_store",
    "column_title",
    "connect",
    "dialogue_score",
    "get_metric",
    "inbound_kind_title",
    "metric_sql",
    "read_snapshot",
    "register_metric",
    "run_audit",
    "to_records",
]
