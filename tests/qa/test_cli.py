"""``hustings qa export``: what a campaign takes away after the event."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from hustings import qa
from hustings.cli.main import app
from hustings.store import Store
from hustings.workspace import create_workspace


def _answered_event(store: Store) -> int:
    ws = create_workspace(store, "Riverside").id
    start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    with store.begin() as conn:
        event = qa.create_event(conn, ws, "Town hall", start, start + timedelta(hours=2))
        asked = qa.add_question(conn, ws, event.id, "Will you fund the library?", "web")
        qa.add_question(conn, ws, event.id, "Why is the pool shut?", "manual", "Bo")
        qa.approve(conn, ws, asked.id)
        qa.answer(conn, ws, asked.id, 754.5)
    return event.id


def test_export_csv_gives_the_answered_questions_video_time(store: Store) -> None:
    event = _answered_event(store)
    result = CliRunner().invoke(
        app, ["--db", str(store.engine.url), "qa", "export", str(event), "-w", "Riverside"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["author"], r["status"], r["answered_video_s"]) for r in rows] == [
        ("Anonymous", "answered", "754.5"),
        ("Bo", "received", ""),
    ]


def test_export_json_lines_and_an_unknown_format(store: Store) -> None:
    event = _answered_event(store)
    base = ["--db", str(store.engine.url), "qa", "export", str(event), "-w", "Riverside"]
    result = CliRunner().invoke(app, [*base, "--format", "json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout.splitlines()[0])
    assert first["answered_video_s"] == 754.5
    bad = CliRunner().invoke(app, [*base, "--format", "xml"])
    assert bad.exit_code == 1 and "csv or json" in bad.output


def test_create_then_ask_by_phone_enters_a_manual_question(store: Store) -> None:
    create_workspace(store, "Riverside")
    db = ["--db", str(store.engine.url), "qa"]
    made = CliRunner().invoke(
        app,
        [*db, "create", "Town hall", "-w", "Riverside", "--starts", "2026-12-07T19:00+00:00",
         "--ends", "2026-12-07T21:00+00:00", "--moderation", "post"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    event = made.stdout.strip()
    asked = CliRunner().invoke(app, [*db, "ask", event, "Why is the pool shut?", "-w", "Riverside"])
    assert asked.exit_code == 0, asked.output
    assert "(approved)" in asked.stdout
    listed = CliRunner().invoke(app, [*db, "questions", "-w", "Riverside", "-e", event, "--json"])
    row = json.loads(listed.stdout.splitlines()[0])
    assert (row["source"], row["author"]) == ("manual", "Anonymous")


def test_create_refuses_a_time_without_offset(store: Store) -> None:
    create_workspace(store, "Riverside")
    result = CliRunner().invoke(
        app,
        ["--db", str(store.engine.url), "qa", "create", "T", "-w", "Riverside",
         "--starts", "2026-12-07T19:00", "--ends", "2026-12-07T21:00+00:00"],
    )  # fmt: skip
    assert result.exit_code == 1 and "UTC offset" in result.output


def test_follow_up_files_unanswered_questions_and_says_what_stayed_out(store: Store) -> None:
    from tests.qa.test_followup import _ended_event

    _, event, _ = _ended_event(store)
    result = CliRunner().invoke(
        app, ["--db", str(store.engine.url), "qa", "follow-up", str(event), "-w", "Riverside"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1 filed into the inbox; 2 without an address to answer")


def test_role_gives_a_member_a_part_and_refuses_a_stranger(store: Store) -> None:
    from hustings.workspace import Actor, Role, add_user

    event = _answered_event(store)
    add_user(store, "sam@riverside.example", "sam password 12", "Riverside", Role.RESPONDER)
    base = ["--db", str(store.engine.url), "qa", "role", str(event)]
    given = CliRunner().invoke(
        app, [*base, "sam@riverside.example", "-w", "Riverside", "--role", "moderator"]
    )
    stranger = CliRunner().invoke(
        app, [*base, "nobody@riverside.example", "-w", "Riverside", "--role", "moderator"]
    )
    assert given.exit_code == 0 and stranger.exit_code == 1
    assert "no member 'nobody@riverside.example'" in stranger.output
    with store.begin() as conn:
        ws = qa.workspace_named(conn, "Riverside")
        roles = qa.list_roles(conn, Actor.system(ws), event)
    assert roles == [{"email": "sam@riverside.example", "role": "moderator"}]
