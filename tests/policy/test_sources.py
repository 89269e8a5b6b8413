"""Sources against real feeds and pages replayed on loopback: dates, links, moves, breaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hustings import policy
from hustings.connectors.http import Http
from hustings.store import Store
from tests.policy.conftest import workspace
from tests.policy.replay import PressServer

NOW = datetime(2022, 10, 20, 12, tzinfo=UTC)


def _items(store: Store, actor: object) -> list[dict[str, object]]:
    with store.begin() as conn:
        return policy.list_items(conn, actor)  # type: ignore[arg-type]


def test_an_rss_092_feed_without_dates_counts_items_from_when_they_were_first_seen(
    store: Store, press: PressServer, http: Http,
) -> None:
    actor = workspace(store)
    with store.begin() as conn:
        source = policy.add_source(conn, actor, "feed", "Culberson", "Republican",
                                   f"{press.url}/saved/culberson_rss.xml")
    report = policy.fetch_source(store, actor, source, NOW, http)
    items = _items(store, actor)
    assert report.error is None and report.new == 10 == len(items)
    assert all(i["published_at"] is None and i["first_seen_at"] == NOW for i in items)


def test_a_non_rfc_date_is_read_in_the_sources_time_zone(
    store: Store, press: PressServer, http: Http,
) -> None:
    actor = workspace(store)
    with store.begin() as conn:
        source = policy.add_source(conn, actor, "feed", "Ruiz", "Democrat",
                                   f"{press.url}/saved/ruiz_rss.xml",
                                   settings={"timezone": "America/Los_Angeles"})
    policy.fetch_source(store, actor, source, NOW, http)
    items = {i["title"]: i for i in _items(store, actor)}
    first = items["Dr. Ruiz Highlights First 100 Days in Congress"]
    # "Monday, April 15, 2013 - 2:23pm" in California is 21:23 UTC.
    assert first["published_at"] == datetime(2013, 4, 15, 21, 23, tzinfo=UTC)


def test_relative_links_resolve_against_the_feeds_address(
    store: Store, press: PressServer, http: Http,
) -> None:
    actor = workspace(store)
    with store.begin() as conn:
        source = policy.add_source(conn, actor, "feed", "Burr", "Republican",
                                   f"{press.url}/saved/richard_burr.xml")
    policy.fetch_source(store, actor, source, NOW, http)
    items = _items(store, actor)
    assert len(items) == 25
    assert all(str(i["url"]).startswith(f"{press.url}/saved/index.cfm?FuseAction=")
               for i in items)
    # "Thu, 02 May 2013 11:27:00 EST" (a lower-case <pubdate>) is 16:27 UTC.
    assert datetime(2013, 5, 2, 16, 27, tzinfo=UTC) in {i["published_at"] for i in items}


def test_a_listing_page_rule_picks_the_press_links_and_reads_each_article(
    store: Store, press: PressServer, http: Http,
) -> None:
    """Keating's saved press page (relative links); the first article is served with the
    text of a real release, the others answer 404 and keep their listed title."""
    release = press.releases[0]
    press.state.now = release.published_at
    link = ("/index.php?option=com_content&view=article&id=314:keating-announces-epa-grant-"
            "for-new-bedford&catid=14&Itemid=13")
    press.state.pages[link] = press.page(release)
    actor = workspace(store)
    with store.begin() as conn:
        source = policy.add_source(conn, actor, "listing", "Keating", "Democrat",
                                   f"{press.url}/saved/keating_press.html",
                                   settings={"match": r"^http://127\.0\.0\.1:\d+/.*catid=14"})
    report = policy.fetch_source(store, actor, source, NOW, http)
    items = _items(store, actor)
    assert report.error is None and len(items) >= 5
    assert all(str(i["url"]).startswith(f"{press.url}/index.php?") for i in items)
    with store.begin() as conn:
        read = [policy.get_item(conn, actor, int(i["id"])) for i in items]  # type: ignore[call-overload]
    with_text = [r for r in read if r["text"]]
    assert len(with_text) == 1
    assert release.text.split("\n")[0].strip()[:60] in with_text[0]["text"]


def test_a_feed_that_moved_is_followed_and_its_new_address_kept(
    store: Store, press: PressServer, http: Http,
) -> None:
    press.state.now = press.releases[0].published_at + timedelta(days=2)
    press.state.moved["/party/D.xml"] = "/moved/party/D.xml"
    actor = workspace(store)
    with store.begin() as conn:
        source = policy.add_source(conn, actor, "feed", "Democrats", "Democrat",
                                   f"{press.url}/party/D.xml")
    report = policy.fetch_source(store, actor, source, press.state.now, http)
    assert report.error is None and report.new > 0
    with store.begin() as conn:
        (health,) = policy.list_sources(conn, actor, press.state.now)
    assert health.url == health.moved_to == f"{press.url}/moved/party/D.xml"


def test_a_broken_feed_reports_its_error_and_keeps_its_items(
    store: Store, press: PressServer, http: Http,
) -> None:
    press.state.now = press.releases[0].published_at + timedelta(days=2)
    actor = workspace(store)
    with store.begin() as conn:
        source = policy.add_source(conn, actor, "feed", "Republicans", "Republican",
                                   f"{press.url}/party/R.xml")
    first = policy.fetch_source(store, actor, source, press.state.now, http)
    press.state.broken.add("/party/R.xml")
    later = press.state.now + timedelta(hours=1)
    broken = policy.fetch_source(store, actor, source, later, http)
    with store.begin() as conn:
        (health,) = policy.list_sources(conn, actor, later)
    assert broken.error is not None and "HTTP 500" in broken.error
    assert health.status == "error" and health.last_error == broken.error
    assert health.last_ok_at == press.state.now
    assert len(_items(store, actor)) == first.new
