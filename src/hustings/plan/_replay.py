"""Replaying timelines through the guard, post by post, to count its false alarms.

Each post of an account is judged as a draft at its own time, with the account's earlier
posts as its published history (nothing queued), exactly as the guard would have seen it.
A **false alarm** is a UTC day on which the guard said ``warn`` or ``hold`` at least once
although the account's own history says the day was ordinary: the day's post count is at
most the ``ordinary_quantile`` of the account's posts per active day over the
``lookback_weeks`` before it (with under ``min_history_weeks`` of history every day is
taken as ordinary, which counts every alarm then as false). The rate is false alarms per
account-week, counting the (account, ISO week) pairs with at least one post.

Readers for the real sets the benchmark and the tests use are here too, so both read them
the same way; the data itself stays outside the project (``HUSTINGS_SHARED_DATA``).
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from hustings.plan._guard import DAY, WEEK, Draft, GuardParams, Judgement, Timeline, judge
from hustings.plan._rules import Verdict

__all__ = [
    "Replay",
    "first_hold",
    "quiet_baseline",
    "read_538",
    "read_congress",
    "read_daily_followers",
    "replay",
    "replay_many",
    "tweetstorm",
    "tweetstorm_followers",
]

HOUR = 3600
STORM_START = int(datetime(2011, 7, 29, 15, tzinfo=UTC).timestamp())
LEGISLATORS = ("@SpeakerBoehner", "@SenatorReid", "@GOPLeader", "@SenJohnMcCain", "@RepPaulRyan")

ORDINARY_QUANTILE = 0.9


@dataclass(frozen=True, slots=True)
class Replay:
    """One account's replay: its judgements, alarm days, ordinary days and active weeks."""

    handle: str
    verdicts: tuple[Verdict, ...]
    alarm_days: frozenset[int]
    false_alarm_days: frozenset[int]
    account_weeks: int

    @property
    def false_alarms(self) -> int:
        return len(self.false_alarm_days)


def _ordinary(day: int, days: Mapping[int, int], first: int, p: GuardParams) -> bool:
    """Whether the account's own history before ``day`` says its count that day is usual."""
    if (day * DAY - first) < p.min_history_weeks * WEEK:
        return True
    lo = day - p.lookback_weeks * 7
    counts = [n for d, n in days.items() if lo <= d < day]
    if not counts:
        return True
    return days[day] <= float(np.quantile(counts, ORDINARY_QUANTILE, method="higher"))


def replay(handle: str, platform: str, times: Sequence[int], texts: Sequence[str],
           params: GuardParams | None = None) -> Replay:
    """Judge every post of one account at its own time against its earlier posts."""
    p = params or GuardParams()
    order = np.argsort(np.asarray(times, dtype=np.int64), kind="stable")
    ts = np.asarray(times, dtype=np.int64)[order]
    verdicts: list[Verdict] = []
    alarms: set[int] = set()
    for i, k in enumerate(order):
        j: Judgement = judge(Draft(int(ts[i]), texts[k]), Timeline(handle, platform, ts[:i]),
                             params=p)
        verdicts.append(j.verdict)
        if j.verdict is not Verdict.OK:
            alarms.add(int(ts[i]) // DAY)
    days: dict[int, int] = defaultdict(int)
    for t in ts.tolist():
        days[t // DAY] += 1
    first = int(ts[0]) if len(ts) else 0
    false = {d for d in alarms if _ordinary(d, days, first, p)}
    weeks = {datetime.fromtimestamp(t, UTC).isocalendar()[:2] for t in ts.tolist()}
    return Replay(handle, tuple(verdicts), frozenset(alarms), frozenset(false), len(weeks))


def replay_many(accounts: Mapping[str, tuple[list[int], list[str]]], platform: str,
                params: GuardParams | None = None) -> list[Replay]:
    return [replay(h, platform, t, x, params) for h, (t, x) in sorted(accounts.items())]


def read_538(path: Path) -> tuple[list[int], list[str]]:
    """One FiveThirtyEight timeline CSV: times (``M/D/YY H:MM``, taken as UTC) and texts."""
    times, texts = [], []
    with path.open(encoding="latin-1", newline="") as fh:
        for row in csv.DictReader(fh):
            when = datetime.strptime(row["created_at"], "%m/%d/%y %H:%M").replace(tzinfo=UTC)
            times.append(int(when.timestamp()))
            texts.append(row["text"])
    return times, texts


def read_congress(path: Path) -> dict[str, tuple[list[int], list[str]]]:
    """The Congress v1.1 tweets, by account: times and texts."""
    by: dict[str, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    for tweet in _load(path):
        when = datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
        times, texts = by[tweet["user"]["screen_name"]]
        times.append(int(when.timestamp()))
        texts.append(tweet.get("full_text") or tweet.get("text") or "")
    return dict(by)


def _load(path: Path) -> Iterable[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else []


def quiet_baseline(end: int, weeks: int = 6, per_day: int = 3, seed: int = 2011) -> list[int]:
    """A few posts a day at daytime hours (13:00-23:00 UTC) for ``weeks`` weeks before ``end``."""
    rng = np.random.default_rng(seed)
    first_day = end // DAY - weeks * 7
    return sorted(
        (first_day + d) * DAY + int(rng.integers(13 * HOUR, 23 * HOUR))
        for d in range(weeks * 7) for _ in range(per_day)
    )


def tweetstorm(start: int = STORM_START) -> list[tuple[int, str]]:
    """The 29 July 2011 debt-ceiling tweetstorm, replayed from its documented sequence.

    No copy of it is public, so it is built: 110 posts in six hours (one every 196 s from
    15:00 UTC), four in five naming a legislator's handle and asking people to tweet at
    them, the rest a general call to keep the pressure on. It follows
    :func:`quiet_baseline` (three posts a day for six weeks).
    """
    posts = []
    for i in range(110):
        if i % 5 == 4:
            text = "Keep the pressure on: call your representative and retweet this. #compromise"
        else:
            handle = LEGISLATORS[i % len(LEGISLATORS)]
            text = f"Tweet {handle} and ask for a balanced compromise on the debt ceiling."
        posts.append((start + i * 196, text))
    return posts


STORM_FOLLOWERS = 9_400_000
STORM_LOSS = 36_000


def tweetstorm_followers(start: int = STORM_START, weeks: int = 6,
                         seed: int = 2011) -> list[tuple[date, int]]:
    """@BarackObama's daily follower counts around the storm, replayed from what was
    reported: about 9.4 million followers growing some 9,000 a day (with a day-to-day
    spread of 1,500) for ``weeks`` weeks, then a net loss of ``STORM_LOSS`` (36,000: reports
    said 33,000-40,000) on the storm's day, and the usual growth again the day after. No
    daily series of that summer is public; the shape is the documented one."""
    rng = np.random.default_rng(seed)
    storm_day = datetime.fromtimestamp(start, UTC).date()
    first = storm_day - timedelta(days=weeks * 7)
    out, followers = [], STORM_FOLLOWERS
    for k in range(weeks * 7 + 3):
        day = first + timedelta(days=k)
        followers += -STORM_LOSS if day == storm_day else int(rng.normal(9_000, 1_500))
        out.append((day, followers))
    return out


def first_hold(history: list[int], posts: Sequence[tuple[int, str]], handle: str = "BarackObama",
               platform: str = "x", params: GuardParams | None = None) -> int | None:
    """The number (from 1) of the first post of ``posts`` the guard holds, each judged after
    the ones before it went out; None if none is held."""
    published = list(history)
    for n, (at, text) in enumerate(posts, start=1):
        if judge(Draft(at, text), Timeline.of(handle, platform, published),
                 params=params).verdict is Verdict.HOLD:
            return n
        published.append(at)
    return None


def read_daily_followers(folder: Path) -> dict[str, list[tuple[str, int, int, int]]]:
    """Social Blade's daily rows by account: (date, tweets that day, follower change that
    day, followers); an account's first day (nothing to difference) is left out. "Tweets"
    there counts everything the account published, replies and reposts too."""
    out: dict[str, list[tuple[str, int, int, int]]] = {}
    for name in ("liberal-follows.csv", "conservative-follows.csv"):
        with (folder / name).open(encoding="utf-8", newline="") as fh:
            rows = sorted(csv.DictReader(fh), key=lambda r: (r["username"], r["date"]))
        for prev, row in itertools.pairwise(rows):
            if prev["username"] != row["username"] or not row["tweets"] or not prev["tweets"]:
                continue
            followers = int(row["followers"])
            change = followers - int(prev["followers"])
            tweets = max(int(row["tweets"]) - int(prev["tweets"]), 0)
            out.setdefault(row["username"], []).append((row["date"], tweets, change, followers))
    return out
