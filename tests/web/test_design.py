"""What the pages look like, as far as markup shows it: compact times with the full time on
hover, status words and colours, one stylesheet, a favicon."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import Campaign


def test_inbox_due_times_are_compact_with_the_full_time_on_hover(
    campaign: Campaign, web_factory: Any
) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    due = [i["due_at"] for i in web.get("/api/items").json() if i["due_at"]]
    page = web.get("/inbox").text
    times = re.findall(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', page)
    assert len(times) == len(due) > 0
    for _, title, shown in times:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", title)
        assert re.fullmatch(r"(in )?\d+ (min|h|d)( ago)?|just now|\d+ \w{3}( \d{4})?", shown)


def test_sla_states_read_as_words_in_their_colour(campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(campaign.store, "responder@example.org")
    page = web.get("/inbox").text
    badges = re.findall(r'<span class="badge (\w+)">([^<]+)</span>', page)
    words = {"ok": "on time", "warning": "due soon", "breached": "breached"}
    sla = [(state, text) for state, text in badges if state in words]
    assert sla and all(words[state] == text for state, text in sla)


def test_every_page_links_the_one_stylesheet_and_the_favicon(
    campaign: Campaign, web_factory: Any
) -> None:
    web = web_factory(campaign.store, "owner@example.org")
    for path in ("/login", "/inbox", "/people", "/dashboard", "/settings", "/inbox/999999"):
        page = web.get(path).text
        assert '<link rel="stylesheet" href="/static/hustings.css">' in page, path
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page, path
    icon = web.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
