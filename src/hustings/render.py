"""One way to render HTML: the Jinja environment and the stylesheet shared by pages and reports.

The web app (``web/templates``) and the offline reports (``report/templates``, loaded under
the ``report/`` prefix, e.g. ``report/audit.html``) render through the same
:func:`environment`, so a date, a count or a share reads the same on a page as in a report,
and both use one stylesheet: pages link ``/static/hustings.css``, reports inline
:func:`stylesheet` so the file opens offline on its own.

Filters every template may use:

- ``ago``: a compact time ("3 h ago", "in 20 min", "12 Mar") in a ``<time>`` whose
  ``title`` holds the full UTC time, shown on hover. ``None`` reads "–".
- ``num``: a count with thousands separators and no decimals ("13", not "13.00"); a value
  with a fraction keeps ``digits`` decimals. ``None`` (missing, not zero) reads "–".
- ``pct``: a share (0–1) as a percentage ("24%").
- ``duration``: seconds (or a ``timedelta``) as "3 h 20 min".
"""

from __future__ import annotations

import functools
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    select_autoescape,
)
from markupsafe import Markup

__all__ = [
    "MISSING",
    "REPORT_TEMPLATES",
    "STYLESHEET",
    "WEB_TEMPLATES",
    "ago",
    "duration",
    "environment",
    "full_time",
    "num",
    "pct",
    "stylesheet",
]

_HERE = Path(__file__).parent
WEB_TEMPLATES = _HERE / "web" / "templates"
"""Page templates, loaded by bare name (``inbox.html``)."""
REPORT_TEMPLATES = _HERE / "report" / "templates"
"""Report templates, loaded with the ``report/`` prefix (``report/audit.html``)."""
STYLESHEET = _HERE / "web" / "static" / "hustings.css"
"""The one stylesheet: served at ``/static/hustings.css``, inlined into reports."""

MISSING = "–"
"""What a missing value reads as, everywhere (a missing value is not zero)."""


def _utc(value: datetime) -> datetime:
    # The store keeps naive UTC on SQLite and aware UTC on PostgreSQL.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def full_time(value: datetime) -> str:
    """The full time a compact date stands for: ``2026-12-07 19:51 UTC``."""
    return _utc(value).strftime("%Y-%m-%d %H:%M UTC")


def _compact(delta: timedelta, value: datetime, now: datetime) -> str:
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        span = f"{int(seconds // 60)} min"
    elif seconds < 86400:
        span = f"{int(seconds // 3600)} h"
    elif seconds < 14 * 86400:
        span = f"{int(seconds // 86400)} d"
    else:
        # Far from now a day of the calendar says more than "143 d ago".
        fmt = "%-d %b" if value.year == now.year else "%-d %b %Y"
        return value.strftime(fmt)
    return f"{span} ago" if delta.total_seconds() >= 0 else f"in {span}"


def ago(value: datetime | None, now: datetime | None = None) -> Markup:
    """``value`` as a ``<time>`` reading "3 h ago" (or "in 3 h"), full time on hover.

    ``now`` defaults to the moment of rendering; a report may pass the time it was made.
    """
    if value is None:
        return Markup(MISSING)
    value = _utc(value)
    now = _utc(now) if now is not None else datetime.now(UTC)
    text = _compact(now - value, value, now)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        value.isoformat(), full_time(value), text
    )


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def num(value: float | None, digits: int = 1) -> str:
    """A count as an integer with thousands separators; a fraction keeps ``digits`` decimals."""
    if _missing(value):
        return MISSING
    assert value is not None
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def pct(value: float | None, digits: int = 0) -> str:
    """A share between 0 and 1 as a percentage: ``0.243`` reads ``24%``."""
    if _missing(value):
        return MISSING
    assert value is not None
    return f"{value * 100:.{digits}f}%"


_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def duration(value: float | timedelta | None, unit: str = "seconds") -> str:
    """A span as "3 h 20 min" (or "2 d 4 h"); ``unit`` says what a bare number counts."""
    if _missing(value):
        return MISSING
    assert value is not None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    else:
        seconds = float(value) * _SECONDS[unit]
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


@functools.cache
def environment() -> Environment:
    """The one Jinja environment: page and report templates, autoescaped, shared filters.

    Built once per process. Templates ship with the package, so it does not check their
    files for changes on every render (a stat per template per request, for nothing).
    """
    loader = ChoiceLoader(
        [
            FileSystemLoader(WEB_TEMPLATES),
            PrefixLoader({"report": FileSystemLoader(REPORT_TEMPLATES)}),
        ]
    )
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
    )
    env.filters.update(ago=ago, num=num, pct=pct, duration=duration, full_time=full_time)
    env.globals["stylesheet"] = stylesheet
    return env


@functools.cache
def _stylesheet_text() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def stylesheet() -> Markup:
    """The stylesheet's text, for a report to inline in its ``<style>`` element."""
    # The file is ours, not user input: it goes verbatim into <style>.
    return Markup(_stylesheet_text())
