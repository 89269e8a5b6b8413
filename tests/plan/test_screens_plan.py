"""The composer with what this issue added, as a laptop and a phone show it: the best-time
grid with its definition beside it, the rules the workspace set, a draft held by one of
them with the breaking-news form, and the 2011 tweetstorm as the cost of a burst in the
follower response. Debian's Chromium at 1,400 and 390 px; screenshots in
``artifacts/screens/plan-<width>.png``; the page must fit its width."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hustings import plan
from hustings.store.schema import audit_log
from tests.plan.storm import load_storm
from tests.web.conftest import PASSWORD, Campaign, campaign
from tests.web.test_browser import _ARGS, CHROMIUM, pytestmark, server
from tests.web.test_screens import SCREENS

__all__ = ["campaign", "pytestmark", "server"]


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        yield chromium
        chromium.close()


def _seed(c: Campaign) -> int:
    load_storm(c.store, c.north_id)
    manager = c.actor("manager")
    today = datetime.now(UTC)
    with c.store.begin() as conn:
        plan.add_rule(conn, manager, "quiet_hours", {"start": 6, "end": 12, "days": "sun"},
                      "x:northcand", "church and family")
        # today and tomorrow, so a run that crosses midnight UTC is still held
        plan.add_rule(conn, manager, "blackout",
                      {"from": today.date().isoformat(),
                       "to": (today + timedelta(days=1)).date().isoformat()},
                      note="day of the memorial")
        held = plan.draft(conn, manager, "x:northcand", "Rally moved to the park")
        plan.queue(conn, manager, held["id"])
    return int(held["id"])


@pytest.mark.parametrize("width", [1400, 390])
def test_the_composer_fits_and_shows_best_time_rules_breaking_news_and_burst_cost(
    chromium_browser: Any, server: str, campaign: Campaign, width: int
) -> None:
    from playwright.sync_api import expect

    held = _seed(campaign)
    context = chromium_browser.new_context(
        base_url=server, viewport={"width": width, "height": 900 if width > 800 else 844})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    try:
        tab.goto("/login")
        tab.fill("input[name=email]", "manager@example.org")
        tab.fill("input[name=password]", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url("**/inbox")
        tab.goto("/plan")
        expect(tab.locator("#best-time-definition")).to_contain_text("shrunk toward")
        expect(tab.locator("#rules .words").first).to_contain_text("no posts Sundays")
        row = tab.locator(f"#posts tr[data-post='{held}']")
        expect(row.locator(".reasons li.hold")).to_contain_text("day of the memorial")
        expect(tab.locator(".response .burst-cost")).to_contain_text("bursts cost")
        tab.screenshot(path=str(SCREENS / f"plan-{width}.png"), full_page=True)
        scroll, inner = tab.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"/plan at {width} px scrolls sideways: {scroll} > {inner}"
        row.locator(".breaking-form input[name=breaking]").fill("Storm: venue flooded")
        row.locator(".breaking-form button").click()
        expect(tab.locator(f"#posts tr[data-post='{held}'] .override")).to_contain_text(
            "breaking news: Storm: venue flooded")
    finally:
        context.close()
    with campaign.store.begin() as conn:
        logged = conn.execute(select(audit_log.c.detail).where(
            audit_log.c.action == "plan.breaking")).scalar_one()
    assert logged["reason"] == "Storm: venue flooded" and logged["through"] == ["blackout"]
