"""Every page, as a laptop and a phone show it, on a small seeded demo campaign.

One server for the session (the demo takes a while to simulate, import and audit), Debian's
Chromium at 1,400 and 390 px wide. Each page's screenshot is saved in ``artifacts/screens/``
(``<page>-<width>.png``), and each page must fit its width (no sideways scrolling of the
document), show no raw field names (``part_replies_to_others``) and, on the lists, say how
many there are and link to the next page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hustings.demo import record_platform_answers, run_demo
from hustings.store import Store
from hustings.store.schema import accounts, inbox_items, messages, people
from hustings.web import create_app
from hustings.web.demo import DEMO_EMAIL, DEMO_WORKSPACE, create_demo_workspace
from tests.web.test_browser import _ARGS, CHROMIUM, _serve, pytestmark  # noqa: F401

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
WIDTHS = (1400, 390)
PASSWORD = "screens-password-1"
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
"""A snake_case word: how a raw field name (``reply_share``, ``needs_reply``) looks."""


class Demo:
    """The served demo: its URL, and what a page may show that people typed themselves."""

    def __init__(self, url: str, store: Store) -> None:
        self.url = url
        with store.begin() as conn:
            self.item = conn.execute(select(inbox_items.c.id).limit(1)).scalar_one()
            self.person = conn.execute(select(people.c.id).limit(1)).scalar_one()
            # people the erasure test may erase, one per width (never ``self.person``)
            self.erasable = list(conn.execute(
                select(people.c.id).order_by(people.c.id.desc()).limit(len(WIDTHS))
            ).scalars())
            typed = [
                *conn.execute(select(accounts.c.handle)).scalars(),
                *conn.execute(select(messages.c.text)).scalars(),
                *conn.execute(select(accounts.c.display_name)).scalars(),
                *conn.execute(select(people.c.name)).scalars(),
            ]
        # Handles and words people wrote may be snake_case; those are theirs, not ours.
        self.user_words = {w for text in typed if text for w in SNAKE.findall(text.lower())}


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("screens")
    store = Store.open(f"sqlite:///{folder / 'demo.db'}")
    run = run_demo(store, folder / "files", seed=2019, scale=0.1)
    create_demo_workspace(store, password=PASSWORD, accounts=run.accounts())
    record_platform_answers(store, DEMO_WORKSPACE)
    app = create_app(store, secret="screens-test")
    app.state.audit.refresh(store)  # what hustings serve does in the background
    with _serve(app) as url:
        yield Demo(url, store)
    store.close()


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """Chromium for this module only: Playwright's sync API keeps an event loop running in
    this thread while it is open, and later tests that call ``asyncio.run`` would fail."""
    from playwright.sync_api import sync_playwright

    SCREENS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def tab(request: pytest.FixtureRequest, chromium_browser: Any, demo: Demo) -> Iterator[Any]:
    width = request.param
    context = chromium_browser.new_context(
        base_url=demo.url, viewport={"width": width, "height": 900 if width > 800 else 844}
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.width = width
    yield tab
    context.close()


def _sign_in(tab: Any) -> None:
    tab.goto("/login")
    tab.fill("input[name=email]", DEMO_EMAIL)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url("**/inbox")


def _check(tab: Any, name: str, demo: Demo, *, fields_shown: bool = False) -> str:
    """Save the screenshot, assert the page fits and (unless it documents ``fields_shown``,
    as the API reference does) names nothing by its field name; return the visible text."""
    tab.wait_for_load_state("networkidle")
    tab.screenshot(path=str(SCREENS / f"{name}-{tab.width}.png"), full_page=True)
    scroll, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name} at {tab.width} px scrolls sideways: {scroll} > {inner}"
    text = tab.evaluate("document.body.innerText")
    raw = sorted(set(SNAKE.findall(text)) - demo.user_words)
    assert fields_shown or not raw, f"{name} at {tab.width} px shows raw field names: {raw}"
    return str(text)


def test_login(tab: Any, demo: Demo) -> None:
    tab.goto("/login")
    text = _check(tab, "login", demo)
    assert "Sign in" in text


def test_inbox_shows_the_total_and_pages(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    text = _check(tab, "inbox", demo)
    assert re.search(r"Showing 1–50 of [\d,]+ items", text), text[:400]
    assert tab.locator("a[rel=next]").count() == 1


def test_item(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    tab.goto(f"/inbox/{demo.item}")
    assert "Conversation" in _check(tab, "item", demo)


def test_people_shows_the_total_and_pages(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    tab.goto("/people")
    text = _check(tab, "people", demo)
    assert re.search(r"Showing 1–[\d,]+ of [\d,]+ people", text), text[:400]
    assert tab.locator("a[rel=next]").count() == 1


def test_person(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    tab.goto(f"/people/{demo.person}")
    assert "Identities" in _check(tab, "person", demo)


def test_dashboard(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    tab.goto("/dashboard")
    text = _check(tab, "dashboard", demo)
    assert "Full scorecard" in text


def test_scorecard(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    tab.goto("/dashboard/accounts")
    assert "Scorecard of your accounts" in _check(tab, "scorecard", demo)


def test_settings(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    tab.goto("/settings")
    assert "Connect an account" in _check(tab, "settings", demo)


def test_docs(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    tab.goto("/docs")
    tab.wait_for_selector(".swagger-ui .info")
    assert "Hustings" in _check(tab, "docs", demo, fields_shown=True)


def test_error(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    tab.goto("/inbox/999999999")
    assert "Error 404" in _check(tab, "error", demo)


def test_erased(tab: Any, demo: Demo) -> None:
    _sign_in(tab)
    person = demo.erasable[WIDTHS.index(tab.width)]
    tab.goto(f"/people/{person}")
    tab.fill("#erase-form input[name=confirm]", "ERASE")
    tab.click("#erase-form button[type=submit]")
    tab.wait_for_selector("#counts")
    text = _check(tab, "erased", demo)
    assert "Person erased" in text and "Back to people" in text
    assert tab.locator("#counts li").count() > 0
