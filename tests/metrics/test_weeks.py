"""A week grouping covers the week's days inside the audit period, and its silences end there.

The audit runs from Thursday 5 March to Saturday 21 March 2026. Alice posts at noon on the
four days of the first, partial week (Thursday to Sunday), then nothing until Friday 20
March at noon. So the week of 2 March has 4 days in the period, the week of 9 March none of
her messages, and the week of 16 March 6 days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hustings.metrics import AuditParams, read_snapshot, run_audit
from hustings.metrics._scorecard import Scorecard
from hustings.model import Message, MessageKind, Role, TrackedAccount
from tests.metrics.conftest import build_snapshot

SINCE = datetime(2026, 3, 5, tzinfo=UTC)
UNTIL = datetime(2026, 3, 21, 23, 59, 59, tzinfo=UTC)
NOONS = [datetime(2026, 3, day, 12, tzinfo=UTC) for day in (5, 6, 7, 8, 20)]
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 16)
PARAMS = AuditParams(since=SINCE, until=UNTIL)


def _post(n: int, when: datetime) -> Message:
    return Message(
        platform="x",
        platform_id=f"a{n}",
        author_id="A",
        author_handle="a",
        created_at=when,
        text="out canvassing today",
        kind=MessageKind.POST,
    )


MESSAGES = [_post(n, when) for n, when in enumerate(NOONS)]
TRACKED = [TrackedAccount(platform="x", handle="a", role=Role.CANDIDATE, platform_id="A")]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot(tmp_path_factory.mktemp("weeks"), MESSAGES, TRACKED)


@pytest.fixture
def card(con: Any, snapshot: Path) -> Scorecard:
    return run_audit(read_snapshot(con, snapshot), PARAMS, engine=con.name, groupings=["week"])


def _weeks(card: Scorecard) -> pd.DataFrame:
    return card.groups["week"].set_index("week")


def test_an_account_active_every_day_of_a_partial_week_is_active_all_that_week(
    card: Scorecard,
) -> None:
    weeks = _weeks(card)
    assert weeks.loc[FIRST, "active_day_share"] == 1.0  # 4 days of 4, not 4 of 7
    assert weeks.loc[LAST, "active_day_share"] == pytest.approx(1 / 6)


def test_per_week_rates_divide_by_the_weeks_days_in_the_period(card: Scorecard) -> None:
    weeks = _weeks(card)
    assert weeks.loc[FIRST, "posts_per_week"] == pytest.approx(4 / (4 / 7))
    assert weeks.loc[LAST, "posts_per_week"] == pytest.approx(1 / (6 / 7))


def test_a_weekly_silence_runs_from_the_weeks_start_not_the_previous_week(
    card: Scorecard,
) -> None:
    weeks = _weeks(card)
    # first week: half a day from Thursday 00:00 to the first noon, then 24 h between posts,
    # then half a day to Monday 00:00
    assert weeks.loc[FIRST, "longest_silence_days"] == pytest.approx(1.0)
    # Monday 16 March 00:00 to Friday noon, not back to Sunday 8 March's post (12 days)
    assert weeks.loc[LAST, "longest_silence_days"] == pytest.approx(4.5)
    assert (weeks["longest_silence_days"] <= 7).all()


def test_a_week_without_a_message_has_no_row(card: Scorecard) -> None:
    assert list(_weeks(card).index) == [FIRST, LAST]


def test_the_whole_period_silence_still_spans_weeks(card: Scorecard) -> None:
    alice = card.accounts.set_index("akey").loc["x:A"]
    assert alice["longest_silence_days"] == pytest.approx(12.0)
    assert alice["active_day_share"] == pytest.approx(5 / 17)
