"""A reply no connection can send says so on the item page instead of pretending."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Campaign


def test_a_reply_without_a_connection_says_copy_and_open_on_the_platform(
    campaign: Campaign, web_factory: Any
) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    item = web.get("/api/items").json()[0]["id"]
    sent = web.post(f"/api/items/{item}/replies", json={"text": "Thank you for writing."})
    assert sent.status_code == 200, sent.text
    page = web.get(f"/inbox/{item}").text
    assert "not sent: copy and open on the platform" in page
