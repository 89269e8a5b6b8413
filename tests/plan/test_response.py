"""Follower response: each day an account posted, its follower change and responses against
its own baseline; the 2011 tweetstorm shows as the cost of a burst. SQLite and PostgreSQL,
library, CLI, API and composer; another workspace's account is refused."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import orjson
from typer.testing import CliRunner

from hustings.cli.main import app as cli
from hustings.plan import RESPONSE_DEFINITION, daily_response, response
from hustings.plan._replay import STORM_START, quiet_baseline, tweetstorm, tweetstorm_followers
from tests.plan.storm import load_storm
from tests.web.conftest import NORTH, SOUTH, Campaign, any_campaign, campaign, web_factory

__all__ = ["any_campaign", "campaign", "web_factory"]

STORM_DAY = "2011-07-29"


def test_the_storm_day_is_a_burst_that_cost_its_loss_and_the_usual_growth() -> None:
    times = quiet_baseline(STORM_START) + [t for t, _ in tweetstorm()]
    posts = Counter(datetime.fromtimestamp(t, UTC).date() for t in times)
    days = daily_response(posts, dict(tweetstorm_followers()))
    storm = days[-1]
    assert (storm.day, storm.posts, storm.change, storm.burst) == (STORM_DAY, 110, -36_000, True)
    assert storm.baseline is not None and 7_000 < storm.baseline < 11_000
    assert storm.excess is not None and storm.excess < -43_000
    assert not any(d.burst for d in days[:-1])


def test_without_follower_counts_a_day_shows_posts_and_no_change() -> None:
    (day,) = daily_response({date(2026, 12, 1): 4}, {}, {date(2026, 12, 1): 6})
    assert (day.change, day.excess, day.responses_per_post) == (None, None, 1.5)


def test_the_workspaces_account_shows_the_storm_first_with_its_cost(
    any_campaign: Campaign,
) -> None:
    load_storm(any_campaign.store, any_campaign.north_id)
    with any_campaign.store.begin() as conn:
        found = response(conn, any_campaign.actor("responder"), "x:BarackObama")
    assert found["definition"] == RESPONSE_DEFINITION and found["has_followers"]
    storm, before = found["days"][0], found["days"][1]
    assert (storm["day"], storm["posts"], storm["change"], storm["burst"]) == (
        STORM_DAY, 110, -36_000, True)
    assert storm["responses_per_post"] == 0.2 and before["responses_per_post"] == 1.0
    assert found["burst_cost"] == storm["excess"] < -43_000


def test_plan_response_on_the_command_line(campaign: Campaign) -> None:
    load_storm(campaign.store, campaign.north_id)
    url = campaign.store.engine.url.render_as_string(hide_password=False)
    shown = CliRunner().invoke(cli, ["--db", url, "plan", "response", "-w", NORTH,
                                     "--account", "x:BarackObama", "--json"])
    assert shown.exit_code == 0, shown.output
    first = orjson.loads(shown.stdout.splitlines()[0])
    assert (first["day"], first["change"], first["burst"]) == (STORM_DAY, -36_000, True)
    refused = CliRunner().invoke(cli, ["--db", url, "plan", "response", "-w", SOUTH,
                                       "--account", "x:BarackObama"])
    assert refused.exit_code == 1 and "no such account in this workspace" in refused.output


def test_the_api_and_the_composer_show_the_cost_of_the_burst(
    campaign: Campaign, web_factory: Any
) -> None:
    load_storm(campaign.store, campaign.north_id)
    north = web_factory(campaign.store, "responder@example.org")
    (found,) = north.get("/api/plan/response", params={"account": "x:BarackObama"}).json()
    assert found["days"][0]["burst"] is True
    page = north.get("/plan").text
    cost = f"bursts cost {-found['burst_cost']:,.0f} followers against the usual"
    assert cost in page and 'class="burst-day"' in page
    south = web_factory(campaign.store, "south@example.org")
    assert south.get("/api/plan/response", params={"account": "x:BarackObama"}).status_code == 404
    assert "BarackObama" not in south.get("/plan").text
