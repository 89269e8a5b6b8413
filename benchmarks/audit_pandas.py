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

``benchmarks/audit_check.py`` compares its output with ``run_audit``'s, metric by metric.
Times are epoch seconds rounded to the nearest second, as DuckDB's ``CAST(epoch(ts) AS
BIGINT)`` rounds.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from hustings.metrics import AuditParams, Denominator, Scorecard, all_metrics, dialogue_score
from hustings.metrics._bursts import kleinberg_two_state
from hustings.metrics._directory import ACCOUNT_ATTRS, PRIVATE_KINDS, PUBLIC_KINDS

__all__ = ["pandas_scorecard"]

DAY, HOUR = 86_400, 3_600
WINDOWS = {"24h": DAY, "72h": 3 * DAY, "7d": 7 * DAY}
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
# pandas warns that a pattern with groups is not extracting them; we only test for a match
warnings.filterwarnings("ignore", "This pattern is interpreted", UserWarning)


def _rx(text: pd.Series, pattern: str) -> pd.Series:
    """Case-insensitive search, a missing text matching nothing (the engine's ``_rx``)."""
    return text.fillna("").str.lower().str.contains(pattern, regex=True)


def _first(*columns: pd.Series) -> pd.Series:
    """SQL ``coalesce``."""
    out = columns[0]
    for column in columns[1:]:
        out = out.fillna(column)
    return out


def week_of(ts: pd.Series) -> pd.Series:
    """Epoch second of the Monday 00:00 UTC starting the week of ``ts`` (1970-01-01: Thursday)."""
    return ts - ((ts // DAY + 3) % 7) * DAY - ts % DAY


def business_seconds(ts: pd.Series, p: AuditParams) -> pd.Series:
    """Business seconds from a fixed Monday to ``ts`` (Mon-Fri, business hours, fixed offset)."""
    local = ts + p.utc_offset_hours * HOUR
    day = local // DAY
    weekday = (day + 3) % 7
    start, end = p.business_start_hour * HOUR, p.business_end_hour * HOUR
    in_day = ((local - day * DAY).clip(upper=end) - start).clip(lower=0).where(weekday < 5, 0)
    return ((day + 3) // 7 * 5 + weekday.clip(upper=5)) * (end - start) + in_day


# --- reading and the directory ---------------------------------------------------------------


@dataclass
class Data:
    messages: pd.DataFrame
    tracked: pd.DataFrame
    accounts: pd.DataFrame
    snapshots: pd.DataFrame
    needs_reply: pd.DataFrame | None


def load(snapshot: Path) -> Data:
    m = pd.read_parquet(
        snapshot / "messages",
        columns=[
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
        ],
    )
    m["platform"] = m["platform"].astype(str)  # a hive partition: read as a category
    m["ts"] = (m.pop("created_at").astype("int64") + 500_000) // 1_000_000
    m["partial"] = m["partial"].fillna(False).astype(bool)
    nr = snapshot / "needs_reply.parquet"
    snaps = pd.read_parquet(snapshot / "follower_snapshots.parquet")
    snaps["ts"] = snaps.pop("taken_at").astype("int64") // 1_000_000
    return Data(
        messages=m,
        tracked=pd.read_parquet(snapshot / "tracked_accounts.parquet"),
        accounts=pd.read_parquet(snapshot / "accounts.parquet"),
        snapshots=snaps,
        needs_reply=pd.read_parquet(nr) if nr.exists() else None,
    )


@dataclass
class Directory:
    audited: pd.DataFrame  # ACCOUNT_ATTRS
    responders: pd.DataFrame  # platform, responder_id, akey
    targets: pd.DataFrame  # platform, target_key, target_role, target_party, target_principal


def _clean(handle: pd.Series) -> pd.Series:
    return handle.astype("str").fillna("").str.strip().str.lstrip("@").str.lower()


def _resolve_ids(d: Data, t: pd.DataFrame) -> pd.Series:
    """Platform ids of registry rows that name only a handle: accounts first, then authors."""
    m = d.messages
    authors = pd.DataFrame(
        {"platform": m["platform"], "handle_lower": m["author_handle"].str.lower(), "id": m["author_id"]}
    )
    found = t["platform_id"].replace("", None)
    for table in (d.accounts.rename(columns={"platform_id": "id"}), authors):
        lookup = table[["platform", "handle_lower", "id"]].drop_duplicates(
            ["platform", "handle_lower"]
        )
        ids = t[["platform", "handle_lower"]].merge(lookup, how="left")["id"].set_axis(t.index)
        found = found.fillna(ids.where(t["handle_lower"] != ""))
    return found


def directory(d: Data, lo: int, hi: int, min_posts: int) -> Directory:
    if d.tracked.empty:
        return _busiest(d, lo, hi, min_posts)
    t = d.tracked.copy()
    t["handle_lower"] = _clean(t["handle"])
    t["account_id"] = _resolve_ids(d, t)
    t["akey"] = t["platform"] + ":" + t["account_id"]
    principals = t[t["account_id"].notna() & (t["role"] != "staff")]
    principals = principals.drop_duplicates(["platform", "handle_lower"], keep="last")
    t["office_lower"] = _clean(t["office"])
    boss = t[["platform", "office_lower"]].merge(
        principals[["platform", "handle_lower", "akey", "party"]].rename(
            columns={"handle_lower": "office_lower", "akey": "boss", "party": "boss_party"}
        ),
        how="left",
    )
    t["boss"], t["boss_party"] = boss["boss"].to_numpy(), boss["boss_party"].to_numpy()
    staff = (t["role"] == "staff") & t["boss"].notna()
    audited = t[t["account_id"].notna() & ~staff]
    helpers = t[staff & t["account_id"].notna()]
    responders = pd.concat(
        [audited[["platform", "account_id", "akey"]], helpers[["platform", "account_id", "boss"]]
         .rename(columns={"boss": "akey"})]
    ).rename(columns={"account_id": "responder_id"})
    t["target_party"] = t["party"].fillna(t["boss_party"])
    keys = pd.concat([t.assign(target_key=t["account_id"]), t.assign(target_key="@" + t["handle_lower"])])
    keys = keys[keys["target_key"].notna() & (keys["target_key"] != "@")]
    targets = keys.rename(columns={"role": "target_role", "boss": "target_principal"})[
        ["platform", "target_key", "target_role", "target_party", "target_principal"]
    ].drop_duplicates(["platform", "target_key"])
    return Directory(audited[list(ACCOUNT_ATTRS)].reset_index(drop=True), responders, targets)


def _own_output(m: pd.DataFrame) -> pd.Series:
    return m["kind"].isin(PUBLIC_KINDS) & ~m["partial"]


def _busiest(d: Data, lo: int, hi: int, min_posts: int) -> Directory:
    m = d.messages
    own = m[_own_output(m) & m["ts"].between(lo, hi)]
    counts = own.groupby(["platform", "author_id"]).agg(
        n=("ts", "size"), handle=("author_handle", "max")
    ).reset_index()
    counts = counts[counts["n"] >= min_posts]
    audited = pd.DataFrame(
        {
            "akey": counts["platform"] + ":" + counts["author_id"],
            "platform": counts["platform"],
            "account_id": counts["author_id"],
            "handle": counts["handle"].fillna(counts["author_id"]),
        }
    ).reindex(columns=list(ACCOUNT_ATTRS))
    responders = audited.rename(columns={"account_id": "responder_id"})[
        ["platform", "responder_id", "akey"]
    ]
    targets = pd.DataFrame(
        columns=["platform", "target_key", "target_role", "target_party", "target_principal"]
    )
    return Directory(audited.reset_index(drop=True), responders, targets)


# --- base tables (hustings.metrics._tables) ---------------------------------------------------


def _target_key(m: pd.DataFrame) -> pd.Series:
    return m["reply_to_account_id"].fillna("@" + m["reply_to_handle"].str.lower())


def _private(m: pd.DataFrame) -> pd.Series:
    return m["kind"].isin(PRIVATE_KINDS) | (m["visibility"] == "direct")


def own_table(m: pd.DataFrame, d: Directory, p: AuditParams, lo: int, hi: int) -> pd.DataFrame:
    """The audited accounts' own public messages, with gaps, asks and reply targets."""
    own = m[_own_output(m) & m["ts"].between(lo, hi)]
    own = own.merge(
        d.audited[["platform", "account_id", "akey"]],
        left_on=["platform", "author_id"],
        right_on=["platform", "account_id"],
    )
    authored = own["kind"] != "repost"
    is_reply = authored & (
        own["kind"].isin(["reply", "comment"])
        | own["reply_to_id"].notna()
        | own["reply_to_account_id"].notna()
    )
    own = own.assign(
        authored=authored,
        is_reply=is_reply,
        target_key=_target_key(own),
        ask=authored & _rx(own["text"], p.ask_pattern),
    )[["akey", "platform", "platform_id", "ts", "kind", "authored", "is_reply", "target_key", "ask"]]
    own = own.sort_values(["akey", "ts", "platform_id"], ignore_index=True)
    by_account = own.groupby("akey")["ts"]
    prev, nxt = by_account.shift(1), by_account.shift(-1)
    own["gap"] = own["ts"] - prev.fillna(lo).astype("int64")
    own["tail"] = (hi - own["ts"]).where(nxt.isna(), 0)
    own["ask_after_silence"] = own["ask"] & prev.notna() & (own["gap"] >= p.silence_days * DAY)
    own = own.merge(d.audited.drop(columns="platform"), on="akey").merge(
        d.targets, on=["platform", "target_key"], how="left"
    )
    own["target"] = np.select(
        [
            ~own["is_reply"],
            own["target_key"].isna(),
            (own["target_key"] == own["account_id"])
            | (own["target_key"] == "@" + own["handle"].str.lower()),
            own["target_principal"] == own["akey"],
            own["target_role"] == "media",
            own["party"].notna() & (own["target_party"] == own["party"]),
            own["target_party"].notna(),
        ],
        [None, "unknown", "self", "own_party", "media", "own_party", "other_parties"],
        default="citizens",
    )
    own["week"] = week_of(own["ts"])
    return own[
        ["akey", "platform", "platform_id", "ts", "kind", "authored", "is_reply", "gap", "tail",
         "ask_after_silence", "week", "target"]
    ]


def responses(m: pd.DataFrame, d: Directory, p: AuditParams, lo: int) -> pd.DataFrame:
    """Messages by responders that can answer someone: not automation, not reposts."""
    r = m[(m["ts"] >= lo) & (m["kind"] != "repost")].merge(
        d.responders, left_on=["platform", "author_id"], right_on=["platform", "responder_id"]
    )
    human = ~(_rx(r["client"], p.automation_client_pattern) | _rx(r["text"], p.automation_text_pattern))
    r = r[human]
    return pd.DataFrame(
        {
            "platform": r["platform"],
            "akey": r["akey"],
            "r_ts": r["ts"],
            "r_parent": r["reply_to_id"],
            "r_person": r["reply_to_account_id"],
            "r_conv": _first(r["conversation_id"], r["root_id"], r["reply_to_id"]),
            "r_private": _private(r),
        }
    )


def _pick(t: pd.DataFrame, public_kind: str | pd.Series, p: AuditParams) -> pd.DataFrame:
    """An inbound candidate's columns; the text is only read for the needs-reply heuristic."""
    ikind = np.where(t["kind"] == "email", "email", np.where(t["is_private"], "dm", public_kind))
    return pd.DataFrame(
        {
            "platform": t["platform"],
            "platform_id": t["platform_id"],
            "akey": t["akey"],
            "author_id": t["author_id"],
            "ts": t["ts"],
            "ikind": ikind,
            "conv": _first(t["conversation_id"], t["root_id"], t["platform_id"]),
            "nr_text": _rx(t["text"], p.needs_reply_pattern),
        }
    )


def _keyed(d: Directory) -> pd.DataFrame:
    """Audited accounts keyed by id and by ``@handle``, for replies that name either."""
    a = d.audited
    handle = "@" + a["handle"].fillna("").str.lstrip("@").str.lower()
    base = pd.DataFrame({"platform": a["platform"], "akey": a["akey"], "a_id": a["account_id"],
                         "a_handle": handle})
    keyed = pd.concat([base.assign(target_key=a["account_id"]), base.assign(target_key=handle)])
    return keyed[keyed["target_key"] != "@"].drop_duplicates(["platform", "target_key", "akey"])


def inbound_candidates(
    m: pd.DataFrame, d: Directory, p: AuditParams, lo: int, hi: int
) -> pd.DataFrame:
    """Replies to an audited account, mentions of it and messages in its private
    conversations, by anyone but the account and its staff; context records left out."""
    period = m[m["ts"].between(lo, hi) & (m["kind"] != "repost") & ~m["partial"]]
    period = period.assign(is_private=_private(period), target_key=_target_key(period))
    keyed = _keyed(d)
    replied = period.merge(keyed, on=["platform", "target_key"])
    replies = _pick(replied, np.where(replied["kind"] == "comment", "comment", "reply"), p)
    mentioned = period[period["mentions"].map(len) > 0].explode("mentions")
    mentioned = mentioned.drop(columns="target_key").assign(
        target_key="@" + mentioned["mentions"].str.lower()
    ).merge(keyed, on=["platform", "target_key"])
    replied_to = (mentioned["reply_to_account_id"] == mentioned["a_id"]) | (
        "@" + mentioned["reply_to_handle"].str.lower() == mentioned["a_handle"]
    )
    mentions = _pick(mentioned[~replied_to], "mention", p)
    private_all = m[_private(m)]
    taking_part = (
        private_all.assign(conv=_first(private_all["conversation_id"], private_all["root_id"],
                                       private_all["platform_id"]))
        .merge(d.responders, left_on=["platform", "author_id"], right_on=["platform", "responder_id"])
        [["platform", "conv", "akey"]]
        .drop_duplicates()
    )
    private = period[period["is_private"]]
    private = private.assign(
        conv=_first(private["conversation_id"], private["root_id"], private["platform_id"])
    ).merge(taking_part, on=["platform", "conv"])
    in_private = _pick(private, "dm", p)
    found_once = replies["ikind"].isin(["dm", "email"])
    rest = pd.concat([replies[found_once], mentions, in_private]).drop_duplicates()
    cand = pd.concat([replies[~found_once], rest], ignore_index=True)
    own_side = cand.merge(
        d.responders, left_on=["platform", "author_id", "akey"],
        right_on=["platform", "responder_id", "akey"], how="left", indicator=True,
    )
    return cand[(own_side["_merge"] == "left_only").to_numpy()]


def first_responses(inb: pd.DataFrame, r: pd.DataFrame) -> pd.DataFrame:
    """Each inbound message's earliest human response (direct, public in thread, private)."""
    key = ["platform", "platform_id", "akey"]
    i = inb[[*key, "ts", "conv", "author_id"]]
    direct = i.merge(r, left_on=["platform", "akey", "platform_id"],
                     right_on=["platform", "akey", "r_parent"])
    direct = direct[direct["r_ts"] >= direct["ts"]]
    rp = r[~r["r_private"]]
    public = i.merge(rp, left_on=["platform", "akey", "conv", "author_id"],
                     right_on=["platform", "akey", "r_conv", "r_person"])
    public = public[public["r_ts"] > public["ts"]]
    rq = r[r["r_private"]]
    private = i.merge(rq, left_on=["platform", "akey", "conv"],
                      right_on=["platform", "akey", "r_conv"])
    private = private[private["r_ts"] > private["ts"]]
    found = pd.concat([direct[[*key, "r_ts"]], public[[*key, "r_ts"]], private[[*key, "r_ts"]]])
    return found.groupby(key, as_index=False)["r_ts"].min().rename(columns={"r_ts": "first_ts"})


def _needs_reply(inb: pd.DataFrame, scores: pd.DataFrame | None, p: AuditParams) -> pd.Series:
    """The classifier's score where the snapshot has one, else the text heuristic."""
    if scores is None:
        return inb["nr_text"]
    score = inb[["platform", "platform_id"]].merge(
        scores[["platform", "platform_id", "score"]].drop_duplicates(["platform", "platform_id"]),
        how="left",
    )["score"].set_axis(inb.index)
    return (score >= p.needs_reply_threshold).where(score.notna(), inb["nr_text"]).astype(bool)


def inbound_table(
    d: Data, dr: Directory, r: pd.DataFrame, p: AuditParams, lo: int, hi: int, as_of: int
) -> pd.DataFrame:
    """Inbound messages with their first response and every flag the response metrics use."""
    inb = inbound_candidates(d.messages, dr, p, lo, hi)
    inb = inb.merge(first_responses(inb, r), on=["platform", "platform_id", "akey"], how="left")
    inb["needs_reply"] = _needs_reply(inb, d.needs_reply, p)
    inb = inb.sort_values(["akey", "author_id", "ts", "platform_id"], ignore_index=True)
    prev = inb.groupby(["akey", "author_id"])["ts"].shift(1)
    inb["after_silence"] = prev.isna() | (inb["ts"] - prev >= p.facebook_silence_hours * HOUR)
    inb["counted"] = {
        Denominator.ALL: pd.Series(True, index=inb.index),
        Denominator.NEEDS_REPLY: inb["needs_reply"],
        Denominator.FACEBOOK: inb["after_silence"],
    }[p.denominator]
    wait = inb["first_ts"] - inb["ts"]
    inb["answered"] = inb["first_ts"].notna()
    inb["response_min"] = wait / 60
    inb["response_business_min"] = (
        business_seconds(inb["first_ts"], p) - business_seconds(inb["ts"], p)
    ) / 60
    inb["waiting"] = inb["needs_reply"] & ~inb["answered"]
    inb["wait_hours"] = wait.fillna(as_of - inb["ts"]) / 3600
    inb["week"] = week_of(inb["ts"])
    for label, seconds in WINDOWS.items():
        inb[f"in_{label}"] = wait <= seconds
        inb[f"seen_{label}"] = inb["ts"] <= as_of - seconds
    return inb.drop(columns="nr_text").rename(columns={"author_id": "person_id"})


def dialogues_table(
    inb: pd.DataFrame, r: pd.DataFrame, dr: Directory, lo: int, hi: int
) -> pd.DataFrame:
    """Turns per (account, person, conversation): the person's messages, the account's replies."""
    ins = inb[["platform", "akey", "person_id", "conv"]].assign(n_in=1, n_out=0)
    out = r[r["r_ts"].between(lo, hi) & r["r_person"].notna()]
    staff = out.merge(
        dr.responders, left_on=["platform", "r_person", "akey"],
        right_on=["platform", "responder_id", "akey"], how="left", indicator=True,
    )
    out = out[(staff["_merge"] == "left_only").to_numpy()]
    outs = pd.DataFrame(
        {"platform": out["platform"], "akey": out["akey"], "person_id": out["r_person"],
         "conv": out["r_conv"], "n_in": 0, "n_out": 1}
    )
    both = pd.concat([ins, outs], ignore_index=True)
    keys = ["platform", "akey", "person_id", "conv"]
    return both.groupby(keys, dropna=False, as_index=False)[["n_in", "n_out"]].sum()


def people_table(dialogues: pd.DataFrame) -> pd.DataFrame:
    t = dialogues.assign(
        exchanges=(dialogues["n_in"] > 0) & (dialogues["n_out"] > 0)
    ).groupby(["platform", "akey", "person_id"], as_index=False)[["n_in", "n_out", "exchanges"]].sum()
    return t.assign(wrote=t["n_in"] > 0, replied=t["n_out"] > 0)[
        ["platform", "akey", "person_id", "wrote", "replied", "exchanges"]
    ]


def days_table(own: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    """Active days per account, each with the on/off switches it contributes."""
    days = own[["akey", "platform"]].assign(day=own["ts"] // DAY).drop_duplicates()
    days = days.sort_values(["akey", "day"], ignore_index=True)
    prev, nxt = days.groupby("akey")["day"].shift(1), days.groupby("akey")["day"].shift(-1)
    days["switches"] = (
        np.where(days["day"] - prev > 1, 2, 0)
        + np.where(prev.isna() & (days["day"] > lo // DAY), 1, 0)
        + np.where(nxt.isna() & (days["day"] < hi // DAY), 1, 0)
    )
    days["week"] = week_of(days["day"] * DAY)
    return days


# --- bursts (hustings.metrics._bursts) ----------------------------------------------------------


def bursts_tables(
    own: pd.DataFrame, dr: Directory, snaps: pd.DataFrame, p: AuditParams, lo: int, hi: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per-account burst summary, the list of bursts and the hourly counts they come from."""
    first = lo - lo % HOUR
    n_hours = max((hi - first) // HOUR + 1, 1)
    hourly = (
        own.assign(hour=(own["ts"] - first) // HOUR)
        .groupby(["akey", "hour"], as_index=False)
        .size()
        .rename(columns={"size": "n"})
    )
    a = dr.audited
    row = pd.Series(np.arange(len(a)), index=a["akey"])
    counts = np.zeros((len(a), n_hours))
    np.add.at(
        counts,
        (row[hourly["akey"]].to_numpy(), hourly["hour"].clip(0, n_hours - 1).to_numpy()),
        hourly["n"].to_numpy(dtype=float),
    )
    states = kleinberg_two_state(counts, p.burst_scale, p.burst_gamma)
    baseline = counts.sum(axis=1) / n_hours
    width = min(6, n_hours)
    cum = np.concatenate([np.zeros((len(a), 1)), counts.cumsum(axis=1)], axis=1)
    six = (cum[:, width:] - cum[:, :-width]).max(axis=1)
    peak = counts.max(axis=1)
    flood = (six >= p.flood_posts_6h) | (
        (six >= p.flood_baseline_factor * baseline * 6) & (six >= p.flood_min_posts_6h)
    )
    # runs of burst hours: the edges of each row padded with a quiet hour on both sides
    edges = np.diff(np.pad(states.astype(np.int8), ((0, 0), (1, 1))), axis=1)
    acc, start = np.nonzero(edges == 1)
    _, end = np.nonzero(edges == -1)
    cum_posts = cum[acc, end] - cum[acc, start]
    bursts = a.iloc[acc][["akey", "handle", "party"]].reset_index(drop=True).assign(
        start_ts=first + start * HOUR, end_ts=first + end * HOUR, hours=end - start,
        posts=cum_posts.astype(np.int64),
    )
    bursts = _follower_change(bursts, snaps, a)
    change = bursts.groupby("akey")["follower_change"].sum(min_count=1)
    summary = a.assign(
        bursts=np.bincount(acc, minlength=len(a)),
        peak_posts_per_hour=peak,
        peak_to_baseline=np.divide(peak, baseline, out=np.full(len(a), np.nan),
                                   where=baseline > 0),
        max_posts_6h=six,
        flood=flood,
        follower_change=a["akey"].map(change).astype(float),
    )
    return summary, bursts, hourly


def _follower_change(bursts: pd.DataFrame, snaps: pd.DataFrame, a: pd.DataFrame) -> pd.DataFrame:
    """Followers at the last snapshot at or before each burst and the first at or after it."""
    s = snaps.merge(
        a[["platform", "account_id", "akey"]], on=["platform", "account_id"]
    )[["akey", "ts", "followers"]].sort_values("ts")
    before = pd.merge_asof(
        bursts.sort_values("start_ts"), s.rename(columns={"followers": "followers_before"}),
        left_on="start_ts", right_on="ts", by="akey", direction="backward",
    ).drop(columns="ts")
    both = pd.merge_asof(
        before.sort_values("end_ts"), s.rename(columns={"followers": "followers_after"}),
        left_on="end_ts", right_on="ts", by="akey", direction="forward",
    ).drop(columns="ts")
    both[["followers_before", "followers_after"]] = both[
        ["followers_before", "followers_after"]
    ].astype("Int64")
    both["follower_change"] = both["followers_after"] - both["followers_before"]
    return both.sort_values(["akey", "start_ts"], ignore_index=True)


# --- reductions (hustings.metrics._defs), one per base table ----------------------------------


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """A share: missing, not zero, when nothing is counted."""
    return num / den.where(den > 0)


def _sums(t: pd.DataFrame, keys: list[str], flags: dict[str, pd.Series]) -> pd.DataFrame:
    frame = pd.DataFrame({name: flag.astype("int64") for name, flag in flags.items()})
    return frame.join(t[keys]).groupby(keys, dropna=False).sum()


def own_metrics(t: pd.DataFrame, keys: list[str], weeks: float, days: float) -> pd.DataFrame:
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
        s[f"{label}_per_week"] = s.pop(label) / (accounts * weeks)
    for share in ("broadcast_share", "reply_share", *(f"reply_share_{x}" for x in TARGETS)):
        s[share] = _ratio(s[share], s["authored"])
    s["longest_silence_days"] = g[["gap", "tail"]].max().max(axis=1) / DAY
    return s.drop(columns="authored")


def days_metrics(t: pd.DataFrame, keys: list[str], weeks: float, days: float) -> pd.DataFrame:
    g = t.groupby(keys, dropna=False)
    accounts = g["akey"].nunique()
    return pd.DataFrame(
        {
            "active_day_share": g.size() / (accounts * days),
            "on_off_switches": g["switches"].sum() / accounts,
        }
    )


def inbound_metrics(t: pd.DataFrame, keys: list[str], weeks: float, days: float) -> pd.DataFrame:
    counted = t["counted"]
    rules = {"all": pd.Series(True, index=t.index), "needs_reply": t["needs_reply"],
             "facebook": t["after_silence"]}
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


def dialogues_metrics(t: pd.DataFrame, keys: list[str], weeks: float, days: float) -> pd.DataFrame:
    started = t["n_in"] > 0
    s = _sums(t, keys, {"turns": (t["n_in"] + t["n_out"]).where(started, 0), "started": started})
    return pd.DataFrame({"conversation_depth": _ratio(s["turns"], s["started"])})


def people_metrics(t: pd.DataFrame, keys: list[str], weeks: float, days: float) -> pd.DataFrame:
    wrote = t["wrote"]
    s = _sums(t, keys, {"wrote": wrote, "replied": wrote & t["replied"],
                        "repeat": wrote & (t["exchanges"] >= 2)})
    return pd.DataFrame(
        {
            "people_who_wrote": s["wrote"],
            "reciprocity": _ratio(s["replied"], s["wrote"]),
            "repeat_dialogue": _ratio(s["repeat"], s["wrote"]),
        }
    )


def bursts_metrics(t: pd.DataFrame, keys: list[str], weeks: float, days: float) -> pd.DataFrame:
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


def group(
    bases: dict[str, pd.DataFrame],
    attrs: pd.DataFrame,
    keys: list[str],
    span_days: float,
    skeleton: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every metric by ``keys``: each base table reduced, the results joined on the keys.

    A base table without a key (no week on ``people``) is left out of that grouping; the
    account attributes it lacks are joined in.
    """
    weeks, days = (1.0, 7.0) if "week" in keys else (span_days / 7, span_days)
    merged = skeleton
    for name, reduce in REDUCERS.items():
        t = bases[name].assign(scope="all") if "scope" in keys else bases[name]
        missing = [k for k in keys if k not in t.columns]
        if not set(missing) <= set(ACCOUNT_ATTRS):
            continue
        if missing:
            t = t.merge(attrs[["akey", *missing]], on="akey")
        frame = reduce(t, keys, weeks, days).reset_index()
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
    r = responses(m, dr, p, lo)
    own = own_table(m, dr, p, lo, hi)
    inbound = inbound_table(d, dr, r, p, lo, hi, as_of)
    dialogues = dialogues_table(inbound, r, dr, lo, hi)
    bases = {
        "own": own,
        "inbound": inbound,
        "dialogues": dialogues,
        "people": people_table(dialogues),
        "days": days_table(own, lo, hi),
    }
    lap("base tables")
    summary, bursts, hourly = bursts_tables(own, dr, d.snapshots, p, lo, hi)
    bases["bursts"] = summary
    lap("bursts")
    span_days = float(hi // DAY - lo // DAY + 1)
    attrs = dr.audited
    accounts = group(bases, attrs, ["akey"], span_days, skeleton=attrs)
    groups = {name: group(bases, attrs, keys, span_days) for name, keys in GROUPINGS.items()}
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
