"""The report's network view renders in headless Chromium and requests nothing from the network."""

from __future__ import annotations

from pathlib import Path

import pytest

from hustings.listen import analyse, write_outputs
from tests.listen.networks import two_camps

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_network_view_renders_offline(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    write_outputs(analyse(two_camps(), "#test", classify=False), tmp_path)
    report = (tmp_path / "report.html").resolve()
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(report.as_uri())
        page.wait_for_selector("#net[data-ready]")
        circles = page.locator("#net circle").count()
        page.locator("#net circle").first.hover()
        tip = page.locator("#net-tip").inner_text()
        page.mouse.wheel(0, -300)
        page.locator('input[data-kind="repost"]').uncheck()
        hidden = page.locator("g.kind-repost").evaluate("g => g.style.display")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "listen-network.png"), full_page=True)
        browser.close()
    assert errors == []
    assert circles == 17
    assert tip.startswith("@")
    assert hidden == "none"
    outside = [u for u in requests if not u.startswith("file://") and not u.startswith("data:")]
    assert outside == []
