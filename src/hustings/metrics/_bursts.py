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
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def kleinberg_two_state(counts: FloatArray, scale: float, gamma: float) -> BoolArray:
    """Burst state per hour for each row of ``counts`` (accounts x hours), by Viterbi."""
    n_acc, n_hours = counts.shape
    totals = counts.sum(axis=1)
    base = np.where(totals > 0, totals / max(n_hours, 1), 1.0)
    rates = np.stack([base, base * scale])
    log_rates = np.log(rates)
    enter = np.full(n_acc, gamma * np.log(max(n_hours, 2)))
    # The automaton starts in the base state: a burst is entered at its cost, even in the
    # first hour (starting free in either state made one post early in the period a burst).
    cost = np.stack([np.zeros(n_acc), np.full(n_acc, np.inf)])
    back = np.zeros((n_hours, 2, n_acc), dtype=np.bool_)
    for h in range(n_hours):
        emit = rates - counts[:, h] * log_rates
        stay0, from1 = cost[0], cost[1]
        back[h, 0] = from1 < stay0
        new0 = np.minimum(stay0, from1) + emit[0]
        up = cost[0] + enter
        back[h, 1] = up < cost[1]
        new1 = np.minimum(up, cost[1]) + emit[1]
        cost = np.stack([new0, new1])
    states = np.zeros((n_acc, n_hours), dtype=np.bool_)
    state = cost[1] < cost[0]
    rows = np.arange(n_acc)
    for h in range(n_hours - 1, -1, -1):
        states[:, h] = state
        # back[h, s] says whether the best path into state s at h came from the other state
        switched = back[h, state.astype(np.int64), rows]
        state = np.where(switched, ~state, state)
    states[totals == 0] = False
    return states


@dataclass(frozen=True)
class BurstResult:
    summary: pa.Table
    bursts: pa.Table
    hourly: pa.Table

    def table(self, con: BaseBackend | None) -> ir.Table:
        return upload(con, self.summary, "bursts")


def _runs(flags: BoolArray) -> list[tuple[int, int]]:
    """Half-open ``[start, end)`` index ranges where ``flags`` is true."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


IntArray = npt.NDArray[np.int64]
Series = dict[int, tuple[IntArray, IntArray]]
"""Per account number (``aid``): snapshot times, ascending, and the follower counts."""


def _followers(snaps: Series, aid: int, start: int, end: int) -> tuple[int | None, int | None]:
    """The last count at or before ``start`` and the first at or after ``end``."""
    if aid not in snaps:
        return None, None
    times, counts = snaps[aid]
    before = int(np.searchsorted(times, start, side="right"))
    after = int(np.searchsorted(times, end, side="left"))
    return (
        int(counts[before - 1]) if before else None,
        int(counts[after]) if after < len(times) else None,
    )


def _snapshots(inp: AuditInput, audited: pa.Table) -> Series:
    """Follower counts over time per audited account (joined, not an ``IN`` list of ids),
    split into one slice of the sorted columns per account."""
    if audited.num_rows == 0:
        return {}
    ids = upload(inp.con, audited.select(["platform", "account_id", "aid"]), "snapshot_ids")
    s = inp.snapshots
    rows = (
        s.join(ids, ["platform", "account_id"])
        .select("aid", "followers", ts=s.taken_at.epoch_seconds().cast("int64"))
        .order_by(["aid", "ts"])
        .to_pyarrow()
    )
    aid, ts, followers = (rows[c].to_numpy().astype(np.int64) for c in ("aid", "ts", "followers"))
    edges = np.flatnonzero(np.diff(aid)) + 1
    bounds = zip(np.r_[0, edges].tolist(), np.r_[edges, len(aid)].tolist(), strict=True)
    return {int(aid[a]): (ts[a:b], followers[a:b]) for a, b in bounds if b > a}


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
    n_hours = max((hi - first) // HOUR + 1, 1)
    counts = np.zeros((audited.num_rows, n_hours))
    # Arrow to numpy without Python objects: a 10-million-message audit has millions of cells.
    rows = pc.index_in(hourly.column("aid"), value_set=audited.column("aid")).to_numpy()
    hours = np.clip(hourly.column("hour").to_numpy(), 0, n_hours - 1)
    np.add.at(counts, (rows, hours), hourly.column("n").to_numpy().astype(float))
    states = kleinberg_two_state(counts, params.burst_scale, params.burst_gamma)
    baseline = counts.sum(axis=1) / n_hours
    window = np.ones(min(6, n_hours))
    six = np.array([np.convolve(row, window, "valid").max() if n_hours else 0 for row in counts])
    peak = counts.max(axis=1) if n_hours else np.zeros(audited.num_rows)
    flood = (six >= params.flood_posts_6h) | (
        (six >= params.flood_baseline_factor * baseline * 6) & (six >= params.flood_min_posts_6h)
    )
    snaps = _snapshots(inp, audited)
    attrs = audited.to_pylist()
    summary: list[dict[str, Any]] = []
    bursts: list[dict[str, Any]] = []
    for i, acc in enumerate(attrs):
        changes = []
        runs = _runs(states[i])
        for start, end in runs:
            t0, t1 = first + start * HOUR, first + end * HOUR
            before, after = _followers(snaps, acc["aid"], t0, t1)
            change = after - before if before is not None and after is not None else None
            if change is not None:
                changes.append(change)
            bursts.append(
                {
                    "akey": acc["akey"],
                    "handle": acc["handle"],
                    "party": acc["party"],
                    "start_ts": t0,
                    "end_ts": t1,
                    "hours": end - start,
                    "posts": int(counts[i, start:end].sum()),
                    "followers_before": before,
                    "followers_after": after,
                    "follower_change": change,
                }
            )
        summary.append(
            {
                **acc,
                "bursts": len(runs),
                "peak_posts_per_hour": float(peak[i]),
                "peak_to_baseline": float(peak[i] / baseline[i]) if baseline[i] > 0 else None,
                "max_posts_6h": float(six[i]),
                "flood": bool(flood[i]),
                "follower_change": float(sum(changes)) if changes else None,
            }
        )
    return BurstResult(
        summary=pa.Table.from_pylist(summary, schema=SUMMARY_SCHEMA),
        bursts=pa.Table.from_pylist(bursts, schema=_BURST_SCHEMA),
        hourly=pa.table(
            {"akey": audited.column("akey").take(rows), "hour": hourly["hour"], "n": hourly["n"]}
        ),
    )
