"""The live-channel story in real headless Chromium against a real local Bluesky network:

a new owner signs in, connects the campaign's Bluesky account on Settings, a citizen
mentions it, the item appears in the inbox without a page reload, a responder answers, and
the answer exists on the PDS as a reply to that post.

The app runs under uvicorn with the connector worker beside it, as ``hustings serve`` runs
them (a pull every second here, instead of every minute).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hustings.connectors.worker import start_worker
from hustings.store import Store
from hustings.web import create_app
from hustings.workspace import Role, add_user
from tests.servers.fixtures import BLUESKY, BlueskyNetwork
from tests.web.conftest import PASSWORD
from tests.web.test_browser import _ARGS, ARTIFACTS, CHROMIUM, _serve

pytestmark = [
    pytest.mark.servers,
    pytest.mark.browser,
    BLUESKY,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
WORKSPACE = "Riding 12"


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, str]]:
    """A fresh store with an owner and a responder, served with the connector worker."""
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "browser-test-secret-key")
    store = Store.open(f"sqlite:///{tmp_path / 'hustings.db'}")
    add_user(store, "owner@riding12.example", PASSWORD, WORKSPACE, Role.OWNER)
    add_user(store, "responder@riding12.example", PASSWORD, WORKSPACE, Role.RESPONDER)
    thread, stop = start_worker(store, pull_every=1.0, send_every=1.0)
    try:
        with _serve(create_app(store, secret="browser-test")) as url:
            yield store, url
    finally:
        stop.set()
        thread.join(timeout=30)
        store.close()


def _browser(url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        yield browser
        browser.close()


def _signed_in(browser: Any, url: str, email: str) -> Any:
    context = browser.new_context(base_url=url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox")
    return page


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"bluesky-{name}.png"), full_page=True)


def test_connect_mention_answer_in_the_browser(
    live: tuple[Store, str], bluesky_network: BlueskyNetwork
) -> None:
    from atproto import Client
    from playwright.sync_api import expect

    _store, url = live
    net = bluesky_network
    campaign = net.create_account()
    citizen = net.create_account()
    for browser in _browser(url):
        owner = _signed_in(browser, url, "owner@riding12.example")
        owner.goto("/settings")
        owner.select_option("#connect-form select[name=platform]", "bluesky")
        owner.fill("#connect-form input[name=server]", net.pds_url)
        owner.fill("#connect-form input[name=handle]", campaign.handle)
        owner.fill("#connect-form input[name=secret]", campaign.password)
        _shot(owner, "01-settings")
        owner.click("#connect-form button[type=submit]")
        expect(owner.locator("#connections")).to_contain_text(campaign.handle)
        expect(owner.locator("#connections")).to_contain_text("ok")
        assert campaign.password not in owner.content()
        _shot(owner, "02-connected")

        responder = _signed_in(browser, url, "responder@riding12.example")
        rows = responder.locator("#items tbody tr[data-item]")
        expect(rows).to_have_count(0)
        question = net.mention(citizen, [campaign],
                               f"@{campaign.handle} when will the library reopen?")
        # No reload: the list polls, the worker pulls in the background.
        expect(rows).to_have_count(1, timeout=30_000)
        expect(rows.first).to_contain_text("when will the library reopen?")
        _shot(responder, "03-arrived")
        rows.first.locator("a.open").click()
        responder.fill("#reply-text", "It reopens on Monday at 9am.")
        responder.click("#reply-form button[type=submit]")
        # Answered only once the worker has sent it and the PDS has it.
        for _ in range(30):
            responder.reload()
            if responder.locator("#status").inner_text() == "answered":
                break
            responder.wait_for_timeout(1000)
        expect(responder.locator("#status")).to_have_text("answered")
        _shot(responder, "04-answered")

    net.process_all()
    client = Client(base_url=f"{net.pds_url}/xrpc")
    client.login(citizen.handle, citizen.password)
    thread = client.get_post_thread(question.uri).thread
    answers = [(r.post.author.did, r.post.record.text, r.post.record.reply.root.uri,
                r.post.record.reply.parent.uri) for r in thread.replies]
    assert answers == [(campaign.did, "It reopens on Monday at 9am.", question.uri,
                        question.uri)]
