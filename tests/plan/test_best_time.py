"""Best time to post: hour-of-week scores from the account's own followers' responses, the
suggestion the composer shows, on SQLite and PostgreSQL, in the library, CLI, API and page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from typer.testing import CliRunner

from hustings.cli.main import app as cli
from hustings.plan import (
    BEST_TIME_DEFINITION,
    add_rule,
    best_time,
    draft,
    make_rule,
    score_slots,
    suggest,
)
from hustings.store import Store
from hustings.store.schema import messages
from tests.web.conftest import NORTH, SOUTH, Campaign, any_campaign, campaign, web_factory

__all__ = ["any_campaign", "campaign", "web_factory"]

TUESDAY_18 = 1 * 24 + 18


def test_a_slot_whose_posts_draw_more_responses_scores_higher_with_its_post_count() -> None:
    scores = score_slots([TUESDAY_18] * 6 + [9] * 6, [12.0] * 6 + [2.0] * 6)
    rows = scores.rows()
    assert rows[TUESDAY_18]["posts"] == 6 and rows[TUESDAY_18]["day"] == "Tue"
    assert rows[TUESDAY_18]["score"] > 1.0 > rows[9]["score"]
    assert rows[100]["score"] == 1.0  # no posts there: the account's usual, not zero


def test_one_lucky_post_does_not_outscore_an_hour_that_draws_responses_every_week() -> None:
    """One post drawing 15 responses against eight drawing 10 each: the raw mean favours
    the one post; the shrunk score does not."""
    scores = score_slots([5] + [TUESDAY_18] * 8 + [9] * 8, [15.0] + [10.0] * 8 + [1.0] * 8)
    assert scores.score[TUESDAY_18] > scores.score[5]


def test_the_suggestion_skips_quiet_hours_the_workspace_set() -> None:
    scores = score_slots([TUESDAY_18] * 6 + [TUESDAY_18 + 1] * 6 + [9] * 6,
                         [12.0] * 6 + [10.0] * 6 + [1.0] * 6)
    monday = int(datetime(2026, 12, 7, 9, tzinfo=UTC).timestamp())
    best = suggest(scores, monday, UTC)
    assert best is not None and datetime.fromtimestamp(best, UTC).hour == 18
    quiet = make_rule("quiet_hours", {"start": 18, "end": 19, "days": "tue"})
    later = suggest(scores, monday, UTC, [quiet])
    assert later is not None and datetime.fromtimestamp(later, UTC).hour == 19


def _history(store: Store) -> None:
    """Eight weeks of North's candidate posting Tuesdays at 18:00 UTC (five replies each)
    and Thursdays at 09:00 (none)."""
    now = datetime.now(UTC)
    tuesday = (now - timedelta(days=(now.weekday() - 1) % 7 or 7)).replace(
        hour=18, minute=5, second=0, microsecond=0)
    rows = []
    for week in range(1, 9):
        for at, replies in ((tuesday - timedelta(weeks=week), 5),
                            (tuesday - timedelta(weeks=week, days=-2, hours=9), 0)):
            pid = f"own-{uuid.uuid4().hex}"
            rows.append(_row(pid, "100", "northcand", at, "post", None))
            rows += [_row(f"r-{uuid.uuid4().hex}", f"9{i}", f"fan{i}",
                          at + timedelta(minutes=10 + i), "reply", pid) for i in range(replies)]
    with store.begin() as conn:
        conn.execute(messages.insert(), rows)


def _row(pid: str, author: str, handle: str, at: datetime, kind: str,
         to: str | None) -> dict[str, Any]:
    return {"platform": "x", "platform_id": pid, "author_id": author, "author_handle": handle,
            "created_at": at, "text": "Turnout matters", "kind": kind, "visibility": "public",
            "reply_to_id": to, "mentions": [], "hashtags": [], "urls": [], "partial": False,
            "content_hash": uuid.uuid4().hex}


def test_the_accounts_own_history_suggests_tuesday_evening(any_campaign: Campaign) -> None:
    _history(any_campaign.store)
    with any_campaign.store.begin() as conn:
        found = best_time(conn, any_campaign.actor("responder"), "x:northcand")
    assert found["definition"] == BEST_TIME_DEFINITION
    assert found["posts"] >= 16 and found["responses"] >= 40
    when = datetime.fromisoformat(found["suggested_at"])
    assert (when.weekday(), when.hour) == (1, 18)
    assert found["why"].startswith("Tuesday 18:00 (UTC)") and "over 8 posts" in found["why"]


def test_the_suggestion_reads_the_week_in_the_rules_time_zone(any_campaign: Campaign) -> None:
    _history(any_campaign.store)
    with any_campaign.store.begin() as conn:
        add_rule(conn, any_campaign.actor("manager"), "max_per_day",
                 {"posts": 20, "tz": "America/New_York"})
        found = best_time(conn, any_campaign.actor("responder"), "x:northcand")
    when = datetime.fromisoformat(found["suggested_at"])
    assert found["tz"] == "America/New_York" and (when.weekday(), when.hour) in ((1, 13),
                                                                                (1, 12))


def test_a_draft_comes_back_with_the_suggested_time(campaign: Campaign) -> None:
    _history(campaign.store)
    with campaign.store.begin() as conn:
        made = draft(conn, campaign.actor("responder"), "x:northcand", "Rally on Saturday")
    assert made["best_time"]["why"].startswith("Tuesday 18:00")


def test_plan_best_time_lists_the_best_hours_with_the_definition(campaign: Campaign) -> None:
    _history(campaign.store)
    url = campaign.store.engine.url.render_as_string(hide_password=False)
    shown = CliRunner().invoke(cli, ["--db", url, "plan", "best-time", "-w", NORTH,
                                     "--account", "x:northcand", "--top", "3"])
    assert shown.exit_code == 0, shown.output
    words = " ".join(shown.output.split())
    assert "the replies and quotes other people sent" in words
    assert "Suggested: Tuesday 18:00" in words
    as_json = CliRunner().invoke(cli, ["--db", url, "plan", "best-time", "-w", NORTH,
                                       "--account", "x:northcand", "--top", "1", "--json"])
    (best,) = [orjson.loads(line) for line in as_json.stdout.splitlines()]
    assert (best["day"], best["hour"], best["posts"]) == ("Tue", 18, 8)


def test_best_time_of_another_workspaces_account_is_refused_everywhere(
    campaign: Campaign, web_factory: Any
) -> None:
    url = campaign.store.engine.url.render_as_string(hide_password=False)
    refused = CliRunner().invoke(cli, ["--db", url, "plan", "best-time", "-w", SOUTH,
                                       "--account", "x:northcand"])
    assert refused.exit_code == 1 and "no such account in this workspace" in refused.output
    south = web_factory(campaign.store, "south@example.org")
    api = south.get("/api/plan/best-time", params={"account": "x:northcand"})
    assert api.status_code == 404
    own = south.get("/api/plan/best-time").json()
    assert [b["handle"] for b in own] == ["southcand"]


def test_the_composer_shows_the_grid_with_its_definition_beside_it(
    campaign: Campaign, web_factory: Any
) -> None:
    _history(campaign.store)
    page = web_factory(campaign.store, "responder@example.org").get("/plan").text
    assert BEST_TIME_DEFINITION.replace("'", "&#39;") in page
    assert "Suggested: Tuesday 18:00 (UTC)" in page
    assert 'title="Tue 18:00: score' in page and "over 8 posts" in page
