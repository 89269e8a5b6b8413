"""/docs works offline under the app's CSP, and API error bodies match the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import Campaign


def test_docs_page_loads_only_this_origins_assets(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store)
    page = web.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        assert web.get(asset).status_code == 200, asset


def test_no_cdn_docs_route_remains(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store)
    assert web.get("/redoc").status_code == 404
    assert "cdn" not in web.get("/docs").text.lower()


def test_422_body_matches_the_declared_schema(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "manager@example.org")
    item = web.get("/api/items").json()[0]["id"]
    declared = web.get("/openapi.json").json()
    ref = declared["paths"]["/api/items/{item_id}/notes"]["post"]["responses"]["422"]
    name = ref["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = declared["components"]["schemas"][name]
    assert schema["properties"]["detail"]["type"] == "string"
    for body in ({"text": ""}, {"text": 5}, {}):
        answer = web.post(f"/api/items/{item}/notes", json=body)
        assert answer.status_code == 422
        got = answer.json()
        assert isinstance(got["detail"], str) and got["detail"]
        assert set(got) <= set(schema["properties"]), got
