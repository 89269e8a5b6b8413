"""Follower response: what each day's posting cost or earned, against the account's own
baseline.

Unfollowing research (Kwak et al., CHI 2011) and @BarackObama's debt-ceiling tweetstorm of
29 July 2011 (100+ posts in six hours, 33,000-40,000 followers lost that day) say bursts
drive followers away. This puts the account's own numbers beside its guard history: for
each day it posted, its net follower change (where follower snapshots exist) and the
responses its posts drew, each against what is usual for it. :data:`DEFINITION` is the one
text the CLI, the composer and ``docs/plan.md`` print with the table.

Only the net change is observable (follows minus unfollows), and a platform-wide shock moves
every account at once, so the excess is a reading, not a verdict: the guard does not use it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from hustings.plan._record import account_row, own_messages
from hustings.store.schema import follower_snapshots, messages
from hustings.workspace import Actor

__all__ = ["DEFINITION", "Day", "ResponseParams", "daily_response", "response"]


@dataclass(frozen=True, slots=True)
class ResponseParams:
    """The settings of the follower-response reading, printed in its definition."""

    baseline_days: int = 28
    min_baseline_days: int = 5
    burst_factor: float = 3.0
    min_burst_posts: int = 20
    shown_days: int = 30


_P = ResponseParams()
DEFINITION = (
    "For each day the account posted (UTC days): its posts; its net follower change (the "
    "last follower count of the day minus the last of the day before, where counts exist); "
    f"the baseline, the median daily change over the {_P.baseline_days} days before (with at "
    f"least {_P.min_baseline_days} such days); the excess, the day's change minus the "
    "baseline; and the responses (replies and quotes by others) per post. A day with at "
    f"least {_P.burst_factor:g} times the account's median posts a day and at least "
    f"{_P.min_burst_posts} posts is a burst day: its excess is what the burst cost. Only "
    "net change is observable, and a platform-wide shock moves every account at once."
)


@dataclass(frozen=True, slots=True)
class Day:
    """One day of the account's posting and what followed (None where not observed)."""

    day: str
    posts: int
    followers: int | None
    change: int | None
    baseline: float | None
    excess: float | None
    responses_per_post: float | None
    burst: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def daily_response(posts: Mapping[date, int], followers: Mapping[date, int],
                   responses: Mapping[date, int] | None = None,
                   params: ResponseParams | None = None) -> list[Day]:
    """The reading for every day with posts: ``posts`` and ``responses`` by day, and the
    last follower count of each day that has one."""
    p = params or ResponseParams()
    responses = responses or {}
    changes = {d: n - followers[d - timedelta(days=1)] for d, n in followers.items()
               if d - timedelta(days=1) in followers}
    typical = statistics.median(posts.values()) if posts else 0.0
    out = []
    for d in sorted(posts):
        before = [c for k, c in changes.items() if d - timedelta(days=p.baseline_days) <= k < d]
        baseline = statistics.median(before) if len(before) >= p.min_baseline_days else None
        change = changes.get(d)
        n = posts[d]
        out.append(Day(
            day=d.isoformat(), posts=n, followers=followers.get(d), change=change,
            baseline=baseline,
            excess=(change - baseline) if change is not None and baseline is not None else None,
            responses_per_post=round(responses.get(d, 0) / n, 2) if n else None,
            burst=n >= max(p.burst_factor * typical, p.min_burst_posts),
        ))
    return out


def _by_day(rows: Sequence[tuple[datetime, Any]]) -> dict[date, Any]:
    """The last value of each UTC day (rows in time order)."""
    out: dict[date, Any] = {}
    for at, value in rows:
        out[at.astimezone(UTC).date()] = value
    return out


def response(conn: Connection, actor: Actor, account: str | int, until: datetime | None = None,
             params: ResponseParams | None = None) -> dict[str, Any]:
    """The account's follower response for the ``shown_days`` up to its latest post (or
    ``until``), with the baseline read from the weeks before them."""
    from hustings.plan._besttime import responses_to
    from hustings.plan._posts import account_id

    p = params or ResponseParams()
    tracked = account_id(conn, actor, account)
    acct = account_row(conn, tracked)
    mine = own_messages(acct, actor.workspace_id)
    last = conn.execute(select(func.max(messages.c.created_at)).where(mine)).scalar()
    end = min(until or datetime.now(UTC), last) if last else (until or datetime.now(UTC))
    first = end - timedelta(days=p.shown_days)
    posted = conn.execute(
        select(messages.c.platform_id, messages.c.created_at, messages.c.kind).where(
            mine, messages.c.created_at > first, messages.c.created_at <= end)
        .order_by(messages.c.created_at)
    ).all()
    counts: dict[date, int] = defaultdict(int)
    drawn: dict[date, int] = defaultdict(int)
    got = responses_to(conn, acct, actor.workspace_id, [r.platform_id for r in posted])
    for r in posted:
        counts[r.created_at.astimezone(UTC).date()] += 1
        drawn[r.created_at.astimezone(UTC).date()] += got.get(r.platform_id, 0)
    followers: dict[date, int] = {}
    if acct.platform_id:
        followers = _by_day(conn.execute(
            select(follower_snapshots.c.taken_at, follower_snapshots.c.followers).where(
                follower_snapshots.c.platform == acct.platform,
                follower_snapshots.c.account_id == acct.platform_id,
                follower_snapshots.c.taken_at > first - timedelta(days=p.baseline_days + 1),
                # The day's last count, taken after its last post, belongs to that day.
                follower_snapshots.c.taken_at < datetime.combine(
                    end.astimezone(UTC).date() + timedelta(days=1), time(0), UTC))
            .order_by(follower_snapshots.c.taken_at)
        ).all())
    days = daily_response(counts, followers, drawn, p)
    bursts = [d for d in days if d.burst and d.excess is not None]
    return {
        "account_id": tracked, "platform": acct.platform, "handle": acct.handle,
        "definition": DEFINITION, "has_followers": bool(followers),
        "days": [d.as_dict() for d in reversed(days)],
        "burst_cost": sum(d.excess for d in bursts if d.excess is not None) if bursts else None,
    }
