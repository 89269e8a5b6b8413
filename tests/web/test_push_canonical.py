"""``POST /api/messages`` takes the canonical message shape, generated from
``hustings.model.Message``, and writes through the one intake seam (issue 17, part 1):
nothing a connector could say about a message is dropped, and a pushed record keeps a raw
reference to where it came from, as imported and synced ones do."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hustings.model import Message
from hustings.store.schema import messages
from tests.web.conftest import Campaign


def _reply(**changes: Any) -> dict[str, Any]:
    return {
        "platform": "x",
        "platform_id": "pushed-full-1",
        "author_id": "66",
        "author_handle": "user66",
        "created_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "text": "Where is the polling station for Elm St? #vote",
        "kind": "reply",
        "reply_to_account_id": "100",
        "reply_to_handle": "northcand",
        "mentions": ["northcand"],
        **changes,
    }


def test_a_push_keeps_every_canonical_field_and_its_raw_reference(
    any_campaign: Campaign, web_factory: Any
) -> None:
    c = any_campaign
    north = web_factory(c.store, "owner@example.org")
    pushed = _reply(
        hashtags=["vote"],
        urls=["https://north.example/polling"],
        quote_of_id="q-9",
        language="en",
        subject="Polling station",
    )
    response = north.post("/api/messages", json=[pushed])
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1 and response.json()["filed"] == 1
    with c.store.begin() as conn:
        row = conn.execute(
            select(messages).where(messages.c.platform_id == "pushed-full-1")
        ).one()
    assert (row.hashtags, row.urls, row.quote_of_id) == (
        ["vote"], ["https://north.example/polling"], "q-9"
    )
    assert (row.language, row.subject) == ("en", "Polling station")
    assert (row.raw_source, row.raw_position, row.raw_unit) == (
        f"push:workspace:{c.north_id}", 1, "item"
    )


def test_the_push_schema_is_the_message_model(any_campaign: Campaign, web_factory: Any) -> None:
    """The OpenAPI request body of a push names every field of ``Message`` but those the
    seam sets (the raw reference, the partial flag), and requires those it requires."""
    spec = web_factory(any_campaign.store).get("/openapi.json").json()
    body = spec["paths"]["/api/messages"]["post"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["items"]["$ref"].rsplit("/", 1)[1]
    shape = spec["components"]["schemas"][name]
    fields = {f.name for f in dataclasses.fields(Message)} - {"raw", "partial"}
    required = {
        f.name for f in dataclasses.fields(Message)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    assert set(shape["properties"]) == fields
    assert set(shape["required"]) == required


def test_a_push_without_a_time_zone_is_refused_by_name(
    any_campaign: Campaign, web_factory: Any
) -> None:
    north = web_factory(any_campaign.store, "owner@example.org")
    response = north.post("/api/messages", json=[_reply(created_at="2026-11-02T10:00:00")])
    assert response.status_code == 422
    assert "created_at needs a time zone" in response.text
