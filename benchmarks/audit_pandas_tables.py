"""The pandas baseline's base tables: the directory, own, inbound, dialogues, people, days, bursts.

Each mirrors its namesake in ``hustings.metrics._directory``, ``_tables`` and ``_bursts``
(see ``audit_pandas.py`` for what the baseline is and how it is checked). Times are whole
epoch seconds, the fraction dropped, as in the engine's ``with_ts``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hustings.metrics import AuditParams, Denominator
from hustings.metrics._bursts import kleinberg_two_state
from hustings.metrics._directory import ACCOUNT_ATTRS, PRIVATE_KINDS, PUBLIC_KINDS
from hustings.metrics._engine import MESSAGE_COLUMNS

__all__ = [
    "DAY",
    "WINDOWS",
    "Data",
    "Directory",
    "build_bases",
    "bursts_tables",
    "directory",
    "load",
]

DAY, HOUR = 86_400, 3_600
WINDOWS = {"24h": DAY, "72h": 3 * DAY, "7d": 7 * DAY}


def _rx(text: pd.Series, pattern: str) -> pd.Series:
    """Case-insensitive search, a missing text matching nothing (the engine's ``_rx``)."""
    with warnings.catch_warnings():  # "has match groups": we test for a match, not extract
        warnings.simplefilter("ignore", UserWarning)
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
    m = pd.read_parquet(snapshot / "messages", columns=list(MESSAGE_COLUMNS))
    m["platform"] = m["platform"].astype(str)  # a hive partition: read as a category
    m["ts"] = m.pop("created_at").astype("int64") // 1_000_000
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
        {
            "platform": m["platform"],
            "handle_lower": m["author_handle"].str.lower(),
            "id": m["author_id"],
        }
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
    t["handle"] = t["handle"].str.strip().str.lstrip("@")
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
        [
            audited[["platform", "account_id", "akey"]],
            helpers[["platform", "account_id", "boss"]].rename(columns={"boss": "akey"}),
        ]
    ).rename(columns={"account_id": "responder_id"})
    t["target_party"] = t["party"].fillna(t["boss_party"])
    keys = pd.concat(
        [t.assign(target_key=t["account_id"]), t.assign(target_key="@" + t["handle_lower"])]
    )
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
    counts = (
        own.groupby(["platform", "author_id"])
        .agg(n=("ts", "size"), handle=("author_handle", "max"))
        .reset_index()
    )
    counts = counts[counts["n"] >= min_posts]
    audited = (
        pd.DataFrame(
            {
                "akey": counts["platform"] + ":" + counts["author_id"],
                "platform": counts["platform"],
                "account_id": counts["author_id"],
                "handle": counts["handle"].fillna(counts["author_id"]),
            }
        )
        .reindex(columns=list(ACCOUNT_ATTRS))
        .astype("str")
    )
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
    )[
        [
            "akey",
            "platform",
            "platform_id",
            "ts",
            "kind",
            "authored",
            "is_reply",
            "target_key",
            "ask",
        ]
    ]
    own = own.sort_values(["akey", "ts", "platform_id"], ignore_index=True)
    by_account = own.groupby("akey")["ts"]
    prev, nxt = by_account.shift(1), by_account.shift(-1)
    own["gap"] = own["ts"] - prev.fillna(lo).astype("int64")
    own["tail"] = nxt.fillna(hi).astype("int64") - own["ts"]
    own["ask_after_silence"] = own["ask"] & prev.notna() & (own["gap"] >= p.silence_days * DAY)
    own = own.merge(d.audited.drop(columns="platform"), on="akey").merge(
        d.targets, on=["platform", "target_key"], how="left"
    )
    target = np.select(
        [
            own["target_key"].isna(),
            (own["target_key"] == own["account_id"])
            | (own["target_key"] == "@" + own["handle"].str.lower()),
            own["target_principal"] == own["akey"],
            own["target_role"] == "media",
            own["party"].notna() & (own["target_party"] == own["party"]),
            own["target_party"].notna(),
        ],
        ["unknown", "self", "own_party", "media", "own_party", "other_parties"],
        default="citizens",
    )
    own["target"] = pd.Series(target, index=own.index).where(own["is_reply"])
    own["week"] = week_of(own["ts"])
    return own[
        [
            "akey",
            "platform",
            "platform_id",
            "ts",
            "kind",
            "authored",
            "is_reply",
            "gap",
            "tail",
            "ask_after_silence",
            "week",
            "target",
        ]
    ]


def responses(m: pd.DataFrame, d: Directory, p: AuditParams, lo: int) -> pd.DataFrame:
    """Messages by responders that can answer someone: not automation, not reposts."""
    r = m[(m["ts"] >= lo) & (m["kind"] != "repost")].merge(
        d.responders, left_on=["platform", "author_id"], right_on=["platform", "responder_id"]
    )
    human = ~(
        _rx(r["client"], p.automation_client_pattern) | _rx(r["text"], p.automation_text_pattern)
    )
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
    handle = "@" + a["handle"].fillna("").str.lower()
    base = pd.DataFrame(
        {"platform": a["platform"], "akey": a["akey"], "a_id": a["account_id"], "a_handle": handle}
    )
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
    mentioned = (
        mentioned.drop(columns="target_key")
        .assign(target_key="@" + mentioned["mentions"].str.lower())
        .merge(keyed, on=["platform", "target_key"])
    )
    replied_to = (mentioned["reply_to_account_id"] == mentioned["a_id"]) | (
        "@" + mentioned["reply_to_handle"].str.lower() == mentioned["a_handle"]
    )
    mentions = _pick(mentioned[~replied_to], "mention", p)
    private_all = m[_private(m)]
    taking_part = (
        private_all.assign(
            conv=_first(
                private_all["conversation_id"], private_all["root_id"], private_all["platform_id"]
            )
        )
        .merge(
            d.responders, left_on=["platform", "author_id"], right_on=["platform", "responder_id"]
        )[["platform", "conv", "akey"]]
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
        d.responders,
        left_on=["platform", "author_id", "akey"],
        right_on=["platform", "responder_id", "akey"],
        how="left",
        indicator=True,
    )
    return cand[(own_side["_merge"] == "left_only").to_numpy()]


def first_responses(inb: pd.DataFrame, r: pd.DataFrame) -> pd.DataFrame:
    """Each inbound message's earliest human response (direct, public in thread, private)."""
    key = ["platform", "platform_id", "akey"]
    i = inb[[*key, "ts", "conv", "author_id"]]
    direct = i.merge(
        r, left_on=["platform", "akey", "platform_id"], right_on=["platform", "akey", "r_parent"]
    )
    direct = direct[direct["r_ts"] >= direct["ts"]]
    rp = r[~r["r_private"]]
    public = i.merge(
        rp,
        left_on=["platform", "akey", "conv", "author_id"],
        right_on=["platform", "akey", "r_conv", "r_person"],
    )
    public = public[public["r_ts"] > public["ts"]]
    rq = r[r["r_private"]]
    private = i.merge(
        rq, left_on=["platform", "akey", "conv"], right_on=["platform", "akey", "r_conv"]
    )
    private = private[private["r_ts"] > private["ts"]]
    found = pd.concat([direct[[*key, "r_ts"]], public[[*key, "r_ts"]], private[[*key, "r_ts"]]])
    return found.groupby(key, as_index=False)["r_ts"].min().rename(columns={"r_ts": "first_ts"})


def _needs_reply(inb: pd.DataFrame, scores: pd.DataFrame | None, p: AuditParams) -> pd.Series:
    """The classifier's score where the snapshot has one, else the text heuristic."""
    if scores is None:
        return inb["nr_text"]
    score = (
        inb[["platform", "platform_id"]]
        .merge(
            scores[["platform", "platform_id", "score"]].drop_duplicates(
                ["platform", "platform_id"]
            ),
            how="left",
        )["score"]
        .set_axis(inb.index)
    )
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
        dr.responders,
        left_on=["platform", "r_person", "akey"],
        right_on=["platform", "responder_id", "akey"],
        how="left",
        indicator=True,
    )
    out = out[(staff["_merge"] == "left_only").to_numpy()]
    outs = pd.DataFrame(
        {
            "platform": out["platform"],
            "akey": out["akey"],
            "person_id": out["r_person"],
            "conv": out["r_conv"],
            "n_in": 0,
            "n_out": 1,
        }
    )
    both = pd.concat([ins, outs], ignore_index=True)
    keys = ["platform", "akey", "person_id", "conv"]
    return both.groupby(keys, dropna=False, as_index=False)[["n_in", "n_out"]].sum()


def people_table(dialogues: pd.DataFrame) -> pd.DataFrame:
    t = (
        dialogues.assign(exchanges=(dialogues["n_in"] > 0) & (dialogues["n_out"] > 0))
        .groupby(["platform", "akey", "person_id"], as_index=False)[["n_in", "n_out", "exchanges"]]
        .sum()
    )
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


def build_bases(
    d: Data, dr: Directory, p: AuditParams, lo: int, hi: int, as_of: int
) -> dict[str, pd.DataFrame]:
    """Every base table but the bursts', named as the metrics' ``base`` names them."""
    r = responses(d.messages, dr, p, lo)
    own = own_table(d.messages, dr, p, lo, hi)
    inbound = inbound_table(d, dr, r, p, lo, hi, as_of)
    dialogues = dialogues_table(inbound, r, dr, lo, hi)
    return {
        "own": own,
        "inbound": inbound,
        "dialogues": dialogues,
        "people": people_table(dialogues),
        "days": days_table(own, lo, hi),
    }


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
    bursts = (
        a.iloc[acc][["akey", "handle", "party"]]
        .reset_index(drop=True)
        .assign(
            start_ts=first + start * HOUR,
            end_ts=first + end * HOUR,
            hours=end - start,
            posts=cum_posts.astype(np.int64),
        )
    )
    bursts = _follower_change(bursts, snaps, a)
    change = bursts.groupby("akey")["follower_change"].sum(min_count=1)
    summary = a.assign(
        bursts=np.bincount(acc, minlength=len(a)),
        peak_posts_per_hour=peak,
        peak_to_baseline=np.divide(peak, baseline, out=np.full(len(a), np.nan), where=baseline > 0),
        max_posts_6h=six,
        flood=flood,
        follower_change=a["akey"].map(change).astype(float),
    )
    return summary, bursts, hourly


def _followers_at(
    bursts: pd.DataFrame, snaps: pd.DataFrame, at: str, name: str, direction: str
) -> pd.DataFrame:
    """``bursts`` with the followers of the nearest snapshot in ``direction`` from ``at``."""
    return pd.merge_asof(
        bursts.sort_values(at),
        snaps.rename(columns={"followers": name}),
        left_on=at,
        right_on="ts",
        by="akey",
        direction=direction,
    ).drop(columns="ts")


def _follower_change(bursts: pd.DataFrame, snaps: pd.DataFrame, a: pd.DataFrame) -> pd.DataFrame:
    """Followers at the last snapshot at or before each burst and the first at or after it."""
    s = snaps.merge(a[["platform", "account_id", "akey"]], on=["platform", "account_id"])[
        ["akey", "ts", "followers"]
    ].sort_values("ts")
    before = _followers_at(bursts, s, "start_ts", "followers_before", "backward")
    both = _followers_at(before, s, "end_ts", "followers_after", "forward")
    both[["followers_before", "followers_after"]] = both[
        ["followers_before", "followers_after"]
    ].astype("Int64")
    both["follower_change"] = both["followers_after"] - both["followers_before"]
    return both.sort_values(["akey", "start_ts"], ignore_index=True)
