"""The dashboard: the inbox figures, and the audit scorecard of the workspace's own accounts
with every metric's definition, computed off the request path and never showing another
workspace's accounts."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from hustings.inbox import items, replies
from hustings.inbox.scorecard import HEADLINE
from hustings.metrics import SCORE_DEFINITION, all_metrics
from hustings.web import create_app
from tests.web.conftest import PASSWORD, Campaign


@pytest.fixture
def audited(campaign: Campaign, web_factory: Any) -> tuple[Any, Any]:
    """North's manager and South's owner, on one app whose audit has run once."""
    north = web_factory(campaign.store, "manager@example.org")
    north.app.state.audit.refresh(campaign.store)
    south = web_factory(campaign.store, "south@example.org")
    south.app.state.audit = north.app.state.audit
    return north, south


def test_figures_follow_the_inbox(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    before = web.get("/api/dashboard").json()
    assert before["open_items"] == 5
    assert before["unanswered_people"] == 4  # authors 1, 2, 3 and jo@voter.example
    with campaign.store.begin() as conn:
        found = items.list_items(conn, campaign.actor("responder"), items.Filters())
        person = found[0]["person_id"]
        for item in (i for i in found if i["person_id"] == person):
            replies.reply(conn, campaign.actor("responder"), item["id"], "Here is the answer.")
    after = web.get("/api/dashboard").json()
    assert after["open_items"] < before["open_items"]
    assert after["unanswered_people"] == 3
    assert after["median_first_response_minutes"] is not None


def test_daily_chart_counts_received_and_answered_within_a_day(
    campaign: Campaign, web_factory: Any
) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    days = web.get("/api/dashboard").json()["daily"]
    assert len(days) == 30
    assert sum(d["received"] for d in days) == 5
    assert sum(d["answered_24h"] for d in days) == 0
    with campaign.store.begin() as conn:
        first = items.list_items(conn, campaign.actor("responder"), items.Filters())[0]
        replies.reply(conn, campaign.actor("responder"), first["id"], "Here is the answer.")
    after = web.get("/api/dashboard").json()
    assert sum(d["answered_24h"] for d in after["daily"]) == 1
    page = web.get("/dashboard").text
    assert page.count('<g class="day"') == 30
    assert 'data-answered="1"' in page
    assert after["daily_definition"] in page


def test_scorecard_waits_for_the_background_audit(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "manager@example.org")
    page = web.get("/dashboard")
    assert page.status_code == 200
    assert "The audit has not run yet" in page.text
    assert web.get("/api/dashboard").json()["scorecard"]["ready"] is False
    full = web.get("/dashboard/accounts")
    assert full.status_code == 200
    assert "The audit has not run yet" in full.text


def test_scorecard_shows_own_accounts_with_definitions(audited: tuple[Any, Any]) -> None:
    north, _ = audited
    card = north.get("/api/dashboard").json()["scorecard"]
    assert [(a["platform"], a["handle"]) for a in card["accounts"]] == [("x", "northcand")]
    names = {m["name"] for m in card["metrics"]}
    assert names == {"dialogue_score"} | {m.name for m in all_metrics()}
    assert set(card["accounts"][0]["values"]) == names
    page = _unescaped(north.get("/dashboard").text)
    assert "@northcand" in page
    assert SCORE_DEFINITION in page


def _unescaped(html: str) -> str:
    return html.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")


def test_ranked_chart_shows_the_few_metrics_that_matter_each_defined(
    audited: tuple[Any, Any],
) -> None:
    """Not every metric for every account sideways: a handful, each with its definition
    as the registry words it, and a link to the rest."""
    north, _ = audited
    page = _unescaped(north.get("/dashboard").text)
    assert 'id="ranked"' in page
    assert '<table class="scorecard"' not in page
    shown = [m for m in all_metrics() if f'data-metric="{m.name}"' in page]
    assert {m.name for m in shown} == set(HEADLINE)
    for metric in shown:
        assert metric.definition in page
    hidden = [m for m in all_metrics() if m.name not in HEADLINE]
    assert not any(m.definition in page for m in hidden)
    assert 'href="/dashboard/accounts"' in page


def test_full_scorecard_lists_every_metric_with_its_definition(
    audited: tuple[Any, Any],
) -> None:
    north, _ = audited
    families = {m.family for m in all_metrics()}
    seen = set()
    for family in families:
        page = _unescaped(north.get(f"/dashboard/accounts?family={family}").text)
        assert "@northcand" in page and "southcand" not in page
        for metric in all_metrics():
            if metric.family == family:
                assert metric.definition in page
                seen.add(metric.name)
    assert seen == {m.name for m in all_metrics()}


def test_scorecard_reads_counts_as_integers_and_shares_as_percentages(
    audited: tuple[Any, Any],
) -> None:
    north, _ = audited
    values = north.get("/api/dashboard").json()["scorecard"]["accounts"][0]["values"]
    page = north.get("/dashboard/accounts?family=volume&sort=messages").text
    assert f'<td class="num">{int(values["messages"]):,}</td>' in page
    assert not re.search(r">\d+\.00<", page)
    share = next(m for m in all_metrics() if m.unit == "share" and values[m.name] is not None)
    listed = north.get(f"/dashboard/accounts?family={share.family}").text
    assert f'<td class="num">{values[share.name] * 100:.0f}%</td>' in listed


def test_scorecard_never_shows_another_workspaces_accounts(audited: tuple[Any, Any]) -> None:
    north, south = audited
    assert "southcand" not in north.get("/dashboard").text
    assert "southcand" not in north.get("/api/dashboard").text
    card = south.get("/api/dashboard").json()["scorecard"]
    assert [a["handle"] for a in card["accounts"]] == ["southcand"]
    assert "northcand" not in south.get("/dashboard").text


def test_dashboard_reads_the_cache_without_auditing(
    audited: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page stays fast: serving it never runs the audit, only a refresh does."""
    north, _ = audited

    def no_audit(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the audit ran on the request path")

    monkeypatch.setattr("hustings.metrics.audit_store", no_audit)
    assert north.get("/dashboard").status_code == 200
    assert north.get("/api/dashboard").json()["scorecard"]["accounts"]


def test_the_server_audits_in_the_background(campaign: Campaign) -> None:
    """``create_app(audit_every=…)`` (as ``hustings serve`` runs it) fills the scorecard
    without any request asking for it."""
    app = create_app(campaign.store, secret="s", audit_every=3600)
    with TestClient(app) as client:  # runs the app's lifespan, and so its background tasks
        deadline = time.monotonic() + 120
        while not app.state.audit.ready and time.monotonic() < deadline:
            time.sleep(0.2)
        login = client.post(
            "/api/login", json={"email": "viewer@example.org", "password": PASSWORD}
        )
        assert login.status_code == 200
        card = client.get("/api/dashboard").json()["scorecard"]
    assert card["ready"] is True
    assert [a["handle"] for a in card["accounts"]] == ["northcand"]
