"""The audit report reads as a person expects: their accounts first, words not field names,
one colour per party, handles not ids, definitions folded under the charts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hustings.errors import ConfigError
from hustings.metrics import Scope, connect, read_snapshot, run_audit
from hustings.metrics._scorecard import Scorecard
from hustings.report._palette import party_colours
from tests.metrics import handmade
from tests.metrics.conftest import HANDMADE_PARAMS, build_snapshot
from tests.report.pages import SNAKE, chart_specs, rows, section, visible_text, walk

RED = {"alice", handmade.ALICE_MAIL, "redparty"}


def test_headline_of_one_party_counts_only_its_accounts(scoped_card: Scorecard) -> None:
    red = scoped_card.accounts[scoped_card.accounts["party"] == "Red"]
    assert set(red["handle"].str.lower()) == RED
    assert scoped_card.headline["messages"] == red["messages"].sum()
    assert scoped_card.headline["messages"] < scoped_card.groups["all"].iloc[0]["messages"]


def test_report_scoped_to_one_party_lists_only_its_accounts_as_yours(
    scoped_report_dir: Path,
) -> None:
    page = (scoped_report_dir / "report.html").read_text()
    assert "Headline: Red" in visible_text(page)
    yours = visible_text(section(page, "yours"))
    assert all(f"@{h}" in yours for h in RED)
    assert "@bob" not in yours and "@news" not in yours


def test_a_party_nobody_belongs_to_names_the_parties(tmp_path: Path) -> None:
    snapshot = build_snapshot(tmp_path, handmade.MESSAGES, handmade.TRACKED, handmade.ACCOUNTS)
    with pytest.raises(ConfigError, match=r"Green matches none .*parties: Blue, Red"):
        run_audit(
            read_snapshot(connect("duckdb"), snapshot), HANDMADE_PARAMS, scope=Scope.of(["Green"])
        )


def test_report_shows_no_raw_field_names(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text()
    text = visible_text(page)
    assert SNAKE.findall(text) == []
    titles = [
        str(node["title"])
        for spec in chart_specs(page).values()
        for node in walk(spec)
        if isinstance(node.get("title"), str)
    ]
    values = [str(r.get("metric", "")) for spec in chart_specs(page).values() for r in rows(spec)]
    assert values
    assert [t for t in titles + values if SNAKE.search(t)] == []


def test_every_chart_gives_a_party_the_same_colour(report_dir: Path, card: Scorecard) -> None:
    page = (report_dir / "report.html").read_text()
    expected = party_colours(card.accounts["party"])
    seen = {}
    for name, spec in chart_specs(page).items():
        for node in walk(spec):
            scale = node.get("scale")
            if isinstance(scale, dict) and "Red" in scale.get("domain", []):
                seen[name] = dict(zip(scale["domain"], scale["range"], strict=True))
    assert set(seen) >= {"league", "per-party", "weekly", "response", "bursts"}
    assert all(colours == expected for colours in seen.values()), seen


def test_burst_timelines_name_accounts_by_handle(report_dir: Path) -> None:
    spec = chart_specs((report_dir / "report.html").read_text())["bursts"]
    assert spec["facet"]["row"]["field"] == "account"
    named = {r["account"] for r in rows(spec) if "account" in r}
    assert named and all(n.startswith("@") for n in named), named


def test_one_league_table_heading(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text()
    assert len(re.findall(r"<h2>\s*League table\s*</h2>", page)) == 1


def test_each_chart_folds_its_definitions_under_it(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text()
    for name in chart_specs(page):
        part = section(page, name)
        chart, fold = part.find('class="chart"'), part.find('<details class="definitions">')
        assert 0 <= chart < fold, name


def test_times_read_as_dates_not_iso(report_dir: Path) -> None:
    text = visible_text((report_dir / "report.html").read_text())
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\+00:00", text)


def test_the_league_table_keeps_few_columns_and_folds_the_rest(report_dir: Path) -> None:
    league = section((report_dir / "report.html").read_text(), "league")
    first, every = re.findall(r"<thead>(.*?)</thead>", league, flags=re.S)[:2]
    assert first.count("<th") <= 8 < every.count("<th")
    assert re.search(r"<details class=\"fold\"><summary>Every column", league)


def test_contents_bar_links_every_section(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text()
    bar = re.search(r'<nav class="[^"]*contents".*?</nav>', page, flags=re.S)
    assert bar
    for anchor in re.findall(r'<section id="([\w-]+)"', page):
        assert f'href="#{anchor}"' in bar.group(0), anchor
