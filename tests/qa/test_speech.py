"""The overlay can read the question on screen aloud with espeak-ng, and stays silent, not
broken, on a server without it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from hustings import qa
from hustings.store import Store
from hustings.web import create_app
from hustings.workspace import create_workspace


@pytest.fixture
def on_screen(store: Store) -> Iterator[tuple[TestClient, qa.Event]]:
    ws = create_workspace(store, "Riverside").id
    start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    with store.begin() as conn:
        event = qa.create_event(conn, ws, "Town hall", start, start + timedelta(hours=2), "post")
        asked = qa.add_question(conn, ws, event.id, "When will the depot reopen?", "web", "Ana")
        qa.show(conn, ws, event.id, asked.id)
    with TestClient(create_app(store, secret="speech")) as client:
        yield client, event


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_question_on_screen_is_read_aloud_as_a_wav(
    on_screen: tuple[TestClient, qa.Event],
) -> None:
    client, event = on_screen
    page = client.get(f"/overlay/{event.overlay_token}?speech=1")
    assert f'data-speech="/overlay/{event.overlay_token}/speech.wav"' in page.text
    spoken = client.get(f"/overlay/{event.overlay_token}/speech.wav")
    assert spoken.status_code == 200 and spoken.headers["content-type"] == "audio/wav"
    assert spoken.content[:4] == b"RIFF" and spoken.content[8:12] == b"WAVE"
    assert len(spoken.content) > 20_000  # about a second of speech, not an empty file


def test_without_espeak_ng_the_overlay_stays_silent(
    on_screen: tuple[TestClient, qa.Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    client, event = on_screen
    page = client.get(f"/overlay/{event.overlay_token}?speech=1")
    assert page.status_code == 200 and 'data-speech=""' in page.text
    assert client.get(f"/overlay/{event.overlay_token}/speech.wav").status_code == 204


def test_a_clear_screen_says_nothing(on_screen: tuple[TestClient, qa.Event], store: Store) -> None:
    client, event = on_screen
    with store.begin() as conn:
        qa.clear(conn, qa.workspace_named(conn, "Riverside"), event.id)
    assert client.get(f"/overlay/{event.overlay_token}/speech.wav").status_code == 204
