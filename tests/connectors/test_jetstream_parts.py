"""The Jetstream stream's parts without a Bluesky network: which events involve the tracked
accounts, the cursor's rewind, a socket dropped mid-frame, and the connector shape's
server and stream settings (one attribute each, no special cases), and a connect-time
check that fails fast."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from hustings.connectors import jetstream
from hustings.connectors.base import (
    Connector,
    ConnectorOptions,
    Cursor,
    Identity,
    OutgoingReply,
    Page,
    Sent,
)
from hustings.connectors.bluesky import BlueskyOptions
from hustings.connectors.connections import connect, list_connections
from hustings.connectors.secrets import Secret
from hustings.errors import ConfigError, PlatformUnavailableError
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Where
from hustings.ingest.bluesky import BlueskyImporter, involves
from hustings.plugins import connectors, plugin_manager
from hustings.store import Store
from hustings.workspace import Actor, create_workspace
from tests.servers.jetstream import JetstreamReplay, Plan, account_event, delete_event

ME = "did:plc:campaign"
CITIZEN = "did:plc:citizen"
MY_POST = f"at://{ME}/app.bsky.feed.post/3kaaaaaaaaa22"
THEIR_POST = f"at://{CITIZEN}/app.bsky.feed.post/3kbbbbbbbbb22"


def _post(did: str, rkey: str, **record: Any) -> dict[str, Any]:
    return {"did": did, "time_us": 1_700_000_000_000_000 + len(rkey), "kind": "commit",
            "commit": {"rev": rkey, "operation": "create", "collection": "app.bsky.feed.post",
                       "rkey": rkey, "cid": "bafyreib",
                       "record": {"$type": "app.bsky.feed.post", "text": "hi",
                                  "createdAt": "2026-12-07T20:00:00.000Z", **record}}}


def _ref(uri: str) -> dict[str, str]:
    return {"uri": uri, "cid": "bafyreia"}


@pytest.mark.parametrize(("event", "kept"), [
    (_post(ME, "3k1"), True),
    (_post(CITIZEN, "3k2", reply={"root": _ref(MY_POST), "parent": _ref(THEIR_POST)}), True),
    (_post(CITIZEN, "3k3", reply={"root": _ref(THEIR_POST), "parent": _ref(MY_POST)}), True),
    (_post(CITIZEN, "3k4", facets=[{"index": {"byteStart": 0, "byteEnd": 3}, "features": [
        {"$type": "app.bsky.richtext.facet#mention", "did": ME}]}]), True),
    (_post(CITIZEN, "3k5", embed={"$type": "app.bsky.embed.record",
                                  "record": _ref(MY_POST)}), True),
    (_post(CITIZEN, "3k6", reply={"root": _ref(THEIR_POST), "parent": _ref(THEIR_POST)}),
     False),
    (_post(CITIZEN, "3k7", facets="not a list"), False),
    (delete_event(THEIR_POST), False),
    (account_event(CITIZEN), False),
], ids=["by", "in-thread", "reply-to", "mention", "quote", "elsewhere", "malformed",
        "delete", "account"])
def test_an_event_is_kept_when_it_involves_a_tracked_account(
    event: dict[str, Any], kept: bool
) -> None:
    assert involves(event, {ME}) is kept


def test_a_jetstream_post_maps_as_the_same_post_from_a_file() -> None:
    event = _post(CITIZEN, "3k9", reply={"root": _ref(MY_POST), "parent": _ref(MY_POST)})
    (message,) = BlueskyImporter().parse_value(event, Where("live", 9, "event")).messages
    assert (message.platform_id, message.author_id, message.reply_to_id,
            message.reply_to_account_id, message.kind.value) == (
        f"at://{CITIZEN}/app.bsky.feed.post/3k9", CITIZEN, MY_POST, ME, "reply")


@pytest.mark.parametrize("event", [delete_event(MY_POST), account_event(ME)],
                         ids=["delete", "account"])
def test_deletes_and_account_events_are_read_as_nothing(event: dict[str, Any]) -> None:
    unit = BlueskyImporter().parse_value(event, Where("live", 1, "event"))
    assert (unit.messages, unit.quarantined) == ((), ())


def test_a_reconnection_rewinds_the_stored_cursor_unless_it_is_too_old() -> None:
    now = 1_800_000_000.0
    stored = {"jetstream": str(int(now * 1_000_000) - 60_000_000)}
    assert jetstream.start_of(stored, 5.0, 24.0, now) == int(now * 1_000_000) - 65_000_000
    assert jetstream.start_of(stored, 5.0, 0.01, now) is None  # older than the instance keeps
    assert jetstream.start_of({}, 5.0, 24.0, now) is None


def test_a_jetstream_setting_must_be_a_websocket_url() -> None:
    with pytest.raises(ConfigError, match="jetstream must be a WebSocket URL"):
        BlueskyOptions.from_mapping({"service": "https://bsky.social", "handle": "a.test",
                                     "jetstream": "https://jetstream.example/subscribe"})


@pytest.fixture
def replay() -> Iterator[JetstreamReplay]:
    server = JetstreamReplay()
    yield server
    server.close()


def test_a_socket_dropped_mid_frame_hands_on_what_came_before_then_says_so(
    replay: JetstreamReplay,
) -> None:
    first, second = _post(ME, "3ka"), _post(ME, "3kbb")
    replay.publish(first, second)
    replay.plans.append(Plan(cut_at=second["time_us"]))
    got = []
    parser = BlueskyImporter()
    with pytest.raises(PlatformUnavailableError, match="Jetstream stream dropped"):
        for event in jetstream.follow(
            replay.url, 1, {ME}, lambda v, at: parser.parse_value(v, Where("s", at, "event")),
            "s",
        ):
            got.append(event)
    assert [e.kind for e in got] == ["resume", "event"]
    assert got[1].cursor == {"jetstream": str(first["time_us"])}
    assert replay.collections == [["app.bsky.feed.post"]]


# -- the connector shape: server and stream settings, the connect-time check ----------------


@pytest.mark.parametrize("cls", list(connectors().values()))
def test_every_connector_names_its_server_setting_among_its_options(
    cls: type[Connector],
) -> None:
    names = {f.name for f in dataclasses.fields(cls.Options)}
    assert cls.server_setting in names
    assert cls.stream_setting is None or cls.stream_setting in names


@dataclass(frozen=True, slots=True)
class _RelayOptions(ConnectorOptions):
    instance: str


class _Relay(Connector):
    name: ClassVar[str] = "relay-test"
    title: ClassVar[str] = "Relay"
    description: ClassVar[str] = "Reads nothing: a plugin connector for a test."
    platform: ClassVar[str] = "relay-test"
    Options: ClassVar[type[ConnectorOptions]] = _RelayOptions
    requires: ClassVar[tuple[str, ...]] = ("instance",)
    server_setting: ClassVar[str] = "instance"

    def authenticate(self) -> Identity:
        return Identity("relay-1", "desk", None)

    def pull(self, cursor: Cursor) -> Iterator[Page]:
        return iter(())

    def send(self, reply: OutgoingReply) -> Sent:
        raise NotImplementedError

    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        return None


class _RelayPlugin:
    @hookimpl
    def register_connectors(self) -> list[type[Connector]]:
        return [_Relay]


def test_a_plugin_connectors_own_server_setting_shows_in_its_health(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    plugin = _RelayPlugin()
    plugin_manager().register(plugin, "relay-test")
    try:
        actor = Actor.system(create_workspace(store, "Relay desk").id)
        connect(store, actor, "relay-test", {"instance": "https://relay.example"},
                Secret("token"))
        with store.begin() as conn:
            (health,) = list_connections(conn, actor)
    finally:
        plugin_manager().unregister(plugin)
    assert health.server == "https://relay.example"


def _refusing_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again: connections are refused


def test_connecting_to_a_refusing_server_fails_at_once_saying_nothing_was_saved(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "test-app-secret-key")
    actor = Actor.system(create_workspace(store, "Fast").id)
    started = time.monotonic()
    with pytest.raises(PlatformUnavailableError) as caught:
        connect(store, actor, "mastodon", {"server": f"http://127.0.0.1:{_refusing_port()}"},
                Secret("token"))
    assert time.monotonic() - started < 2.0
    assert "nothing was saved" in str(caught.value)
    assert "retry later" not in str(caught.value)
    assert store.counts()["connections"] == 0
