"""Who may do what at an event: an assistant types in phone questions, a moderator acts on
the queue and the screen, the host names who helps; the same through the library, the
moderator's page and the JSON API, and another workspace's event is never reachable (on
SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hustings import qa
from hustings.errors import NotFoundError, PermissionDeniedError
from hustings.workspace import Actor
from tests.web.conftest import Campaign, Web, build_campaign

START = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


def _event(c: Campaign) -> tuple[int, int]:
    """North's event, with responder as its moderator and responder2 as its assistant, and
    one question waiting."""
    with c.store.begin() as conn:
        event = qa.create_event(conn, c.north_id, "Town hall", START, START + timedelta(hours=2))
        host = c.actor("manager")
        qa.set_role(conn, host, event.id, "responder@example.org", "moderator")
        qa.set_role(conn, host, event.id, "responder2@example.org", "assistant")
        asked = qa.add_question(conn, c.north_id, event.id, "When will the depot reopen?", "web")
    return event.id, asked.id


@pytest.fixture
def campaign_any(any_store: object) -> Campaign:
    return build_campaign(any_store)  # type: ignore[arg-type]


def test_an_assistant_types_in_a_question_but_cannot_approve(campaign_any: Campaign) -> None:
    c = campaign_any
    event, asked = _event(c)
    assistant = c.actor("responder2")
    with c.store.begin() as conn:
        phoned = qa.perform(conn, assistant, event, "ask", text="Is the pool open?", author="Jo")
        assert phoned is not None
        with pytest.raises(PermissionDeniedError, match="approve needs the event's moderator"):
            qa.perform(conn, assistant, event, "approve", asked)
        with pytest.raises(PermissionDeniedError):
            qa.perform(conn, assistant, event, "next")


def test_a_moderator_approves_and_puts_it_on_screen_but_names_no_one(
    campaign_any: Campaign,
) -> None:
    c = campaign_any
    event, asked = _event(c)
    moderator = c.actor("responder")
    with c.store.begin() as conn:
        qa.perform(conn, moderator, event, "approve", asked)
        assert qa.perform(conn, moderator, event, "next") == asked
        with pytest.raises(PermissionDeniedError, match="roles needs the event's host"):
            qa.set_role(conn, moderator, event, "viewer@example.org", "moderator")


def test_a_member_without_a_part_only_sees_that_they_have_none(campaign_any: Campaign) -> None:
    c = campaign_any
    event, asked = _event(c)
    with c.store.begin() as conn:
        with pytest.raises(PermissionDeniedError, match="you have no part in it"):
            qa.perform(conn, c.actor("viewer"), event, "approve", asked)
        with pytest.raises(PermissionDeniedError):
            qa.list_roles(conn, c.actor("viewer"), event)
        assert qa.list_roles(conn, c.actor("owner"), event) == [
            {"email": "responder2@example.org", "role": "assistant"},
            {"email": "responder@example.org", "role": "moderator"},
        ]


def test_a_part_taken_away_is_gone(campaign_any: Campaign) -> None:
    c = campaign_any
    event, asked = _event(c)
    with c.store.begin() as conn:
        qa.set_role(conn, c.actor("owner"), event, "responder@example.org", None)
        with pytest.raises(PermissionDeniedError):
            qa.perform(conn, c.actor("responder"), event, "approve", asked)


def test_another_workspaces_event_and_members_are_not_found(campaign_any: Campaign) -> None:
    c = campaign_any
    event, asked = _event(c)
    south = c.actor("south")  # South's owner: host of every South event, of none of North's
    with c.store.begin() as conn:
        for action in qa.ACTIONS:
            with pytest.raises(NotFoundError):
                qa.perform(conn, south, event, action, asked, text="x", reason="spam")
        with pytest.raises(NotFoundError):
            qa.set_role(conn, south, event, "south@example.org", "host")
        with pytest.raises(NotFoundError):
            qa.list_roles(conn, south, event)
        # North's host cannot give a part to a member of South either.
        with pytest.raises(NotFoundError, match="no member"):
            qa.set_role(conn, c.actor("owner"), event, "south@example.org", "moderator")
        south_event = qa.create_event(conn, c.south_id, "South hall", START, START + timedelta(1))
        with pytest.raises(NotFoundError):  # South's question id through North's event
            qa.perform(conn, Actor.system(c.north_id), south_event.id, "clear")
        assert qa.list_questions(conn, c.north_id, event)[0].status == "received"


@pytest.fixture
def webs(campaign_any: Campaign) -> Iterator[tuple[Campaign, int, int, dict[str, Web]]]:
    event, asked = _event(campaign_any)
    made = {}
    for who in ("responder", "responder2", "south"):
        web = Web(campaign_any.store)
        assert web.login(f"{who}@example.org").status_code == 200
        made[who] = web
    yield campaign_any, event, asked, made
    for web in made.values():
        web.close()


def test_the_api_and_the_page_hold_the_same_parts(
    webs: tuple[Campaign, int, int, dict[str, Web]],
) -> None:
    c, event, asked, web = webs
    approve = {"action": "approve", "question_id": asked}
    assistant, moderator = web["responder2"], web["responder"]
    assert assistant.post(f"/api/qa/events/{event}/act", json=approve).status_code == 403
    page = assistant.post(f"/qa/events/{event}/act", data={**approve, "csrf_token": assistant.csrf})
    assert page.status_code == 403 and "moderator" in page.text
    # The assistant's page offers no moderation buttons, only the phone-question form.
    own = assistant.get(f"/qa/events/{event}").text
    assert 'value="approve"' not in own and 'value="ask"' in own
    assert re.search(r'id="event-role">assistant<', own)
    assert moderator.post(f"/api/qa/events/{event}/act", json=approve).status_code == 200
    with c.store.begin() as conn:
        assert qa.list_questions(conn, c.north_id, event)[0].status == "approved"
    named = {"email": "viewer@example.org", "role": "moderator"}
    assert moderator.request("PUT", f"/api/qa/events/{event}/roles", json=named).status_code == 403
    for path in (f"/api/qa/events/{event}/questions", f"/api/qa/events/{event}/roles"):
        assert web["south"].get(path).status_code == 404
    assert web["south"].post(f"/api/qa/events/{event}/act", json=approve).status_code == 404
