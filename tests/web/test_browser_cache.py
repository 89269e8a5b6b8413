"""In Chromium: after signing out, Back does not show a person's page again; /docs renders
under the app's CSP without the network.

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


def test_api_docs_render_offline_under_the_csp(page: Any, server: str) -> None:
    from playwright.sync_api import expect

    outside: list[str] = []
    problems: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if "Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 20
    assert outside == [] and problems == []
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
