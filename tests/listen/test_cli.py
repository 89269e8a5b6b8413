"""``hustings listen`` through Typer, on a Typer app built here (the lead mounts it in main)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from hustings.cli import listen_cmd
from hustings.cli.main import _Group
from hustings.listen import MEASURES

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer(cls=_Group)

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = {"db": None}

    listen_cmd.register(app)
    return app


def test_listen_without_a_query_is_one_red_line_and_exit_1() -> None:
    result = runner.invoke(_app(), ["listen"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: give a hashtag, keywords or --accounts to listen to"


@pytest.mark.shared
def test_listen_from_files_prints_every_measure_as_json(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "fixtures" / "x-api-v2-twarc" / "brexit.jsonl"
    result = runner.invoke(
        _app(),
        [
            "listen",
            "#brexit",
            "--from-files",
            str(path),
            "--no-classify",
            "--json",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    measures = {r["measure"]: r for r in rows if "measure" in r}
    assert list(measures) == list(MEASURES)
    # 10 replies, one of them to the author's own tweet: a thread, not an interaction
    assert measures["reply_interactions"]["value"] == 9
    assert measures["rwc"]["definition"] == MEASURES["rwc"].definition
    # the one-line reading a researcher quotes, with the rule that produced it
    (reading,) = [r for r in rows if "verdict" in r]
    assert reading["verdict"] in reading["rule"]
    assert reading["facts"]
    assert {p.name for p in tmp_path.iterdir()} >= {
        "report.html",
        "graph.gexf",
        "graph.graphml",
        "nodes.csv",
        "edges.csv",
        "measures.csv",
    }
