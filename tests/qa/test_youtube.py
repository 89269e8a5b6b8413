"""YouTube live chat replayed from recorded responses on a loopback server: pages read in
turn at the interval the page and the quota budget allow, the quota error, the ended
stream; and the web chat format read without quota.

The recorded ``liveChatMessages.list`` pages are pytchat's format samples (the only ones
public); the quota and ended-chat errors are the recorded 403 envelope with YouTube's
documented reasons (``quotaExceeded``, ``liveChatEnded``) in place of its own.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from hustings import qa
from hustings.errors import PlatformResponseError, QuotaExhaustedError
from hustings.qa._youtube import QuotaBudget, parse_web_chat, poll, take_questions
from hustings.store import Store
from hustings.workspace import create_workspace
from tests.conftest import shared_data_dir

API = shared_data_dir() / "fixtures" / "youtube-data-api"
WEB = shared_data_dir() / "fixtures" / "youtube-live-chat-innertube" / "pytchat"
pytestmark = pytest.mark.skipif(not API.is_dir(), reason=f"shared fixtures absent: {API}")


def _load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _error(reason: str) -> dict[str, Any]:
    envelope = copy.deepcopy(_load(API / "error_permission_resp.json"))
    envelope["error"]["errors"][0]["reason"] = reason
    return envelope


def _page(name: str, text: str, message_id: str, token: str) -> dict[str, Any]:
    page = copy.deepcopy(_load(API / "liveChatMessages" / name))
    item = page["items"][0]
    item["id"] = message_id
    if "textMessageDetails" in item["snippet"]:
        item["snippet"]["textMessageDetails"]["messageText"] = text
    page["nextPageToken"] = token
    return page


class _Replay:
    """What the loopback server answers, in order, and the requests it saw."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.requests: list[str] = []


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, _Replay]]:
    replay = _Replay()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            replay.requests.append(self.path)
            status, body = replay.answers.pop(0) if replay.answers else (404, {})
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", replay
    httpd.shutdown()
    thread.join()


def _stream(replay: _Replay) -> None:
    replay.requests.clear()
    replay.answers[:] = [
        (200, _page("pytchat_API_TextMessage.json", "when does the briefing start", "m1", "p2")),
        (200, _page("pytchat_API_NewSponsor.json", "", "m2", "p3")),
        (200, _page("pytchat_API_TextMessage.json", "where is the audio", "m3", "p4")),
        (403, _error("liveChatEnded")),
    ]


def test_pages_are_read_in_turn_until_the_chat_ends(server: tuple[str, _Replay]) -> None:
    url, replay = server
    _stream(replay)
    waits: list[float] = []
    with httpx.Client(base_url=url) as client:
        lines = list(poll(client, "chat1", QuotaBudget(3 * 3600), sleep=waits.append))
    assert [line.text for line in lines] == ["when does the briefing start", "where is the audio"]
    assert "pageToken=p2" in replay.requests[1] and len(replay.requests) == 4
    # pytchat's pages suggest 7.3 s; the budget asks for 10.8 s, so the budget wins.
    assert waits == [10.8, 10.8, 10.8]


def test_the_page_interval_wins_when_it_is_longer_than_the_budgets() -> None:
    page = _page("pytchat_API_TextMessage.json", "hi?", "m1", "p2")
    page["pollingIntervalMillis"] = 20_000
    assert qa._youtube.parse_api_page(page).polling_ms == 20_000


def test_a_three_hour_event_stays_within_half_a_day_of_quota() -> None:
    budget = QuotaBudget(3 * 3600)
    assert budget.calls * qa._youtube.CALL_COST <= 5_000
    assert budget.min_interval_s == pytest.approx(10.8)


def test_a_spent_quota_raises_so_the_caller_can_switch_reader(
    server: tuple[str, _Replay],
) -> None:
    url, replay = server
    replay.answers[:] = [(403, _error("quotaExceeded"))]
    with httpx.Client(base_url=url) as client, pytest.raises(QuotaExhaustedError):
        list(poll(client, "chat1", QuotaBudget(3600), sleep=lambda _: None))


def test_another_api_error_is_a_response_error_not_silence(server: tuple[str, _Replay]) -> None:
    url, replay = server
    replay.answers[:] = [(403, _load(API / "error_permission_resp.json"))]
    with httpx.Client(base_url=url) as client, pytest.raises(PlatformResponseError):
        list(poll(client, "chat1", QuotaBudget(3600), sleep=lambda _: None))


def test_the_web_chat_format_is_read_without_quota() -> None:
    page = parse_web_chat(_load(WEB / "chat.json"))
    assert page.lines and not page.ended
    assert page.polling_ms == 10_000 and page.next_page_token == "continuation"


def test_the_web_chat_says_when_the_stream_has_ended() -> None:
    assert parse_web_chat(_load(WEB / "finished_live.json")).ended


def test_replayed_chat_questions_enter_the_queue_once(
    server: tuple[str, _Replay], store: Store
) -> None:
    url, replay = server
    ws = create_workspace(store, "Riverside").id
    start = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    with store.begin() as conn:
        event = qa.create_event(
            conn, ws, "AMA", start, start + timedelta(hours=3), "pre", ["youtube"]
        )
    for _ in range(2):  # the same stream twice: nothing lands twice
        _stream(replay)
        with httpx.Client(base_url=url) as client:
            lines = list(poll(client, "chat1", QuotaBudget(3 * 3600), sleep=lambda _: None))
        with store.begin() as conn:
            assert take_questions(conn, ws, event.id, lines) == 2
    with store.begin() as conn:
        asked = qa.list_questions(conn, ws, event.id)
    assert [(a.text, a.author, a.source) for a in asked] == [
        ("when does the briefing start", "A", "youtube"),
        ("where is the audio", "A", "youtube"),
    ]


def test_a_running_server_fills_a_running_events_queue_from_its_chat(
    server: tuple[str, _Replay], store: Store
) -> None:
    url, replay = server
    _stream(replay)
    for _, page in replay.answers:
        if "pollingIntervalMillis" in page:
            page["pollingIntervalMillis"] = 50  # YouTube's suggestion, honoured below
    ws = create_workspace(store, "Riverside").id
    now = datetime.now(UTC)
    with store.begin() as conn:
        event = qa.create_event(
            conn,
            ws,
            "AMA",
            now - timedelta(seconds=5),
            now + timedelta(seconds=55),
            "pre",
            ["youtube"],
            "chat1",
        )
        qa.create_event(
            conn,
            ws,
            "Next week",
            now + timedelta(days=7),
            now + timedelta(days=7, hours=1),
            "pre",
            ["youtube"],
            "chat2",
        )
    polling = qa.LivePolling(store, qa.YouTubeAccess("test-key", url))
    try:
        started = time.monotonic()
        assert polling.round() == [event.id]  # only the running event
        polling.join(event.id, timeout=10)
        took = time.monotonic() - started
        assert polling.status(event.id) == "chat ended"
        assert polling.round() == []  # an ended chat is not polled again
    finally:
        polling.close()
    with store.begin() as conn:
        asked = [q.text for q in qa.list_questions(conn, ws, event.id)]
    assert asked == ["when does the briefing start", "where is the audio"]
    assert all("key=test-key" in r and "liveChatId=chat1" in r for r in replay.requests)
    # Three waits between four calls, each the longer of 50 ms and the budget's 60 ms.
    assert took >= 3 * 0.06


def test_a_spent_quota_stops_polling_that_event(server: tuple[str, _Replay], store: Store) -> None:
    url, replay = server
    replay.answers[:] = [(403, _error("quotaExceeded"))]
    ws = create_workspace(store, "Riverside").id
    now = datetime.now(UTC)
    with store.begin() as conn:
        event = qa.create_event(conn, ws, "AMA", now, now + timedelta(hours=1), "pre",
                                ["youtube"], "chat1")  # fmt: skip
    polling = qa.LivePolling(store, qa.YouTubeAccess("test-key", url))
    try:
        polling.round()
        polling.join(event.id, timeout=10)
        assert polling.status(event.id) == "quota spent"
        assert polling.round() == []
    finally:
        polling.close()
