"""report.html (self-contained, offline), network.png and measures.png.

Everything the page needs is inside it: the stylesheet, the network data as JSON, our own
small SVG view (``view.js``) and the charts as PNG data URIs. It makes no request, so it
opens from an e-mail attachment or an air-gapped laptop, and a browser test can prove it.
The page is the ``report/listen.html`` template of the one Jinja environment
(:mod:`hustings.render`); charts are drawn by Altair and rendered to PNG by vl-convert,
without a browser.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from markupsafe import Markup

from hustings.escape import script_json
from hustings.listen._analyse import ListenResult
from hustings.listen._layout import KIND_COLOURS, PALETTE, Drawing, layout
from hustings.listen._measures import MEASURES
from hustings.listen._verdict import QUESTION_ORDER, UNDECIDED_ORDER, VERDICT_RULE, reach
from hustings.render import duration, environment, num, pct
from hustings.report._palette import party_colours
from hustings.report._view import Cell, Definition, Table, when

__all__ = ["write_report"]

_VIEW_JS = Path(__file__).with_name("view.js")
_QUESTIONS_SHOWN = 15
_QUESTIONS_LIMIT = 100
_LIST_SHOWN = 15
_LIST_LIMIT = 2_000
_BRIDGES = 20


def _value(value: float | None, unit: str) -> Cell:
    """A measure's value as it reads: shares as percentages, counts as integers."""
    if value is None:
        return Cell(num(None), None, numeric=True)
    if unit == "share":
        text = pct(value, 1)
    elif unit in ("modularity", "score from -1 to 1"):
        text = f"{value:.2f}".replace("-0.00", "0.00")
    else:
        text = num(round(value, 1))
    return Cell(text, value, numeric=True)


def _name(result: ListenResult, index: int) -> tuple[str, str]:
    """An account as people read it (``@handle``) and the platforms it was seen on."""
    key = result.corpus.names[index]
    platform, sep, handle = key.partition(":")
    if not sep:
        return f"@{key}", ""
    platforms = [platform] + [a.partition(":")[0] for a in result.corpus.aliases.get(index, ())]
    return f"@{handle}", ", ".join(dict.fromkeys(platforms))


def _account(result: ListenResult, index: int) -> Cell:
    name, platforms = _name(result, index)
    if not platforms:
        return Cell(name, name.lower())
    text = Markup('<span class="account">{}</span> <span class="badge">{}</span>').format(
        name, platforms
    )
    return Cell(text, name.lower())


def _count(value: int | float | None) -> Cell:
    return Cell(num(value), None if value is None else float(value), numeric=True)


def _table(
    columns: list[str], rows: list[list[Cell]], shown: int | None = None, note: str = ""
) -> Table:
    numeric = [any(r[i].numeric for r in rows) for i in range(len(columns))] if rows else []
    cut = len(rows) if shown is None else shown
    return Table(
        columns, numeric or [False] * len(columns), rows[:cut], rows[cut:], len(rows), note
    )


def _camps(result: ListenResult, colours: dict[str, str]) -> Table:
    corpus = result.corpus
    stance = any(c.stance for c in result.camps)
    rows = []
    for c in result.camps:
        members = np.flatnonzero(result.camp == c.number).tolist()
        platforms: dict[str, int] = {}
        for i in members:
            for p in _name(result, i)[1].split(", "):
                if p:
                    platforms[p] = platforms.get(p, 0) + 1
        parties = Markup(", ").join(
            Markup(
                '<span class="party"><span class="dot" style="background:{}"></span>{} ({})</span>'
            ).format(colours.get(p, "#9e9e9e"), p, k)
            for p, k in c.parties
        )
        row = [
            Cell(
                Markup('<span class="swatch" style="background:{}"></span> {}').format(
                    PALETTE[c.number % len(PALETTE)], c.number + 1
                ),
                c.number + 1,
                numeric=True,
            ),
            _count(c.size),
            Cell(", ".join(f"{p} {n:,}" for p, n in sorted(platforms.items())) or "–"),
            Cell(", ".join(_name(result, corpus.names.index(a))[0] for a in c.top_accounts)),
            Cell(parties or "–", ", ".join(p for p, _ in c.parties)),
        ]
        if stance:
            row.append(Cell(c.stance or "not known"))
        rows.append(row)
    columns = ["Camp", "Accounts", "Platforms", "Most reposted", "Tracked parties"]
    return _table(columns + (["Stance"] if stance else []), rows)


def _measures(result: ListenResult) -> Table:
    rows = [
        [Cell(m.title), _value(result.measures.get(m.name), m.unit), Cell(m.unit)]
        for m in MEASURES.values()
    ]
    return _table(["Measure", "Value", "Unit"], rows)


def _questions(result: ListenResult) -> Table:
    corpus = result.corpus
    end = int(corpus.time.max()) if corpus.n_messages else 0
    rows = []
    for rank, i in enumerate(result.open_questions[:_QUESTIONS_LIMIT].tolist(), start=1):
        author, asked = int(corpus.author[i]), int(corpus.time[i])
        text = corpus.texts[i]
        rows.append(
            [
                Cell(str(rank), rank, numeric=True),
                _account(result, author),
                _count(reach(corpus, author)),
                Cell(when(datetime.fromtimestamp(asked, UTC)), asked),
                Cell(duration(end - asked), end - asked, numeric=True),
                Cell(text if len(text) <= 280 else text[:279] + "…", text),
            ]
        )
    total = len(result.open_questions)
    note = f"The first {len(rows):,} of {total:,}." if total > len(rows) else ""
    columns = ["#", "Account", "Followers", "Asked", "Waiting", "Message"]
    return _table(columns, rows, _QUESTIONS_SHOWN, note)


def _undecided(result: ListenResult) -> Table:
    corpus = result.corpus
    spoke = ~corpus.repost
    written = np.bincount(corpus.author[spoke], minlength=corpus.n_accounts)
    last = np.full(corpus.n_accounts, -1, dtype=np.int64)
    np.maximum.at(last, corpus.author[spoke], corpus.time[spoke])
    rows = []
    for i in result.undecided[:_LIST_LIMIT].tolist():
        rows.append(
            [
                _account(result, i),
                _count(reach(corpus, i)),
                _count(int(written[i])),
                Cell(when(datetime.fromtimestamp(int(last[i]), UTC)), int(last[i])),
            ]
        )
    total = len(result.undecided)
    note = f"The first {len(rows):,} of {total:,}." if total > len(rows) else ""
    return _table(["Account", "Followers", "Messages", "Last message"], rows, _LIST_SHOWN, note)


def _bridges(result: ListenResult) -> Table:
    stats = result.stats
    order = sorted(range(result.corpus.n_accounts), key=lambda i: -int(stats.bridge_partners[i]))
    rows = [
        [
            _account(result, i),
            _count(int(stats.bridge_partners[i])),
            _count(int(stats.cross_camp_replies[i])),
        ]
        for i in order[:_BRIDGES]
        if stats.bridge_partners[i] > 0
    ]
    return _table(["Account", "Other-camp accounts that answered", "Cross-camp replies"], rows)


def _shouting(result: ListenResult) -> Table | None:
    stats = result.stats
    if stats.shouting is None:
        return None
    rows = [
        [_account(result, i), _count(int(stats.replies_sent[i]))]
        for i in stats.shouting.nonzero()[0].tolist()
    ]
    rows.sort(key=lambda r: -float(r[1].sort or 0))
    return _table(["Account", "Replies sent"], rows, _LIST_SHOWN)


def _definition(name: str) -> Definition:
    m = MEASURES[name]
    return Definition(m.title, m.definition, m.unit)


def _network(drawing: Drawing) -> dict[str, object]:
    data = {
        "nodes": drawing.nodes,
        "edges": drawing.edges,
        "palette": PALETTE,
        "kinds": [{"name": k, "colour": c} for k, c in KIND_COLOURS.items()],
    }
    return {
        "payload": Markup(script_json(data)),
        "kinds": list(KIND_COLOURS.items()),
        "script": Markup(_VIEW_JS.read_text(encoding="utf-8").replace("</script", "<\\/script")),
    }


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


def _img(png: bytes | None) -> Markup | None:
    if png is None:
        return None
    return Markup("data:image/png;base64,{}").format(base64.b64encode(png).decode())


def _page(
    result: ListenResult, drawing: Drawing, notes: list[str], pngs: dict[str, bytes | None]
) -> str:
    corpus = result.corpus
    span = (
        f"{when(datetime.fromtimestamp(int(corpus.time.min()), UTC))} to "
        f"{when(datetime.fromtimestamp(int(corpus.time.max()), UTC))}"
        if corpus.n_messages
        else "no messages"
    )
    colours = party_colours(p for _, p in corpus.tracked.values() if p)
    shouting = _shouting(result)
    sections = [
        ("verdict", "Verdict"),
        ("network", "Network"),
        ("camps", "Camps"),
        ("measures", "Measures"),
        ("by-day", "By day"),
        ("questions", "Open questions"),
        ("undecided", "Undecided"),
        ("bridges", "Bridges"),
        *([("shouting", "Shouting")] if shouting is not None else []),
    ]
    return (
        environment()
        .get_template("report/listen.html")
        .render(
            title=f"Listening: {result.query}",
            query=result.query,
            messages=corpus.n_messages,
            span=Markup(span),
            notes=notes,
            verdict=result.verdict,
            verdict_rule=VERDICT_RULE,
            network=_network(drawing),
            camps=_camps(result, colours),
            camp_definitions=[_definition("camps")],
            measures=_measures(result),
            measure_definitions=[
                Definition(m.title, m.definition, m.unit) for m in MEASURES.values()
            ],
            by_day=_img(pngs.get("measures.png")),
            network_png=_img(pngs.get("network.png")),
            questions=_questions(result),
            questions_rule=QUESTION_ORDER,
            questions_definitions=[_definition("open_questions")],
            undecided=_undecided(result),
            undecided_rule=UNDECIDED_ORDER,
            undecided_definitions=[_definition("unanswered_undecided")],
            bridges=_bridges(result),
            bridges_definitions=[_definition("bridge_accounts")],
            shouting=shouting,
            shouting_definitions=[_definition("shouting_accounts")],
            contents=sections,
            generated=datetime.now(UTC),
        )
    )


def write_report(result: ListenResult, out: Path) -> list[Path]:
    """Write report.html and the PNGs into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    drawing = layout(result)
    notes = list(result.notes)
    pngs: dict[str, bytes | None] = {"network.png": None, "measures.png": None}
    try:
        pngs["network.png"] = _png_network(drawing)
        pngs["measures.png"] = _png_measures(result)
    except ImportError as exc:
        notes.append(f"no PNG charts: {exc} (install altair and vl-convert-python)")
    written = []
    for name, png in pngs.items():
        if png is not None:
            (out / name).write_bytes(png)
            written.append(out / name)
    page = _page(result, drawing, notes, pngs)
    (out / "report.html").write_text(page, encoding="utf-8")
    return [out / "report.html", *written]
