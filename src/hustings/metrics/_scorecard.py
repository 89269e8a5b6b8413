"""Run the registry over the base tables for every grouping, and rank by the dialogue score.

Each grouping (account, party, role, riding, week, party and week) reduces the same base
tables by different keys. Each base table is read once per account (and once per account
and week) into cells, from which every grouping rolls up (see
:mod:`hustings.metrics._rollup`); only the quantiles re-read the base table per grouping.
The small results are joined in pandas.

**Dialogue score** (0-100): the weighted mean of five parts, each in [0, 1], over the parts
the account has (a part is missing, not zero, when its denominator is empty, e.g. no inbound
messages): replies to others (reply share without self-threads) 25 %, response rate within
72 h 25 %, reciprocity 20 %, speed 15 % (1 / (1 + median hours to first response / 24), so
1 for an instant answer and 0.5 for a day) and repeat dialogue 15 %.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from hustings.errors import HustingsError
from hustings.metrics._bursts import BurstResult, compute_bursts
from hustings.metrics._directory import ACCOUNT_ATTRS, PUBLIC_KINDS, resolve_directory
from hustings.metrics._engine import AuditInput, drop, fetch_all, materialize_all
from hustings.metrics._params import AuditParams
from hustings.metrics._registry import BASES, Metric, all_metrics
from hustings.metrics._rollup import Rollup, plan_rollup
from hustings.metrics._scope import FOCUS, Scope
from hustings.metrics._tables import DAY, Bases, build_bases

__all__ = [
    "GROUPINGS",
    "SCORE_DEFINITION",
    "SCORE_PARTS",
    "SCORE_WEIGHTS",
    "Scorecard",
    "dialogue_score",
    "run_audit",
    "to_records",
]

SCORE_WEIGHTS = {
    "replies_to_others": 0.25,
    "response_rate_72h": 0.25,
    "reciprocity": 0.20,
    "speed": 0.15,
    "repeat_dialogue": 0.15,
}
SCORE_DEFINITION = (
    "Dialogue score (0-100): the weighted mean, over the parts an account has, of replies to "
    "others (reply share without self-threads, 25%), response rate within 72 h (25%), "
    "reciprocity (20%), speed = 1 / (1 + median hours to first response / 24) (15%) and "
    "repeat dialogue (15%). A part with no data is left out, not counted as zero."
)
SCORE_PARTS = {
    "replies_to_others": "Score part: replies to others",
    "response_rate_72h": "Score part: response rate within 72 h",
    "reciprocity": "Score part: reciprocity",
    "speed": "Score part: speed",
    "repeat_dialogue": "Score part: repeat dialogue",
}
"""The title of each part of the dialogue score (column ``part_<name>``), as reports print it."""
GROUPINGS: dict[str, tuple[str, ...]] = {
    "account": ACCOUNT_ATTRS,
    "all": ("scope",),
    "party": ("party",),
    "role": ("role",),
    "district": ("district",),
    "week": ("week",),
    "party_week": ("party", "week"),
}

Progress = Callable[[str], None]


@dataclass
class Scorecard:
    """Every table the audit produces, plus what a reader needs to trust them."""

    accounts: pd.DataFrame
    groups: dict[str, pd.DataFrame]
    waiting: pd.DataFrame
    bursts: pd.DataFrame
    hourly: pd.DataFrame
    response_times: pd.DataFrame
    metrics: list[Metric]
    params: AuditParams
    engine: str
    since: datetime
    until: datetime
    waiting_total: int
    timings: dict[str, float] = field(default_factory=dict)
    scope: Scope | None = None

    @property
    def headline(self) -> pd.Series:
        """Every metric over the accounts in scope as one group (all accounts without a
        scope): the numbers a report leads with."""
        if self.scope is not None and FOCUS in self.groups:
            frame = self.groups[FOCUS]
            frame = frame[frame[FOCUS].astype(bool)]
        else:
            frame = self.groups.get("all", pd.DataFrame())
        return frame.iloc[0] if len(frame) else pd.Series(dtype=object)

    @property
    def in_scope(self) -> pd.DataFrame:
        """The accounts in scope (every account without a scope), best score first."""
        if self.scope is None or FOCUS not in self.accounts.columns:
            return self.accounts
        return self.accounts[self.accounts[FOCUS].astype(bool)]

    @property
    def league(self) -> pd.DataFrame:
        cols = [
            "platform",
            "handle",
            "party",
            "role",
            "dialogue_score",
            *(f"part_{p}" for p in SCORE_WEIGHTS),
            "messages",
            "inbound",
        ]
        league = self.accounts[[c for c in cols if c in self.accounts.columns]]
        return league.sort_values("dialogue_score", ascending=False, na_position="last")

    def window_text(self) -> str:
        return f"{self.since:%Y-%m-%d %H:%M} to {self.until:%Y-%m-%d %H:%M} UTC"


def dialogue_score(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``part_*`` columns and the ``dialogue_score`` they average (see module docs)."""
    out = frame.copy()

    def col(name: str) -> pd.Series:
        if name in out.columns:
            return pd.to_numeric(out[name], errors="coerce")
        return pd.Series(float("nan"), index=out.index)

    parts = {
        "replies_to_others": col("reply_share") - col("reply_share_self"),
        "response_rate_72h": col("response_rate_72h"),
        "reciprocity": col("reciprocity"),
        "speed": 1.0 / (1.0 + col("median_first_response_min") / 60.0 / 24.0),
        "repeat_dialogue": col("repeat_dialogue"),
    }
    total = pd.Series(0.0, index=out.index)
    weight = pd.Series(0.0, index=out.index)
    for name, values in parts.items():
        out[f"part_{name}"] = values
        present = values.notna()
        total = total + values.fillna(0.0) * SCORE_WEIGHTS[name]
        weight = weight + present * SCORE_WEIGHTS[name]
    out["dialogue_score"] = (100.0 * total / weight.where(weight > 0)).round(1)
    return out


def _reduction(t: ir.Table, keys: Sequence[str], metrics: list[Metric]) -> ir.Table:
    t = t.mutate(scope=ibis.literal("all"))
    return t.group_by(list(keys)).aggregate(**{m.name: m.expr(t) for m in metrics})


def _whole_period(t: ir.Table, lo: int, hi: int) -> ir.Table:
    """The group's period is the audit period: its calendar days and (fractional) weeks."""
    days = float(hi // DAY - lo // DAY + 1)
    return t.mutate(weeks=ibis.literal(days / 7.0), period_days=ibis.literal(days))


def _weekly(t: ir.Table, lo: int, hi: int) -> ir.Table:
    """The group's period is the row's week, clipped to the audit period.

    A partial first or last week counts only its days in the period (so per-week rates and
    active days are not diluted by days nobody looked at), and silences are cut at the
    week's edges: ``gap`` runs back at most to the week's start, ``tail`` on at most to its
    end, so a weekly longest silence never exceeds the week.
    """
    first, last = ibis.greatest(t.week // DAY, lo // DAY), ibis.least(t.week // DAY + 6, hi // DAY)
    days = (last - first + 1).cast("float64")
    t = t.mutate(weeks=days / 7.0, period_days=days)
    if "gap" in t.columns:
        start, end = ibis.greatest(t.week, lo), ibis.least(t.week + 7 * DAY, hi)
        t = t.mutate(gap=ibis.least(t.gap, t.ts - start), tail=ibis.least(t.tail, end - t.ts))
    return t


def _with_attrs(bases: Bases, table: ir.Table, keys: Sequence[str]) -> ir.Table | None:
    """``table`` with the account attributes among ``keys`` joined in; None when a key is
    neither a column nor an attribute (a week grouping of a table without weeks)."""
    missing = [k for k in keys if k not in table.columns and k != "scope"]
    if not set(missing) <= {*ACCOUNT_ATTRS, FOCUS}:
        return None
    return table.join(bases.attrs.select("aid", *missing), "aid") if missing else table


@dataclass
class _Base:
    """One base table's plan for a set of groupings that share a period rule.

    ``cells`` is None when they are the base's week cells regrouped by account (see
    :func:`_plans`), known only once those are stored.
    """

    base: str
    keys: dict[str, tuple[str, ...]]
    rollup: Rollup
    cells: ir.Table | None
    direct: dict[str, ir.Table]
    weekly: bool


_PERIOD_COLUMNS = ("weeks", "period_days", "gap", "tail")
"""The columns :func:`_weekly` and :func:`_whole_period` set differently."""


def _plan(
    bases: Bases,
    table: ir.Table,
    base: str,
    plans: dict[str, tuple[str, ...]],
    metrics: list[Metric],
    weekly: bool,
) -> _Base | None:
    """Cells by account (and week, for the week groupings), and the direct reductions."""
    keys = {name: k for name, k in plans.items() if ("week" in k) == weekly}
    cell_keys = ["aid", "week"] if weekly else ["aid"]
    if not keys or not set(cell_keys) <= set(table.columns):
        return None
    period = _weekly if weekly else _whole_period
    t = period(table, bases.lo, bases.hi)
    rollup = plan_rollup(t, metrics)
    direct = {}
    for name, k in keys.items():
        joined = _with_attrs(bases, table, k) if rollup.direct else None
        if joined is not None:
            direct[name] = _reduction(period(joined, bases.lo, bases.hi), k, rollup.direct)
    cells = t.group_by(cell_keys).aggregate(**rollup.parts)
    return _Base(base, keys, rollup, cells, direct, weekly)


def _plans(
    bases: Bases,
    table: ir.Table,
    base: str,
    plans: dict[str, tuple[str, ...]],
    metrics: list[Metric],
) -> list[_Base]:
    """The base's plans for the whole period and by week.

    When no cell part reads a column the period rule sets (the inbound counts and rates),
    an account's cells are the sum (or maximum) of its week cells, and the base's rows are
    reduced once instead of twice: at ten million messages, a pass over the six million
    inbound rows saved.
    """
    whole, weekly = (_plan(bases, table, base, plans, metrics, w) for w in (False, True))
    if whole and weekly and not weekly.rollup.reads(_PERIOD_COLUMNS):
        whole = replace(whole, rollup=weekly.rollup, cells=None)
    return [p for p in (whole, weekly) if p is not None]


def _roll(bases: Bases, plan: _Base, cells: ir.Table) -> dict[str, ir.Table]:
    """Each grouping's rollable metrics, reduced from the cells."""
    out = {}
    for name, keys in plan.keys.items():
        joined = _with_attrs(bases, cells, keys)
        if joined is None or not plan.rollup.rolled:
            continue
        c = joined.mutate(scope=ibis.literal("all"))
        out[name] = c.group_by(list(keys)).aggregate(
            **{metric: over(c) for metric, over in plan.rollup.rolled.items()}
        )
    return out


def _merge(
    frames: list[pd.DataFrame],
    keys: Sequence[str],
    metrics: list[Metric],
    skeleton: pd.DataFrame | None,
) -> pd.DataFrame:
    """One grouping's table: its reductions side by side, empty groups given ``m.empty``,
    metrics in the registry's order of base tables."""
    merged = skeleton
    for frame in frames:
        merged = frame if merged is None else merged.merge(frame, on=list(keys), how="outer")
    assert merged is not None
    for m in metrics:
        if m.name in merged.columns and m.empty is not None:
            merged[m.name] = merged[m.name].fillna(m.empty)
    names = [m.name for b in BASES for m in metrics if m.base == b and m.name in merged.columns]
    return merged[[c for c in merged.columns if c not in names] + names]


def _cells(inp: AuditInput, planned: list[_Base]) -> tuple[list[ir.Table], list[ir.Table]]:
    """Each plan's cells, and the tables stored for them (to drop when done): the cells
    a plan defines are stored side by side; the rest are their base's week cells regrouped."""
    stored = materialize_all(inp.con, [p.cells for p in planned if p.cells is not None])
    made = iter(stored)
    kept = {id(p): next(made) for p in planned if p.cells is not None}
    weekly = {p.base: kept[id(p)] for p in planned if p.weekly and id(p) in kept}
    cells = [
        kept[id(p)] if id(p) in kept else p.rollup.regroup(weekly[p.base], ["aid"]) for p in planned
    ]
    return cells, stored


def _groupings(
    inp: AuditInput,
    bases: Bases,
    tables: dict[str, ir.Table],
    plans: dict[str, tuple[str, ...]],
    metrics: list[Metric],
    skeleton: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Every grouping's table, in two rounds of queries that each go to the engine at once
    (see fetch_all): the cells, then the roll-ups of the cells and the direct reductions."""
    planned = [
        p
        for base in BASES
        if (chosen := [m for m in metrics if m.base == base])
        for p in _plans(bases, tables[base], base, plans, chosen)
    ]
    cells, stored = _cells(inp, planned)
    queries = [(name, q) for p in planned for name, q in p.direct.items()] + [
        (name, query)
        for p, c in zip(planned, cells, strict=True)
        for name, query in _roll(bases, p, c).items()
    ]
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in plans}
    for (name, _), table in zip(queries, fetch_all(inp.con, [q for _, q in queries]), strict=True):
        frames[name].append(table.to_pandas())
    for table in stored:
        drop(inp.con, table)
    return {
        name: _merge(parts, plans[name], metrics, skeleton if name == "account" else None)
        for name, parts in frames.items()
    }


def _period(inp: AuditInput, params: AuditParams) -> tuple[int, int, int]:
    m = inp.messages
    row = m.aggregate(lo=m.ts.min(), hi=m.ts.max()).to_pyarrow().to_pylist()[0]
    if row["lo"] is None:
        row = {"lo": 0, "hi": 0}
    lo = int(params.since.timestamp()) if params.since else int(row["lo"])
    hi = int(params.until.timestamp()) if params.until else int(row["hi"])
    return lo, hi, max(int(row["hi"]), hi)


def _texts(messages: ir.Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The text and the sender's handle of the messages in ``frame`` (by ``platform_id``,
    sent at epoch second ``ts``).

    Bounded in time as well as by id, so that the engine skips the files and row groups (by
    their statistics) that cannot hold these messages: looked up by id alone, the texts of a
    10-million-message audit took half of the lists' time.
    """
    ids = frame["platform_id"].unique().tolist() or [""]
    first, last = (int(frame["ts"].min()), int(frame["ts"].max())) if len(frame) else (0, 0)
    sent = messages.created_at
    found = messages.filter(
        messages.platform_id.isin(ids),
        sent >= ibis.literal(datetime.fromtimestamp(first, UTC), sent.type()),
        sent < ibis.literal(datetime.fromtimestamp(last + 1, UTC), sent.type()),
    ).select("platform", "platform_id", "text", person_handle="author_handle")
    texts: pd.DataFrame = found.to_pyarrow().to_pandas()
    return texts.drop_duplicates(["platform", "platform_id"])


def _waiting(b: Bases, messages: ir.Table, limit: int) -> tuple[pd.DataFrame, int]:
    """The longest waits; the account's attributes, the text and the sender's handle are
    looked up for these rows only."""
    w = b.inbound.filter(b.inbound.waiting)
    total = int(w.count().to_pyarrow().as_py())
    rows = (
        w.order_by([ibis.desc("wait_hours"), "platform_id"])
        .limit(limit)
        .select("aid", "person_id", "ikind", "ts", "wait_hours", "platform_id")
    )
    frame: pd.DataFrame = rows.to_pyarrow().to_pandas()
    texts = _texts(messages, frame)
    frame["sent_at"] = pd.to_datetime(frame.pop("ts"), unit="s", utc=True)
    attrs = b.directory.audited.select(["aid", "platform", "handle", "party"]).to_pandas()
    frame = frame.merge(attrs, on="aid", how="left").drop(columns="aid")
    frame.insert(0, "platform", frame.pop("platform"))
    return frame.merge(texts, on=["platform", "platform_id"], how="left"), total


def _response_times(b: Bases) -> pd.DataFrame:
    """Counts by (party, log2 minute bucket): small whatever the data size."""
    t = b.answers.join(b.attrs.select("aid", "party"), "aid")
    bucket = (t.response_min + 1).log2().floor().cast("int64")
    agg = t.group_by([t.party, bucket.name("bucket")]).aggregate(n=t.count())
    frame: pd.DataFrame = agg.to_pyarrow().to_pandas()
    frame["from_min"] = 2.0 ** frame["bucket"] - 1
    return frame


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    if "week" in frame.columns:
        frame["week"] = pd.to_datetime(frame["week"], unit="s", utc=True).dt.date
    return frame


def run_audit(
    inp: AuditInput,
    params: AuditParams | None = None,
    engine: str = "duckdb",
    metrics: Sequence[Metric] | None = None,
    waiting_limit: int = 500,
    progress: Progress | None = None,
    cache: bool = True,
    groupings: Sequence[str] | None = None,
    scope: Scope | None = None,
) -> Scorecard:
    """Compute the scorecard: every metric for every grouping, the league and the lists.

    ``groupings`` narrows the groupings computed besides ``account`` (default: all of them).
    ``scope`` adds the ``focus`` grouping (the accounts in scope as one group, and the rest)
    and a ``focus`` column to the accounts; a scope that matches no account raises.
    """
    params = params or AuditParams()
    chosen = list(metrics or all_metrics())
    say = progress or (lambda _: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        say(name)

    lo, hi, as_of = _period(inp, params)
    directory = resolve_directory(inp, lo, hi, params.min_posts)
    if directory.audited.num_rows == 0:
        raise HustingsError(
            "no account to audit: none in the registry is in the data"
            if directory.from_registry
            else f"no account has {params.min_posts} or more public messages in the period "
            "(lower --min-posts, or load a registry with --accounts)"
        )
    focus = scope.select(directory.audited.to_pylist()) if scope is not None else None
    lap("directory")
    bases = build_bases(inp, directory, params, lo, hi, as_of, cache=cache)
    if focus is not None:
        attrs = bases.attrs.mutate(**{FOCUS: bases.attrs.akey.isin(sorted(focus))})
        bases = replace(bases, attrs=attrs)
    lap("base tables")
    burst = compute_bursts(
        inp, bases.own.filter(bases.own.kind.isin(PUBLIC_KINDS)), directory.audited, params, lo, hi
    )
    lap("bursts")
    tables = {name: bases.get(name) for name in BASES if name != "bursts"}
    tables["bursts"] = burst.table(inp.con)
    plans = {"account": ("aid",)} | {
        name: keys
        for name, keys in GROUPINGS.items()
        if name != "account" and (groupings is None or name in groupings)
    }
    skeleton = directory.audited.to_pandas()
    if focus is not None:
        plans[FOCUS] = (FOCUS,)
        skeleton[FOCUS] = skeleton["akey"].isin(focus)
    frames = _groupings(inp, bases, tables, plans, chosen, skeleton)
    accounts = dialogue_score(frames.pop("account").drop(columns="aid"))
    groups = {name: dialogue_score(_dates(frame)) for name, frame in frames.items()}
    lap("groupings")
    waiting, waiting_total = _waiting(bases, inp.messages, waiting_limit)
    response_times = _response_times(bases)
    lap("lists")
    return Scorecard(
        accounts=accounts.sort_values("dialogue_score", ascending=False, na_position="last"),
        groups=groups,
        waiting=waiting,
        bursts=_burst_frame(burst),
        hourly=burst.hourly.to_pandas(),
        response_times=response_times,
        metrics=chosen,
        params=params,
        engine=engine,
        since=datetime.fromtimestamp(lo, UTC),
        until=datetime.fromtimestamp(hi, UTC),
        waiting_total=waiting_total,
        timings=timings,
        scope=scope,
    )


def _burst_frame(burst: BurstResult) -> pd.DataFrame:
    frame: pd.DataFrame = burst.bursts.to_pandas()
    for col in ("start_ts", "end_ts"):
        frame[col.replace("_ts", "")] = pd.to_datetime(frame.pop(col), unit="s", utc=True)
    return frame


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values (NaN becomes None) for JSON output."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [dict(r) for r in clean.to_dict(orient="records")]
