"""The report in headless Chromium: no network request, every chart drawn, a screenshot kept.

Uses Debian's ``/usr/bin/chromium`` through Playwright (never ``playwright install``). The
screenshot goes to ``artifacts/`` (gitignored) for CI to keep.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = pytest.mark.browser


def test_report_renders_every_chart_offline(report_dir: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto((report_dir / "report.html").as_uri())
        charts = page.locator("div.chart").count()
        page.wait_for_function(f"window.chartsRendered >= {charts}", timeout=60_000)
        errors = page.eval_on_selector_all("div.chart[data-error]", "els => els.length")
        drawn = page.eval_on_selector_all("div.chart svg.marks", "els => els.length")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "audit-report.png"), full_page=True)
        browser.close()
    assert charts == 8
    assert errors == 0
    assert drawn == charts
    assert [u for u in requests if not u.startswith("file://")] == []
    assert (ARTIFACTS / "audit-report.png").stat().st_size > 0
