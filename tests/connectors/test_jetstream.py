"""Bluesky followed live through Jetstream: real posts made on the local dev-env network,
sent as Jetstream's JSON commit events by a loopback WebSocket server (the network edge
is the only thing faked: Jetstream reads a relay on the internet), into a workspace whose
connection points at the real PDS.

Each test first follows once with nothing of its own on the stream (a stranger's post
sets the cursor, the first connection pulls the backlog from the PDS), then makes its
posts and follows again: the second connection resumes from the stored cursor, so what
arrives comes from the stream, not from a pull.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from hustings.connectors.connections import connect, follow_connection, list_connections
from hustings.connectors.secrets import Secret
from hustings.connectors.worker import start_worker
from hustings.store import Store
from hustings.store.schema import connections, inbox_items, messages, quarantine
from hustings.workspace import Actor, create_workspace
from tests.servers.fixtures import BLUESKY, Account, BlueskyNetwork, PostRef
from tests.servers.jetstream import (
    JetstreamReplay,
    Plan,
    account_event,
    delete_event,
    jetstream_event,
    read_record,
)

pytestmark = [pytest.mark.servers, BLUESKY]


@pytest.fixture(autouse=True)
def _secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")


@pytest.fixture
def jetstream() -> Iterator[JetstreamReplay]:
    server = JetstreamReplay()
    yield server
    server.close()


@dataclass
class Live:
    store: Store
    net: BlueskyNetwork
    stream: JetstreamReplay
    actor: Actor
    connection: int
    account: Account
    stranger: Account

    def events_of(self, *posts: PostRef) -> list[dict[str, Any]]:
        """The Jetstream events of posts made on the network, read back from the PDS."""
        return [jetstream_event(read_record(self.net.pds_url, p.uri)) for p in posts]

    def follow(self, connects: int = 1) -> int:
        return follow_connection(self.store, self.connection, threading.Event(), 0.01,
                                 max_connects=connects)

    def items(self) -> list[tuple[str, str]]:
        with self.store.begin() as conn:
            rows = conn.execute(
                select(messages.c.platform_id, inbox_items.c.kind)
                .join(messages, messages.c.id == inbox_items.c.message_id)
                .where(inbox_items.c.workspace_id == self.actor.workspace_id)
                .order_by(inbox_items.c.id)
            )
            return [(r.platform_id, r.kind) for r in rows]

    def stored(self, *posts: PostRef) -> list[int]:
        """How many times each post is stored (0: never read)."""
        with self.store.begin() as conn:
            return [
                len(conn.execute(select(messages.c.id)
                                 .where(messages.c.platform_id == p.uri)).all())
                for p in posts
            ]

    def cursor(self) -> dict[str, str]:
        with self.store.begin() as conn:
            found = conn.execute(select(connections.c.cursor)
                                 .where(connections.c.id == self.connection)).scalar()
            return dict(found or {})


@pytest.fixture
def live(any_store: Store, bluesky_network: BlueskyNetwork,
         jetstream: JetstreamReplay) -> Live:
    """A workspace following its Bluesky account through Jetstream, the first connection
    done (backlog pulled, cursor set by a stranger's post)."""
    net = bluesky_network
    account, stranger = net.create_account(), net.create_account()
    actor = Actor.system(create_workspace(any_store, f"Campaign {account.handle}").id)
    health = connect(any_store, actor, "bluesky", {
        "service": net.pds_url, "handle": account.handle, "jetstream": jetstream.url,
        "rewind": 2.0, "tries": 2, "backoff": 0.01, "timeout": 5.0,
    }, Secret(account.password))
    setup = Live(any_store, net, jetstream, actor, health.id, account, stranger)
    jetstream.publish(*setup.events_of(net.post(stranger, "Nice weather on the coast.")))
    assert setup.follow() == 1
    assert jetstream.cursors == [None]  # the first connection starts live ...
    assert "jetstream" in setup.cursor()  # ... and the stranger's post moved the cursor
    jetstream.go_live()
    return setup


def test_the_stream_keeps_what_involves_the_account_and_files_what_is_said_to_it(
    live: Live,
) -> None:
    net, me, citizen = live.net, live.account, live.net.create_account()
    own = net.post(me, "Town hall on housing tonight at 7.")
    answer = net.reply(citizen, own, own, "Will it be streamed?")
    question = net.mention(citizen, [me], f"@{me.handle} when do the bus lanes open?")
    elsewhere = net.post(live.stranger, "Unrelated chatter about football.")
    aside = net.reply(citizen, elsewhere, elsewhere, "Go team!")
    live.stream.publish(*live.events_of(own, answer, question, elsewhere, aside))
    assert live.follow() == 1
    assert live.stream.collections[-1] == ["app.bsky.feed.post"]
    assert live.items() == [(answer.uri, "reply"), (question.uri, "post")]
    assert live.stored(own, answer, question, elsewhere, aside) == [1, 1, 1, 0, 0]


def test_a_dropped_stream_reconnects_from_its_cursor_without_gap_or_duplicate(
    live: Live,
) -> None:
    net, me, citizen = live.net, live.account, live.net.create_account()
    first = net.mention(citizen, [me], f"@{me.handle} first question?")
    second = net.mention(citizen, [me], f"@{me.handle} second question?")
    third = net.mention(citizen, [me], f"@{me.handle} third question?")
    events = live.events_of(first, second, third)
    live.stream.publish(*events)
    live.stream.plans.append(Plan(cut_at=events[1]["time_us"]))  # dropped mid-second
    assert live.follow(connects=2) == 2
    assert live.items() == [(first.uri, "post"), (second.uri, "post"), (third.uri, "post")]
    assert live.stored(first, second, third) == [1, 1, 1]
    # The reconnection asked for the cursor of the first event, rewound by two seconds.
    assert live.stream.cursors[-1] == events[0]["time_us"] - 2_000_000
    assert live.cursor()["jetstream"] == str(events[2]["time_us"])
    with live.store.begin() as conn:
        (health,) = list_connections(conn, live.actor)
    # The stream's end (here, the fake's last connection closing) is the health shown.
    assert health.status == "error"
    assert health.last_error == "Jetstream stream ended; reconnecting from the cursor"


def test_a_duplicate_event_is_a_no_op(live: Live) -> None:
    me, citizen = live.account, live.net.create_account()
    question = live.net.mention(citizen, [me], f"@{me.handle} asked twice?")
    (event,) = live.events_of(question)
    live.stream.publish(event, {**event, "time_us": event["time_us"] + 1})
    live.follow()
    assert live.items() == [(question.uri, "post")]
    assert live.stored(question) == [1]


def test_events_of_unknown_accounts_and_account_events_are_ignored(live: Live) -> None:
    net = live.net
    chatter = net.post(live.stranger, "Nothing to do with the campaign.")
    other = net.create_account()
    mention_of_other = net.mention(live.stranger, [other], f"@{other.handle} hi")
    live.stream.publish(*live.events_of(chatter, mention_of_other),
                        account_event(live.stranger.did))
    live.follow()
    assert live.stored(chatter, mention_of_other) == [0, 0]
    assert live.items() == []
    with live.store.begin() as conn:
        assert conn.execute(select(quarantine.c.reason)).all() == []
    assert live.cursor()["jetstream"] == str(live.stream.history[-1]["time_us"])


def test_a_delete_of_a_stored_post_keeps_it_and_moves_on(live: Live) -> None:
    me, citizen = live.account, live.net.create_account()
    question = live.net.mention(citizen, [me], f"@{me.handle} posted then deleted?")
    later = live.net.mention(citizen, [me], f"@{me.handle} and still here?")
    (asked,) = live.events_of(question)
    live.stream.publish(asked, delete_event(question.uri), *live.events_of(later))
    live.follow()
    assert live.items() == [(question.uri, "post"), (later.uri, "post")]
    with live.store.begin() as conn:
        assert conn.execute(select(quarantine.c.reason)).all() == []
    assert live.cursor()["jetstream"] == str(live.stream.history[-1]["time_us"])


def test_the_worker_of_hustings_serve_follows_a_connection_with_a_jetstream_url(
    live: Live,
) -> None:
    me, citizen = live.account, live.net.create_account()
    question = live.net.mention(citizen, [me], f"@{me.handle} is this live?")
    live.stream.publish(*live.events_of(question))
    live.stream.plans.append(Plan(then_wait=True))  # a quiet stream, still open
    thread, stop = start_worker(live.store, pull_every=3600, send_every=0.2)
    try:
        deadline = time.monotonic() + 30
        while not live.items() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert live.items() == [(question.uri, "post")]
    finally:
        stop.set()
        live.stream.close()
        thread.join(timeout=30)


def test_a_reply_by_the_account_on_the_stream_answers_the_item(live: Live) -> None:
    me, citizen = live.account, live.net.create_account()
    question = live.net.mention(citizen, [me], f"@{me.handle} will you answer here?")
    answer = live.net.reply(me, question, question, "Yes: on Thursday.")
    live.stream.publish(*live.events_of(question))
    live.follow()
    live.stream.publish(*live.events_of(answer))
    live.follow()
    with live.store.begin() as conn:
        status = conn.execute(
            select(inbox_items.c.status)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(messages.c.platform_id == question.uri)
        ).scalar_one()
    assert status == "answered"
