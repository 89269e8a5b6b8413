"""Paging the inbox and people: totals, keyset cursors, sorts, and links that keep the filters.

A few hundred items in each of two workspaces, with ties in every sort key and undated items,
so a cursor that skipped, repeated or leaked a row would show; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from hustings.inbox.sync import sync_inbox
from hustings.store.records import write_messages
from hustings.store.schema import inbox_items
from tests.web.conftest import Campaign, msg

PER_WORKSPACE = 160
PAGE = 25
FILTER = {"status": "any", "q": "tram"}


@pytest.fixture
def crowded(any_campaign: Campaign) -> Campaign:
    """North and South each get ``PER_WORKSPACE`` items, every other one about the tram, with
    priorities, due times and arrival times that tie often, and some items undated."""
    c = any_campaign
    made = []
    for n in range(PER_WORKSPACE):
        topic = "the tram line" if n % 2 else "the library"
        made.append(msg(f"pn{n}", f"n{n}", f"North asks about {topic} #{n}", conversation=f"n{n}"))
        made.append(
            msg(
                f"ps{n}",
                f"s{n}",
                f"South asks about {topic} #{n}",
                to="200",
                to_handle="southcand",
                conversation=f"s{n}",
            )
        )
    with c.store.begin() as conn:
        write_messages(conn, made, None)
    sync_inbox(c.store)
    base = datetime(2026, 6, 1, 12, tzinfo=UTC)
    with c.store.begin() as conn:
        ids = list(conn.execute(select(inbox_items.c.id)).scalars())
        for i in ids:
            conn.execute(
                update(inbox_items)
                .where(inbox_items.c.id == i)
                .values(
                    priority=i % 4,
                    due_at=None if i % 5 == 0 else base + timedelta(hours=i % 7),
                    received_at=base - timedelta(minutes=i % 13),
                )
            )
    return c


def _expected_order(rows: list[dict[str, Any]], sort: str) -> list[int]:
    """The order each sort promises, computed here from the rows' own fields."""
    far = datetime.max.replace(tzinfo=UTC)

    def due(r: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(r["due_at"]) if r["due_at"] else far

    def received(r: dict[str, Any]) -> float:
        return datetime.fromisoformat(r["received_at"]).timestamp()

    keys = {
        "due": lambda r: (due(r), -r["priority"], r["id"]),
        "priority": lambda r: (-r["priority"], due(r), r["id"]),
        "newest": lambda r: (-received(r), -r["id"]),
    }
    return [r["id"] for r in sorted(rows, key=keys[sort])]


def _next_link(response: Any) -> str | None:
    found = re.match(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
    return found.group(1) if found else None


def _walk(web: Any, url: str) -> tuple[list[dict[str, Any]], list[int]]:
    """Every page from ``url`` on, following the ``Link`` header; the rows and each total."""
    rows: list[dict[str, Any]] = []
    totals: list[int] = []
    next_url: str | None = url
    while next_url:
        response = web.get(next_url)
        assert response.status_code == 200, response.text
        assert len(response.json()) <= PAGE
        rows += response.json()
        totals.append(int(response.headers["X-Total-Count"]))
        next_url = _next_link(response)
        assert len(totals) <= PER_WORKSPACE, "the cursor does not move on"
    return rows, totals


@pytest.mark.parametrize("sort", ["due", "priority", "newest"])
def test_walking_the_cursor_yields_every_matching_item_once_in_order(
    crowded: Campaign, web_factory: Any, sort: str
) -> None:
    web = web_factory(crowded.store, "manager@example.org")
    everything = web.get("/api/items", params={**FILTER, "limit": 500})
    matching = everything.json()
    assert len(matching) == PER_WORKSPACE // 2
    assert all("tram" in r["text"] and r["text"].startswith("North") for r in matching)

    rows, totals = _walk(web, f"/api/items?status=any&q=tram&sort={sort}&limit={PAGE}")

    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "an item appeared on two pages"
    assert ids == _expected_order(matching, sort)
    assert set(totals) == {len(matching)}
    assert int(everything.headers["X-Total-Count"]) == len(matching)


def test_offset_paging_still_works_for_existing_clients(
    crowded: Campaign, web_factory: Any
) -> None:
    web = web_factory(crowded.store, "manager@example.org")
    whole = [r["id"] for r in web.get("/api/items", params={**FILTER, "limit": 60}).json()]
    second = web.get("/api/items", params={**FILTER, "limit": 30, "offset": 30})
    assert [r["id"] for r in second.json()] == whole[30:60]


def test_another_workspace_never_counts_or_pages_into_ours(
    crowded: Campaign, web_factory: Any
) -> None:
    north = web_factory(crowded.store, "manager@example.org")
    south = web_factory(crowded.store, "south@example.org")
    north_rows, north_totals = _walk(north, f"/api/items?status=any&limit={PAGE}")
    south_rows, south_totals = _walk(south, f"/api/items?status=any&limit={PAGE}")
    assert not {r["id"] for r in north_rows} & {r["id"] for r in south_rows}
    assert all(r["text"].startswith("South") or "South" in r["text"] for r in south_rows)
    assert set(south_totals) == {len(south_rows)} == {PER_WORKSPACE + 1}  # and conftest's m6
    assert set(north_totals) == {len(north_rows)}
    # North's cursor, replayed by South, reads on through South's items only.
    north_page = north.get(f"/api/items?status=any&limit={PAGE}")
    replayed = south.get(_next_link(north_page) or "")
    assert replayed.status_code == 200
    assert {r["id"] for r in replayed.json()} <= {r["id"] for r in south_rows}
    people, people_totals = _walk(south, f"/api/people?limit={PAGE}")
    assert set(people_totals) == {len(people)} == {len({r["person_id"] for r in south_rows})}


def test_a_tampered_or_foreign_cursor_is_refused_with_a_message(
    crowded: Campaign, web_factory: Any
) -> None:
    web = web_factory(crowded.store, "manager@example.org")
    first = web.get(f"/api/items?status=any&sort=priority&limit={PAGE}")
    cursor = parse_qs(urlsplit(_next_link(first) or "").query)["cursor"][0]
    token, _, digest = cursor.partition(".")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (f"{flipped}.{digest}", "not-a-cursor", f"{token}.", "..", "x" * 400):
        response = web.get(
            "/api/items", params={"status": "any", "sort": "priority", "cursor": bad}
        )
        assert response.status_code == 422, (bad, response.text)
        assert "cursor" in response.json()["detail"]
    # A cursor of one sort is not one of another, nor of the people list.
    for url in ("/api/items?status=any&sort=due", "/api/people"):
        response = web.get(url, params={"cursor": cursor})
        assert response.status_code == 422 and "cursor" in response.json()["detail"]
    page = web.get("/inbox", params={"cursor": "not-a-cursor"})
    assert page.status_code == 422 and "cursor" in page.text


def _links(html: str) -> dict[str, str]:
    return {
        rel: unescape(href) for href, rel in re.findall(r'<a href="([^"]+)" rel="(\w+)">', html)
    }


def test_the_inbox_page_shows_the_total_and_a_next_link_that_keeps_the_filters(
    crowded: Campaign, web_factory: Any
) -> None:
    web = web_factory(crowded.store, "manager@example.org")
    total = PER_WORKSPACE // 2
    page = web.get("/inbox", params={**FILTER, "sort": "priority", "limit": PAGE})
    assert page.status_code == 200
    assert f"Showing 1–{PAGE} of {total} items" in page.text
    assert '<option value="priority" selected>' in page.text
    assert 'name="q" value="tram"' in page.text
    following = _links(page.text)["next"]
    assert parse_qs(urlsplit(following).query) | {"cursor": []} == {
        "status": ["any"],
        "q": ["tram"],
        "sort": ["priority"],
        "limit": [str(PAGE)],
        "cursor": [],
    }
    second = web.get(following)
    assert f"Showing {PAGE + 1}–{2 * PAGE} of {total} items" in second.text
    back = _links(second.text)["first"]
    assert parse_qs(urlsplit(back).query) == {
        "status": ["any"],
        "q": ["tram"],
        "sort": ["priority"],
        "limit": [str(PAGE)],
    }


def test_the_people_page_shows_the_total_and_pages_on(crowded: Campaign, web_factory: Any) -> None:
    web = web_factory(crowded.store, "manager@example.org")
    everyone = web.get("/api/people", params={"limit": 500})
    total = int(everyone.headers["X-Total-Count"])
    assert total == len(everyone.json()) > 100
    page = web.get("/people", params={"q": "user"})
    assert f"Showing 1–100 of {total:,} people" in page.text
    following = _links(page.text)["next"]
    assert parse_qs(urlsplit(following).query)["q"] == ["user"]
    second = web.get(following)
    assert f"Showing 101–{total} of {total:,} people" in second.text
    assert "next" not in _links(second.text)
    listed = re.findall(r"<tr><td[^>]*>(\d+)</td>", page.text + second.text)
    assert sorted(map(int, listed)) == sorted(p["id"] for p in everyone.json())
