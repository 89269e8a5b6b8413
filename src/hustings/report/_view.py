"""What the audit report shows, as plain values for its template.

The template (``report/audit.html``) only lays things out; the choices live here: which
columns each table has (titled by :func:`hustings.metrics.column_title`), how each value
reads (a share as a percentage, minutes as hours and minutes, a count as an integer), which
rows are shown and which are folded away.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from markupsafe import Markup

from hustings.metrics import (
    SCORE_DEFINITION,
    SCORE_PARTS,
    Scorecard,
    column_title,
    get_metric,
    inbound_kind_title,
)
from hustings.render import duration, full_time, num, pct
from hustings.report._palette import NO_PARTY_COLOUR, party_colours, party_name

__all__ = [
    "HEADLINE",
    "Card",
    "Cell",
    "Definition",
    "Table",
    "cell",
    "colours_of",
    "definitions",
    "headline",
    "score_definitions",
    "table",
]

_SHARE_UNITS = frozenset({"share"})
_TEXT_CHARS = 220


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: what it reads, and the value it sorts by (numbers sort as numbers)."""

    text: str | Markup
    sort: str | float | None = None
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """Column titles and rows of cells; ``more`` rows are folded under the shown ones."""

    columns: list[str]
    numeric: list[bool]
    rows: list[list[Cell]]
    more: list[list[Cell]] = field(default_factory=list)
    total: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class Definition:
    """A term and what it means, with its unit and window when it is a metric."""

    title: str
    text: str
    unit: str = ""
    window: str = ""


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT


def _dot(party: str, colours: dict[str, str]) -> Markup:
    colour = colours.get(party, NO_PARTY_COLOUR)
    return Markup(
        '<span class="party"><span class="dot" style="background:{}"></span>{}</span>'
    ).format(colour, party)


def cell(column: str, value: Any, row: dict[str, Any], colours: dict[str, str]) -> Cell:
    """How ``value`` of ``column`` reads in a table (``row`` gives context, e.g. platform)."""
    if column == "handle":
        handle = str(value).lstrip("@")
        return Cell(_account(handle, str(row.get("platform", ""))), handle.lower())
    if column == "person_handle" and not _missing(value):
        return Cell("@" + str(value).lstrip("@"), str(value).lower())
    if column == "party":
        name = party_name(value)
        return Cell(_dot(name, colours), name)
    if column == "ikind":
        return Cell(inbound_kind_title(value), str(value))
    if _missing(value):
        return Cell(num(None), None, numeric=True)
    if column in ("sent_at", "start", "end"):
        stamp = pd.Timestamp(value)
        return Cell(when(stamp.to_pydatetime()), stamp.isoformat())
    if column == "text":
        text = str(value)
        short = text if len(text) <= _TEXT_CHARS else text[: _TEXT_CHARS - 1] + "…"
        return Cell(short, text)
    if isinstance(value, bool):
        return Cell("yes" if value else "no", int(value))
    if isinstance(value, int | float):
        return Cell(_number(column, float(value)), float(value), numeric=True)
    return Cell(str(value), str(value))


def when(value: datetime) -> Markup:
    """A time in a table: "3 Nov 06:21", the full UTC time on hover.

    Not "3 h ago": a report is read days after it is made, when "ago" has moved on.
    """
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        value.isoformat(), full_time(value), value.strftime("%-d %b %H:%M")
    )


def _account(handle: str, platform: str) -> Markup:
    """``@name`` and its platform; a Mastodon handle's server shows on hover only (the
    full handle made the column half the table's width)."""
    local, _, server = handle.partition("@")
    shown = local if platform == "mastodon" and server else handle
    return Markup(
        '<span class="account" title="@{}">@{}</span> <span class="badge">{}</span>'
    ).format(handle, shown, platform)


def _number(column: str, value: float) -> str:
    if column == "wait_hours":
        return duration(value, "hours")
    if column == "dialogue_score":
        return num(round(value, 1))
    if column.startswith("part_"):
        return pct(value)
    try:
        unit = get_metric(column).unit
    except KeyError:
        return num(value)
    if unit in _SHARE_UNITS:
        return pct(value)
    if unit == "minutes":
        return duration(value, "minutes")
    return num(round(value, 2))


def table(
    frame: pd.DataFrame,
    columns: Sequence[str],
    colours: dict[str, str],
    shown: int | None = None,
    limit: int | None = None,
    rank: bool | Sequence[int] = False,
    rank_title: str = "#",
    total: int | None = None,
    note: str = "",
) -> Table:
    """``frame``'s ``columns`` as a table; rows past ``shown`` are folded, past ``limit``
    left out (the CSV holds them). ``rank`` adds a first column numbering the rows (1 =
    first), or holding the numbers given."""
    cols = [c for c in columns if c in frame.columns]
    context = [c for c in ("platform", *cols) if c in frame.columns]
    rows_of = frame[list(dict.fromkeys(context))]
    records = (rows_of.head(limit) if limit else rows_of).to_dict(orient="records")
    numbers = list(rank) if not isinstance(rank, bool) else list(range(1, len(records) + 1))
    rows = []
    for n, record in zip(numbers, records, strict=False):
        cells = [cell(c, record[c], record, colours) for c in cols]
        rows.append([Cell(str(n), n, numeric=True), *cells] if rank is not False else cells)
    titles = ([rank_title] if rank is not False else []) + [column_title(c) for c in cols]
    numeric = [any(r[i].numeric for r in rows) for i in range(len(titles))] if rows else []
    if not numeric:
        numeric = [False] * len(titles)
    cut = shown if shown is not None else len(rows)
    count = len(frame) if total is None else total
    if not note and count > len(rows):
        note = f"The first {len(rows):,} of {count:,}; the CSV has every row."
    return Table(titles, numeric, rows[:cut], rows[cut:], total=count, note=note)


def definitions(names: Iterable[str], notes: Iterable[str] = ()) -> list[Definition]:
    """The registry's definition of each metric in ``names``, then any notes."""
    out = []
    for name in names:
        metric = get_metric(name)
        out.append(Definition(metric.title, metric.definition, metric.unit, metric.window))
    out += [Definition("Note", note) for note in notes]
    return out


HEADLINE = (
    "messages",
    "inbound",
    "broadcast_share",
    "reply_share",
    "response_rate_24h",
    "median_first_response_min",
    "reciprocity",
    "waiting",
)


@dataclass(frozen=True, slots=True)
class Card:
    """One headline figure, and the same figure over all accounts when a scope is set."""

    title: str
    value: str
    unit: str
    everyone: str | None


def headline(card: Scorecard) -> list[Card]:
    """The headline figures of the accounts in scope (all accounts without a scope)."""
    ours = card.headline
    everyone = card.groups["all"].iloc[0] if len(card.groups["all"]) else pd.Series(dtype=object)
    cards = []
    for name in HEADLINE:
        metric = get_metric(name)
        mine = ours.get(name)
        value = _number(name, float(mine)) if not _missing(mine) else num(None)
        other = None
        if card.scope is not None:
            theirs = everyone.get(name)
            other = _number(name, float(theirs)) if not _missing(theirs) else num(None)
        cards.append(Card(metric.title, value, metric.unit, other))
    return cards


def score_definitions() -> list[Definition]:
    """The dialogue score and its parts, as the league table's fold explains them."""
    parts = ", ".join(SCORE_PARTS.values())
    return [Definition("Dialogue score", SCORE_DEFINITION, "0-100"), Definition("Parts", parts)]


def colours_of(card: Scorecard) -> dict[str, str]:
    return party_colours(card.accounts.get("party", []))
