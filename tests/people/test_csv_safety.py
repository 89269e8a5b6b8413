"""people.csv is safe to open in a spreadsheet and re-imports to the same people."""

from __future__ import annotations

import csv
import io

from hustings.people.core import add_identity, add_note, create_person
from hustings.people.csv_io import export_csv, import_csv
from tests.web.conftest import Campaign

_FORMULAS = ('=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)")


def _export(c: Campaign) -> list[dict[str, str]]:
    with c.store.begin() as conn:
        text = "".join(export_csv(conn, c.actor("manager")))
    return list(csv.DictReader(io.StringIO(text)))


def test_people_csv_quotes_formula_leading_cells(campaign: Campaign) -> None:
    m = campaign.actor("manager")
    with campaign.store.begin() as conn:
        pid = create_person(conn, m.workspace_id, f"{_FORMULAS[0]} {_FORMULAS[2]}")
        add_identity(conn, m, pid, "x", "999", _FORMULAS[1])
        add_note(conn, m, pid, _FORMULAS[3])
    row = next(r for r in _export(campaign) if r["nationbuilder_id"] == str(pid))
    assert row["first_name"] == "'" + _FORMULAS[0]
    assert row["last_name"] == "'" + _FORMULAS[2]
    assert row["twitter_login"] == "'" + _FORMULAS[1]
    assert row["note"] == "'" + _FORMULAS[3]


def test_people_csv_keeps_plain_numbers(campaign: Campaign) -> None:
    m = campaign.actor("manager")
    with campaign.store.begin() as conn:
        pid = create_person(conn, m.workspace_id, "Minus -2")
    row = next(r for r in _export(campaign) if r["nationbuilder_id"] == str(pid))
    assert row["last_name"] == "-2"


def test_people_csv_round_trip_restores_escaped_cells(campaign: Campaign) -> None:
    m = campaign.actor("manager")
    with campaign.store.begin() as conn:
        pid = create_person(conn, m.workspace_id, "Ana")
        add_identity(conn, m, pid, "x", "998", "-dash_handle")
    rows = _export(campaign)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with campaign.store.begin() as conn:
        result = import_csv(conn, m, out.getvalue())
    assert result.created == 0 and result.skipped == []
    ana = next(r for r in _export(campaign) if r["nationbuilder_id"] == str(pid))
    assert ana["twitter_login"] == "'-dash_handle"


def test_people_csv_email_column_holds_the_address(campaign: Campaign) -> None:
    m = campaign.actor("manager")
    with campaign.store.begin() as conn:
        pid = create_person(conn, m.workspace_id, "Jo Voter")
        add_identity(conn, m, pid, "email", "jo.voter@mail.example", "Jo Voter")
    row = next(r for r in _export(campaign) if r["nationbuilder_id"] == str(pid))
    assert row["email"] == "jo.voter@mail.example"


def test_people_csv_reimport_creates_no_duplicates(campaign: Campaign) -> None:
    m = campaign.actor("manager")
    with campaign.store.begin() as conn:
        pid = create_person(conn, m.workspace_id, "Jo Voter")
        add_identity(conn, m, pid, "email", "jo.voter@mail.example", "Jo Voter")
        text = "".join(export_csv(conn, m))
        before = len(text.splitlines())
        result = import_csv(conn, m, text)
        after = len(list(export_csv(conn, m)))
    assert result.created == 0
    assert after == before
