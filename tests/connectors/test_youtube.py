"""YouTube comments end to end: httpx against a loopback server replaying recorded Data API
responses: sync, quota, faults, replies sent once, and no credential anywhere."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.connectors.connections import connect, list_connections, sync_connection
from hustings.connectors.outbound import deliver, deliver_due
from hustings.connectors.secrets import Secret
from hustings.errors import CredentialsError
from hustings.inbox.replies import reply
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, metadata, tracked_accounts
from hustings.workspace import Actor, create_workspace
from tests.conftest import REPO, shared_data_dir
from tests.connectors.replay import Fault
from tests.connectors.youtube_replay import CHANNEL, PAGED, YouTubeServer

REFRESH = {"client_id": "cid.apps.googleusercontent.com", "client_secret": "GOCSPX-" + "s" * 20,
           "refresh_token": "rt-good"}


@pytest.fixture(scope="session")
def youtube_server() -> Iterator[YouTubeServer]:
    folder = shared_data_dir() / "fixtures" / "youtube-data-api"
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the recorded YouTube responses are missing: {folder}")
        pytest.skip(f"recorded YouTube responses absent: {folder} (see its PROVENANCE.md)")
    server = YouTubeServer(folder)
    yield server
    server.close()


@pytest.fixture
def yt(youtube_server: YouTubeServer, monkeypatch: pytest.MonkeyPatch) -> YouTubeServer:
    youtube_server.state.reset()
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    from hustings.connectors import youtube as module

    module._tokens.clear()  # what one test's process learnt stays in that test
    module._channels.clear()
    return youtube_server


def yt_settings(server: YouTubeServer, **extra: Any) -> dict[str, Any]:
    return {"api": server.url, "token_url": f"{server.url}/token", "page_size": 2,
            "backoff": 0.01, "tries": 3, "timeout": 2.0, **extra}


def connected(store: Store, server: YouTubeServer, secret: str | None = None,
              **extra: Any) -> tuple[Actor, int]:
    actor = Actor.system(create_workspace(store, "Town hall").id)
    health = connect(store, actor, "youtube", yt_settings(server, **extra),
                     Secret(secret or json.dumps(REFRESH)))
    return actor, health.id


def _items(store: Store, workspace_id: int) -> list[int]:
    with store.begin() as conn:
        return list(conn.execute(select(inbox_items.c.id).where(
            inbox_items.c.workspace_id == workspace_id).order_by(inbox_items.c.id)).scalars())


def _texts(store: Store) -> list[str]:
    with store.begin() as conn:
        return sorted(conn.execute(select(messages.c.text)).scalars())


def _health(store: Store, actor: Actor) -> Any:
    with store.begin() as conn:
        (health,) = list_connections(conn, actor)
    return health


def test_connect_attaches_the_channel_the_credentials_belong_to(
    any_store: Store, yt: YouTubeServer
) -> None:
    actor, _ = connected(any_store, yt)
    with any_store.begin() as conn:
        tracked = conn.execute(select(tracked_accounts)).one()
    assert (tracked.platform, tracked.handle, tracked.platform_id) == (
        "youtube", "ikarosdata", CHANNEL)
    assert _health(any_store, actor).status == "ok"


def test_sync_fills_the_inbox_with_the_comments_on_the_channel(
    any_store: Store, yt: YouTubeServer
) -> None:
    actor, connection = connected(any_store, yt)
    report = sync_connection(any_store, connection)
    assert report.error is None
    # The four recorded threads on the channel land in its inbox; the replies of thread
    # PAGED come from both recorded pages of comments.list.
    assert len(_items(any_store, actor.workspace_id)) == 4
    assert "this is the third reply!" in _texts(any_store)
    with any_store.begin() as conn:
        replies = conn.execute(select(messages.c.platform_id).where(
            messages.c.reply_to_id == PAGED)).scalars().all()
    assert len(replies) == 3
    again = sync_connection(any_store, connection)
    assert (again.added, again.filed) == (0, 0)


def test_a_new_comment_is_read_without_walking_the_old_ones(
    store: Store, yt: YouTubeServer
) -> None:
    _actor, connection = connected(store, yt)
    sync_connection(store, connection)
    yt.state.requests.clear()
    yt.state.comment("Will you hold a town hall in Riverside?")
    assert sync_connection(store, connection).filed == 1
    listed = [q for m, p, q in yt.state.requests if p == "/youtube/v3/commentThreads"]
    assert len(listed) == 1  # the first page reached the cursor: no deeper walk


def test_the_health_page_shows_the_quota_a_sync_used(store: Store, yt: YouTubeServer) -> None:
    actor, connection = connected(store, yt)
    sync_connection(store, connection)
    notice = _health(store, actor).notice or ""
    assert "quota units" in notice and "of the 5,000 this connection may use" in notice
    assert "50% of the 10,000-unit day" in notice


def test_the_connections_share_of_the_day_is_never_overspent(
    store: Store, yt: YouTubeServer
) -> None:
    actor, connection = connected(store, yt, daily_quota=10_000, quota_share=0.0004)
    before = len(yt.state.requests)
    report = sync_connection(store, connection)
    assert report.error is not None and "4 units for today" in report.error
    assert len(yt.state.requests) - before <= 4
    assert _health(store, actor).status == "error"


def test_youtube_quota_exceeded_is_a_quota_error_not_a_credential_error(
    store: Store, yt: YouTubeServer
) -> None:
    _actor, connection = connected(store, yt)
    yt.state.quota = yt.state.spent  # the project's day is spent elsewhere
    report = sync_connection(store, connection)
    assert report.error is not None and "quota spent" in report.error
    assert "credentials" not in report.error


def test_429_and_5xx_back_off_and_resume(store: Store, yt: YouTubeServer) -> None:
    actor, connection = connected(store, yt)
    yt.state.faults["/youtube/v3/commentThreads"].extend([
        Fault(429, b'{"error":{"code":429,"message":"Too many requests","errors":[]}}',
              headers={"Retry-After": "0"}),
        Fault(503, b"<html>Backend Error</html>", "text/html"),
    ])
    assert sync_connection(store, connection).error is None
    assert len(_items(store, actor.workspace_id)) == 4


@pytest.mark.parametrize(("credential", "said"), [
    ("good-token", "refused the credentials"),
    (json.dumps(REFRESH), "refused the refresh token"),
])
def test_an_expired_token_shows_on_the_health_page(
    store: Store, yt: YouTubeServer, credential: str, said: str
) -> None:
    actor, connection = connected(store, yt, secret=credential)
    from hustings.connectors import youtube as module

    module._tokens.clear()
    yt.state.tokens.clear()  # the access token expired...
    yt.state.refresh.clear()  # ...and the refresh token was revoked
    sync_connection(store, connection)
    health = _health(store, actor)
    assert health.status == "error" and said in (health.last_error or "")
    assert "connect" in (health.last_error or "")


def test_an_expired_access_token_is_renewed_with_the_refresh_token(
    store: Store, yt: YouTubeServer
) -> None:
    actor, connection = connected(store, yt)
    yt.state.tokens = {"renewed"}
    yt.state.refresh["rt-good"] = "renewed"
    from hustings.connectors import youtube as module

    module._tokens.update({k: ("good-token", 2e9) for k in module._tokens})  # stale
    assert sync_connection(store, connection).error is None
    assert len(_items(store, actor.workspace_id)) == 4


def test_a_wrong_credential_is_refused_and_stores_nothing(
    store: Store, yt: YouTubeServer
) -> None:
    actor = Actor.system(create_workspace(store, "W").id)
    with pytest.raises(CredentialsError):
        connect(store, actor, "youtube", yt_settings(yt), Secret("wrong"))
    assert store.counts()["connections"] == 0


def _answer(store: Store, actor: Actor, text_: str) -> int:
    item = _items(store, actor.workspace_id)[0]
    with store.begin() as conn:
        reply(conn, actor, item, text_)
    return item


def test_a_reply_goes_into_the_comments_thread_once(any_store: Store, yt: YouTubeServer) -> None:
    actor, connection = connected(any_store, yt)
    sync_connection(any_store, connection)
    item = _answer(any_store, actor, "Thank you for watching!")
    assert list(deliver_due(any_store).values()) == ["sent"]
    (posted,) = yt.state.posted
    with any_store.begin() as conn:
        answered = conn.execute(select(messages.c.platform_id, inbox_items.c.status).join(
            inbox_items, inbox_items.c.message_id == messages.c.id
        ).where(inbox_items.c.id == item)).one()
    assert posted["snippet"]["parentId"] == answered.platform_id
    assert answered.status == "answered"
    sync_connection(any_store, connection)
    assert _texts(any_store).count("Thank you for watching!") == 1


def test_a_reply_whose_send_times_out_is_not_sent_twice(store: Store, yt: YouTubeServer) -> None:
    actor, connection = connected(store, yt, timeout=1.0)
    sync_connection(store, connection)
    _answer(store, actor, "We will answer this at the town hall.")
    yt.state.faults["/youtube/v3/comments#insert"].append(Fault(0, delay=3.0))
    (outbound_id,) = deliver_due(store)
    assert deliver(store, outbound_id) == "sent"
    assert yt.state.inserts() == 1 and len(yt.state.posted) == 1


def test_a_sync_killed_mid_walk_and_restarted_ends_as_an_uninterrupted_one(
    tmp_path: Path, yt: YouTubeServer
) -> None:
    calm = Store.open(f"sqlite:///{tmp_path / 'calm.db'}")
    _, calm_id = connected(calm, yt)
    sync_connection(calm, calm_id)
    expected = _texts(calm)
    calm.close()
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    store = Store.open(url)
    _, connection = connected(store, yt)
    reached, held = threading.Event(), threading.Event()
    # The second page of a thread's replies is held until the sync is killed waiting on it.
    yt.state.faults["/youtube/v3/comments"].extend(
        [Fault(0), Fault(0, block=held, reached=reached)])
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HUSTINGS_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "hustings", "--db", url, "sync", "--once"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert reached.wait(60), "the sync never reached the second page of replies"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        held.set()
        process.kill()
    assert len(_texts(store)) < len(expected)
    assert sync_connection(store, connection).error is None
    assert _texts(store) == expected
    store.close()


def test_no_youtube_credential_appears_in_the_database_logs_or_output(
    tmp_path: Path, yt: YouTubeServer, caplog: pytest.LogCaptureFixture
) -> None:
    keys = {**REFRESH, "refresh_token": "1//rt-" + "R3fr3sh" * 5}
    yt.state.refresh = {keys["refresh_token"]: "ya29.acc-" + "T0k" * 8}
    yt.state.tokens = {"ya29.acc-" + "T0k" * 8}
    key_file = tmp_path / "youtube.json"
    key_file.write_text(json.dumps(keys))
    db = f"sqlite:///{tmp_path / 'leak.db'}"
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs = []
    store = Store.open(db)
    actor = Actor.system(create_workspace(store, "Leaky").id)
    for args in (
        ["connect", "youtube", "-w", "Leaky", "--set", f"api={yt.url}",
         "--set", f"token_url={yt.url}/token", "--token-file", str(key_file), "--json"],
        ["sync", "-w", "Leaky", "--once", "--json"],
        ["connections", "-w", "Leaky", "--json"],
    ):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    with store.begin() as conn:
        item = conn.execute(select(inbox_items.c.id)).scalars().first()
        reply(conn, actor, int(item), "Thanks for writing.")
    deliver_due(store)
    from hustings.connectors import youtube as module

    module._tokens.clear()
    yt.state.refresh.clear()  # revoked: the error must not quote a credential either
    outputs.append(runner.invoke(app, ["--db", db, "sync", "--once"]).output)
    outputs.append(runner.invoke(app, ["--db", db, "connections", "-w", "Leaky", "--json"]).output)
    assert "refused the refresh token" in outputs[-1]
    cells = []
    with store.begin() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                cells.extend(json.dumps(v, default=str) for v in row)
    assert cells and yt.state.inserts() == 1
    secrets = [keys["client_secret"], keys["refresh_token"], "ya29.acc-" + "T0k" * 8]
    for where, haystack in (("database", "\n".join(cells)), ("logs", caplog.text),
                            ("output", "\n".join(outputs))):
        for value in secrets:
            assert value not in haystack, f"a credential appears in the {where}"
    store.close()
