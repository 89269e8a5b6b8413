"""Bluesky end to end against a real local network (@atproto/dev-env): connect, sync into
the inbox, answer from the inbox as a threaded reply, and the faults that must not double
anything (an interrupted sync, a send whose answer is lost, a post deleted before we read
it). The network is the session fixture ``bluesky_network`` (tests/servers/fixtures.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.connectors.connections import connect, list_connections, sync_connection
from hustings.connectors.outbound import deliver_due
from hustings.connectors.secrets import Secret
from hustings.errors import CredentialsError
from hustings.inbox.replies import reply
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, outbound, quarantine
from hustings.workspace import Actor, create_workspace
from tests.servers.fixtures import BLUESKY, Account, BlueskyNetwork

pytestmark = [pytest.mark.servers, BLUESKY]


@pytest.fixture(autouse=True)
def _secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")


class _Proxy(BaseHTTPRequestHandler):
    """Forwards to the PDS; ``cut`` (a path part -> [let through, then fail]) answers 502
    instead, ``lose``
    forwards and then drops the answer: a response lost at the HTTP edge."""

    server: _ProxyServer

    def _forward(self) -> None:
        state = self.server
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        for part, counts in state.cut.items():
            if part in self.path and counts[0] > 0:
                counts[0] -= 1  # let this many through first
            elif part in self.path and counts[1] > 0:
                counts[1] -= 1
                self.send_response(502)
                self.send_header("content-length", "0")
                self.end_headers()
                return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
        answer = httpx.request(self.command, state.target + self.path, headers=headers,
                               content=body, timeout=30)
        for part, left in list(state.lose.items()):
            if part in self.path and left > 0:
                state.lose[part] = left - 1
                state.lost.set()
                state.release.wait(30)  # hold the line until the client gave up
                self.close_connection = True
                return
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection",
                                    "content-encoding"):
                self.send_header(name, value)
        self.send_header("content-length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = _forward

    def log_message(self, *args: Any) -> None:
        pass


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Proxy)
        self.target = target.rstrip("/")
        self.cut: dict[str, list[int]] = {}
        self.lose: dict[str, int] = {}
        self.lost = threading.Event()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def proxy(bluesky_network: BlueskyNetwork) -> Iterator[_ProxyServer]:
    server = _ProxyServer(bluesky_network.pds_url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@dataclass
class Campaign:
    actor: Actor
    connection: int
    account: Account


def _settings(service: str, account: Account, **extra: Any) -> dict[str, Any]:
    return {"service": service, "handle": account.handle, "page_size": 2, "tries": 2,
            "backoff": 0.01, "timeout": 3.0, **extra}


def _campaign(store: Store, net: BlueskyNetwork, service: str | None = None,
              **extra: Any) -> Campaign:
    account = net.create_account()
    actor = Actor.system(create_workspace(store, f"Campaign {account.handle}").id)
    health = connect(store, actor, "bluesky",
                     _settings(service or net.pds_url, account, **extra),
                     Secret(account.password))
    return Campaign(actor, health.id, account)


def _client(net: BlueskyNetwork, account: Account) -> Any:
    from atproto import Client

    client = Client(base_url=f"{net.pds_url}/xrpc")
    client.login(account.handle, account.password)
    return client


def _items(store: Store, actor: Actor) -> list[tuple[str, str, str]]:
    """(post URI, kind, status) of the workspace's inbox items, oldest first."""
    with store.begin() as conn:
        rows = conn.execute(
            select(messages.c.platform_id, inbox_items.c.kind, inbox_items.c.status)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(inbox_items.c.workspace_id == actor.workspace_id)
            .order_by(inbox_items.c.id)
        )
        return [tuple(r) for r in rows]


def _quarantined(store: Store) -> list[str]:
    with store.begin() as conn:
        return list(conn.execute(select(quarantine.c.reason)).scalars())


def _item_of(store: Store, actor: Actor, uri: str) -> int:
    with store.begin() as conn:
        return int(conn.execute(
            select(inbox_items.c.id)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(inbox_items.c.workspace_id == actor.workspace_id,
                   messages.c.platform_id == uri)
        ).scalar_one())


def _replies_on_pds(net: BlueskyNetwork, viewer: Account, uri: str) -> list[dict[str, Any]]:
    """The direct replies to ``uri`` as the network shows them: author, text, root, parent."""
    net.process_all()
    thread = _client(net, viewer).get_post_thread(uri).thread
    return [
        {"author": r.post.author.did, "text": r.post.record.text,
         "root": r.post.record.reply.root.uri, "parent": r.post.record.reply.parent.uri}
        for r in thread.replies or ()
    ]


def test_connect_attaches_the_account_the_password_belongs_to(
    store: Store, bluesky_network: BlueskyNetwork
) -> None:
    campaign = _campaign(store, bluesky_network)
    with store.begin() as conn:
        (health,) = list_connections(conn, campaign.actor)
    assert (health.platform, health.account, health.status) == (
        "bluesky", campaign.account.handle, "ok")
    assert health.server == bluesky_network.pds_url


def test_connect_with_a_wrong_password_is_refused_and_stores_nothing(
    store: Store, bluesky_network: BlueskyNetwork
) -> None:
    account = bluesky_network.create_account()
    actor = Actor.system(create_workspace(store, "W").id)
    with pytest.raises(CredentialsError, match="Bluesky refused the credentials"):
        connect(store, actor, "bluesky", _settings(bluesky_network.pds_url, account),
                Secret("not-the-password"))
    assert store.counts()["connections"] == 0


def test_mentions_and_replies_fill_the_inbox(
    any_store: Store, bluesky_network: BlueskyNetwork
) -> None:
    net = bluesky_network
    campaign = _campaign(any_store, net)
    citizen = net.create_account()
    own = net.post(campaign.account, "Town hall on housing tonight at 7.")
    mention = net.mention(citizen, [campaign.account],
                          f"@{campaign.account.handle} when do the bus lanes open?")
    answer = net.reply(citizen, own, own, "Will it be streamed?")
    report = sync_connection(any_store, campaign.connection)
    assert report.error is None
    assert _items(any_store, campaign.actor) == [
        (mention.uri, "post", "new"), (answer.uri, "reply", "new")]
    assert _quarantined(any_store) == []


def test_an_answer_from_the_inbox_is_a_reply_in_the_thread_on_the_pds(
    any_store: Store, bluesky_network: BlueskyNetwork
) -> None:
    net = bluesky_network
    campaign = _campaign(any_store, net)
    citizen = net.create_account()
    own = net.post(campaign.account, "Our housing plan is out: read it and ask away.")
    first = net.reply(citizen, own, own, "Does it cover rent caps?")
    question = net.mention(citizen, [campaign.account],
                           f"@{campaign.account.handle} and for students?", root=own,
                           parent=first)
    sync_connection(any_store, campaign.connection)
    item = _item_of(any_store, campaign.actor, question.uri)
    text = f"@{citizen.handle} yes, students too: see https://example.org/housing #rent"
    with any_store.begin() as conn:
        reply(conn, campaign.actor, item, text)
    assert deliver_due(any_store, campaign.actor.workspace_id) == {1: "sent"}
    (posted,) = _replies_on_pds(net, citizen, question.uri)
    assert posted == {"author": campaign.account.did, "text": text, "root": own.uri,
                      "parent": question.uri}
    record = _client(net, citizen).get_post_thread(question.uri).thread.replies[0].post.record
    features = sorted((f.features[0].py_type, text.encode()[f.index.byte_start:f.index.byte_end])
                      for f in record.facets)
    assert features == [
        ("app.bsky.richtext.facet#link", b"https://example.org/housing"),
        ("app.bsky.richtext.facet#mention", f"@{citizen.handle}".encode()),
        ("app.bsky.richtext.facet#tag", b"#rent"),
    ]
    assert (question.uri, "reply", "answered") in _items(any_store, campaign.actor)
    with any_store.begin() as conn:
        sent_id = conn.execute(select(outbound.c.platform_id)).scalar_one()
    assert sent_id.startswith(f"at://{campaign.account.did}/app.bsky.feed.post/")


def test_a_reply_made_in_the_bluesky_app_answers_the_item(
    any_store: Store, bluesky_network: BlueskyNetwork
) -> None:
    net = bluesky_network
    campaign = _campaign(any_store, net)
    citizen = net.create_account()
    question = net.mention(citizen, [campaign.account],
                           f"@{campaign.account.handle} is the library open on Sundays?")
    other = net.mention(citizen, [campaign.account], f"@{campaign.account.handle} and pools?")
    sync_connection(any_store, campaign.connection)
    net.reply(campaign.account, question, question, "From March, yes.")
    sync_connection(any_store, campaign.connection)
    assert _items(any_store, campaign.actor) == [
        (question.uri, "post", "answered"), (other.uri, "post", "new")]


def test_an_interrupted_sync_rerun_adds_nothing_twice(
    any_store: Store, bluesky_network: BlueskyNetwork, proxy: _ProxyServer
) -> None:
    net = bluesky_network
    campaign = _campaign(any_store, net, service=proxy.url)
    own = net.post(campaign.account, "Ask me anything about transit.")
    citizens = [net.create_account() for _ in range(3)]
    posted = [net.reply(c, own, own, f"Question {i} from {c.handle}?")
              for i, c in enumerate(citizens * 2)]
    # Pages of two replies, each read with its thread: the network fails from the third
    # thread on, so the first page is committed and the sync stops in the second.
    proxy.cut = {"getPostThread": [2, 100]}
    first = sync_connection(any_store, campaign.connection)
    assert first.error is not None and "502" in first.error
    assert first.added >= 2 and len(_items(any_store, campaign.actor)) == 2
    proxy.cut = {}
    again = sync_connection(any_store, campaign.connection)
    assert again.error is None
    assert sorted(u for u, _, _ in _items(any_store, campaign.actor)) == sorted(
        p.uri for p in posted)
    assert again.filed == 4 and _quarantined(any_store) == []
    last = sync_connection(any_store, campaign.connection)
    assert (last.added, last.filed) == (0, 0)
    with any_store.begin() as conn:
        copies = conn.execute(
            select(messages.c.platform_id, func.count()).group_by(messages.c.platform_id)
            .having(func.count() > 1)
        ).all()
    assert copies == []


def test_a_send_whose_answer_is_lost_is_not_posted_twice(
    store: Store, bluesky_network: BlueskyNetwork, proxy: _ProxyServer
) -> None:
    net = bluesky_network
    campaign = _campaign(store, net, service=proxy.url, timeout=2.0)
    citizen = net.create_account()
    question = net.mention(citizen, [campaign.account],
                           f"@{campaign.account.handle} where do I vote?")
    sync_connection(store, campaign.connection)
    with store.begin() as conn:
        reply(conn, campaign.actor, _item_of(store, campaign.actor, question.uri),
              "At the school on Elm Street, 7am to 8pm.")
    proxy.lose = {"createRecord": 1}  # the PDS writes the post; its answer never arrives
    assert deliver_due(store, campaign.actor.workspace_id) == {1: "sending"}
    assert proxy.lost.is_set()
    proxy.release.set()
    with store.begin() as conn:  # the retry's time has come
        conn.execute(outbound.update().values(retry_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert deliver_due(store, campaign.actor.workspace_id) == {1: "sent"}
    assert deliver_due(store, campaign.actor.workspace_id) == {}
    assert [r["text"] for r in _replies_on_pds(net, citizen, question.uri)] == [
        "At the school on Elm Street, 7am to 8pm."]
    assert _items(store, campaign.actor) == [(question.uri, "post", "answered")]


def test_a_retried_create_with_the_same_record_key_is_refused_by_the_pds(
    store: Store, bluesky_network: BlueskyNetwork, proxy: _ProxyServer
) -> None:
    """Even without asking first, a blind retry could not post twice: same record key."""
    from hustings.connectors.base import OutgoingReply
    from hustings.connectors.bluesky import BlueskyConnector, BlueskyOptions

    net = bluesky_network
    account = net.create_account()
    citizen = net.create_account()
    question = net.mention(citizen, [account], f"@{account.handle} is the bridge open?")
    connector = BlueskyConnector(
        BlueskyOptions.from_mapping(_settings(net.pds_url, account)), Secret(account.password),
        "test")
    out = OutgoingReply("Yes, since Monday.", question.uri, "key-1", datetime.now(UTC))
    first = connector.send(out)
    again = connector.send(out)  # the PDS refuses the key; the post found is the first
    assert again.platform_id == first.platform_id
    found = connector.find_sent(out)
    assert found is not None and found.platform_id == first.platform_id
    assert [r["text"] for r in _replies_on_pds(net, citizen, question.uri)] == [
        "Yes, since Monday."]


def test_a_post_deleted_before_we_read_it_is_skipped_and_the_rest_arrives(
    store: Store, bluesky_network: BlueskyNetwork
) -> None:
    net = bluesky_network
    campaign = _campaign(store, net)
    citizen = net.create_account()
    own = net.post(campaign.account, "Road works start Monday.")
    gone = net.reply(citizen, own, own, "Which roads? (deleted soon)")
    kept = net.reply(citizen, own, own, "Will the buses detour?")
    _client(net, citizen).delete_post(gone.uri)
    net.process_all()
    report = sync_connection(store, campaign.connection)
    assert report.error is None
    assert _items(store, campaign.actor) == [(kept.uri, "reply", "new")]
    assert _quarantined(store) == []


def test_a_reply_to_a_deleted_post_fails_with_the_reason_and_is_not_retried(
    store: Store, bluesky_network: BlueskyNetwork
) -> None:
    net = bluesky_network
    campaign = _campaign(store, net)
    citizen = net.create_account()
    question = net.mention(citizen, [campaign.account], f"@{campaign.account.handle} hello?")
    sync_connection(store, campaign.connection)
    _client(net, citizen).delete_post(question.uri)
    net.process_all()
    with store.begin() as conn:
        reply(conn, campaign.actor, _item_of(store, campaign.actor, question.uri), "Hello!")
    assert deliver_due(store, campaign.actor.workspace_id) == {1: "failed"}
    with store.begin() as conn:
        row = conn.execute(select(outbound.c.error, outbound.c.retry_at)).one()
    assert "is gone" in row.error and row.retry_at is None


def test_cli_connect_then_a_revoked_app_password_shows_on_connections(
    tmp_path: Path, bluesky_network: BlueskyNetwork
) -> None:
    net = bluesky_network
    account = net.create_account()
    owner = _client(net, account)
    app_password = owner.com.atproto.server.create_app_password({"name": "hustings"}).password
    secret = tmp_path / "app-password.txt"
    secret.write_text(app_password + "\n")
    db = ["--db", f"sqlite:///{tmp_path / 'h.db'}"]
    runner = CliRunner()
    made = runner.invoke(app, [*db, "users", "add", "owner@riding12.example", "--workspace",
                               "Riding 12", "--role", "owner", "--password-stdin"],
                         input="correct horse battery\n")
    assert made.exit_code == 0, made.output
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("abcd-efgh-ijkl-mnop")
    args = ["connect", "bluesky", "-w", "Riding 12", "--service", net.pds_url,
            "--handle", account.handle]
    refused = runner.invoke(app, [*db, *args, "--password-file", str(wrong)])
    assert refused.exit_code == 1
    assert "Bluesky refused the credentials" in refused.output
    assert "abcd-efgh" not in refused.output
    done = runner.invoke(app, [*db, *args, "--password-file", str(secret), "--json"])
    assert done.exit_code == 0, done.output
    assert orjson.loads(done.stdout)["account"] == account.handle
    owner.com.atproto.server.revoke_app_password({"name": "hustings"})
    from hustings.connectors import bluesky as connector_module

    connector_module._sessions.clear()  # a new process: no session kept in memory
    synced = runner.invoke(app, [*db, "sync", "-w", "Riding 12", "--once", "--json"])
    assert synced.exit_code == 1
    listed = runner.invoke(app, [*db, "connections", "-w", "Riding 12", "--json"])
    (health,) = [orjson.loads(line) for line in listed.stdout.splitlines()]
    assert health["status"] == "error"
    assert "Bluesky refused the credentials" in health["last_error"]
    assert app_password not in listed.output


def test_sync_follow_polls_a_connection_that_does_not_stream(
    store: Store, bluesky_network: BlueskyNetwork
) -> None:
    import time

    from hustings.connectors.connections import follow_connection

    net = bluesky_network
    campaign = _campaign(store, net)
    citizen = net.create_account()
    stop = threading.Event()
    follower = threading.Thread(
        target=follow_connection, args=(store, campaign.connection, stop),
        kwargs={"poll_every": 0.5}, daemon=True,
    )
    follower.start()
    try:
        question = net.mention(citizen, [campaign.account],
                               f"@{campaign.account.handle} are you following this?")
        deadline = time.monotonic() + 30
        while not _items(store, campaign.actor) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _items(store, campaign.actor) == [(question.uri, "post", "new")]
        assert follower.is_alive()
    finally:
        stop.set()
        follower.join(timeout=30)
    assert not follower.is_alive()
