"""Audit what a store holds: snapshot it to Parquet, then score the snapshot."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from hustings.metrics._engine import connect, read_snapshot
from hustings.metrics._params import AuditParams
from hustings.metrics._scope import Scope
from hustings.metrics._scorecard import Scorecard, run_audit
from hustings.store import Store
from hustings.store.parquet import export_parquet

__all__ = ["audit_store"]


def audit_store(
    store: Store,
    params: AuditParams,
    engine: str = "duckdb",
    master: str | None = None,
    progress: Callable[[str], None] | None = None,
    scope: Scope | None = None,
) -> Scorecard:
    """The scorecard of ``store``'s messages, computed on ``engine`` from a fresh snapshot;
    ``scope`` names the accounts the headline speaks for (see :class:`Scope`)."""
    with tempfile.TemporaryDirectory(prefix="hustings-audit-") as tmp:
        export_parquet(store, Path(tmp))
        con = connect(engine, master)
        return run_audit(
            read_snapshot(con, Path(tmp)), params, engine=engine, progress=progress, scope=scope
        )
