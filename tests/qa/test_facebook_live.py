"""Facebook Live comments into an event's queue, against the loopback Graph API replaying
the recorded Meta responses (``tests.connectors.meta_replay``): no live video's comments
were recorded, so the recorded comments of a Page post stand in for them (the comments
edge and its objects are the same for a post and a video)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hustings import qa
from hustings.connectors.graph import GraphClient, MetaCredentials
from hustings.connectors.http import RetryPolicy
from hustings.connectors.secrets import Secret
from hustings.errors import CredentialsError
from hustings.qa._facebook import parse_live_page, poll_live, take_live_questions
from hustings.store import Store
from hustings.workspace import create_workspace
from tests.conftest import shared_data_dir
from tests.connectors.meta_replay import MetaServer

FIXTURES = shared_data_dir() / "fixtures" / "meta-graph-api"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"shared fixtures absent: {FIXTURES}")


@pytest.fixture(scope="module")
def server() -> Iterator[MetaServer]:
    running = MetaServer(FIXTURES)
    yield running
    running.close()


@pytest.fixture
def graph(server: MetaServer) -> Iterator[GraphClient]:
    server.state.reset()
    client = GraphClient(f"{server.url}/v24.0", MetaCredentials.of(Secret("page-token")),
                         RetryPolicy(tries=2, base=0.01, timeout=2.0), "Facebook")
    yield client
    client.close()


def test_comments_are_read_page_by_page_until_the_video_ends(
    server: MetaServer, graph: GraphClient
) -> None:
    waits: list[float] = []
    video = server.state.live_video

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        server.state.live_status = "VOD"  # the stream ends after the first call

    lines = list(poll_live(graph, video, interval=4.0, sleep=sleep))
    assert len(lines) == 15 and lines[0].text.startswith("Boa noite")
    assert waits == [4.0]
    asked = [q.get("after") for _, p, _, q in server.state.requests
             if p.endswith(f"/{video}/comments")]
    assert asked == [None, "c15"]  # the second call asked only for what was new


def test_questions_join_the_event_queue_once(
    store: Store, server: MetaServer, graph: GraphClient
) -> None:
    ws = create_workspace(store, "Town hall")
    server.state.live_status = "VOD"
    lines = list(poll_live(graph, server.state.live_video, sleep=lambda _s: None))
    starts = datetime(2026, 12, 7, 19, tzinfo=UTC)
    with store.begin() as conn:
        event = qa.create_event(conn, ws.id, "Town hall", starts, starts + timedelta(hours=2),
                                sources=("facebook",))
        taken = take_live_questions(conn, ws.id, event.id, lines)
        again = take_live_questions(conn, ws.id, event.id, lines)
        questions = qa.list_questions(conn, ws.id, event.id)
    assert taken == again > 0
    assert len(questions) == taken
    assert {q.source for q in questions} == {"facebook"}
    assert any("Commerce Manager api" in q.text for q in questions)


def test_an_expired_token_is_a_credentials_error(server: MetaServer, graph: GraphClient) -> None:
    server.state.tokens.clear()
    with pytest.raises(CredentialsError, match="error 190"):
        list(poll_live(graph, server.state.live_video, sleep=lambda _s: None))


def test_a_page_that_is_not_comments_is_refused() -> None:
    from hustings.errors import PlatformResponseError

    with pytest.raises(PlatformResponseError, match="no data list"):
        parse_live_page({"id": "1", "status": "LIVE"})
