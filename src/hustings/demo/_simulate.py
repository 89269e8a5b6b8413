"""Assemble a campaign: cast, planted anomalies, message stream and follower snapshots.

Each concern draws from its own ``random.Random`` seeded from ``seed`` and a label, so the
message stream of :func:`iter_messages` is identical to the one :func:`simulate` keeps, and
adding a draw to one concern does not reshuffle the others.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hustings.demo._cast import PARTIES, build_cast
from hustings.demo._engine import FloodPlan, run
from hustings.demo._model import (
    CAMPAIGN_DAYS,
    Campaign,
    DemoAccount,
    DemoMessage,
    GroundTruth,
    Platform,
    Role,
    campaign_start,
    demo_now,
)

__all__ = ["iter_messages", "plan", "simulate"]


@dataclass(frozen=True, slots=True)
class _Plan:
    accounts: list[DemoAccount]
    flood: FloodPlan
    flood_drop: float


def _rng(seed: int, label: str) -> random.Random:
    return random.Random(f"hustings-demo:{seed}:{label}")


def plan(seed: int, scale: float, start: datetime) -> _Plan:
    """Build the cast and plant the flooding account: quiet for weeks, then 100+ asks."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    rng = _rng(seed, "cast")
    accounts = build_cast(rng, scale, start)
    quiet = [
        a
        for a in accounts
        if a.role is Role.CANDIDATE and Platform.X in a.platforms and a.answered_by is None
    ]
    chosen = rng.choice(quiet)
    accounts[chosen.index] = replace(chosen, posts_per_day=0.0, reply_share=0.0)
    day = rng.randint(17, 24)
    at = day * 86400.0 + 15 * 3600 + rng.randrange(3600)
    flood = FloodPlan(account=chosen.index, start=at, posts=rng.randint(110, 150))
    return _Plan(accounts, flood, rng.uniform(0.012, 0.03))


def iter_messages(
    seed: int = 2019, scale: float = 1.0, now: datetime | None = None
) -> Iterator[DemoMessage]:
    """Yield the campaign's messages in time order without keeping them.

    This is the streaming form of :func:`simulate` for runs too big to hold in memory.
    """
    now = demo_now(now)
    start = campaign_start(now)
    setup = plan(seed, scale, start)
    until = (now - start).total_seconds()
    return run(_rng(seed, "messages"), setup.accounts, scale, setup.flood, start, until)


def _followers(
    rng: random.Random, accounts: list[DemoAccount], flood: FloodPlan, drop: float
) -> dict[tuple[Platform, int], list[int]]:
    """Daily follower counts at 06:00 UTC: steady growth, and a drop after the flood."""
    flood_day = int(flood.start // 86400)
    series: dict[tuple[Platform, int], list[int]] = {}
    for account in accounts:
        if not account.is_tracked:
            continue
        for platform in (Platform.X, Platform.MASTODON):
            if platform not in account.platforms:
                continue
            value = float(account.followers)
            if platform is Platform.MASTODON:
                value *= rng.uniform(0.05, 0.25)
            trend = rng.uniform(0.0005, 0.006)
            values = []
            for day in range(CAMPAIGN_DAYS + 1):
                if account.index == flood.account and day == flood_day + 1:
                    value *= 1 - drop
                elif account.index == flood.account and day > flood_day + 1:
                    value *= 1 - rng.uniform(0.0, 0.002)
                elif day:
                    value *= 1 + max(-0.002, rng.gauss(trend, 0.002))
                values.append(max(1, round(value)))
            series[(platform, account.index)] = values
    return series


def simulate(seed: int = 2019, scale: float = 1.0, now: datetime | None = None) -> Campaign:
    """Simulate the fictional Northland campaign; deterministic for ``seed`` and the day.

    The campaign's last day is the day of ``now`` (see :func:`demo_now`) and it stops at
    ``now``: messages from the last hours are still waiting for an answer, older ones were
    answered or left waiting, as in a campaign going on today. ``scale`` multiplies the
    number of citizens and of reactions, so messages grow about linearly with it (scale 1
    is about 3,000 citizens and 50,000 messages over the whole 35 days).
    """
    now = demo_now(now)
    start = campaign_start(now)
    setup = plan(seed, scale, start)
    accounts = setup.accounts
    until = (now - start).total_seconds()
    messages = list(run(_rng(seed, "messages"), accounts, scale, setup.flood, start, until))
    # Drawn for the whole campaign, then cut at now, so the series do not depend on the hour.
    taken = sum(1 for day in range(CAMPAIGN_DAYS + 1) if day * 86400 + 6 * 3600 <= until)
    followers = {
        key: series[:taken]
        for key, series in _followers(
            _rng(seed, "followers"), accounts, setup.flood, setup.flood_drop
        ).items()
    }
    flood_account = accounts[setup.flood.account]
    flood_start = start + timedelta(seconds=setup.flood.start)
    citizen_messages = [m for m in messages if accounts[m.author].role is Role.CITIZEN]
    uncivil = sum(m.uncivil for m in citizen_messages) / max(1, len(citizen_messages))
    truth = GroundTruth(
        flood_handle=flood_account.handle,
        flood_platform=Platform.X,
        flood_start=flood_start,
        flood_end=flood_start + timedelta(seconds=setup.flood.span),
        flood_posts=setup.flood.posts,
        flood_follower_drop=setup.flood_drop,
        leader_reply_shares={a.handle: a.reply_share for a in accounts if a.role is Role.LEADER},
        silent_handles=tuple(
            a.handle
            for a in accounts
            if a.is_tracked and a.reply_share == 0 and a.role is not Role.MEDIA
        ),
        staff_proxies=tuple(
            (accounts[a.answered_by].handle, a.handle)
            for a in accounts
            if a.answered_by is not None
        ),
        uncivil_share=uncivil,
    )
    return Campaign(
        seed=seed,
        scale=scale,
        parties=PARTIES,
        accounts=tuple(accounts),
        messages=messages,
        ground_truth=truth,
        start=start,
        end=now,
        followers=followers,
    )
