"""The moderator's page refuses what would put the wrong thing on screen, with a message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from hustings import qa
from hustings.store import Store
from hustings.web import create_app
from hustings.workspace import Actor, Role, add_user

PASSWORD = "moderator password 1"


@pytest.fixture
def moderator(store: Store) -> Iterator[tuple[TestClient, int, int, str]]:
    add_user(store, "mod@riverside.example", PASSWORD, "Riverside", Role.RESPONDER)
    with store.begin() as conn:
        ws = qa.workspace_named(conn, "Riverside")
        start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
        event = qa.create_event(conn, ws, "Town hall", start, start + timedelta(hours=2))
        asked = qa.add_question(conn, ws, event.id, "When will the depot reopen?", "web")
        qa.set_role(conn, Actor.system(ws), event.id, "mod@riverside.example", "moderator")
    with TestClient(create_app(store, secret="moderate")) as client:
        login = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token is not None
        client.post("/login", data={"email": "mod@riverside.example", "password": PASSWORD,
                                    "csrf_token": token.group(1)})  # fmt: skip
        page = client.get(f"/qa/events/{event.id}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf is not None
        yield client, event.id, asked.id, csrf.group(1)


def test_a_question_not_yet_approved_cannot_go_on_screen(
    moderator: tuple[TestClient, int, int, str],
) -> None:
    client, event, question, csrf = moderator
    response = client.post(
        f"/qa/events/{event}/act",
        data={"action": "show", "question_id": str(question), "csrf_token": csrf},
    )
    assert response.status_code == 409 and "only an approved question" in response.text


def test_an_unknown_action_is_refused(moderator: tuple[TestClient, int, int, str]) -> None:
    client, event, _, csrf = moderator
    response = client.post(f"/qa/events/{event}/act", data={"action": "delete", "csrf_token": csrf})
    assert response.status_code == 422 and "action must be one of" in response.text


def test_answered_with_nothing_on_screen_says_so(
    moderator: tuple[TestClient, int, int, str],
) -> None:
    client, event, _, csrf = moderator
    response = client.post(
        f"/qa/events/{event}/act", data={"action": "answered", "csrf_token": csrf}
    )
    assert response.status_code == 409 and "no question is on screen" in response.text


def test_an_unknown_overlay_token_is_not_found(moderator: tuple[TestClient, int, int, str]) -> None:
    client = moderator[0]
    assert client.get("/overlay/nope").status_code == 404
    assert client.get("/overlay/nope/events").status_code == 404
