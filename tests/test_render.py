"""The shared rendering environment: pages and reports read dates, counts and shares alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hustings.render import STYLESHEET, environment, stylesheet

NOW = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


def _render(source: str, **ctx: object) -> str:
    return environment().from_string(source).render(**ctx)


def test_a_recent_time_reads_compact_with_the_full_time_on_hover() -> None:
    html = _render("{{ t | ago(now) }}", t=NOW - timedelta(hours=3, minutes=5), now=NOW)
    assert ">3 h ago</time>" in html
    assert 'title="2026-12-07 15:55 UTC"' in html


def test_a_due_time_ahead_reads_in_so_long() -> None:
    assert ">in 20 min<" in _render("{{ t | ago(now) }}", t=NOW + timedelta(minutes=20), now=NOW)


def test_a_naive_time_is_read_as_utc() -> None:
    html = _render("{{ t | ago(now) }}", t=datetime(2026, 12, 7, 18, 0), now=NOW)
    assert ">1 h ago<" in html


def test_a_time_long_ago_reads_as_a_date() -> None:
    assert ">12 Mar 2025<" in _render("{{ t | ago(now) }}", t=datetime(2025, 3, 12), now=NOW)


def test_a_missing_time_reads_as_a_dash() -> None:
    assert _render("{{ t | ago }}", t=None) == "–"


def test_counts_read_as_integers_with_separators() -> None:
    assert _render("{{ 13.0 | num }} {{ 20305 | num }} {{ 2.5 | num }}") == "13 20,305 2.5"


def test_a_missing_count_is_not_zero() -> None:
    assert _render("{{ none | num }} {{ none | pct }}") == "– –"


def test_shares_read_as_percentages() -> None:
    assert _render("{{ 0.243 | pct }}") == "24%"


def test_durations_read_in_hours_and_minutes() -> None:
    assert _render("{{ 200 | duration('minutes') }}") == "3 h 20 min"


def test_text_is_escaped() -> None:
    assert _render("{{ t }}", t="<script>") == "&lt;script&gt;"


def test_reports_can_inline_the_pages_stylesheet() -> None:
    html = _render("<style>{{ stylesheet() }}</style>")
    assert STYLESHEET.read_text(encoding="utf-8") in html
    assert str(stylesheet()).strip()
