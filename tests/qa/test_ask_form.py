"""The public question form as an audience member meets it: no login, their name or none,
a CSRF token they never see, a limit on how often they can ask, and a page a phone fits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from hustings import qa
from hustings.errors import RateLimitedError
from hustings.store import Store
from hustings.web import create_app
from hustings.workspace import create_workspace


@pytest.fixture
def form(store: Store) -> Iterator[tuple[TestClient, qa.Event, int]]:
    ws = create_workspace(store, "Riverside").id
    start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    with store.begin() as conn:
        event = qa.create_event(conn, ws, "Riverside town hall", start, start + timedelta(hours=2))
    with TestClient(create_app(store, secret="ask-form")) as client:
        yield client, event, ws


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _ask(client: TestClient, event: qa.Event, text: str, name: str = "") -> int:
    page = client.get(f"/ask/{event.form_token}")
    data = {"text": text, "name": name, "csrf_token": _token(page.text)}
    return client.post(f"/ask/{event.form_token}", data=data).status_code


def test_an_anonymous_visitor_can_ask_without_logging_in(
    form: tuple[TestClient, qa.Event, int], store: Store
) -> None:
    client, event, ws = form
    page = client.get(f"/ask/{event.form_token}")
    assert page.status_code == 200 and "Riverside town hall" in page.text
    assert 'name="viewport" content="width=device-width' in page.text
    assert _ask(client, event, "When will the depot reopen?") == 200
    assert _ask(client, event, "Why is the pool shut?", "Ana") == 200
    with store.begin() as conn:
        asked = qa.list_questions(conn, ws, event.id)
    assert [(a.author, a.source) for a in asked] == [(None, "web"), ("Ana", "web")]


def test_a_post_without_the_forms_token_is_refused(
    form: tuple[TestClient, qa.Event, int], store: Store
) -> None:
    client, event, ws = form
    client.get(f"/ask/{event.form_token}")
    refused = client.post(f"/ask/{event.form_token}", data={"text": "Forged?", "csrf_token": "x"})
    assert refused.status_code == 403 and "expired" in refused.text
    with store.begin() as conn:
        assert qa.list_questions(conn, ws, event.id) == []


def test_a_visitor_asking_too_often_is_told_to_wait(
    form: tuple[TestClient, qa.Event, int],
) -> None:
    client, event, _ = form
    codes = [_ask(client, event, f"Question number {i}?") for i in range(6)]
    assert codes == [200] * 5 + [429]


def test_an_empty_question_is_refused_with_a_message(
    form: tuple[TestClient, qa.Event, int],
) -> None:
    client, event, _ = form
    assert _ask(client, event, "   ") == 422


def test_an_unknown_form_link_is_not_found(form: tuple[TestClient, qa.Event, int]) -> None:
    client, event, _ = form
    assert client.get(f"/ask/{event.overlay_token}").status_code == 404


def test_the_limiter_forgets_after_its_window() -> None:
    now = [0.0]
    limiter = qa.AskLimiter(limit=1, window_s=60, clock=lambda: now[0])
    limiter.take("1.2.3.4", 1)
    with pytest.raises(RateLimitedError):
        limiter.take("1.2.3.4", 1)
    limiter.take("1.2.3.4", 2)  # another event counts apart
    now[0] = 61.0
    limiter.take("1.2.3.4", 1)


def _vote(client: TestClient, event: qa.Event, cluster: int) -> str:
    page = client.get(f"/ask/{event.form_token}")
    data = {"cluster_id": str(cluster), "csrf_token": _token(page.text)}
    response = client.post(f"/ask/{event.form_token}/vote", data=data)
    assert response.status_code in (200, 404), response.text
    return response.text


def test_each_browser_adds_one_vote_to_an_approved_question(
    form: tuple[TestClient, qa.Event, int], store: Store
) -> None:
    client, event, ws = form
    with store.begin() as conn:
        asked = qa.add_question(conn, ws, event.id, "Will you fund the library?", "web")
        waiting = qa.add_question(conn, ws, event.id, "Why is the pool shut?", "web")
        qa.approve(conn, ws, asked.id)
    assert "Will you fund the library?" in client.get(f"/ask/{event.form_token}").text
    assert "(1 votes)" in _vote(client, event, asked.cluster_id)
    assert "voted for that one already" in _vote(client, event, asked.cluster_id)
    assert "No such question" in _vote(client, event, waiting.cluster_id)
    with TestClient(client.app) as other:
        _vote(other, event, asked.cluster_id)
    with store.begin() as conn:
        assert qa.list_questions(conn, ws, event.id, "approved")[0].votes == 2
