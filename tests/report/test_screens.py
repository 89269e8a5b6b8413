"""Both reports of the demo campaign, as a reader sees them on a laptop and on a phone.

The demo (scale 0.1, a fixed day) is simulated, imported, audited for the Harbour Party and
listened to (#nlpoli) once for the module. Chromium (Debian's, through Playwright) opens each
report at 1,400 and 390 px wide and saves a full-page screenshot to ``artifacts/screens/``;
the page must not scroll sideways (wide tables and charts scroll inside their own box), and
the audit must stay short.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hustings.demo import run_demo
from hustings.listen import ListenQuery, ListenResult, listen, write_outputs
from hustings.metrics import AuditParams, Scope, audit_store
from hustings.report import write_report
from hustings.store import Store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
AUDIT_MAX_HEIGHT = 9_000
"""Pixels at 1,400 px wide; the report before this layout was about 20,900 px long."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("demo-reports")
    store = Store.open(f"sqlite:///{out / 'demo.db'}")
    try:
        run_demo(store, out / "files", seed=2019, scale=0.1, now=NOW)
        card = audit_store(store, AuditParams(), scope=Scope.of(["Harbour Party"]))
        write_report(card, out / "audit", png=False, label="Synthetic data: the demo campaign")
        result = listen(store, ListenQuery.parse("#nlpoli"))
        write_outputs(result, out / "listen")
    finally:
        store.close()
    return {
        "audit": out / "audit" / "report.html",
        "listen": out / "listen" / "report.html",
        "result": result,
    }


def test_demo_camps_mix_platforms(demo: dict[str, Any]) -> None:
    """Before identities were merged, one camp of the demo was its Mastodon accounts alone.
    Now every camp of ten or more accounts holds X and Mastodon accounts, and none is more
    than 90% Mastodon (a quarter of the demo's citizens are on Mastodon)."""
    result: ListenResult = demo["result"]
    names = result.corpus.names
    for camp in result.camps:
        if camp.size < 10:
            continue
        members = [i for i in range(len(names)) if result.camp[i] == camp.number]
        platforms = Counter(names[i].partition(":")[0] for i in members)
        assert {"x", "mastodon"} <= set(platforms), (camp.number, platforms)
        assert platforms["mastodon"] <= 0.9 * len(members), (camp.number, platforms)


@pytest.mark.browser
@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("report", ["audit", "listen"])
def test_report_fits_the_screen(demo: dict[str, Any], report: str, width: int) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (apt-get install chromium)")
    SCREENS.mkdir(parents=True, exist_ok=True)
    shot = SCREENS / f"{report}-{width}.png"
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(Path(demo[report]).as_uri())
        if report == "audit":
            charts = page.locator("div.chart").count()
            page.wait_for_function(f"window.chartsRendered >= {charts}", timeout=90_000)
        else:
            page.wait_for_selector("#net[data-ready]")
        wide = page.evaluate("document.documentElement.scrollWidth")
        seen = page.evaluate("document.documentElement.clientWidth")
        tall = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert errors == []
    assert wide <= seen, f"{report} at {width} px scrolls sideways: {wide} > {seen}"
    assert shot.stat().st_size > 0
    if report == "audit" and width == 1400:
        assert tall < AUDIT_MAX_HEIGHT
