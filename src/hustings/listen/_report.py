"""report.html (self-contained, offline), network.png and measures.png.

Everything the page needs is inside it: styles, the network data as JSON, our own small SVG
view (``view.js``) and the charts as PNG data URIs. It makes no request, so it opens from an
e-mail attachment or an air-gapped laptop, and a browser test can prove it. Charts are drawn
by Altair and rendered to PNG by vl-convert, without a browser.
"""

from __future__ import annotations

import base64
import html
from datetime import UTC, datetime
from pathlib import Path

from hustings.escape import script_json
from hustings.listen._analyse import ListenResult
from hustings.listen._export import iso
from hustings.listen._layout import KIND_COLOURS, PALETTE, Drawing, layout
from hustings.listen._measures import MEASURES

__all__ = ["write_report"]

_VIEW_JS = Path(__file__).with_name("view.js")
_LIST_LIMIT = 50
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1rem 0;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.num{text-align:right;white-space:nowrap}.def{color:#555;font-size:12px}
#net-box{position:relative;border:1px solid #ccc}#net{width:100%;height:auto;cursor:grab}
#net-tip{position:absolute;display:none;background:#fff;border:1px solid #888;padding:2px 6px;
pointer-events:none;font-size:12px}.note{color:#8a4b00}img{max-width:100%}
"""


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:.3f}"
    return html.escape(str(value))


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def _measures_html(result: ListenResult) -> str:
    rows = [
        [
            html.escape(m.title),
            f'<span class="num">{_fmt(result.measures.get(m.name))}</span>',
            html.escape(m.unit),
            f'<span class="def">{html.escape(m.definition)}</span>',
        ]
        for m in MEASURES.values()
    ]
    return _table(["Measure", "Value", "Unit", "Definition"], rows)


def _camps_html(result: ListenResult) -> str:
    rows = []
    for c in result.camps:
        parties = ", ".join(f"{html.escape(p)} ({k})" for p, k in c.parties) or "—"
        colour = PALETTE[c.number % len(PALETTE)]
        rows.append(
            [
                f'<span style="color:{colour}">●</span> {c.number + 1}',
                str(c.size),
                html.escape(", ".join("@" + a for a in c.top_accounts)),
                parties,
                html.escape(c.stance or "—"),
            ]
        )
    return _table(["Camp", "Accounts", "Most reposted", "Tracked parties", "Stance"], rows)


def _people_html(result: ListenResult) -> str:
    corpus, stats = result.corpus, result.stats
    names = corpus.names
    questions = [
        [
            html.escape("@" + names[int(corpus.author[i])]),
            iso(int(corpus.time[i])),
            html.escape(corpus.texts[i][:280]),
        ]
        for i in result.open_questions[:_LIST_LIMIT].tolist()
    ]
    undecided = (
        ", ".join(html.escape("@" + names[i]) for i in result.undecided[: _LIST_LIMIT * 4].tolist())
        or "—"
    )
    bridges = sorted(range(corpus.n_accounts), key=lambda i: -int(stats.bridge_partners[i]))
    bridge_rows = [
        [
            html.escape("@" + names[i]),
            str(int(stats.bridge_partners[i])),
            str(int(stats.cross_camp_replies[i])),
        ]
        for i in bridges[:20]
        if stats.bridge_partners[i] > 0
    ]
    shout = (
        []
        if stats.shouting is None
        else [
            [html.escape("@" + names[i]), str(int(stats.replies_sent[i]))]
            for i in stats.shouting.nonzero()[0][:_LIST_LIMIT].tolist()
        ]
    )
    return (
        f"<h2>Open questions nobody answered</h2><p class=def>"
        f"{html.escape(MEASURES['open_questions'].definition)}</p>"
        + _table(["Account", "Time", "Message"], questions)
        + f"<h2>Undecided, unanswered</h2><p class=def>"
        f"{html.escape(MEASURES['unanswered_undecided'].definition)}</p><p>{undecided}</p>"
        + f"<h2>Bridges</h2><p class=def>{html.escape(MEASURES['bridge_accounts'].definition)}"
        "</p>"
        + _table(
            ["Account", "Other-camp accounts that answered", "Cross-camp replies"], bridge_rows
        )
        + f"<h2>Shouting</h2><p class=def>"
        f"{html.escape(MEASURES['shouting_accounts'].definition)}</p>"
        + _table(["Account", "Replies sent"], shout)
    )


def _network_html(drawing: Drawing) -> str:
    data = {
        "nodes": drawing.nodes,
        "edges": drawing.edges,
        "palette": PALETTE,
        "kinds": [{"name": k, "colour": c} for k, c in KIND_COLOURS.items()],
    }
    payload = script_json(data)
    toggles = " ".join(
        f'<label><input type="checkbox" data-kind="{k}" checked> '
        f'<span style="color:{c}">{k}</span></label>'
        for k, c in KIND_COLOURS.items()
    )
    return (
        f"<p>{toggles} <button id=zoom-in>+</button><button id=zoom-out>−</button>"
        "<button id=zoom-reset>reset</button> Drag to pan, scroll to zoom, hover an "
        "account. Colour: camp (grey: none); black ring: tracked account.</p>"
        '<div id="net-box"><svg id="net" viewBox="0 0 1000 700" '
        'xmlns="http://www.w3.org/2000/svg"></svg><div id="net-tip"></div></div>'
        f'<script type="application/json" id="listen-data">{payload}</script>'
        f"<script>{_VIEW_JS.read_text(encoding='utf-8')}</script>"
    )


def _png_network(drawing: Drawing) -> bytes:
    import altair as alt

    by_index = drawing.nodes
    lines = [
        {
            "x": by_index[int(str(e["s"]))]["x"],
            "y": by_index[int(str(e["s"]))]["y"],
            "x2": by_index[int(str(e["t"]))]["x"],
            "y2": by_index[int(str(e["t"]))]["y"],
            "kind": e["k"],
        }
        for e in drawing.edges
    ]
    nodes = [
        {**n, "camp": "none" if n["camp"] is None else f"camp {int(str(n['camp'])) + 1}"}
        for n in drawing.nodes
    ]
    axis = alt.Axis(labels=False, ticks=False, grid=False, title=None, domain=False)
    edges = (
        alt.Chart(_data(lines))
        .mark_rule(opacity=0.25)
        .encode(
            x=alt.X("x:Q", axis=axis),
            y=alt.Y("y:Q", axis=axis),
            x2="x2:Q",
            y2="y2:Q",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=list(KIND_COLOURS), range=list(KIND_COLOURS.values())),
            ),
        )
    )
    dots = (
        alt.Chart(_data(nodes))
        .mark_circle(opacity=0.9)
        .encode(
            x="x:Q",
            y="y:Q",
            size=alt.Size("d:Q", legend=None),
            fill=alt.Fill("camp:N", scale=alt.Scale(range=list(PALETTE))),
        )
    )
    chart = (edges + dots).properties(width=900, height=630).resolve_scale(color="independent")
    return _render(chart.to_dict())


def _png_measures(result: ListenResult) -> bytes | None:
    import altair as alt

    shown = (
        "cross_camp_reply_share",
        "two_way_reply_share",
        "modularity_repost",
        "modularity_reply",
        "rwc",
    )
    values = [
        {"day": d["day"], "measure": MEASURES[m].title, "value": d[m]}
        for d in result.daily
        for m in shown
        if d.get(m) is not None
    ]
    if not values:
        return None
    chart = (
        alt.Chart(_data(values))
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title="day (UTC)"),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("measure:N", title=None),
        )
        .properties(width=800, height=300)
    )
    return _render(chart.to_dict())


def _data(values: list[dict[str, object]]) -> dict[str, object]:
    """Inline rows as Vega-Lite data: no pandas needed."""
    return {"values": values}


def _render(spec: dict[str, object]) -> bytes:
    import vl_convert as vlc

    png: bytes = vlc.vegalite_to_png(spec, scale=1)
    return png


def _img(png: bytes | None, alt_text: str) -> str:
    if png is None:
        return "<p>—</p>"
    return f'<img alt="{alt_text}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def write_report(result: ListenResult, out: Path) -> list[Path]:
    """Write report.html and the PNGs into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    drawing = layout(result)
    notes = list(result.notes)
    network_png = measures_png = None
    try:
        network_png = _png_network(drawing)
        measures_png = _png_measures(result)
    except ImportError as exc:
        notes.append(f"no PNG charts: {exc} (install altair and vl-convert-python)")
    written = []
    for name, png in (("network.png", network_png), ("measures.png", measures_png)):
        if png is not None:
            (out / name).write_bytes(png)
            written.append(out / name)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    corpus = result.corpus
    span = (
        f"{iso(int(corpus.time.min()))} to {iso(int(corpus.time.max()))}"
        if corpus.n_messages
        else "no messages"
    )
    page = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Listening: {html.escape(result.query)}</title><style>{_CSS}</style>"
        f"</head><body><h1>Listening: {html.escape(result.query)}</h1>"
        f"<p>{corpus.n_messages:,} messages, {span}. Generated {stamp} by Hustings.</p>"
        + "".join(f'<p class="note">{html.escape(n)}</p>' for n in notes)
        + "<h2>Network</h2>"
        + _network_html(drawing)
        + "<h2>Camps</h2>"
        + _camps_html(result)
        + "<h2>Measures</h2>"
        + _measures_html(result)
        + "<h2>By day</h2>"
        + _img(measures_png, "measures by day")
        + _people_html(result)
        + "<h2>Network (PNG)</h2>"
        + _img(network_png, "network")
        + "</body></html>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")
    return [out / "report.html", *written]
