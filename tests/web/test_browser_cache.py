"""After signing out, the browser's Back button does not show a person's page again.

Pages are boosted by htmx, which used to keep a copy of each page in sessionStorage and put
it back on Back without asking the server. Headless Debian Chromium, as in test_browser.
"""

from __future__ import annotations

from typing import Any

from hustings.people.core import list_people
from tests.web.conftest import Campaign
from tests.web.test_browser import _login, page, pytestmark, server

__all__ = ["page", "pytestmark", "server"]


def test_back_after_sign_out_does_not_show_the_person(page: Any, campaign: Campaign) -> None:
    from playwright.sync_api import expect

    with campaign.store.begin() as conn:
        alice = list_people(conn, campaign.actor("manager"), q="user1")[0]
    _login(page, "manager@example.org")
    page.click("nav a[href='/people']")
    page.click(f"a[href='/people/{alice['id']}']")
    expect(page.locator("h1")).to_contain_text(f"#{alice['id']}")
    page.click("nav button[type=submit]")  # Sign out
    page.wait_for_url("**/login")
    page.go_back()
    page.wait_for_load_state("networkidle")
    expect(page.locator("input[name=password]")).to_be_visible()
    assert f"#{alice['id']}" not in page.locator("body").inner_text()
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
