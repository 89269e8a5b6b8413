"""The complete dialogic scorecard in plain pandas: the audit benchmark's comparison baseline.

This is the code a competent analyst would write to get what ``hustings audit`` gives, without
Hustings' engine: read the Parquet snapshot into DataFrames, then merges, sorts, ``shift``
and ``groupby().agg`` wherever an analyst naturally vectorises, and a numpy loop only where
the algorithm is one (Kleinberg's automaton, reused from ``hustings.metrics._bursts`` because
it is the same algorithm). It mirrors, definition by definition:

* ``hustings.metrics._directory``: who is audited (the registry, staff folded into the
  account they work for; else every author with ``min_posts`` public messages), who answers
  for whom, and what each reply target is;
* ``hustings.metrics._tables``: the base tables ``own``, ``inbound`` (with its first human
  response: a direct reply, a public reply to the person in the same conversation, or a later
  message in the same private conversation; automation excluded; context records neither
  own output nor inbound), ``dialogues``, ``people`` and ``days``; business hours; weeks;
* ``hustings.metrics._defs``: every registered metric, as a reduction per grouping;
* ``hustings.metrics._bursts``: hourly counts, bursts, peaks, floods, follower change;
* ``hustings.metrics._scorecard``: the groupings (account, all, party, role, district, week,
  party and week), the dialogue score (``dialogue_score`` reused: it is pandas already), the
  waiting list and the response-time distribution.

``benchmarks/audit_check.py`` (``audit.py --check``) compares its output with ``run_audit``'s,
metric by metric: on the 1 M-message benchmark snapshot every value of every metric, grouping
and list agrees, and ``tests/metrics/test_pandas_baseline.py`` keeps it so on the hand-made
conversations. Ties are the one allowed difference: the waiting list may cut a tie at its
500th row on another message of the same wait.
The base tables are built in ``audit_pandas_tables.py``; the reductions, groupings and
lists are here.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit_pandas_tables import DAY, WINDOWS, build_bases, bursts_tables, directory, load

from hustings.metrics import AuditParams, Scorecard, all_metrics, dialogue_score
from hustings.metrics._directory import ACCOUNT_ATTRS

__all__ = ["pandas_scorecard"]

KINDS = {"post": "posts", "reply": "replies", "quote": "quotes", "repost": "reposts"}
TARGETS = ("citizens", "own_party", "other_parties", "media", "self")
INBOUND_KINDS = ("mention", "reply", "dm", "comment", "email")
GROUPINGS = {
    "all": ["scope"],
    "party": ["party"],
    "role": ["role"],
    "district": ["district"],
    "week": ["week"],
    "party_week": ["party", "week"],
}


# --- reductions (hustings.metrics._defs), one per base table ----------------------------------


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """A share: missing, not zero, when nothing is counted."""
    return num / den.where(den > 0)


def _sums(t: pd.DataFrame, keys: list[str], flags: dict[str, pd.Series]) -> pd.DataFrame:
    frame = pd.DataFrame({name: flag.astype("int64") for name, flag in flags.items()})
    return frame.join(t[keys]).groupby(keys, dropna=False).sum()


def own_metrics(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    authored = t["authored"]
    s = _sums(
        t,
        keys,
        {
            "messages": pd.Series(1, index=t.index),
            "authored": authored,
            **{label: t["kind"] == kind for kind, label in KINDS.items()},
            "broadcast_share": authored & ~t["is_reply"],
            "reply_share": authored & t["is_reply"],
            **{f"reply_share_{g}": authored & (t["target"] == g) for g in TARGETS},
            "asks_after_silence": t["ask_after_silence"],
        },
    )
    g = t.groupby(keys, dropna=False)
    accounts = g["akey"].nunique()
    for label in KINDS.values():
        s[f"{label}_per_week"] = s.pop(label) / (accounts * g["weeks"].max())
    for share in ("broadcast_share", "reply_share", *(f"reply_share_{x}" for x in TARGETS)):
        s[share] = _ratio(s[share], s["authored"])
    s["longest_silence_days"] = g[["gap", "tail"]].max().max(axis=1) / DAY
    return s.drop(columns="authored")


def days_metrics(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    g = t.groupby(keys, dropna=False)
    accounts = g["akey"].nunique()
    return pd.DataFrame(
        {
            "active_day_share": g.size() / (accounts * g["period_days"].max()),
            "on_off_switches": g["switches"].sum() / accounts,
        }
    )


def inbound_metrics(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    counted = t["counted"]
    rules = {
        "all": pd.Series(True, index=t.index),
        "needs_reply": t["needs_reply"],
        "facebook": t["after_silence"],
    }
    flags = {
        "inbound": pd.Series(1, index=t.index),
        **{f"inbound_{k}": t["ikind"] == k for k in INBOUND_KINDS},
        "waiting": t["waiting"],
    }
    for label in WINDOWS:
        pool = counted & t[f"seen_{label}"]
        flags[f"n_{label}"], flags[f"d_{label}"] = pool & t[f"in_{label}"], pool
    for rule, chosen in rules.items():
        pool = chosen & t["seen_24h"]
        flags[f"n_{rule}"], flags[f"d_{rule}"] = pool & t["in_24h"], pool
    s = _sums(t, keys, flags)
    for label in WINDOWS:
        s[f"response_rate_{label}"] = _ratio(s.pop(f"n_{label}"), s.pop(f"d_{label}"))
    for rule in rules:
        s[f"response_rate_24h_{rule}"] = _ratio(s.pop(f"n_{rule}"), s.pop(f"d_{rule}"))
    answered = t[counted & t["answered"]].groupby(keys, dropna=False)
    for stat, q in (("median", 0.5), ("p90", 0.9)):
        for clock, column in (("", "response_min"), ("_business", "response_business_min")):
            s[f"{stat}_first_response{clock}_min"] = answered[column].quantile(q)
    return s


def dialogues_metrics(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    started = t["n_in"] > 0
    s = _sums(t, keys, {"turns": (t["n_in"] + t["n_out"]).where(started, 0), "started": started})
    return pd.DataFrame({"conversation_depth": _ratio(s["turns"], s["started"])})


def people_metrics(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    wrote = t["wrote"]
    s = _sums(
        t,
        keys,
        {"wrote": wrote, "replied": wrote & t["replied"], "repeat": wrote & (t["exchanges"] >= 2)},
    )
    return pd.DataFrame(
        {
            "people_who_wrote": s["wrote"],
            "reciprocity": _ratio(s["replied"], s["wrote"]),
            "repeat_dialogue": _ratio(s["repeat"], s["wrote"]),
        }
    )


def bursts_metrics(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    g = t.groupby(keys, dropna=False)
    return pd.DataFrame(
        {
            "bursts": g["bursts"].sum(),
            "peak_posts_per_hour": g["peak_posts_per_hour"].max(),
            "peak_to_baseline": g["peak_to_baseline"].max(),
            "flood": g["flood"].sum(),
            "follower_change_in_bursts": g["follower_change"].sum(min_count=1),
        }
    )


REDUCERS = {
    "own": own_metrics,
    "inbound": inbound_metrics,
    "dialogues": dialogues_metrics,
    "people": people_metrics,
    "days": days_metrics,
    "bursts": bursts_metrics,
}


# --- groupings, lists and the scorecard (hustings.metrics._scorecard) ---------------------------


def period(t: pd.DataFrame, keys: list[str], lo: int, hi: int) -> pd.DataFrame:
    """Each row's period: the audit period, or in a week grouping the row's week within it,
    whose edges then also cut the silences before and after each message."""
    if "week" not in keys:
        days = float(hi // DAY - lo // DAY + 1)
        return t.assign(period_days=days, weeks=days / 7)
    week = t["week"]
    first, last = (week // DAY).clip(lower=lo // DAY), (week // DAY + 6).clip(upper=hi // DAY)
    days = (last - first + 1).astype("float64")
    t = t.assign(period_days=days, weeks=days / 7)
    if "gap" in t.columns:
        start, end = week.clip(lower=lo), (week + 7 * DAY).clip(upper=hi)
        t = t.assign(
            gap=t["gap"].clip(upper=t["ts"] - start), tail=t["tail"].clip(upper=end - t["ts"])
        )
    return t


def group(
    bases: dict[str, pd.DataFrame],
    attrs: pd.DataFrame,
    keys: list[str],
    lo: int,
    hi: int,
    skeleton: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every metric by ``keys``: each base table reduced, the results joined on the keys.

    A base table without a key (no week on ``people``) is left out of that grouping; the
    account attributes it lacks are joined in.
    """
    merged = skeleton
    for name, reduce in REDUCERS.items():
        t = bases[name].assign(scope="all") if "scope" in keys else bases[name]
        missing = [k for k in keys if k not in t.columns]
        if not set(missing) <= set(ACCOUNT_ATTRS):
            continue
        if missing:
            t = t.merge(attrs[["akey", *missing]], on="akey")
        t = period(t, keys, lo, hi)
        frame = reduce(t, keys).reset_index()
        merged = frame if merged is None else merged.merge(frame, on=keys, how="outer")
    assert merged is not None
    for metric in all_metrics():
        if metric.name in merged.columns and metric.empty is not None:
            merged[metric.name] = merged[metric.name].fillna(metric.empty)
    if "week" in merged.columns:
        merged["week"] = pd.to_datetime(merged["week"], unit="s", utc=True).dt.date
    return dialogue_score(merged)


def waiting_list(
    inb: pd.DataFrame, m: pd.DataFrame, attrs: pd.DataFrame, limit: int
) -> tuple[pd.DataFrame, int]:
    """The longest waits, with the message, the sender's handle and the account waited on."""
    w = inb[inb["waiting"]]
    top = w.sort_values(["wait_hours", "platform_id"], ascending=[False, True]).head(limit)
    top = top[["akey", "platform", "person_id", "ikind", "ts", "wait_hours", "platform_id"]]
    top = top.assign(sent_at=pd.to_datetime(top.pop("ts"), unit="s", utc=True))
    texts = m[m["platform_id"].isin(top["platform_id"])][
        ["platform", "platform_id", "text", "author_handle"]
    ].rename(columns={"author_handle": "person_handle"})
    top = top.merge(attrs[["akey", "handle", "party"]], on="akey", how="left").drop(columns="akey")
    return top.merge(texts.drop_duplicates(["platform", "platform_id"]), how="left"), len(w)


def response_times(inb: pd.DataFrame, attrs: pd.DataFrame) -> pd.DataFrame:
    """Answered, counted messages by (party, log2 minute bucket)."""
    t = inb[inb["counted"] & inb["answered"]].merge(attrs[["akey", "party"]], on="akey")
    t["bucket"] = np.floor(np.log2(t["response_min"] + 1)).astype("int64")
    frame = t.groupby(["party", "bucket"], dropna=False).size().rename("n").reset_index()
    return frame.assign(from_min=2.0 ** frame["bucket"] - 1)


def _period(m: pd.DataFrame, p: AuditParams) -> tuple[int, int, int]:
    first, last = (int(m["ts"].min()), int(m["ts"].max())) if len(m) else (0, 0)
    lo = int(p.since.timestamp()) if p.since else first
    hi = int(p.until.timestamp()) if p.until else last
    return lo, hi, max(last, hi)


def pandas_scorecard(
    snapshot: Path, params: AuditParams | None = None, waiting_limit: int = 500
) -> Scorecard:
    """The full scorecard of the Parquet ``snapshot``, in pandas; the same tables as run_audit."""
    p = params or AuditParams()
    clock, timings = time.perf_counter(), {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name], clock = round(now - clock, 3), now

    d = load(snapshot)
    m = d.messages
    lo, hi, as_of = _period(m, p)
    dr = directory(d, lo, hi, p.min_posts)
    lap("read")
    bases = build_bases(d, dr, p, lo, hi, as_of)
    inbound = bases["inbound"]
    lap("base tables")
    summary, bursts, hourly = bursts_tables(bases["own"], dr, d.snapshots, p, lo, hi)
    bases["bursts"] = summary
    lap("bursts")
    attrs = dr.audited
    accounts = group(bases, attrs, ["akey"], lo, hi, skeleton=attrs)
    groups = {name: group(bases, attrs, keys, lo, hi) for name, keys in GROUPINGS.items()}
    lap("groups")
    waiting, waiting_total = waiting_list(inbound, m, attrs, waiting_limit)
    times = response_times(inbound, attrs)
    lap("lists")
    for column in ("start", "end"):
        bursts[column] = pd.to_datetime(bursts.pop(f"{column}_ts"), unit="s", utc=True)
    return Scorecard(
        accounts=accounts.sort_values("dialogue_score", ascending=False, na_position="last"),
        groups=groups,
        waiting=waiting,
        bursts=bursts,
        hourly=hourly,
        response_times=times,
        metrics=list(all_metrics()),
        params=p,
        engine="pandas",
        since=datetime.fromtimestamp(lo, UTC),
        until=datetime.fromtimestamp(hi, UTC),
        waiting_total=waiting_total,
        timings=timings,
    )
