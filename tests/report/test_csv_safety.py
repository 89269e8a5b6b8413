"""The audit's CSV tables are safe to open in a spreadsheet (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

from hustings.metrics._scorecard import Scorecard
from hustings.report import write_report

_ATTACKS = ('=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)")


def test_waiting_csv_quotes_formula_leading_text(card: Scorecard, tmp_path: Path) -> None:
    waiting = card.waiting.copy()
    assert len(waiting) >= len(_ATTACKS)
    waiting["text"] = [_ATTACKS[i % len(_ATTACKS)] for i in range(len(waiting))]
    write_report(dataclasses.replace(card, waiting=waiting), tmp_path, png=False)
    with (tmp_path / "waiting.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["text"] for r in rows} == {"'" + a for a in _ATTACKS}
    assert all(float(r["wait_hours"]) >= 0 for r in rows)


def test_waiting_csv_keeps_numbers_and_dates(card: Scorecard, tmp_path: Path) -> None:
    write_report(card, tmp_path, png=False)
    with (tmp_path / "waiting.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(not r["sent_at"].startswith("'") for r in rows)
    assert all(not r["wait_hours"].startswith("'") for r in rows)
