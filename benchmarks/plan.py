"""The plan guard on real timelines: a replayed tweetstorm, false alarms, follower response,
latency.

- **Tweetstorm**: three posts a day for six weeks, then the 29 July 2011 debt-ceiling storm
  rebuilt from its documented sequence (110 posts in six hours, most naming a legislator and
  asking people to tweet at them; ``hustings.plan._replay.tweetstorm``). Each post is judged
  after the ones before it went out; the figure is the number of the first post held.
- **False alarms**: every post of @BarackObama, @realDonaldTrump (FiveThirtyEight) and the
  334 Congress accounts of 13 June 2017 judged at its own time against the account's earlier
  posts; a false alarm is a day with a warn or hold whose post count the account's own
  16 weeks before call ordinary (at most their 90th percentile of posts per active day; with
  under 4 weeks of history every day counts as ordinary), per (account, ISO week) with posts.
- **Follower response** (Social Blade daily followers of 100 political accounts, Mar-Apr
  2022; its "tweets" count replies and reposts too and has no times, so it is not replayed):
  net follower change, in percent of followers, on days the account published more than
  three times its own median (and at least 20), against the account's own median day.
- **Latency**: 50 accounts of one campaign on one platform with 16 weeks of history each
  (5 posts a day), a draft judged for a random account at a random time in the last week,
  with the other 49 as its campaign; p50/p95 over 500 drafts after 20 warm-up ones.

Run: ``.venv/bin/python benchmarks/plan.py``.
"""

# ruff: noqa: E501  (the BENCHMARKS.md table rows are long by nature)
from __future__ import annotations

import os
import statistics
import sys
import time
from collections import Counter

import numpy as np
from _common import shared_data, write_section

from hustings.plan import Draft, Timeline, Verdict, judge
from hustings.plan._replay import (
    STORM_START,
    first_hold,
    quiet_baseline,
    read_538,
    read_congress,
    read_daily_followers,
    replay,
    replay_many,
    tweetstorm,
)

DAY, WEEK = 86400, 7 * 86400


def false_alarm_rows() -> list[str]:
    data = shared_data()
    rows = []
    for handle in ("BarackObama", "realDonaldTrump"):
        times, texts = read_538(data / "timelines" / "obama-trump-timelines-538" / f"{handle}.csv")
        r = replay(handle, "x", times, texts)
        rows.append(_row(f"@{handle}", 1, len(times), [r]))
    congress = read_congress(data / "registries" / "us-congress" / "raw_v1_tweets_2017-06-13.json")
    results = replay_many(congress, "x")
    rows.append(_row("US Congress, 13 June 2017", len(results),
                     sum(len(t) for t, _ in congress.values()), results))
    return rows


def _row(name: str, accounts: int, posts: int, results: list) -> str:  # type: ignore[type-arg]
    verdicts = Counter(v for r in results for v in r.verdicts)
    weeks = sum(r.account_weeks for r in results)
    false = sum(r.false_alarms for r in results)
    alarms = sum(len(r.alarm_days) for r in results)
    return (f"| {name} | {accounts} | {posts:,} | {verdicts[Verdict.WARN]:,} | "
            f"{verdicts[Verdict.HOLD]:,} | {alarms} | {false} | {weeks} | {false / weeks:.2f} |")


def follower_response() -> str:
    daily = read_daily_followers(shared_data() / "timelines" / "follower-counts-daily-2022")
    excess, heavy_days = [], 0
    for days in daily.values():
        counts = [n for _, n, _, _ in days]
        pct = [100 * c / f for _, _, c, f in days if f]
        if len(pct) < 10:
            continue
        median_n, median_pct = statistics.median(counts), statistics.median(pct)
        for _, n, c, f in days:
            if f and n > 3 * median_n and n >= 20:
                heavy_days += 1
                excess.append(100 * c / f - median_pct)
    if not excess:
        return "No account had a day over three times its median."
    return (f"{heavy_days} heavy days over {len(daily)} accounts: mean excess follower change "
            f"{statistics.mean(excess):+.3f} percentage points of followers against the account's "
            f"own median day (median excess {statistics.median(excess):+.3f}; "
            f"{sum(e < 0 for e in excess)} of {len(excess)} below the account's median).")


def latency() -> tuple[float, float]:
    rng = np.random.default_rng(50)
    now = STORM_START
    accounts = [
        Timeline.of(f"acct{k}", "bluesky", np.sort(now - rng.integers(0, 16 * WEEK, 16 * 7 * 5)))
        for k in range(50)
    ]
    samples = []
    for i in range(520):
        k = int(rng.integers(0, 50))
        at = now + int(rng.integers(-WEEK, 0))
        own = accounts[k]
        mine = Timeline(own.handle, own.platform, own.published[own.published < at])
        start = time.perf_counter()
        judge(Draft(at, "Join us on Saturday: sign up to volunteer"), mine, accounts)
        if i >= 20:
            samples.append(time.perf_counter() - start)
    ms = np.asarray(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    storm = tweetstorm()
    held = first_hold(quiet_baseline(STORM_START), storm)
    p50, p95 = latency()
    rows = [
        "## Plan: the cadence guard (`benchmarks/plan.py`)",
        "",
        "Method: see the script's docstring (each post judged at its own time against the "
        "account's earlier posts; a false alarm is a warn/hold day the account's own prior 16 "
        "weeks call ordinary, counted per account-week with posts).",
        "",
        f"- 2011-style tweetstorm replay ({len(storm)} posts in "
        f"{(storm[-1][0] - storm[0][0]) / 3600:.1f} h after six weeks of 3 a day): first hold at "
        f"post **{held}** (target: within 10).",
        f"- Latency, one draft, 50 accounts x 16 weeks of history as its campaign: p50 "
        f"{p50:.1f} ms, p95 **{p95:.1f} ms** (target < 50 ms; load average "
        f"{os.getloadavg()[0]:.1f}).",
        "",
        "| timeline | accounts | posts | warn | hold | alarm days | false alarm days | account-weeks | false alarms per account-week (target <= 1) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(["| _not measured in a --quick run_ | | | | | | | | |"] if quick else false_alarm_rows()),
        "",
        "Follower response (Social Blade, 2022): "
        + ("_not measured in a --quick run_" if quick else follower_response()),
    ]
    body = "\n".join(rows)
    print(body)
    write_section("plan", body)


if __name__ == "__main__":
    main()
