"""The plan's JSON API: the same guard as the composer, the override for managers only."""

from __future__ import annotations

from typing import Any

from tests.plan.test_browser_plan import _posts_by_hand
from tests.web.conftest import Campaign, any_campaign, campaign, web_factory

__all__ = ["any_campaign", "campaign", "web_factory"]


def test_a_draft_through_the_api_comes_back_with_its_verdict_and_reasons(
    any_campaign: Campaign, web_factory: Any
) -> None:
    from datetime import timedelta

    _posts_by_hand(any_campaign.store, 20, timedelta(minutes=40))
    web = web_factory(any_campaign.store, "responder@example.org")
    made = web.post("/api/plan/posts", json={"account": "x:northcand", "text": "One more"})
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["verdict"] == "hold" and body["state"] == "draft"
    assert any(f["verdict"] == "hold" and f["reason"] for f in body["findings"])
    queued = web.post(f"/api/plan/posts/{body['id']}/queue").json()
    assert queued["state"] == "held"
    refused = web.post(f"/api/plan/posts/{body['id']}/override", json={"reason": "urgent"})
    assert refused.status_code == 403
    manager = web_factory(any_campaign.store, "manager@example.org")
    done = manager.post(f"/api/plan/posts/{body['id']}/override", json={"reason": "urgent"})
    assert done.json()["state"] == "queued"
    listed = manager.get("/api/plan/posts", params={"state": "queued"}).json()
    assert [p["id"] for p in listed] == [body["id"]]


def test_the_api_refuses_an_account_of_another_workspace(
    campaign: Campaign, web_factory: Any
) -> None:
    web = web_factory(campaign.store, "south@example.org")
    refused = web.post("/api/plan/posts", json={"account": "x:northcand", "text": "Hi"})
    assert refused.status_code == 404
    assert "no such account in this workspace" in refused.json()["detail"]
