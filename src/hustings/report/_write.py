"""Write the audit as files: a self-contained HTML report, PNG charts, CSV and JSON tables.

The HTML works offline: the Vega, Vega-Lite and vega-embed JavaScript is inlined once (from
``vl-convert``, the same bundle Altair's ``inline=True`` uses) and every chart's spec is
embedded as JSON, so opening the file makes no network request. Beside every chart the report
prints the definitions of the metrics it shows, from the registry, and the data window.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from hustings.escape import csv_cell, script_json
from hustings.metrics import Metric, Scorecard, get_metric, to_records
from hustings.report._charts import Figure, figures

__all__ = ["ACCOUNT_LEADING_COLUMNS", "account_table", "write_report"]

ACCOUNT_LEADING_COLUMNS = ("platform", "handle")
_HEADLINE = (
    "messages",
    "inbound",
    "broadcast_share",
    "reply_share",
    "response_rate_24h",
    "median_first_response_min",
    "reciprocity",
    "waiting",
)
_WAITING_SHOWN = 100
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222}
h1{margin-bottom:0}.window{color:#555}table{border-collapse:collapse;margin:1rem 0;
font-size:.85rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left}
th{background:#f4f4f4}.figure{display:flex;gap:2rem;margin:2rem 0;align-items:flex-start}
.definitions{max-width:380px;font-size:.85rem}.definitions dt{font-weight:600;margin-top:.5rem}
.cards{display:flex;flex-wrap:wrap;gap:1rem}.card{border:1px solid #ddd;border-radius:6px;
padding:.75rem 1rem;min-width:150px}.card .v{font-size:1.6rem;font-weight:600}
.card .d{font-size:.75rem;color:#555;max-width:220px}
"""


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return html.escape(str(value))


def _table(frame: pd.DataFrame, columns: Sequence[str], limit: int | None = None) -> str:
    cols = [c for c in columns if c in frame.columns]
    rows = frame[cols].head(limit) if limit else frame[cols]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>"
        for row in rows.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _definitions(names: Iterable[str], notes: Iterable[str], window: str) -> str:
    items = []
    for name in names:
        metric: Metric = get_metric(name)
        items.append(
            f"<dt>{html.escape(metric.title)} <code>{metric.name}</code> "
            f"({html.escape(metric.unit)}, {html.escape(metric.window)})</dt>"
            f"<dd>{html.escape(metric.definition)}</dd>"
        )
    items += [f"<dt>Note</dt><dd>{html.escape(n)}</dd>" for n in notes]
    items.append(f"<dt>Data window</dt><dd>{html.escape(window)}</dd>")
    return f"<dl class='definitions'>{''.join(items)}</dl>"


def _headline(card: Scorecard) -> str:
    row = card.groups["all"].iloc[0] if len(card.groups["all"]) else pd.Series(dtype=object)
    cards = []
    for name in _HEADLINE:
        metric = get_metric(name)
        cards.append(
            f"<div class='card'><div>{html.escape(metric.title)}</div>"
            f"<div class='v'>{_fmt(row.get(name))}</div>"
            f"<div class='d'>{html.escape(metric.definition)}</div></div>"
        )
    return f"<div class='cards'>{''.join(cards)}</div>"


def _bundle() -> str:
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    script: str = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())  # type: ignore[call-arg]
    return script.replace("</script", "<\\/script")


def _figure_html(index: int, fig: Figure, window: str) -> str:
    spec = script_json(fig.chart.to_dict())
    return (
        f"<h2>{html.escape(fig.title)}</h2><div class='figure'>"
        f"<div class='chart' id='chart-{index}' data-name='{fig.name}'></div>"
        f"{_definitions(fig.metrics, fig.notes, window)}</div>"
        f"<script>renderChart('chart-{index}', {spec});</script>"
    )


def _page(card: Scorecard, figs: list[Figure], label: str | None = None) -> str:
    window = card.window_text()
    banner = f"<p class='label'><strong>{html.escape(label)}</strong></p>" if label else ""
    params = "".join(
        f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in card.params.describe().items()
    )
    league_cols = [
        "platform",
        "handle",
        "party",
        "role",
        "dialogue_score",
        *[c for c in card.accounts.columns if c.startswith("part_")],
        "messages",
        "inbound",
        "waiting",
    ]
    group_cols = [
        "broadcast_share",
        "reply_share",
        "response_rate_24h",
        "median_first_response_min",
        "reciprocity",
        "waiting",
        "dialogue_score",
    ]
    sections = [
        f"<h1>Dialogue audit</h1>{banner}<p class='window'>Data window: {html.escape(window)}; "
        f"engine: {html.escape(card.engine)}; accounts: {len(card.accounts)}</p>",
        f"<ul>{params}</ul>",
        "<h2>Headline scorecard</h2>",
        _headline(card),
        "<h2>League table</h2>",
        _table(card.accounts, league_cols, 50),
        "<h2>Per party</h2>",
        _table(card.groups["party"], ["party", *group_cols]),
        "<h2>Per role</h2>",
        _table(card.groups["role"], ["role", *group_cols]),
        *(_figure_html(i, f, window) for i, f in enumerate(figs)),
        f"<h2>People waiting ({card.waiting_total} in all, longest waits first)</h2>",
        _definitions(["waiting"], [], window),
        _table(
            card.waiting,
            ["platform", "handle", "person_handle", "ikind", "sent_at", "wait_hours", "text"],
            _WAITING_SHOWN,
        ),
        "<h2>Bursts</h2>",
        _table(
            card.bursts,
            [
                "handle",
                "start",
                "end",
                "hours",
                "posts",
                "followers_before",
                "followers_after",
                "follower_change",
            ],
            100,
        ),
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Hustings dialogue audit</title>"
        f"<style>{_STYLE}</style><script>{_bundle()}</script>"
        "<script>window.chartsRendered=0;function renderChart(id,spec){vegaEmbed('#'+id,spec,"
        "{renderer:'svg',actions:false}).then(function(){document.getElementById(id)"
        ".dataset.rendered='1';window.chartsRendered++;}).catch(function(e){"
        "document.getElementById(id).dataset.error=String(e);});}</script>"
        f"</head><body>{''.join(sections)}</body></html>"
    )


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
