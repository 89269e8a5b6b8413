"""First light: sign in, see the inbox over the API."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Campaign


def test_login_then_list_items(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    response = web.get("/api/items")
    assert response.status_code == 200, response.text
    texts = sorted(i["text"] for i in response.json())
    assert texts == sorted(
        [
            "When is your next town hall in Northville?",
            "Great speech last night",
            "@northcand what about the bus route?",
            "Can you call me back?",
            "Question about my ballot",
        ]
    )


def test_filters_narrow_the_listing(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    found = web.get("/api/items", params={"q": "bus route", "limit": 1}).json()
    assert [i["text"] for i in found] == ["@northcand what about the bus route?"]


def test_a_bad_filter_is_422_naming_it(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    response = web.get("/api/items", params={"status": "lost", "limit": 0})
    assert response.status_code == 422
    assert "query.status" in response.json()["detail"]
    assert "query.limit" in response.json()["detail"]
