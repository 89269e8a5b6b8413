"""X end to end: the real tweepy against a loopback server replaying recorded X responses:
sync, cursor, budget, limits and faults, replies sent once, and no credential anywhere."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.connectors.connections import connect, list_connections, sync_connection
from hustings.connectors.outbound import deliver, deliver_due
from hustings.connectors.secrets import Secret
from hustings.errors import CredentialsError
from hustings.inbox.replies import reply
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, metadata, outbound, tracked_accounts
from hustings.workspace import Actor, create_workspace
from tests.conftest import REPO, shared_data_dir
from tests.connectors.replay import Fault
from tests.connectors.x_replay import ME, USAGE_CAPPED, XServer


@pytest.fixture(scope="session")
def x_server() -> Iterator[XServer]:
    data = shared_data_dir() / "fixtures"
    needed = [data / "x-api-v2-twarc", data / "x-api-tweepy"]
    missing = [str(p) for p in needed if not p.is_dir()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the recorded X responses are missing: {missing}")
        pytest.skip(f"recorded X responses absent: {missing} (see their PROVENANCE.md)")
    server = XServer(data)
    yield server
    server.close()


@pytest.fixture
def x(x_server: XServer, monkeypatch: pytest.MonkeyPatch) -> XServer:
    x_server.state.reset()
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    from hustings.connectors import _x_client
    from hustings.connectors import x as module

    module._me.clear()  # what one test learnt (the account, a spent window) is its own
    _x_client._paused.clear()
    return x_server


def x_settings(server: XServer, **extra: Any) -> dict[str, Any]:
    return {"api": server.url, "page_size": 10, "backoff": 0.01, "tries": 3,
            "timeout": 2.0, "max_wait": 5.0, **extra}


def connected(store: Store, server: XServer, name: str = "Riding 12",
              secret: str = "good-token", **extra: Any) -> tuple[Actor, int]:
    actor = Actor.system(create_workspace(store, name).id)
    health = connect(store, actor, "x", x_settings(server, **extra), Secret(secret))
    return actor, health.id


def _items(store: Store, workspace_id: int, kind: str | None = None) -> list[int]:
    query = select(inbox_items.c.id).where(inbox_items.c.workspace_id == workspace_id)
    if kind is not None:
        query = query.where(inbox_items.c.kind == kind)
    with store.begin() as conn:
        return list(conn.execute(query.order_by(inbox_items.c.id)).scalars())


def _texts(store: Store) -> list[str]:
    with store.begin() as conn:
        return sorted(conn.execute(
            select(messages.c.text).where(messages.c.partial.is_(False))
        ).scalars())


def _health(store: Store, actor: Actor) -> Any:
    with store.begin() as conn:
        (health,) = list_connections(conn, actor)
    return health


def test_connect_attaches_the_account_the_token_belongs_to(
    any_store: Store, x: XServer
) -> None:
    actor, _ = connected(any_store, x)
    with any_store.begin() as conn:
        tracked = conn.execute(select(tracked_accounts)).one()
    assert (tracked.handle, tracked.platform_id) == ("BleacherReport", ME)
    assert _health(any_store, actor).status == "ok"


def test_oauth1_keys_connect_too(store: Store, x: XServer) -> None:
    keys = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at",
            "access_token_secret": "ats"}
    actor, _ = connected(store, x, secret=json.dumps(keys))
    assert _health(store, actor).account == "BleacherReport"
    header = x.state.requests[-1]
    assert header[1] == "/2/users/me"


def test_a_wrong_token_is_refused_and_stores_nothing(store: Store, x: XServer) -> None:
    actor = Actor.system(create_workspace(store, "W").id)
    with pytest.raises(CredentialsError, match="expired or was revoked"):
        connect(store, actor, "x", x_settings(x), Secret("wrong"))
    assert store.counts()["connections"] == 0


def test_sync_fills_the_inbox_with_mentions_and_direct_messages(
    any_store: Store, x: XServer
) -> None:
    actor, connection = connected(any_store, x)
    report = sync_connection(any_store, connection)
    assert report.error is None
    # The 7 recorded replies that mention the account (its 4 reposts are not conversation)
    # and the 2 direct messages.
    assert len(_items(any_store, actor.workspace_id, "dm")) == 2
    assert len(_items(any_store, actor.workspace_id)) == 7 + 2
    again = sync_connection(any_store, connection)
    assert (again.added, again.filed) == (0, 0)


def test_sync_continues_from_its_cursor(store: Store, x: XServer) -> None:
    _actor, connection = connected(store, x)
    sync_connection(store, connection)
    newest = max(int(t["id"]) for t in x.state.mentions)
    x.state.requests.clear()
    x.state.mention("when is the debate?")
    report = sync_connection(store, connection)
    assert report.filed == 1
    asked = [q for m, p, q in x.state.requests if p == f"/2/users/{ME}/mentions"]
    assert asked[0]["since_id"] == str(newest)


def test_hashtags_are_searched_for_listen(store: Store, x: XServer) -> None:
    _actor, connection = connected(store, x, hashtags=["#Brexit"])
    sync_connection(store, connection)
    searched = [q for m, p, q in x.state.requests if p == "/2/tweets/search/recent"]
    assert searched and searched[0]["query"] == "#brexit -is:retweet"
    with store.begin() as conn:
        tagged = conn.execute(select(func.count()).where(
            messages.c.text.ilike("%#brexit%"), messages.c.partial.is_(False)
        )).scalar_one()
    assert tagged >= 10


def test_the_health_page_shows_what_a_sync_cost_of_the_plan(store: Store, x: XServer) -> None:
    actor, connection = connected(store, x, post_cap=10_000, monthly_budget=50.0)
    sync_connection(store, connection)
    notice = _health(store, actor).notice
    assert notice is not None
    assert "posts" in notice and "of the 10,000-post cap" in notice
    assert "of the $50.00 budget" in notice


def test_a_spent_budget_stops_reading_with_a_clear_error(store: Store, x: XServer) -> None:
    actor, connection = connected(store, x, monthly_budget=0.01)
    report = sync_connection(store, connection)
    assert report.error is not None and "budget of $0.01" in report.error
    assert _health(store, actor).status == "error"


def test_429_waits_for_the_reset_then_resumes(store: Store, x: XServer) -> None:
    actor, connection = connected(store, x)
    soon = str(int(time.time()) + 1)
    x.state.faults[f"/2/users/{ME}/mentions"].extend([
        Fault(429, b'{"title":"Too Many Requests","detail":"Too Many Requests"}',
              headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": soon}),
        Fault(503, b"<html>Over capacity</html>", "text/html"),
    ])
    report = sync_connection(store, connection)
    assert report.error is None
    assert len(_items(store, actor.workspace_id)) == 9


def test_a_429_whose_window_is_far_shows_its_reset_on_the_health_page(
    store: Store, x: XServer
) -> None:
    actor, connection = connected(store, x)
    later = int(time.time()) + 900
    x.state.faults[f"/2/users/{ME}/mentions"].append(
        Fault(429, b'{"title":"Too Many Requests"}',
              headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(later)}))
    sync_connection(store, connection)
    health = _health(store, actor)
    assert health.status == "error"
    assert time.strftime("%H:%M UTC", time.gmtime(later)) in health.last_error
    # The window is remembered: the next sync does not ask X again before it resets.
    before = len(x.state.requests)
    sync_connection(store, connection)
    assert not any(p.endswith("/mentions") for _, p, _ in x.state.requests[before:])


def test_the_monthly_usage_cap_is_not_retried_and_shows(store: Store, x: XServer) -> None:
    actor, connection = connected(store, x)
    x.state.faults[f"/2/users/{ME}/mentions"].append(Fault(429, USAGE_CAPPED))
    report = sync_connection(store, connection)
    assert report.error is not None and "Monthly product cap" in report.error
    assert sum(1 for _, p, _ in x.state.requests if p.endswith("/mentions")) == 1
    assert "usage cap reached" in (_health(store, actor).last_error or "")


def test_5xx_every_time_shows_on_the_connection(store: Store, x: XServer) -> None:
    actor, connection = connected(store, x)
    for _ in range(3):
        x.state.faults[f"/2/users/{ME}/mentions"].append(Fault(502, b"{}"))
    report = sync_connection(store, connection)
    assert report.error is not None and "failed 3 times" in report.error
    assert _health(store, actor).status == "error"


def test_an_expired_token_shows_on_the_health_page(store: Store, x: XServer) -> None:
    actor, connection = connected(store, x)
    x.state.tokens.clear()
    sync_connection(store, connection)
    health = _health(store, actor)
    assert health.status == "error"
    assert "token expired or was revoked" in (health.last_error or "")
    assert "connect the account again" in (health.last_error or "")


def _answer(store: Store, actor: Actor, kind: str, text: str) -> int:
    item = next(i for i in _items(store, actor.workspace_id, kind))
    with store.begin() as conn:
        reply(conn, actor, item, text)
    return item


def test_a_reply_is_posted_under_the_mention_once(any_store: Store, x: XServer) -> None:
    actor, connection = connected(any_store, x)
    sync_connection(any_store, connection)
    item = _answer(any_store, actor, "reply", "Thanks, we will look into it.")
    assert list(deliver_due(any_store).values()) == ["sent"]
    (posted,) = x.state.own
    with any_store.begin() as conn:
        status = conn.execute(select(inbox_items.c.status).where(inbox_items.c.id == item))
        assert status.scalar_one() == "answered"
        answered = conn.execute(select(messages.c.platform_id).join(
            inbox_items, inbox_items.c.message_id == messages.c.id
        ).where(inbox_items.c.id == item)).scalar_one()
        mine = conn.execute(select(messages.c.platform_id, messages.c.reply_to_id).where(
            messages.c.platform_id == posted["id"])).one()
    assert posted["referenced_tweets"] == [{"type": "replied_to", "id": answered}]
    assert mine.reply_to_id == answered
    # Read back by the next sync (the account's own posts), it stays one message.
    sync_connection(any_store, connection)
    assert _texts(any_store).count("Thanks, we will look into it.") == 1


def test_an_answer_to_a_direct_message_goes_into_its_conversation(
    store: Store, x: XServer
) -> None:
    actor, connection = connected(store, x)
    sync_connection(store, connection)
    _answer(store, actor, "dm", "Write to us anytime.")
    assert list(deliver_due(store).values()) == ["sent"]
    assert x.state.posts() == 0
    sent = [e for e in x.state.dm_events if e["sender_id"] == ME]
    assert [e["text"] for e in sent] == ["Write to us anytime."]


@pytest.mark.parametrize("path", ["/2/tweets", "/2/dm_conversations/{c}/messages"])
def test_a_send_that_times_out_is_not_sent_twice(store: Store, x: XServer, path: str) -> None:
    actor, connection = connected(store, x, timeout=1.0)
    sync_connection(store, connection)
    kind = "reply" if path == "/2/tweets" else "dm"
    item = _answer(store, actor, kind, "We hear you.")
    # X publishes it but answers too late: the outcome is unknown.
    x.state.faults[path.format(c=x.state.conversation)].append(Fault(0, delay=3.0))
    assert list(deliver_due(store).values()) == ["sending"]
    with store.begin() as conn:
        outbound_id = conn.execute(select(outbound.c.id)).scalar_one()
        status = conn.execute(select(inbox_items.c.status).where(inbox_items.c.id == item))
        assert status.scalar_one() == "new"
    assert deliver(store, outbound_id) == "sent"
    sends = [p for m, p, _ in x.state.requests if m == "POST"]
    assert len(sends) == 1
    with store.begin() as conn:
        status = conn.execute(select(inbox_items.c.status).where(inbox_items.c.id == item))
        assert status.scalar_one() == "answered"


def test_a_sync_killed_mid_walk_and_restarted_ends_as_an_uninterrupted_one(
    tmp_path: Path, x: XServer
) -> None:
    calm = Store.open(f"sqlite:///{tmp_path / 'calm.db'}")
    _, calm_id = connected(calm, x, hashtags=["brexit"])
    sync_connection(calm, calm_id)
    expected = _texts(calm)
    calm.close()

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    store = Store.open(url)
    _, connection = connected(store, x, hashtags=["brexit"])
    reached, held = threading.Event(), threading.Event()
    # The second page of the hashtag search is held until the sync is killed waiting for it:
    # the mentions and DMs are committed, the search's first page was read but not written.
    x.state.faults["/2/tweets/search/recent"].extend(
        [Fault(0), Fault(0, block=held, reached=reached)])
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HUSTINGS_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "hustings", "--db", url, "sync", "--once"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert reached.wait(60), "the sync never reached the search's second page"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        held.set()
        process.kill()
    partial = _texts(store)
    assert 0 < len(partial) < len(expected)
    assert sync_connection(store, connection).error is None
    assert _texts(store) == expected
    store.close()


def test_no_x_credential_appears_in_the_database_logs_or_output(
    tmp_path: Path, x: XServer, caplog: pytest.LogCaptureFixture
) -> None:
    keys = {"consumer_key": "ck-" + "K3y" * 6, "consumer_secret": "cs-" + "S3cr3t" * 6,
            "access_token": "at-" + "T0k3n" * 6, "access_token_secret": "as-" + "Pr1v" * 6}
    x.state.oauth1 = {(keys["consumer_key"], keys["access_token"])}
    key_file = tmp_path / "x-keys.json"
    key_file.write_text(json.dumps(keys))
    db = f"sqlite:///{tmp_path / 'leak.db'}"
    caplog.set_level(logging.DEBUG)
    runner = CliRunner()
    outputs = []
    store = Store.open(db)
    actor = Actor.system(create_workspace(store, "Leaky").id)
    for args in (
        ["connect", "x", "-w", "Leaky", "--set", f"api={x.url}", "--set", "tries=2",
         "--set", "backoff=0.01", "--token-file", str(key_file), "--json"],
        ["sync", "-w", "Leaky", "--once", "--json"],
        ["connections", "-w", "Leaky", "--json"],
        ["connections", "-w", "Leaky"],
    ):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    with store.begin() as conn:
        item = conn.execute(select(inbox_items.c.id).where(
            inbox_items.c.kind == "reply")).scalars().first()
        reply(conn, actor, int(item), "Thanks for writing.")
    deliver_due(store)
    x.state.oauth1.clear()  # revoked: the error must not quote a credential either
    outputs.append(runner.invoke(app, ["--db", db, "sync", "--once"]).output)
    outputs.append(runner.invoke(app, ["--db", db, "connections", "-w", "Leaky", "--json"]).output)
    assert "expired or was revoked" in outputs[-1]
    cells = []
    with store.begin() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                cells.extend(json.dumps(v, default=str) for v in row)
    assert cells and x.state.posts() == 1
    for where, haystack in (
        ("database", "\n".join(cells)),
        ("logs", caplog.text),
        ("output", "\n".join(outputs)),
    ):
        for name, value in keys.items():
            assert value not in haystack, f"the {name} appears in the {where}"
    store.close()
