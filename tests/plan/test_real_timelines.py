"""False alarms on real politicians' timelines: at most one per account-week.

Every post is judged at its own time against the account's earlier posts (see
``hustings.plan._replay`` for what counts as a false alarm). Skips when the shared data is
absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hustings.plan._replay import (
    read_538,
    read_congress,
    replay,
    replay_many,
)

LIMIT = 1.0  # false alarms per account-week


@pytest.mark.parametrize("handle", ["BarackObama", "realDonaldTrump"])
def test_leaders_timelines_stay_under_one_false_alarm_per_account_week(
    shared_data: Path, handle: str
) -> None:
    times, texts = read_538(shared_data / "timelines" / "obama-trump-timelines-538" /
                            f"{handle}.csv")
    result = replay(handle, "x", times, texts)
    assert result.false_alarms / result.account_weeks <= LIMIT
    # and the guard does speak on the busiest days the data's notes name
    assert result.alarm_days


def test_congress_tweets_stay_under_one_false_alarm_per_account_week(
    shared_data: Path,
) -> None:
    accounts = read_congress(shared_data / "registries" / "us-congress" /
                             "raw_v1_tweets_2017-06-13.json")
    results = replay_many(accounts, "x")
    weeks = sum(r.account_weeks for r in results)
    assert len(results) > 300
    assert sum(r.false_alarms for r in results) / weeks <= LIMIT
