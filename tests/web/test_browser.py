"""The pages in real headless Chromium: sign in, triage, claim, reply, close, merge, stance,
export and erase. Screenshots of each step go to ``artifacts/`` (kept by CI).

The app runs under uvicorn in a thread on a free loopback port; Chromium is Debian's
``/usr/bin/chromium`` (Playwright's own browser downloads are never used).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hustings.people.core import list_people
from hustings.web import create_app
from tests.web.conftest import PASSWORD, Campaign

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which("chromium") is None,
    reason="Debian chromium is not installed (apt-get install -y chromium)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serve(app: Any) -> Iterator[str]:
    """``app`` under uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def server(campaign: Campaign, request: pytest.FixtureRequest) -> Iterator[str]:
    app = create_app(campaign.store, secret="browser-test")
    if request.node.get_closest_marker("audited"):
        app.state.audit.refresh(campaign.store)  # what hustings serve does in the background
    with _serve(app) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        context = browser.new_context(base_url=server, accept_downloads=True)
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _login(page: Any, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    _shot(page, "01-login")
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox")


def test_triage_claim_reply_close(page: Any) -> None:
    from playwright.sync_api import expect

    _login(page, "responder@example.org")
    expect(page.locator("#items tbody tr[data-item]")).to_have_count(5)
    _shot(page, "02-inbox")
    page.keyboard.press("j")
    expect(page.locator("#items tr.selected")).to_have_count(1)
    page.keyboard.press("c")  # claim the selected item: lands on its thread view
    expect(page.locator("#status")).to_have_text("assigned")
    expect(page.locator("#assignee")).to_have_text("responder@example.org")
    _shot(page, "03-claimed")
    page.fill("#reply-text", "Hi {name}")
    page.click("#reply-form button[type=submit]")
    expect(page.locator(".error")).to_contain_text("{name}")
    page.go_back()
    page.fill("#reply-text", "Thanks for asking! Thursday at 7pm in the library.")
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#status")).to_have_text("answered")
    expect(page.locator(".msg.to-post")).to_contain_text("Thursday at 7pm")
    _shot(page, "04-replied")
    page.click("button.closed")
    expect(page.locator("#status")).to_have_text("closed")
    _shot(page, "05-closed")


def test_merge_stance_export_erase(page: Any, campaign: Campaign) -> None:
    from playwright.sync_api import expect

    with campaign.store.begin() as conn:
        alice = list_people(conn, campaign.actor("manager"), q="user1")[0]["id"]
        jo = list_people(conn, campaign.actor("manager"), q="jo@voter")[0]["id"]
    _login(page, "manager@example.org")
    page.goto(f"/people/{alice}")
    page.fill("input[name=merge_id]", str(jo))
    page.click("button.merge")
    expect(page.locator("body")).to_contain_text("email: ")
    expect(page.locator("body")).to_contain_text(f"Merged #{jo}")
    _shot(page, "06-merged")
    page.select_option("#stance-form select[name=value]", "strong_support")
    page.fill("#stance-form input[name=confidence]", "90")
    page.click("#stance-form button[type=submit]")
    # No target named yet: the stance is toward the workspace's candidate, named for it.
    expect(page.locator('#stances tr[data-target="northcand"]')).to_contain_text("strong support")
    _shot(page, "07-stance")
    with page.expect_download() as download:
        page.click("#export")
    data = json.loads(Path(download.value.path()).read_text())
    assert [(st["target"], st["value"]) for st in data["stances"]] == [
        ("northcand", "strong_support")
    ]
    assert len(data["messages"]) == 3
    page.fill("#erase-form input[name=confirm]", "ERASE")
    page.click("#erase-form button[type=submit]")
    expect(page.locator("#counts")).to_contain_text("inbox items: 3")
    _shot(page, "08-erased")
    page.goto(f"/people/{alice}")
    expect(page.locator(".error")).to_contain_text("no person")


@pytest.mark.audited
def test_dashboard_shows_the_scorecard(page: Any) -> None:
    from playwright.sync_api import expect

    _login(page, "manager@example.org")
    page.goto("/dashboard")
    expect(page.locator("#open-items")).to_have_text("5")
    expect(page.locator("#ranked")).to_contain_text("@northcand")
    expect(page.locator("#ranked")).not_to_contain_text("southcand")
    expect(page.locator("#metric-response_rate_24h + dd.definition")).not_to_be_empty()
    _shot(page, "09-dashboard")
