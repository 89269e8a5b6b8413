"""Editing a planned post before it goes: the guard judges the new text and time again, in
the library, the CLI, the composer and the API; another workspace's post ids are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import select
from typer.testing import CliRunner

from hustings.cli.main import app as cli
from hustings.plan import draft, edit, override, queue
from hustings.store.schema import audit_log, plan_verdicts
from tests.plan.test_browser_plan import _posts_by_hand
from tests.web.conftest import NORTH, SOUTH, Campaign, any_campaign, campaign, web_factory

__all__ = ["any_campaign", "campaign", "web_factory"]


def _queued(c: Campaign, text: str = "Canvass on Saturday") -> int:
    with c.store.begin() as conn:
        made = draft(conn, c.actor("manager"), "x:northcand", text)
        return int(queue(conn, c.actor("manager"), made["id"],
                         datetime.now(UTC) + timedelta(days=2))["id"])


def test_moving_a_queued_post_into_a_flood_holds_it_with_the_reason(
    any_campaign: Campaign,
) -> None:
    post = _queued(any_campaign)
    _posts_by_hand(any_campaign.store, 20, timedelta(minutes=40))
    with any_campaign.store.begin() as conn:
        moved = edit(conn, any_campaign.actor("responder"), post, at=datetime.now(UTC))
        logged = conn.execute(select(audit_log.c.detail).where(
            audit_log.c.action == "plan.edit")).scalar_one()
        paths = conn.execute(select(plan_verdicts.c.path).where(
            plan_verdicts.c.planned_post_id == post).order_by(plan_verdicts.c.id)).scalars().all()
    assert (moved["state"], moved["verdict"]) == ("held", "hold")
    assert any(f["verdict"] == "hold" for f in moved["findings"])
    assert logged == {"verdict": "hold", "state": "held", "changed": ["scheduled_at"]}
    assert paths[-1] == "edit"


def test_an_override_does_not_carry_over_to_the_edited_text(any_campaign: Campaign) -> None:
    _posts_by_hand(any_campaign.store, 20, timedelta(minutes=40))
    manager = any_campaign.actor("manager")
    with any_campaign.store.begin() as conn:
        made = draft(conn, manager, "x:northcand", "Polls close at 8")
        queue(conn, manager, made["id"])
        assert override(conn, manager, made["id"], "Polls close")["state"] == "queued"
        again = edit(conn, manager, made["id"], text="Polls close at 8: buy our mugs")
    assert (again["state"], again["override_reason"]) == ("held", None)


def test_plan_edit_on_the_command_line_shows_the_new_verdict(campaign: Campaign) -> None:
    post = _queued(campaign)
    url = campaign.store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, "plan", "edit", "-w", NORTH, str(post),
                                      "--text", "Canvass moved to Sunday"])
    assert result.exit_code == 0, result.output
    assert f"Post {post}: queued, verdict ok" in result.output
    listed = CliRunner().invoke(cli, ["--db", url, "plan", "list", "-w", NORTH, "--json"])
    texts = [orjson.loads(line)["text"] for line in listed.stdout.splitlines()]
    assert texts == ["Canvass moved to Sunday"]


def test_plan_edit_of_another_workspaces_post_is_refused_on_the_command_line(
    campaign: Campaign,
) -> None:
    post = _queued(campaign)
    url = campaign.store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, "plan", "edit", "-w", SOUTH, str(post),
                                      "--text", "South rewrites it"])
    assert result.exit_code == 1
    assert f"no planned post {post} in this workspace" in result.output


def test_the_api_edits_a_post_and_refuses_another_workspaces(
    any_campaign: Campaign, web_factory: Any
) -> None:
    post = _queued(any_campaign)
    north = web_factory(any_campaign.store, "responder@example.org")
    done = north.post(f"/api/plan/posts/{post}/edit", json={"text": "Canvass at 10"})
    assert done.status_code == 200, done.text
    assert (done.json()["text"], done.json()["state"]) == ("Canvass at 10", "queued")
    empty = north.post(f"/api/plan/posts/{post}/edit", json={})
    assert empty.status_code == 422 and "say what to change" in empty.json()["detail"]
    south = web_factory(any_campaign.store, "south@example.org")
    refused = south.post(f"/api/plan/posts/{post}/edit", json={"text": "South's words"})
    assert refused.status_code == 404
    assert north.get("/api/plan/posts").json()[0]["text"] == "Canvass at 10"


def test_the_composers_edit_form_saves_and_judges_again(
    campaign: Campaign, web_factory: Any
) -> None:
    post = _queued(campaign)
    north = web_factory(campaign.store, "responder@example.org")
    page = north.get("/plan").text
    assert f'action="/plan/{post}/edit"' in page
    sent = north.post(f"/plan/{post}/edit", data={"text": "Canvass at noon", "at": "",
                                                  "csrf_token": north.csrf})
    assert sent.status_code == 303
    assert "Canvass at noon" in north.get("/plan").text
    south = web_factory(campaign.store, "south@example.org")
    refused = south.post(f"/plan/{post}/edit", data={"text": "South's words",
                                                     "csrf_token": south.csrf})
    assert refused.status_code == 404
