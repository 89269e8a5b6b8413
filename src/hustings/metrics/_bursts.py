"""Bursts, peaks and floods on each account's hourly posting counts, in numpy.

The engine reduces the posting stream to hourly counts per account (a few thousand numbers
an account); the burst model then runs here, in plain numpy, because Kleinberg's automaton is
a dynamic programme over time that neither SQL engine expresses well. The result goes back
to the engine as a small table so that the burst metrics group like every other metric.

The model is Kleinberg's (2002) two-state automaton on batched counts with Poisson
emissions: a base state whose rate is the account's mean posts per hour over the period and
a burst state at ``burst_scale`` times that rate; entering the burst state costs
``burst_gamma * ln(n)`` for a period of ``n`` hours (Kleinberg's batched form), leaving it
is free. The Viterbi path
gives the burst hours; consecutive burst hours form one burst.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends import BaseBackend

from hustings.metrics._directory import AUDITED_SCHEMA
from hustings.metrics._engine import AuditInput, upload
from hustings.metrics._kleinberg import flooded, kleinberg_two_state
from hustings.metrics._params import AuditParams

__all__ = ["SUMMARY_SCHEMA", "BurstResult", "compute_bursts", "kleinberg_two_state"]

SUMMARY_SCHEMA = pa.schema(
    [
        *AUDITED_SCHEMA,
        ("bursts", pa.int64()),
        ("peak_posts_per_hour", pa.float64()),
        ("peak_to_baseline", pa.float64()),
        ("max_posts_6h", pa.float64()),
        ("flood", pa.bool_()),
        ("follower_change", pa.float64()),
    ]
)
"""The per-account table the burst metrics reduce."""
_BURST_SCHEMA = pa.schema(
    [
        ("akey", pa.string()),
        ("handle", pa.string()),
        ("party", pa.string()),
        ("start_ts", pa.int64()),
        ("end_ts", pa.int64()),
        ("hours", pa.int64()),
        ("posts", pa.int64()),
        ("followers_before", pa.int64()),
        ("followers_after", pa.int64()),
        ("follower_change", pa.int64()),
    ]
)

HOUR = 3600


@dataclass(frozen=True)
class BurstResult:
    summary: pa.Table
    bursts: pa.Table
    hourly: pa.Table

    def table(self, con: BaseBackend | None) -> ir.Table:
        return upload(con, self.summary, "bursts")


IntArray = npt.NDArray[np.int64]


def _snapshots(inp: AuditInput, audited: pa.Table) -> tuple[IntArray, IntArray, IntArray]:
    """Follower counts of the audited accounts (joined, not an ``IN`` list of ids): each
    snapshot's account row in ``audited``, epoch second and count, sorted by row and time."""
    if audited.num_rows == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    ids = upload(inp.con, audited.select(["platform", "account_id", "aid"]), "snapshot_ids")
    s = inp.snapshots
    rows = (
        s.join(ids, ["platform", "account_id"])
        .select("aid", "followers", ts=s.taken_at.epoch_seconds().cast("int64"))
        .to_pyarrow()
    )
    row = _rows_of(rows.column("aid"), audited)
    ts, followers = (rows[c].to_numpy().astype(np.int64) for c in ("ts", "followers"))
    order = np.lexsort((ts, row))
    return row[order], ts[order], followers[order]


def _rows_of(aid: pa.ChunkedArray, audited: pa.Table) -> IntArray:
    """Each account number's row in ``audited``."""
    index = pc.index_in(aid, value_set=audited.column("aid"))
    return np.asarray(index.to_numpy(), dtype=np.int64)


def _around(
    snaps: tuple[IntArray, IntArray, IntArray], acc: IntArray, t0: IntArray, t1: IntArray
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """For each burst (account row ``acc``, from ``t0`` to ``t1``): the account's last
    follower count at or before ``t0`` and its first at or after ``t1``; NaN where none.

    All bursts are looked up at once, by binary search on one key that orders snapshots by
    account row, then time (a search per burst, in Python, took a tenth of the bursts step).
    """
    row, ts, followers = snaps
    before, after = np.full(len(acc), np.nan), np.full(len(acc), np.nan)
    if len(row) == 0 or len(acc) == 0:
        return before, after
    origin = min(int(ts.min()), int(t0.min()))
    stride = max(int(ts.max()), int(t1.max())) - origin + 1
    key = row * stride + (ts - origin)
    i = np.searchsorted(key, acc * stride + (t0 - origin), side="right") - 1
    j = np.searchsorted(key, acc * stride + (t1 - origin), side="left")
    found_i = (i >= 0) & (row[np.clip(i, 0, None)] == acc)
    found_j = (j < len(row)) & (row[np.clip(j, None, len(row) - 1)] == acc)
    before[found_i] = followers[i[found_i]]
    after[found_j] = followers[j[found_j]]
    return before, after


def _column(values: npt.NDArray[Any], kind: pa.DataType) -> pa.Array:
    """``values`` as an Arrow column, NaN as null."""
    missing = np.isnan(values) if values.dtype.kind == "f" else None
    filled = np.where(missing, 0, values) if missing is not None else values
    return pa.array(filled, mask=missing).cast(kind)


def _table(accounts: pa.Table, values: dict[str, npt.NDArray[Any]], schema: pa.Schema) -> pa.Table:
    """``schema``'s columns: the accounts' own, then ``values`` (NaN as null)."""
    return pa.table(
        [
            accounts.column(f.name)
            if f.name in accounts.column_names
            else _column(values[f.name], f.type)
            for f in schema
        ],
        schema=schema,
    )


def compute_bursts(
    inp: AuditInput, own: ir.Table, audited: pa.Table, params: AuditParams, lo: int, hi: int
) -> BurstResult:
    """Hourly counts from the engine, then bursts, peaks, floods and follower changes.

    Hours are clock hours (from the start of the hour the period begins in), as the peak's
    definition says, not hours counted from the period's first second.
    """
    first = lo - lo % HOUR
    hourly = (
        own.mutate(hour=((own.ts - first) // HOUR).cast("int64"))
        .group_by(["aid", "hour"])
        .aggregate(n=lambda t: t.count())
        .to_pyarrow()
    )
    n_acc, n_hours = audited.num_rows, max((hi - first) // HOUR + 1, 1)
    # Arrow to numpy without Python objects: a 10-million-message audit has millions of cells,
    # summed into the matrix by bincount (``np.add.at`` took ten times as long).
    rows = _rows_of(hourly.column("aid"), audited)
    hours = np.clip(hourly.column("hour").to_numpy(), 0, n_hours - 1)
    cells = rows * n_hours + hours
    weights = hourly.column("n").to_numpy()
    summed = np.bincount(cells, weights=weights, minlength=n_acc * n_hours)
    counts = np.asarray(summed, dtype=np.float64).reshape(n_acc, n_hours)
    states = kleinberg_two_state(counts, params.burst_scale, params.burst_gamma)
    baseline = counts.sum(axis=1) / n_hours
    # Running sums: the posts in any span of hours is a difference of two of them.
    running = np.concatenate([np.zeros((n_acc, 1)), counts.cumsum(axis=1)], axis=1)
    width = min(6, n_hours)
    six = (running[:, width:] - running[:, :-width]).max(axis=1)
    peak = counts.max(axis=1)
    flood = flooded(six, baseline, params)
    # Each burst is a run of burst hours: it starts where the state goes up, ends where it
    # goes down; row-major order gives them by account, then time, and pairs the two.
    edges = np.diff(np.pad(states.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    acc, start = np.nonzero(edges == 1)
    end = np.nonzero(edges == -1)[1]
    t0, t1 = first + start * HOUR, first + end * HOUR
    before, after = _around(_snapshots(inp, audited), acc, t0, t1)
    change = after - before
    known = ~np.isnan(change)
    changed = np.bincount(acc[known], minlength=n_acc) > 0
    change_sum = np.bincount(acc[known], weights=change[known], minlength=n_acc)
    summary = {
        "bursts": np.bincount(acc, minlength=n_acc),
        "peak_posts_per_hour": peak,
        "peak_to_baseline": np.divide(
            peak, baseline, out=np.full(n_acc, np.nan), where=baseline > 0
        ),
        "max_posts_6h": six,
        "flood": flood,
        "follower_change": np.where(changed, change_sum, np.nan),
    }
    runs = {
        "start_ts": t0,
        "end_ts": t1,
        "hours": end - start,
        "posts": running[acc, end] - running[acc, start],
        "followers_before": before,
        "followers_after": after,
        "follower_change": change,
    }
    return BurstResult(
        summary=_table(audited, summary, SUMMARY_SCHEMA),
        bursts=_table(audited.take(acc), runs, _BURST_SCHEMA),
        hourly=pa.table(
            {"akey": audited.column("akey").take(rows), "hour": hourly["hour"], "n": hourly["n"]}
        ),
    )
