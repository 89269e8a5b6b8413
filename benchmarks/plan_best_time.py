"""Best time to post and follower response, on real timelines.

- **Best time** (FiveThirtyEight timelines of @BarackObama and @realDonaldTrump, with each
  tweet's reply count as collected in October 2017): every post from the account's fifth
  week on is scored as the product scores it, from the 16 weeks before it
  (``hustings.plan.score_slots``: replies per post in its hour of the week, shrunk, over the
  account's usual), and its own replies are read against the median of the posts of those
  16 weeks (the account grew, so raw counts trend). The figures: Spearman's rho between the
  slot score and that relative reply count, and the mean relative replies of the posts
  whose slot scored in the top fifth against the bottom fifth. Times are UTC (the source
  does not state a zone). Retweets ("RT @") are left out: their replies are another's.
- **Follower response** through the product's own reading (``hustings.plan.daily_response``)
  on Social Blade's daily followers of 100 political accounts (Mar-Apr 2022): the burst days
  it marks and their excess follower change against each account's 28-day median.
- **Latency** of scoring and suggesting for one account with 16 weeks of five posts a day.

Run: ``.venv/bin/python benchmarks/plan_best_time.py``.
"""

# ruff: noqa: E501  (the BENCHMARKS.md rows are long by nature)
from __future__ import annotations

import csv
import os
import statistics
import time
from datetime import UTC, date, datetime

import numpy as np
from _common import shared_data, write_section

from hustings.plan import daily_response, make_rule, score_slots, suggest
from hustings.plan._besttime import slot_of
from hustings.plan._replay import (
    STORM_START,
    quiet_baseline,
    read_daily_followers,
    tweetstorm,
    tweetstorm_followers,
)

WEEK = 7 * 86400


def _read(handle: str) -> tuple[np.ndarray, np.ndarray]:
    path = shared_data() / "timelines" / "obama-trump-timelines-538" / f"{handle}.csv"
    times, replies = [], []
    with path.open(encoding="latin-1", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["text"].startswith("RT @"):
                continue
            when = datetime.strptime(row["created_at"], "%m/%d/%y %H:%M").replace(tzinfo=UTC)
            times.append(int(when.timestamp()))
            replies.append(float(row["replies"] or 0))
    order = np.argsort(times)
    return np.asarray(times)[order], np.asarray(replies)[order]


def _rank(x: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(x, kind="stable"), kind="stable").astype(float)


def best_time_row(handle: str) -> str:
    times, replies = _read(handle)
    slots = np.asarray([slot_of(int(t), UTC) for t in times])
    scores, relative = [], []
    for i, t in enumerate(times):
        lo = np.searchsorted(times, t - 16 * WEEK)
        if t - times[0] < 4 * WEEK or i - lo < 20:
            continue
        past = score_slots(slots[lo:i], replies[lo:i])
        base = float(np.median(replies[lo:i])) or 1.0
        scores.append(float(past.score[slots[i]]))
        relative.append(replies[i] / base)
    s, r = np.asarray(scores), np.asarray(relative)
    rho = float(np.corrcoef(_rank(s), _rank(r))[0, 1])
    top, bottom = s >= np.quantile(s, 0.8), s <= np.quantile(s, 0.2)
    return (f"| @{handle} | {len(s):,} | {rho:+.3f} | {r[top].mean():.2f} | "
            f"{r[bottom].mean():.2f} | {r[top].mean() / r[bottom].mean():.2f} |")


def follower_rows() -> str:
    daily = read_daily_followers(shared_data() / "timelines" / "follower-counts-daily-2022")
    bursts, excess_pct, below = 0, [], 0
    for rows in daily.values():
        posts = {date.fromisoformat(d): n for d, n, _, _ in rows if n}
        followers = {date.fromisoformat(d): f for d, _, _, f in rows}
        for day in daily_response(posts, followers):
            if day.burst and day.excess is not None and day.followers:
                bursts += 1
                excess_pct.append(100 * day.excess / day.followers)
                below += day.excess < 0
    if not bursts:
        return "no burst days by the definition"
    return (f"{bursts} burst days over {len(daily)} accounts; excess follower change "
            f"mean {statistics.mean(excess_pct):+.3f}, median {statistics.median(excess_pct):+.3f} "
            f"percentage points of followers; {below} of {bursts} below the account's baseline")


def storm() -> str:
    from collections import Counter

    times = quiet_baseline(STORM_START) + [t for t, _ in tweetstorm()]
    posts = Counter(datetime.fromtimestamp(t, UTC).date() for t in times)
    days = daily_response(posts, dict(tweetstorm_followers()))
    bursts = [d for d in days if d.burst]
    d = bursts[-1]
    return (f"{len(bursts)} burst day of {len(days)} ({d.day}, {d.posts} posts): change "
            f"{d.change:+,} against a baseline of {d.baseline:+,.0f}, excess {d.excess:+,.0f} "
            "followers")


def latency() -> tuple[float, float]:
    rng = np.random.default_rng(16)
    now = int(datetime(2026, 12, 7, tzinfo=UTC).timestamp())
    times = np.sort(now - rng.integers(0, 16 * WEEK, 16 * 7 * 5))
    got = rng.poisson(4, len(times)).astype(float)
    rule = make_rule("quiet_hours", {"start": 22, "end": 7, "tz": "Europe/London"})
    samples = []
    for i in range(220):
        start = time.perf_counter()
        scores = score_slots([slot_of(int(t), UTC) for t in times], got)
        suggest(scores, now, UTC, [rule])
        if i >= 20:
            samples.append(time.perf_counter() - start)
    ms = np.asarray(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def main() -> None:
    p50, p95 = latency()
    rows = [
        "## Plan: best time and follower response (`benchmarks/plan_best_time.py`)",
        "",
        "Method: see the script's docstring (each post scored from the 16 weeks before it, as "
        "the product would have; its replies read against those weeks' median).",
        "",
        "| timeline | posts scored | Spearman rho, slot score vs relative replies | relative replies, top fifth of slots | bottom fifth | ratio |",
        "|---|---:|---:|---:|---:|---:|",
        best_time_row("BarackObama"),
        best_time_row("realDonaldTrump"),
        "",
        f"- Scoring and suggesting, one account, 16 weeks x 5 posts a day, one quiet-hours rule: p50 {p50:.1f} ms, p95 {p95:.1f} ms (load average {os.getloadavg()[0]:.1f}).",
        f"- Follower response through `daily_response` (Social Blade, 2022): {follower_rows()}.",
        f"- The 2011 tweetstorm replay (docs/plan.md, \"Follower response\"): {storm()}.",
    ]
    body = "\n".join(rows)
    print(body)
    write_section("plan-best-time", body)


if __name__ == "__main__":
    main()
