"""The demo's simulated two-hour town hall: yesterday's event, run through the real queue,
with merges, votes, held and dismissed questions, answers at their minute in the recording,
questions left unanswered, and its public moderation log page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from hustings import qa
from hustings.demo._townhall import seed_town_hall
from hustings.store import Store
from hustings.web import create_app
from hustings.workspace import create_workspace

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_the_demo_town_hall_leaves_a_public_log_a_real_event_would(store: Store) -> None:
    ws = create_workspace(store, "Demo campaign").id
    event_id = seed_town_hall(store, ws, NOW)
    with store.begin() as conn:
        event = qa.get_event(conn, ws, event_id)
        log = qa.moderation_log(conn, ws, event_id)
        asked = qa.list_questions(conn, ws, event_id)
    assert event.starts_at.date() == (NOW - timedelta(days=1)).date()
    assert event.ends_at - event.starts_at == timedelta(hours=2)
    assert log["merged"] >= 5 and log["held"] >= 1 and log["dismissed"]["abusive"] >= 1
    assert {q.source for q in asked} == {"youtube", "web", "manual"}
    answered = [q for q in asked if q.status == "answered"]
    assert answered and all(0 < q.answered_video_s < 7200 for q in answered)  # type: ignore[operator]
    assert any(q.status == "approved" for q in asked)  # left for the follow-up
    assert max(q.votes for q in asked) >= 3
    with TestClient(create_app(store, secret="demo-log")) as client:
        page = client.get(f"/ask/{event.form_token}/log")
    assert page.status_code == 200
    assert f"<td>held</td><td>{log['held']}</td>" in page.text
    assert "<td>dismissed: abusive</td>" in page.text
    assert "lying idiots" not in page.text  # counts only: no question, no asker
