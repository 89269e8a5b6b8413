"""Bursts, floods and the follower change around them, on a hand-made fortnight.

F posts once a day at noon for a fortnight, except on day 10, when it posts 110 times from
10:00 to 15:27 (one post every 3 minutes: 20 in each of the hours 10 to 14 and 10 in hour
15). Its follower count, taken daily at midnight, is 10,000 up to day 10 and 9,700 from
day 11. Q posts once a day at noon, every day. Worked out by hand:

* F has one burst, hours 10 to 15 of day 10 (6 hours, 110 posts): entering the burst state
  costs ln(337) = 5.8 (the period has 337 clock hours), which one post an hour never pays
  back and twenty an hour pay back at once; leaving it is free, so it ends with the flood.
* Its peak is 20 posts in an hour; its baseline 123 posts / 337 hours; 110 posts within 6
  hours make it a flood (100+ in 6 h).
* Followers: 10,000 at the last snapshot before the burst (day 10, 00:00), 9,700 at the
  first one after it (day 11, 00:00): a change of -300.
* Q has no burst, no flood, a peak of 1 and no follower change.
* G posts once a day at noon, except on days 3 and 9, when it posts 60 times from 10:00
  (20 in each of the hours 10 to 12): two bursts of 3 hours and 60 posts. Its followers are
  counted only from day 5: 2,000 up to day 9, 1,950 from day 10. The first burst has no
  count before it, so no change; the second goes from 2,000 to 1,950, so G's change in
  bursts is -50, not -50 plus a guess. 60 posts in 6 hours is 5x its baseline (132 posts /
  337 hours) and more: a flood.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hustings.metrics import AuditParams, read_snapshot, run_audit
from hustings.metrics._scorecard import Scorecard
from hustings.model import FollowerSnapshot, Message, MessageKind, Role, TrackedAccount
from hustings.store import Store
from hustings.store.records import write_snapshots
from tests.metrics.conftest import build_snapshot

T0 = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 14
FLOOD_DAY = 10
PARAMS = AuditParams(since=T0, until=T0 + timedelta(days=DAYS))


def _post(author: str, n: int, when: datetime) -> Message:
    return Message(
        platform="x",
        platform_id=f"{author}{n}",
        author_id=author,
        author_handle=author.lower(),
        created_at=when,
        text="Please donate today",
        kind=MessageKind.POST,
    )


G_FLOOD_DAYS = (3, 9)


def _flooded(days: dict[int, int]) -> list[datetime]:
    """Noon every day, except on each day in ``days``: that many posts, every 3 minutes
    from 10:00."""
    noon = [T0 + timedelta(days=d, hours=12) for d in range(DAYS) if d not in days]
    return noon + [
        T0 + timedelta(days=d, hours=10, minutes=3 * i) for d, n in days.items() for i in range(n)
    ]


def _messages() -> list[Message]:
    times = {
        "F": _flooded({FLOOD_DAY: 110}),
        "Q": _flooded({}),
        "G": _flooded(dict.fromkeys(G_FLOOD_DAYS, 60)),
    }
    return [_post(a, i, t) for a, ts in times.items() for i, t in enumerate(ts)]


def _followers() -> list[FollowerSnapshot]:
    counts = {
        "F": {d: 10_000 if d <= FLOOD_DAY else 9_700 for d in range(DAYS + 1)},
        "Q": dict.fromkeys(range(DAYS + 1), 500),
        "G": {d: 2_000 if d <= 9 else 1_950 for d in range(5, DAYS + 1)},
    }
    return [
        FollowerSnapshot(
            platform="x", account_id=account, taken_at=T0 + timedelta(days=d), followers=n
        )
        for account, by_day in counts.items()
        for d, n in by_day.items()
    ]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bursts")
    tracked = [
        TrackedAccount(platform="x", handle=h.lower(), role=Role.CANDIDATE, platform_id=h)
        for h in ("F", "Q", "G")
    ]
    messages = _messages()
    store = Store.open(f"sqlite:///{out / 'store.db'}")
    with store.begin() as conn:
        write_snapshots(conn, _followers())
    store.close()
    return build_snapshot(out, messages, tracked)


@pytest.fixture(scope="module")
def cards() -> dict[str, Scorecard]:
    return {}


def _card(con: Any, snapshot: Path, cards: dict[str, Scorecard]) -> Scorecard:
    if con.name not in cards:
        cards[con.name] = run_audit(read_snapshot(con, snapshot), PARAMS, groupings=())
    return cards[con.name]


def test_a_flood_is_one_burst_with_its_follower_loss(
    con: Any, snapshot: Path, cards: dict[str, Scorecard]
) -> None:
    card = _card(con, snapshot, cards)
    f = card.accounts.set_index("akey").loc["x:F"]
    assert f["messages"] == 123
    assert f["bursts"] == 1
    assert f["peak_posts_per_hour"] == 20
    assert f["peak_to_baseline"] == pytest.approx(20 / (123 / 337))
    assert f["flood"] == 1
    assert f["follower_change_in_bursts"] == -300
    [burst] = card.bursts[card.bursts["akey"] == "x:F"].to_dict(orient="records")
    start = pd.Timestamp(T0 + timedelta(days=FLOOD_DAY, hours=10))
    assert (burst["start"], burst["end"]) == (start, start + pd.Timedelta(hours=6))
    assert (burst["hours"], burst["posts"]) == (6, 110)
    assert (burst["followers_before"], burst["followers_after"]) == (10_000, 9_700)


def test_each_burst_has_its_own_follower_counts(
    con: Any, snapshot: Path, cards: dict[str, Scorecard]
) -> None:
    card = _card(con, snapshot, cards)
    g = card.accounts.set_index("akey").loc["x:G"]
    assert (g["bursts"], g["peak_posts_per_hour"], g["flood"]) == (2, 20, 1)
    assert g["follower_change_in_bursts"] == -50
    bursts = card.bursts[card.bursts["akey"] == "x:G"].sort_values("start")
    starts = [pd.Timestamp(T0 + timedelta(days=d, hours=10)) for d in G_FLOOD_DAYS]
    assert bursts["start"].tolist() == starts
    assert bursts["hours"].tolist() == [3, 3] and bursts["posts"].tolist() == [60, 60]
    first, second = bursts.to_dict(orient="records")
    assert pd.isna(first["followers_before"]) and first["followers_after"] == 2_000
    assert pd.isna(first["follower_change"])
    assert (second["followers_before"], second["followers_after"]) == (2_000, 1_950)
    assert second["follower_change"] == -50


def test_steady_posting_is_no_burst(con: Any, snapshot: Path, cards: dict[str, Scorecard]) -> None:
    card = _card(con, snapshot, cards)
    q = card.accounts.set_index("akey").loc["x:Q"]
    assert (q["bursts"], q["flood"], q["peak_posts_per_hour"]) == (0, 0, 1)
    assert pd.isna(q["follower_change_in_bursts"])
    assert card.bursts[card.bursts["akey"] == "x:Q"].empty


def test_the_hourly_series_names_each_account(
    con: Any, snapshot: Path, cards: dict[str, Scorecard]
) -> None:
    hourly = _card(con, snapshot, cards).hourly
    flood_hour = (FLOOD_DAY * 24) + 10
    f = hourly[hourly["akey"] == "x:F"].set_index("hour")["n"].sort_index()
    assert f.loc[flood_hour : flood_hour + 5].tolist() == [20, 20, 20, 20, 20, 10]
    assert hourly.loc[hourly["akey"] == "x:Q", "n"].sum() == DAYS
