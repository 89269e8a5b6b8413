"""Files for people and for Gephi: nodes.csv, edges.csv, measures.csv, graph.gexf, graph.graphml.

The node and edge columns are listed once (``node_rows``, ``edge_rows``) and every format
writes those same rows, so the CSV, GEXF and GraphML files cannot disagree. The XML is written
as a stream of lines rather than built as a tree: a million edges stay a few hundred MB.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import quoteattr

import numpy as np

from hustings.escape import write_csv_rows
from hustings.listen._analyse import ListenResult
from hustings.listen._corpus import EdgeKind
from hustings.listen._measures import MEASURES

__all__ = ["EDGE_COLUMNS", "NODE_COLUMNS", "edge_rows", "node_rows", "write_tables"]

Cell = str | int | float | None
NODE_COLUMNS = (
    "account",
    "camp",
    "camp_label",
    "role",
    "party",
    "degree",
    "in_degree",
    "out_degree",
    "replies_sent",
    "replies_received",
    "replies_answered",
    "cross_camp_replies",
    "bridge_partners",
    "uncivil_replies",
    "shouting",
)
EDGE_COLUMNS = ("source", "target", "kind", "count", "first", "last")
_INTEGER = {
    "degree",
    "in_degree",
    "out_degree",
    "replies_sent",
    "replies_received",
    "replies_answered",
    "cross_camp_replies",
    "bridge_partners",
    "uncivil_replies",
    "count",
}


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_rows(result: ListenResult) -> Iterator[dict[str, Cell]]:
    """One row per account; degree counts interactions of every kind, in and out."""
    corpus, stats, edges = result.corpus, result.stats, result.edges
    n = corpus.n_accounts
    out_deg = np.bincount(edges.src, weights=edges.count, minlength=n).astype(np.int64)
    in_deg = np.bincount(edges.dst, weights=edges.count, minlength=n).astype(np.int64)
    labels = {c.number: c.label for c in result.camps}
    for i, name in enumerate(corpus.names):
        camp = int(result.camp[i])
        role, party = corpus.tracked.get(i, (None, None))
        yield {
            "account": name,
            "camp": camp + 1 if camp >= 0 else None,
            "camp_label": labels.get(camp),
            "role": role,
            "party": party,
            "degree": int(in_deg[i] + out_deg[i]),
            "in_degree": int(in_deg[i]),
            "out_degree": int(out_deg[i]),
            "replies_sent": int(stats.replies_sent[i]),
            "replies_received": int(stats.replies_received[i]),
            "replies_answered": int(stats.replies_answered[i]),
            "cross_camp_replies": int(stats.cross_camp_replies[i]),
            "bridge_partners": int(stats.bridge_partners[i]),
            "uncivil_replies": (
                None if stats.uncivil_replies is None else int(stats.uncivil_replies[i])
            ),
            "shouting": None if stats.shouting is None else int(stats.shouting[i]),
        }


def edge_rows(result: ListenResult) -> Iterator[dict[str, Cell]]:
    e, names = result.edges, result.corpus.names
    for s, d, k, c, f, last in zip(
        e.src.tolist(),
        e.dst.tolist(),
        e.kind.tolist(),
        e.count.tolist(),
        e.first.tolist(),
        e.last.tolist(),
        strict=True,
    ):
        yield {
            "source": names[s],
            "target": names[d],
            "kind": EdgeKind(k).label,
            "count": c,
            "first": iso(f),
            "last": iso(last),
        }


def _csv(path: Path, columns: Sequence[str], rows: Iterator[dict[str, Cell]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_csv_rows(handle, columns, rows)


def _gexf_type(column: str) -> str:
    return "integer" if column in _INTEGER else "string"


def _attrs(row: dict[str, Cell], columns: Sequence[str], tag: str, key: str) -> str:
    values = "".join(
        f"<{tag} {key}={quoteattr(c)} value={quoteattr(str(row[c]))}/>"
        for c in columns
        if row[c] is not None
    )
    return values


def _write_gexf(handle: TextIO, result: ListenResult) -> None:
    node_cols, edge_cols = NODE_COLUMNS[1:], ("kind", "count", "first", "last")
    handle.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gexf xmlns="http://gexf.net/1.3" version="1.3">\n'
        f"<meta><description>{quoteattr(result.query)[1:-1]}</description></meta>\n"
        '<graph defaultedgetype="directed" mode="static">\n'
        '<attributes class="node">'
    )
    handle.writelines(
        f'<attribute id="{c}" title="{c}" type="{_gexf_type(c)}"/>' for c in node_cols
    )
    handle.write('</attributes>\n<attributes class="edge">')
    handle.writelines(
        f'<attribute id="{c}" title="{c}" type="{_gexf_type(c)}"/>' for c in edge_cols
    )
    handle.write("</attributes>\n<nodes>\n")
    for i, row in enumerate(node_rows(result)):
        handle.write(
            f'<node id="n{i}" label={quoteattr(str(row["account"]))}><attvalues>'
            f"{_attrs(row, node_cols, 'attvalue', 'for')}</attvalues></node>\n"
        )
    handle.write("</nodes>\n<edges>\n")
    e = result.edges
    for j, row in enumerate(edge_rows(result)):
        handle.write(
            f'<edge id="e{j}" source="n{e.src[j]}" target="n{e.dst[j]}" '
            f'weight="{row["count"]}"><attvalues>'
            f"{_attrs(row, edge_cols, 'attvalue', 'for')}</attvalues></edge>\n"
        )
    handle.write("</edges>\n</graph>\n</gexf>\n")


def _write_graphml(handle: TextIO, result: ListenResult) -> None:
    node_cols, edge_cols = NODE_COLUMNS, ("kind", "count", "first", "last")
    handle.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
    )
    kinds = {"integer": "long", "string": "string"}
    for scope, cols in (("node", node_cols), ("edge", edge_cols)):
        handle.writelines(
            f'<key id="{c}" for="{scope}" attr.name="{c}" attr.type="{kinds[_gexf_type(c)]}"/>\n'
            for c in cols
        )
    handle.write('<graph id="G" edgedefault="directed">\n')
    for i, row in enumerate(node_rows(result)):
        handle.write(f'<node id="n{i}">{_attrs(row, node_cols, "data", "key")}</node>\n')
    e = result.edges
    for j, row in enumerate(edge_rows(result)):
        handle.write(
            f'<edge source="n{e.src[j]}" target="n{e.dst[j]}">'
            f"{_attrs(row, edge_cols, 'data', 'key')}</edge>\n"
        )
    handle.write("</graph>\n</graphml>\n")


def _measure_rows(result: ListenResult) -> Iterator[dict[str, Cell]]:
    for day in result.daily:
        yield {k: v if isinstance(v, str | int | float) else None for k, v in day.items()}


def write_tables(result: ListenResult, out: Path) -> list[Path]:
    """Write the CSV, GEXF and GraphML files into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [
        out / n for n in ("nodes.csv", "edges.csv", "measures.csv", "graph.gexf", "graph.graphml")
    ]
    _csv(paths[0], NODE_COLUMNS, node_rows(result))
    _csv(paths[1], EDGE_COLUMNS, edge_rows(result))
    _csv(
        paths[2],
        ("day", "accounts", "camps", *(m for m in MEASURES if m not in ("accounts", "camps"))),
        _measure_rows(result),
    )
    with paths[3].open("w", encoding="utf-8") as handle:
        _write_gexf(handle, result)
    with paths[4].open("w", encoding="utf-8") as handle:
        _write_graphml(handle, result)
    return paths
