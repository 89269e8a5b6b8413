"""The files ``write_report`` leaves: offline HTML with definitions, CSV columns, PNG, JSON."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import orjson
from markupsafe import escape

from hustings.metrics import all_metrics
from hustings.metrics._scorecard import Scorecard


def test_report_html_loads_nothing_from_the_network(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=['\"]?https?://", page)


def test_report_html_prints_every_charted_metric_definition(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text()
    for name in (
        "reply_share",
        "response_rate_24h",
        "median_first_response_min",
        "bursts",
        "waiting",
        "reciprocity",
    ):
        definition = next(m.definition for m in all_metrics() if m.name == name)
        assert str(escape(definition)) in page, name


def test_report_html_states_the_data_window(report_dir: Path, card: Scorecard) -> None:
    assert card.window_text() in (report_dir / "report.html").read_text()


def test_accounts_csv_starts_with_platform_and_handle_then_metric_ids(report_dir: Path) -> None:
    with (report_dir / "accounts.csv").open() as handle:
        header = next(csv.reader(handle))
    assert header[:2] == ["platform", "handle"]
    assert {
        "reply_share",
        "broadcast_share",
        "response_rate_24h",
        "median_first_response_min",
    } <= set(header)


def test_groups_csv_has_party_and_role_rows(report_dir: Path) -> None:
    with (report_dir / "groups.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["grouping"] for r in rows} == {"party", "role", "district"}
    assert {"Red", "Blue"} <= {r["group"] for r in rows if r["grouping"] == "party"}


def test_every_chart_has_a_png(report_dir: Path) -> None:
    pngs = sorted(p.name for p in (report_dir / "charts").glob("*.png"))
    assert len(pngs) == 8
    assert all((report_dir / "charts" / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_every_table_is_also_json(report_dir: Path) -> None:
    for csv_path in report_dir.glob("*.csv"):
        rows = orjson.loads(csv_path.with_suffix(".json").read_bytes())
        assert isinstance(rows, list), csv_path.name


def test_waiting_json_lists_the_unanswered(report_dir: Path) -> None:
    rows = orjson.loads((report_dir / "waiting.json").read_bytes())
    assert sorted(r["platform_id"] for r in rows) == ["e3", "m1", "r4", "r7"]
