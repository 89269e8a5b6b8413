"""A user of another workspace gets 403 or 404 on every route that names North's data, and
never sees North's data in a listing: walked over every route the app declares."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy import select

from hustings import plan, qa
from hustings.inbox import items, replies, views
from hustings.inbox.sync import sync_inbox
from hustings.people import merge, privacy
from hustings.store.schema import connections, plan_nudges, workspace_accounts
from tests.web.conftest import Campaign, north_policy_item, share_account

_PUBLIC = {
    "/login",
    "/",
    "/api/login",
    # A Live Q&A event's question form and OBS overlay: whoever holds the link's unguessable
    # token may use them, by design (an OBS browser source cannot sign in).
    "/ask/{form_token}",
    "/ask/{form_token}/vote",
    "/ask/{form_token}/log",
    "/overlay/{overlay_token}",
    "/overlay/{overlay_token}/speech.wav",
    "/overlay/{overlay_token}/events",
    # Meta's webhook for one connection: Meta holds no session; a delivery is accepted only
    # signed with that connection's app secret, the check only with its verify token
    # (tests/connectors/test_meta_faults.py refuses both otherwise).
    "/webhooks/meta/{connection_id}",
}
_NORTH_TEXT = ("town hall in Northville", "bus route", "jo@voter.example")


def api_routes(app: Any) -> list[APIRoute]:
    """Every route, including those of included routers (FastAPI wraps them)."""
    found: list[APIRoute] = []
    for route in app.routes:
        inner = getattr(route, "original_router", None)
        found.extend(api_routes(inner) if inner is not None else [route])
    return [r for r in found if isinstance(r, APIRoute)]


def _north_objects(c: Campaign) -> dict[str, Any]:
    """One of each North object, so every path parameter can name real North data."""
    manager = c.actor("manager")
    with c.store.begin() as conn:
        found = items.list_items(conn, manager, items.Filters(status=None))
        item = found[0]
        people_ids = sorted({i["person_id"] for i in found})
        canned = replies.save_canned(conn, manager, "thanks", "Thanks {name}!")
        view = views.save_view(conn, manager, "mine", items.Filters(assignee="me"))
        merged = merge.merge_people(conn, manager, people_ids[0], people_ids[1])
        merge.undo_merge(conn, manager, merged)
        privacy.person_detail(conn, manager, people_ids[0])
        # A connection of North's X account (no credentials: nothing here talks to X).
        now = datetime.now(UTC)
        connection = conn.execute(connections.insert().values(
            workspace_id=c.north_id, tracked_account_id=conn.execute(
                select(workspace_accounts.c.tracked_account_id)
                .where(workspace_accounts.c.workspace_id == c.north_id)
            ).scalars().first(),
            platform="x", secret=None, settings={}, cursor={}, status="ok", created_at=now,
        )).inserted_primary_key[0]
        planned = plan.draft(conn, manager, "x:northcand", "North's planned post")["id"]
        nudge = conn.execute(plan_nudges.insert().values(
            workspace_id=c.north_id, tracked_account_id=None, planned_post_id=planned,
            item_ids=[item["id"]], broadcasts=2, replies=0, shown_at=now,
        )).inserted_primary_key[0]
        rule = plan.add_rule(conn, manager, "max_per_day", {"posts": 9}, "x:northcand")["id"]
        start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
        event = qa.create_event(conn, c.north_id, "North town hall", start,
                                start + timedelta(hours=2)).id
        policy_item = north_policy_item(conn, c.north_id)
    return {
        "policy_item_id": policy_item,
        "event_id": event,
        "post_id": planned,
        "nudge_id": nudge,
        "rule_id": rule,
        "connection_id": connection,
        "item_id": item["id"],
        "person_id": people_ids[0],
        "merge_id": merged,
        "canned_id": canned,
        "view_id": view,
        "tag": "volunteer",
        "other_person": people_ids[1],
    }


def _body(ids: dict[str, Any]) -> dict[str, Any]:
    return {
        "keep_id": ids["person_id"],
        "merge_id": ids["other_person"],
        "text": "hi",
        "status": "closed",
        "priority": 2,
        "user_id": 1,
        "value": "support",
        "tag": "x",
        "name": "n",
        "body": "Hi {name}",
        "platform": "x",
        "account_id": "1",
        "person_id": 1,
        "confirm": "ERASE",
        "first_response_minutes": 5,
        "next_response_minutes": 5,
        "filters": {},
        "reason": "South says so",
        "outcome": "posted_anyway",
        "action": "clear",
        "code": 3,
        "email": "owner@example.org",
        "role": "moderator",
    }


def test_every_route_refuses_another_workspaces_ids(campaign: Campaign, web_factory: Any) -> None:
    ids = _north_objects(campaign)
    south = web_factory(campaign.store, "south@example.org")
    checked = 0
    for route in api_routes(south.app):
        if route.path in _PUBLIC:
            continue
        params = re.findall(r"{(\w+)}", route.path)
        if not params:
            continue
        path = route.path
        for name in params:
            path = path.replace("{" + name + "}", str(ids[name]))
        for method in route.methods:
            kwargs: dict[str, Any] = {}
            if method in ("POST", "PUT"):
                kwargs = (
                    {"data": {**_body(ids), "csrf_token": south.csrf}}
                    if not path.startswith("/api/")
                    else {"json": _body(ids)}
                )
            response = south.request(method, path, **kwargs)
            assert response.status_code in (403, 404), (method, path, response.text)
            checked += 1
    assert checked >= 25


def test_listings_never_show_another_workspaces_data(campaign: Campaign, web_factory: Any) -> None:
    ids = _north_objects(campaign)
    south = web_factory(campaign.store, "south@example.org")
    for route in api_routes(south.app):
        if "{" in route.path or "GET" not in route.methods:
            continue
        response = south.get(route.path)
        assert response.status_code < 500, route.path
        for text in _NORTH_TEXT:
            assert text not in response.text, (route.path, text)
    body = south.get("/api/items?status=any").text
    assert "where do I vote" in body and "Northville" not in body
    assert (
        south.post(
            "/api/people/merge", json={"keep_id": ids["person_id"], "merge_id": ids["other_person"]}
        ).status_code
        == 404
    )


def test_isolation_holds_on_postgresql_too(any_campaign: Campaign, web_factory: Any) -> None:
    ids = _north_objects(any_campaign)
    south = web_factory(any_campaign.store, "south@example.org")
    assert south.get(f"/api/items/{ids['item_id']}").status_code == 404
    assert south.post(f"/api/items/{ids['item_id']}/claim").status_code == 404
    assert south.get(f"/api/people/{ids['person_id']}/export").status_code == 404
    assert south.request("DELETE", f"/api/people/{ids['person_id']}").status_code == 404


def _norths_own_rows(c: Campaign, web_factory: Any) -> tuple[str, ...]:
    """North drafts a reply to the voter's e-mail (South watches that office address too)
    and pushes two messages, one of them mentioning South's candidate: rows North owns."""
    with c.store.begin() as conn:
        share_account(conn, c.south_id, "email", "office@north.example")
    sync_inbox(c.store)
    own = ("North's draft to Jo", "Pushed to North, cc South", "Pushed DM to North")
    north = web_factory(c.store, "owner@example.org")
    item = next(i for i in north.get("/api/items?status=any").json() if i["channel"] == "email")
    assert north.post(f"/api/items/{item['id']}/replies", json={"text": own[0]}).status_code == 200
    now = datetime.now(UTC).isoformat()
    pushed = [
        {"platform": "x", "platform_id": "own-1", "author_id": "9", "created_at": now,
         "text": own[1], "kind": "reply", "reply_to_account_id": "100",
         "reply_to_handle": "northcand", "conversation_id": "c9", "mentions": ["southcand"]},
        {"platform": "x", "platform_id": "own-2", "author_id": "9", "created_at": now,
         "text": own[2], "kind": "dm", "visibility": "direct", "conversation_id": "9-100"},
    ]  # fmt: skip
    assert north.post("/api/messages", json=pushed).status_code == 200
    return own


def test_no_page_of_another_workspace_shows_what_north_typed_or_pushed(
    any_campaign: Campaign, web_factory: Any
) -> None:
    """Every listing, and every item and person page South has, on SQLite and PostgreSQL."""
    own = _norths_own_rows(any_campaign, web_factory)
    sync_inbox(any_campaign.store)  # the cursor-based filing must not pick them up either
    south = web_factory(any_campaign.store, "south@example.org")
    items = south.get("/api/items?status=any&limit=500").json()
    people = {i["person_id"] for i in items}
    paths = [r.path for r in api_routes(south.app) if "{" not in r.path and "GET" in r.methods]
    paths += [p for i in items for p in (f"/api/items/{i['id']}", f"/inbox/{i['id']}")]
    paths += [
        path
        for p in people
        for path in (
            f"/api/people/{p}",
            f"/api/people/{p}/export",
            f"/people/{p}",
            f"/people/{p}/export.json",
        )
    ]
    assert len(items) >= 2 and people
    for path in paths:
        response = south.get(path)
        assert response.status_code < 500, path
        for text in own:
            assert text not in response.text, (path, text)
