"""A hostile account name neither blanks the offline report nor becomes a spreadsheet formula."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from hustings.listen import Corpus, CorpusBuilder, EdgeKind, analyse, write_outputs
from tests.listen.networks import T0

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "<!--<script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'


def _corpus() -> Corpus:
    b = CorpusBuilder()
    for i, (who, to) in enumerate([(HOSTILE, "a0"), (FORMULA, "a0"), ("a1", HOSTILE)]):
        m = b.message(f"re-{i}", who, T0 + i, "Will you answer?", depth=1)
        b.edge(m, to, EdgeKind.REPLY)
    b.track("a0", "leader", "Party A")
    return b.build()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("listen-escaping")
    write_outputs(analyse(_corpus(), "#test", classify=False), path)
    return path


def test_embedded_json_has_no_markup_characters(out: Path) -> None:
    page = (out / "report.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="listen-data">(.*?)</script>', page)
    assert found is not None
    assert not set("<>&") & set(found.group(1))
    assert HOSTILE in {n["name"] for n in json.loads(found.group(1))["nodes"]}


def test_nodes_csv_quotes_a_formula_name(out: Path) -> None:
    with (out / "nodes.csv").open(newline="") as handle:
        names = {r["account"] for r in csv.DictReader(handle)}
    assert "'" + FORMULA in names and FORMULA not in names


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_report_with_a_hostile_name_still_renders(out: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.goto((out / "report.html").resolve().as_uri())
        page.wait_for_selector("#net[data-ready]", timeout=15_000)
        circles = page.locator("#net circle").count()
        headings = page.locator("h2").count()
        browser.close()
    assert circles == 4
    assert headings >= 4
