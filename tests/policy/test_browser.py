"""The matrix in the web app, in Debian's Chromium at 1,400 and 390 px, over a week of real
releases replayed from the loopback feeds; screenshots in ``artifacts/screens/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hustings import policy
from hustings.store import Store
from hustings.web import create_app
from hustings.workspace import Actor, Role, add_user
from tests.policy.replay import PressServer
from tests.web.test_browser import _ARGS, CHROMIUM, _serve, pytestmark  # noqa: F401

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
EMAIL, PASSWORD = "gr@watch.test", "policy-password-1"


@pytest.fixture(scope="module")
def served(press_server: PressServer, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("policy-web")
    store = Store.open(f"sqlite:///{folder / 'h.db'}")
    user = add_user(store, EMAIL, PASSWORD, "Government relations", Role.OWNER)
    with store.begin() as conn:
        from hustings.workspace import memberships_of

        workspace_id = memberships_of(conn, user.id)[0][0].id
    actor = Actor.system(workspace_id)
    press_server.state.reset()
    http = policy.http_client(tries=1, timeout=5.0, sleep=lambda _: None)
    with store.begin() as conn:
        for code, party in (("D", "Democrat"), ("R", "Republican")):
            policy.add_source(conn, actor, "feed", f"{party}s", party,
                              f"{press_server.url}/party/{code}.xml")
    start = press_server.releases[0].published_at
    for hours in range(0, 24 * 9, 12):  # nine days, fetched twice a day
        press_server.state.now = start + timedelta(hours=hours)
        policy.fetch_all(store, actor, press_server.state.now, http, deliver=False)
    http.close()
    with _serve(create_app(store, secret="policy-test")) as url:
        yield url
    store.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("width", [1400, 390])
def test_the_matrix_renders_with_its_definitions_and_links_to_its_items(
    served: str, chromium: Any, width: int,
) -> None:
    context = chromium.new_context(base_url=served,
                                   viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.goto("/login")
    tab.fill("input[name=email]", EMAIL)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_load_state("networkidle")
    tab.goto("/policy?weeks=2")
    tab.wait_for_load_state("networkidle")
    tab.screenshot(path=str(SCREENS / f"policy-{width}.png"), full_page=True)
    text = tab.evaluate("document.body.innerText")
    for definition in policy.DEFINITIONS:
        assert definition.definition in text
    assert "Democrat" in text and "Republican" in text and "first" in text
    scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"the page scrolls sideways at {width} px"
    cell = tab.locator(".policy-matrix td a").first
    share = cell.inner_text()
    cell.click()
    tab.wait_for_url("**/policy/items?ids=*")
    tab.wait_for_load_state("networkidle")
    assert share.endswith("%")
    assert tab.locator("table a[href^='/policy/items/']").count() >= 1
    context.close()
