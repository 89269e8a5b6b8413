"""The push API refuses a message the store would not keep with a 422 that says why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import Campaign


def _pushed(created_at: str) -> list[dict[str, Any]]:
    return [
        {
            "platform": "x",
            "platform_id": "pushed-1",
            "author_id": "77",
            "created_at": created_at,
            "text": "When is the town hall?",
            "kind": "reply",
            "reply_to_account_id": "100",
            "reply_to_handle": "northcand",
        }
    ]


@pytest.mark.parametrize(
    "created_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "1900-01-01T00:00:00Z"]
)
def test_a_pushed_message_dated_out_of_range_is_refused_with_422(
    any_campaign: Campaign, web_factory: Any, created_at: str
) -> None:
    owner = web_factory(any_campaign.store, "owner@example.org")
    response = owner.post("/api/messages", json=_pushed(created_at))
    assert response.status_code == 422, response.text
    assert "created_at" in response.json()["detail"]
    assert owner.post("/api/messages", json=_pushed("2026-10-01T10:00:00Z")).status_code == 200
