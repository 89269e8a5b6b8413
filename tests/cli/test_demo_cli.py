"""`hustings demo` imports a synthetic campaign through the real importers, losing nothing."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from hustings.cli.main import app

# The campaign ends at the moment the demo runs; the same moment gives the same campaign.
NOW = "2026-10-05T22:30:00+00:00"


def test_demo_imports_every_written_record_without_quarantine(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--db",
            f"sqlite:///{tmp_path / 'h.db'}",
            "demo",
            "--out",
            str(tmp_path / "out"),
            "--scale",
            "0.05",
            "--now",
            NOW,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["synthetic"] is True
    assert report["imported"]["quarantined"] == 0
    assert report["store"]["messages"] == report["campaign"]["messages"]
    assert report["store"]["tracked_accounts"] > 0
    assert report["store"]["follower_snapshots"] > 0
    assert (tmp_path / "out" / "README.txt").read_text().startswith("SYNTHETIC")
    assert report["web"]["path"] == "/login" and report["web"]["password"]
    assert "Synthetic data" in Path(report["report"]).read_text()


def test_running_the_demo_twice_adds_nothing_the_second_time(tmp_path: Path) -> None:
    args = [
        "--db",
        f"sqlite:///{tmp_path / 'h.db'}",
        "demo",
        "--out",
        str(tmp_path / "out"),
        "--scale",
        "0.03",
        "--now",
        NOW,
        "--json",
    ]
    first = orjson.loads(CliRunner().invoke(app, args).stdout)
    second = orjson.loads(CliRunner().invoke(app, args).stdout)
    assert second["imported"]["added"] == 0
    records = ("messages", "accounts", "tracked_accounts", "follower_snapshots", "quarantine")
    assert {k: second["store"][k] for k in records} == {k: first["store"][k] for k in records}
