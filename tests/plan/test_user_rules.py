"""Rules a workspace sets (quiet hours, blackout dates, a daily maximum) hold drafts with
the rule in the reason; a manager's breaking-news override posts through a hold and is
logged; another workspace's rules and accounts are out of reach. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hustings.cli.main import app as cli
from hustings.errors import InvalidInputError, PermissionDeniedError
from hustings.plan import Draft, Timeline, add_rule, all_rules, draft, judge, make_rule, post_now
from hustings.store import Store
from hustings.store.schema import audit_log, connections
from hustings.workspace import Actor, Role
from tests.connectors.conftest import connected
from tests.connectors.replay import ReplayServer
from tests.web.conftest import NORTH, SOUTH, Campaign, any_campaign, campaign, web_factory

__all__ = ["any_campaign", "campaign", "web_factory"]

SUNDAY_9 = datetime(2026, 12, 13, 9, 30, tzinfo=UTC)


def _judge(at: datetime, *rules: Any, published: tuple[int, ...] = ()) -> Any:
    return judge(Draft(int(at.timestamp()), "Good morning"),
                 Timeline.of("jane", "mastodon", published), user_rules=rules)


def test_user_rules_are_in_the_guards_one_registry_with_definitions() -> None:
    found = {r.name: r for r in all_rules()}
    for name in ("quiet_hours", "blackout", "max_per_day"):
        assert "rule the workspace set" in found[name].definition


def test_never_sunday_mornings_holds_a_sunday_morning_draft_with_the_rule_in_words() -> None:
    rule = make_rule("quiet_hours", {"start": 6, "end": 12, "days": "sun"},
                     note="church and family")
    held = _judge(SUNDAY_9, rule)
    assert held.verdict.value == "hold"
    assert ("the rule you set: no posts Sundays 06:00-12:00 (UTC) (church and family)"
            in held.reasons)
    assert _judge(SUNDAY_9 + timedelta(hours=3), rule).verdict.value == "ok"


def test_quiet_hours_are_read_in_the_rules_time_zone() -> None:
    rule = make_rule("quiet_hours", {"start": 22, "end": 7, "tz": "America/Los_Angeles"})
    # 09:30 UTC is 01:30 in Los Angeles: inside 22:00-07:00 there, though not in UTC.
    assert _judge(SUNDAY_9, rule).verdict.value == "hold"


def test_a_blackout_date_holds_and_the_next_day_is_free() -> None:
    rule = make_rule("blackout", {"from": "2026-12-13", "to": "2026-12-13"})
    assert "no posts on 2026-12-13 (UTC)" in _judge(SUNDAY_9, rule).reasons[0]
    assert _judge(SUNDAY_9 + timedelta(days=1), rule).verdict.value == "ok"


def test_the_post_over_the_daily_maximum_is_held() -> None:
    rule = make_rule("max_per_day", {"posts": 3})
    earlier = tuple(int((SUNDAY_9 - timedelta(hours=h)).timestamp()) for h in (1, 3, 5))
    held = _judge(SUNDAY_9, rule, published=earlier)
    assert held.verdict.value == "hold"
    assert held.reasons == ["4th post on Sunday 13 December; the rule you set: at most 3 "
                            "posts a day (UTC)"]
    assert _judge(SUNDAY_9, rule, published=earlier[:2]).verdict.value == "ok"


@pytest.mark.parametrize("kind, settings, message", [
    ("quiet_hours", {"start": 25, "end": 3}, "start must be an hour"),
    ("quiet_hours", {"start": 6, "end": 12, "days": "funday"}, "not a day of the week"),
    ("blackout", {"from": "13/12/2026"}, "must be a date"),
    ("max_per_day", {"posts": 0}, "at least 1 post"),
    ("max_per_day", {"posts": 3, "tz": "Mars/Olympus"}, "not a time zone"),
    ("max_per_day", {"posts": 3, "tz": "America"}, "not a time zone"),
    ("max_per_day", {"posts": 3, "tz": "a" * 300}, "not a time zone"),
    ("sometimes", {}, "a rule is one of"),
])
def test_a_rule_that_makes_no_sense_is_refused_with_why(kind: str, settings: dict[str, Any],
                                                         message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        make_rule(kind, settings)


def test_a_stored_rule_holds_the_workspaces_drafts_only(any_campaign: Campaign) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    with any_campaign.store.begin() as conn:
        add_rule(conn, any_campaign.actor("manager"), "blackout", {"from": tomorrow},
                 "x:northcand", "day of the memorial")
        at = datetime.now(UTC) + timedelta(days=1)
        held = draft(conn, any_campaign.actor("responder"), "x:northcand", "Hello", at)
        south = draft(conn, any_campaign.actor("south"), "x:southcand", "Hello", at)
    assert held["verdict"] == "hold" and south["verdict"] == "ok"
    assert any("day of the memorial" in f["reason"] for f in held["findings"])


def test_only_a_manager_sets_rules(any_campaign: Campaign, web_factory: Any) -> None:
    with any_campaign.store.begin() as conn, pytest.raises(PermissionDeniedError):
        add_rule(conn, any_campaign.actor("responder"), "max_per_day", {"posts": 3})
    web = web_factory(any_campaign.store, "responder@example.org")
    assert web.post("/api/plan/rules", json={"kind": "max_per_day", "posts": 3}).status_code == 403


def test_rules_through_the_api_and_walls_between_workspaces(
    any_campaign: Campaign, web_factory: Any
) -> None:
    north = web_factory(any_campaign.store, "manager@example.org")
    made = north.post("/api/plan/rules", json={"kind": "quiet_hours", "start": 6, "end": 12,
                                               "days": ["sun"], "account": "x:northcand"})
    assert made.status_code == 200, made.text
    assert made.json()["words"] == "no posts Sundays 06:00-12:00 (UTC)"
    south = web_factory(any_campaign.store, "south@example.org")
    assert south.get("/api/plan/rules").json() == []
    assert south.post(f"/api/plan/rules/{made.json()['id']}/remove").status_code == 404
    on_north = south.post("/api/plan/rules", json={"kind": "max_per_day", "posts": 1,
                                                   "account": "x:northcand"})
    assert on_north.status_code == 404
    assert [r["id"] for r in north.get("/api/plan/rules").json()] == [made.json()["id"]]


def test_rules_on_the_command_line_and_walls_between_workspaces(campaign: Campaign) -> None:
    url = campaign.store.engine.url.render_as_string(hide_password=False)

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--db", url, "plan", "rules", *args])

    added = run("add", "-w", NORTH, "quiet-hours", "--days", "sat,sun", "--start", "22",
                "--end", "7", "--tz", "Europe/London", "--note", "weekend nights")
    assert added.exit_code == 0, added.output
    assert "no posts Saturdays, Sundays 22:00-07:00 (Europe/London)" in added.output
    assert run("list", "-w", SOUTH, "--json").stdout == ""
    refused = run("remove", "-w", SOUTH, "1")
    assert refused.exit_code == 1 and "no plan rule 1 in this workspace" in refused.output
    assert "weekend nights" in run("list", "-w", NORTH, "--json").stdout


def test_the_composer_lists_rules_and_a_manager_adds_one(
    campaign: Campaign, web_factory: Any
) -> None:
    north = web_factory(campaign.store, "manager@example.org")
    sent = north.post("/plan/rules", data={"kind": "max_per_day", "posts": "4", "tz": "UTC",
                                           "note": "", "csrf_token": north.csrf})
    assert sent.status_code == 303
    page = north.get("/plan").text
    assert "at most 4 posts a day (UTC)" in page and 'id="rule-form"' in page
    responder = web_factory(campaign.store, "responder@example.org").get("/plan").text
    assert "at most 4 posts a day (UTC)" in responder and 'id="rule-form"' not in responder


def _held_by_a_rule(store: Store, mastodon: ReplayServer) -> tuple[Actor, int]:
    actor, connection = connected(store, mastodon)
    with store.begin() as conn:
        account = conn.execute(select(connections.c.tracked_account_id)
                               .where(connections.c.id == connection)).scalar_one()
        add_rule(conn, actor, "blackout", {"from": datetime.now(UTC).date().isoformat()},
                 int(account), "purdah")
        made = draft(conn, actor, int(account), "Flood: the polling station has moved")
    return actor, int(made["id"])


def test_breaking_news_posts_through_a_hold_and_the_reason_is_logged(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, post = _held_by_a_rule(any_store, mastodon)
    assert post_now(any_store, actor, post)["state"] == "held"
    assert mastodon.state.post_count() == 0
    sent = post_now(any_store, actor, post, breaking="Polling station flooded")
    assert sent["state"] == "sent" and mastodon.state.post_count() == 1
    assert sent["override_reason"] == "breaking news: Polling station flooded"
    with any_store.begin() as conn:
        logged = conn.execute(select(audit_log.c.detail).where(
            audit_log.c.action == "plan.breaking")).scalar_one()
    assert logged == {"reason": "Polling station flooded", "verdict": "hold",
                      "through": ["blackout"]}


def test_a_responder_cannot_use_the_breaking_news_override(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, post = _held_by_a_rule(store, mastodon)
    responder = Actor(actor.workspace_id, None, Role.RESPONDER)
    with pytest.raises(PermissionDeniedError):
        post_now(store, responder, post, breaking="I say so")
    assert mastodon.state.post_count() == 0
