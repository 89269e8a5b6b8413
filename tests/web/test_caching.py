"""No page, API answer or export is kept by the browser or a proxy: every GET route says
``Cache-Control: no-store`` and ``Vary: Cookie``. The routes are read from the app itself, so
a route added later is checked too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.routing import iter_route_contexts

from hustings import qa
from tests.web.conftest import Campaign, north_policy_item


def _get_paths(web: Any, campaign: Campaign) -> list[str]:
    item = web.get("/api/items").json()[0]["id"]
    person = web.get("/api/people").json()[0]["id"]
    start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    with campaign.store.begin() as conn:
        event = qa.create_event(
            conn, campaign.north_id, "Town hall", start, start + timedelta(hours=2)
        )
        policy_item = north_policy_item(conn, campaign.north_id)
    ids = {
        "item_id": item,
        "policy_item_id": policy_item,
        "person_id": person,
        "event_id": event.id,
        "form_token": event.form_token,
        "overlay_token": event.overlay_token,
    }
    paths = []
    for route in iter_route_contexts(web.app.routes):
        # The overlay's server-sent events never end; it sends ``no-store`` itself and
        # carries no session (tests/qa checks the stream).
        if route.path_format.endswith("/events") and route.path_format.startswith("/overlay"):
            continue
        # Meta's webhook check answers only Meta's challenge for a Facebook connection;
        # tests/connectors/test_meta_faults.py checks it, and its no-store header.
        if route.path_format.startswith("/webhooks/"):
            continue
        if route.methods and "GET" in route.methods:
            paths.append(route.path_format.format(**ids))
    return paths


def test_every_get_route_says_no_store_and_vary_cookie(
    campaign: Campaign, web_factory: Any
) -> None:
    # The owner: every GET route is open to them (Settings is owner only).
    web = web_factory(campaign.store, "owner@example.org")
    paths = _get_paths(web, campaign)
    assert "/api/people.csv" in paths and len(paths) >= 20
    for path in paths:
        response = web.get(path)
        assert response.status_code < 400, (path, response.status_code)
        assert response.headers.get("cache-control") == "no-store", path
        vary = [v.strip().lower() for v in response.headers.get("vary", "").split(",")]
        assert "cookie" in vary, path


def test_exports_are_not_stored(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "manager@example.org")
    person = web.get("/api/people").json()[0]["id"]
    for path in ("/api/people.csv", f"/people/{person}/export.json"):
        response = web.get(path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store", path


def test_static_files_may_be_cached(campaign: Campaign, web_factory: Any) -> None:
    response = web_factory(campaign.store).get("/static/hustings.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")


def test_pages_turn_off_the_htmx_history_cache(campaign: Campaign, web_factory: Any) -> None:
    page = web_factory(campaign.store, "manager@example.org").get("/people").text
    assert '"historyCacheSize":0' in page
