"""--out files: CSV, GEXF and GraphML agree with the result; the report is self-contained."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from markupsafe import escape

from hustings.listen import MEASURES, ListenResult, analyse, write_outputs
from tests.listen.networks import two_camps


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[ListenResult, Path]:
    out = tmp_path_factory.mktemp("listen")
    result = analyse(two_camps(), "#test", classify=False)
    write_outputs(result, out)
    return result, out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_edges_csv_has_one_row_per_source_target_kind(written) -> None:  # type: ignore[no-untyped-def]
    result, out = written
    rows = _rows(out / "edges.csv")
    assert len(rows) == len(result.edges.count)
    assert list(rows[0]) == ["source", "target", "kind", "count", "first", "last"]
    assert sum(int(r["count"]) for r in rows) == len(result.corpus.src)
    reply = next(r for r in rows if (r["source"], r["target"], r["kind"]) == ("a1", "b1", "reply"))
    assert reply["first"] == reply["last"] == "2023-11-14T22:15:00Z"


def test_nodes_csv_carries_camp_and_degree(written) -> None:  # type: ignore[no-untyped-def]
    result, out = written
    rows = {r["account"]: r for r in _rows(out / "nodes.csv")}
    assert set(rows) == set(result.corpus.names)
    assert rows["a0"]["party"] == "Party A" and rows["undecided1"]["camp"] == ""
    assert rows["a1"]["bridge_partners"] == "1"


def test_measures_csv_has_one_row_per_day_and_every_measure(written) -> None:  # type: ignore[no-untyped-def]
    _result, out = written
    rows = _rows(out / "measures.csv")
    assert [r["day"] for r in rows] == ["2023-11-14"]
    assert set(rows[0]) == {"day", *MEASURES}


def test_gexf_and_graphml_hold_every_node_and_edge(written) -> None:  # type: ignore[no-untyped-def]
    result, out = written
    gexf = ET.parse(out / "graph.gexf").getroot()
    ns = {"g": "http://gexf.net/1.3"}
    assert len(gexf.findall(".//g:node", ns)) == result.corpus.n_accounts
    assert len(gexf.findall(".//g:edge", ns)) == len(result.edges.count)
    graph = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    assert graph.number_of_nodes() == result.corpus.n_accounts
    assert graph.number_of_edges() == len(result.edges.count)


def test_report_has_no_external_reference(written) -> None:  # type: ignore[no-untyped-def]
    _result, out = written
    page = (out / "report.html").read_text()
    assert "<script src" not in page and "<link" not in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page
    assert str(escape(MEASURES["rwc"].definition)) in page
    assert (out / "network.png").read_bytes()[:4] == b"\x89PNG"
