"""``hustings policy`` end to end on a replayed feed: add, fetch, list, correct, report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.store import Store
from hustings.workspace import create_workspace
from tests.policy.replay import PressServer


def _run(db: str, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--db", db, "policy", *args])
    assert result.exit_code == code, result.output
    return result.stdout


def test_policy_commands_fetch_list_correct_and_report(
    tmp_path: Path, press: PressServer,
) -> None:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    store = Store.open(db)
    create_workspace(store, "GR")
    other = create_workspace(store, "Other")
    store.close()
    press.state.now = press.releases[0].published_at + timedelta(days=2)
    w = ["-w", "GR"]
    source = _run(db, "add-source", "feed", "Democrats", *w, "--party", "Democrat",
                  "--url", f"{press.url}/party/D.xml").strip()
    (fetched,) = [orjson.loads(x) for x in _run(db, "fetch", *w, "--json").splitlines()]
    assert fetched["source_id"] == int(source) and fetched["new"] > 0
    items = [orjson.loads(x) for x in _run(db, "items", *w, "--json").splitlines()]
    assert len(items) == fetched["new"] and {i["party"] for i in items} == {"Democrat"}
    corrected = orjson.loads(_run(db, "correct", str(items[0]["id"]), "9", *w))
    assert corrected["new_code"] == 9 and corrected["by"] == "system"
    (export,) = [orjson.loads(x) for x in _run(db, "corrections", *w, "--json").splitlines()]
    assert export["code"] == 9 and export["title"] == items[0]["title"]
    rows = [orjson.loads(x) for x in _run(db, "matrix", *w, "--json").splitlines()]
    assert sum(r["items"] for r in rows) == len(items)
    out = tmp_path / "policy.html"
    assert _run(db, "report", *w, "--out", str(out)).strip() == str(out)
    html = out.read_text()
    assert "Attention share" in html and items[0]["title"].split()[0] in html
    # Another workspace reaches none of it.
    assert _run(db, "items", "-w", "Other", "--json") == ""
    shown = CliRunner().invoke(app, ["--db", db, "policy", "show", str(items[0]["id"]),
                                     "-w", "Other"])
    assert shown.exit_code == 1 and "no policy item" in shown.output
    refused = CliRunner().invoke(app, ["--db", db, "policy", "correct",
                                       str(items[0]["id"]), "3", "-w", "Other"])
    assert refused.exit_code == 1 and "no policy item" in refused.output
    fetch_b = CliRunner().invoke(app, ["--db", db, "policy", "fetch", "-w", "Other",
                                       "--source", source])
    assert fetch_b.exit_code == 1 and "no policy source" in fetch_b.output
    assert other.id != 0
