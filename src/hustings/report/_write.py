"""Write the audit as files: a self-contained HTML report, PNG charts, CSV and JSON tables.

The HTML is rendered by the one Jinja environment (:func:`hustings.render.environment`,
template ``report/audit.html``) with the one stylesheet inlined, and works offline: the
Vega, Vega-Lite and vega-embed JavaScript is inlined once (from ``vl-convert``, the same
bundle Altair's ``inline=True`` uses) and every chart's spec is embedded as JSON, so opening
the file makes no network request. Under every chart the report folds the definitions of the
metrics it shows, from the registry, and the data window.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pandas as pd
from markupsafe import Markup

from hustings.escape import csv_cell, script_json
from hustings.metrics import SCORE_PARTS, Scope, Scorecard, to_records
from hustings.metrics._scope import FOCUS
from hustings.render import environment
from hustings.report._charts import Figure, figures
from hustings.report._view import (
    HEADLINE,
    Definition,
    Table,
    colours_of,
    definitions,
    headline,
    score_definitions,
    table,
)

__all__ = ["ACCOUNT_LEADING_COLUMNS", "account_table", "write_report"]

ACCOUNT_LEADING_COLUMNS = ("platform", "handle")
_LEAGUE = (
    "handle",
    "party",
    "role",
    "dialogue_score",
    "response_rate_72h",
    "median_first_response_min",
    "waiting",
)
_LEAGUE_ALL = (
    "handle",
    "party",
    "role",
    "district",
    "dialogue_score",
    *(f"part_{p}" for p in SCORE_PARTS),
    "reply_share",
    "response_rate_24h",
    "messages",
    "inbound",
    "waiting",
)
_GROUP_COLUMNS = (
    "broadcast_share",
    "reply_share",
    "response_rate_24h",
    "median_first_response_min",
    "reciprocity",
    "waiting",
    "dialogue_score",
)
_WAITING = ("handle", "person_handle", "ikind", "sent_at", "wait_hours", "text")
_BURSTS = ("handle", "start", "end", "hours", "posts", "follower_change")
_LEAGUE_SHOWN = 15
_LIST_SHOWN = 10
_LIST_LIMIT = 100


@dataclass
class Section:
    """One part of the report: a heading, an optional chart, its definitions, tables."""

    id: str
    title: str
    intro: str = ""
    chart: Markup | None = None
    chart_name: str = ""
    definitions: list[Definition] = field(default_factory=list)
    tables: list[tuple[str, Table]] = field(default_factory=list)
    folded: list[tuple[str, Table]] = field(default_factory=list)


def _bundle() -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    script: str = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())  # type: ignore[call-arg]
    return script.replace("</script", "<\\/script")


def _figure(section: Section, fig: Figure, window: str) -> Section:
    section.chart = Markup(script_json(fig.chart.to_dict()))
    section.chart_name = fig.name
    section.definitions = [*definitions(fig.metrics, fig.notes), Definition("Data window", window)]
    return section


def _sections(card: Scorecard, figs: list[Figure]) -> list[Section]:
    window = card.window_text()
    colours = colours_of(card)
    by_name = {f.name: f for f in figs}
    league = card.accounts.sort_values(
        "dialogue_score", ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)
    out: list[Section] = []
    if card.scope is not None:
        out.append(_yours(card.scope, league, colours))
    lead = _figure(Section("league", "League table"), by_name["league"], window)
    lead.tables = [("", table(league, _LEAGUE, colours, shown=_LEAGUE_SHOWN, rank=True))]
    lead.folded = [("Every column", table(league, _LEAGUE_ALL, colours, rank=True))]
    lead.definitions = score_definitions() + lead.definitions
    out.append(lead)
    for grouping, title in (("party", "Parties"), ("role", "Roles")):
        section = _figure(Section(f"per-{grouping}", title), by_name[f"per_{grouping}"], window)
        section.tables = [("", table(card.groups[grouping], (grouping, *_GROUP_COLUMNS), colours))]
        out.append(section)
    for name, anchor in (
        ("reply_targets", "targets"),
        ("inbound", "inbound"),
        ("weekly", "weekly"),
        ("response_times", "response"),
    ):
        out.append(_figure(Section(anchor, by_name[name].title), by_name[name], window))
    bursts = _figure(Section("bursts", "Bursts"), by_name["bursts"], window)
    bursts.tables = [
        ("", table(card.bursts, _BURSTS, colours, shown=_LIST_SHOWN, limit=_LIST_LIMIT))
    ]
    out.append(bursts)
    out.append(
        Section(
            "waiting",
            f"People waiting ({card.waiting_total:,})",
            intro="Longest waits first.",
            definitions=[*definitions(["waiting"]), Definition("Data window", window)],
            tables=[
                (
                    "",
                    table(
                        card.waiting,
                        _WAITING,
                        colours,
                        shown=_LIST_SHOWN,
                        limit=_LIST_LIMIT,
                        total=card.waiting_total,
                        note=f"The {min(_LIST_LIMIT, card.waiting_total):,} longest of "
                        f"{card.waiting_total:,} waits; waiting.csv has the longest "
                        f"{len(card.waiting):,}.",
                    ),
                )
            ],
        )
    )
    return out


def _yours(scope: Scope, league: pd.DataFrame, colours: dict[str, str]) -> Section:
    """The accounts in scope, each with its place in the whole league."""
    mine = league[league[FOCUS].astype(bool)]
    places = [int(i) + 1 for i in mine.index]
    return Section(
        "yours",
        f"{scope.label}: {len(mine)} of {len(league)} accounts",
        intro="The accounts in scope, each with its place in the league of every audited account.",
        tables=[
            (
                "",
                table(mine, _LEAGUE, colours, shown=_LEAGUE_SHOWN, rank=places, rank_title="Place"),
            )
        ],
    )


def _page(card: Scorecard, figs: list[Figure], label: str | None = None) -> str:
    sections = _sections(card, figs)
    scope = card.scope
    return (
        environment()
        .get_template("report/audit.html")
        .render(
            title="Dialogue audit",
            label=label,
            window=card.window_text(),
            engine=card.engine,
            accounts=len(card.accounts),
            scope=scope.label if scope else None,
            in_scope=len(card.in_scope),
            params=card.params.describe(),
            cards=headline(card),
            headline_definitions=definitions(HEADLINE),
            sections=sections,
            contents=[("headline", "Headline")] + [(s.id, _short(s.title)) for s in sections],
            generated=datetime.now(UTC),
            bundle=Markup(_bundle()),
        )
    )


def _short(title: str) -> str:
    return title.split(":")[0].split(" (")[0]


def account_table(card: Scorecard) -> pd.DataFrame:
    """``accounts.csv``: platform, handle, then one column per metric id, then the rest."""
    metric_cols = [m.name for m in card.metrics if m.name in card.accounts.columns]
    rest = [
        c
        for c in card.accounts.columns
        if c not in (*ACCOUNT_LEADING_COLUMNS, *metric_cols, "akey")
    ]
    return card.accounts[[*ACCOUNT_LEADING_COLUMNS, *metric_cols, *rest]]


def _groups_table(card: Scorecard) -> pd.DataFrame:
    parts = []
    for grouping in ("party", "role", "district"):
        frame = card.groups[grouping].rename(columns={grouping: "group"})
        parts.append(frame.assign(grouping=grouping))
    both = pd.concat(parts, ignore_index=True)
    return both[["grouping", "group", *[c for c in both.columns if c not in ("grouping", "group")]]]


def _metric_table(card: Scorecard) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "name": m.name,
                "title": m.title,
                "unit": m.unit,
                "window": m.window,
                "direction": m.direction.value,
                "base": m.base,
                "family": m.family,
                "parameters": json.dumps(dict(m.parameters)),
                "definition": m.definition,
            }
            for m in card.metrics
        ]
    )


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell through ``csv_cell``: a waiting citizen's message that
    begins ``=HYPERLINK(`` must not become a live formula in whoever opens waiting.csv.

    Only text (object or string) columns are mapped: numbers and dates cannot hold a formula
    and keep their dtype, so the file reads the same as before.
    """
    text = [
        c
        for c in frame.columns
        if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)
    ]
    if not text:
        return frame
    return frame.assign(**{str(c): frame[c].map(csv_cell) for c in text})


def write_report(
    card: Scorecard, out_dir: Path, png: bool = True, label: str | None = None
) -> dict[str, Path]:
    """Write report.html, charts/*.png, and every table as CSV and JSON; return the paths.

    ``label`` is shown under the title: the demo marks its report as synthetic data.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    figs = figures(card)
    written: dict[str, Path] = {"report": out_dir / "report.html"}
    written["report"].write_text(_page(card, figs, label), encoding="utf-8")
    tables = {
        "accounts": account_table(card),
        "groups": _groups_table(card),
        "weekly": card.groups["week"],
        "party_weekly": card.groups["party_week"],
        "overall": card.groups["all"],
        "waiting": card.waiting,
        "bursts": card.bursts,
        "response_times": card.response_times,
        "metrics": _metric_table(card),
    }
    for name, frame in tables.items():
        written[f"{name}.csv"] = out_dir / f"{name}.csv"
        spreadsheet_safe(frame).to_csv(written[f"{name}.csv"], index=False)
        written[f"{name}.json"] = out_dir / f"{name}.json"
        written[f"{name}.json"].write_bytes(
            orjson.dumps(to_records(frame), default=str, option=orjson.OPT_INDENT_2)
        )
    if png:
        charts = out_dir / "charts"
        charts.mkdir(exist_ok=True)
        for fig in figs:
            path = charts / f"{fig.name}.png"
            fig.chart.save(str(path), format="png")
            written[f"charts/{fig.name}.png"] = path
    return written
