"""The composer in real headless Chromium: a warn and a hold shown with their reasons, a
manager's override logged, and a nudge accepted (answering a waiting person instead).

North's candidate has posted seven times in the last fifty minutes (inserted as platform
facts; with its reply in the demo thread, eight) while people wait in its inbox: the next
draft, the ninth, warns and brings the nudge; after twelve more posts by hand, the next one
holds.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hustings.store import Store
from hustings.store.schema import audit_log, messages, plan_nudges
from tests.web.conftest import Campaign, campaign
from tests.web.test_browser import _login, _shot, page, pytestmark, server

__all__ = ["campaign", "page", "pytestmark", "server"]


def _posts_by_hand(store: Store, count: int, within: timedelta) -> None:
    now = datetime.now(UTC)
    with store.begin() as conn:
        conn.execute(messages.insert(), [
            {"platform": "x", "platform_id": f"hand-{uuid.uuid4().hex}", "author_id": "100",
             "author_handle": "northcand", "created_at": now - within * (i + 1) / count,
             "text": f"Update {i}", "kind": "post", "visibility": "public", "mentions": [],
             "hashtags": [], "urls": [], "partial": False, "content_hash": uuid.uuid4().hex}
            for i in range(count)
        ])


def _draft(page: Any, text: str) -> None:
    page.goto("/plan")
    page.select_option("select[name=account]", label="x: northcand")
    page.fill("#compose-text", text)
    page.click("#compose-form button[type=submit]")


def test_composer_shows_warn_and_hold_with_reasons_and_logs_the_override(
    page: Any, campaign: Campaign
) -> None:
    from playwright.sync_api import expect

    _posts_by_hand(campaign.store, 7, timedelta(minutes=50))
    _login(page, "manager@example.org")
    _draft(page, "Town hall tonight at 7")
    row = page.locator("#posts tr[data-post]").last
    expect(row.locator(".verdict")).to_have_text("warn")
    expect(row.locator(".reasons li.warn").first).to_contain_text("9th post in")
    _shot(page, "plan-01-warn")
    _posts_by_hand(campaign.store, 12, timedelta(minutes=40))
    _draft(page, "And one more thing")
    held = page.locator("#posts tr[data-post]").last
    expect(held.locator(".verdict")).to_have_text("hold")
    expect(held.locator(".reasons li.hold").first).to_contain_text(
        "a flood by the audit's definition")
    _shot(page, "plan-02-hold")
    held.locator(".override-form input[name=reason]").fill("Storm warning: people must know")
    held.locator(".override-form button").click()
    expect(page.locator("#posts tr[data-post]").last.locator(".override")).to_contain_text(
        "Storm warning: people must know")
    _shot(page, "plan-03-overridden")
    with campaign.store.begin() as conn:
        detail = conn.execute(select(audit_log.c.detail)
                              .where(audit_log.c.action == "plan.override")).scalar_one()
    assert detail == {"reason": "Storm warning: people must know"}


def test_a_nudge_accepted_opens_the_waiting_persons_item_and_is_logged(
    page: Any, campaign: Campaign
) -> None:
    from playwright.sync_api import expect

    _posts_by_hand(campaign.store, 5, timedelta(hours=5))
    _login(page, "responder@example.org")
    _draft(page, "Another announcement")
    nudge = page.locator("#nudge")
    expect(nudge).to_contain_text("5 broadcasts and 1 replies")
    expect(nudge.locator("li[data-item]").first).to_contain_text("town hall in Northville")
    _shot(page, "plan-04-nudge")
    nudge.locator("li[data-item]").first.locator("button.answer-instead").click()
    page.wait_for_url("**/inbox/*")
    expect(page.locator("#reply-text")).to_be_visible()
    _shot(page, "plan-05-answer-instead")
    with campaign.store.begin() as conn:
        assert conn.execute(select(plan_nudges.c.outcome)).scalar_one() == "answered"
    page.goto("/plan")  # one reply among six public messages before the nudge
    expect(page.locator("#reply-share")).to_contain_text("17%")
