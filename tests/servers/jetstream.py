"""A loopback stand-in for Jetstream's ``/subscribe`` WebSocket, fed with real records.

Jetstream itself cannot run here (it reads a relay over the internet), so this fakes only
the network edge: a WebSocket server that plays a history of Jetstream-shaped events the
way Jetstream does (``?cursor=`` replays every event from that ``time_us`` on; without a
cursor the stream starts live, at ``live_from``) and can drop a connection in the middle of
a frame. ``jetstream_event`` turns a record read from a real PDS (``getRecord``) into the
event Jetstream would have sent for its commit, so the posts come from the local dev-env
network (tests/servers/fixtures.py), not from hand-written JSON.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
from websockets.sync.server import Server, ServerConnection, serve

POST = "app.bsky.feed.post"


@dataclass(frozen=True)
class Plan:
    """What one connection gets: the events it asked for up to the one at ``cut_at``
    (``time_us``), of which half a frame is sent before the socket drops, or (None)
    everything it asked for and a clean close; ``then_wait`` keeps a connection open (as a
    quiet stream) until the server closes."""

    cut_at: int | None = None
    then_wait: bool = False


class JetstreamReplay:
    """The fake instance: ``history`` (events, ``time_us`` ascending), one ``Plan`` per
    connection (a clean full replay when none is left), and the cursor each connection
    asked for in ``cursors`` (None: live)."""

    def __init__(self) -> None:
        self.history: list[dict[str, Any]] = []
        self.plans: deque[Plan] = deque()
        self.cursors: list[int | None] = []
        self.collections: list[list[str]] = []
        self.live_from = 0
        self._closing = threading.Event()
        self._server: Server = serve(self._handle, "127.0.0.1", 0, compression=None)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/subscribe"

    def publish(self, *events: dict[str, Any]) -> None:
        self.history.extend(events)

    def go_live(self) -> None:
        """From now on a connection without a cursor gets only events published later."""
        self.live_from = len(self.history)

    def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        query = parse_qs(urlsplit(connection.request.path).query)
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        self.cursors.append(cursor)
        self.collections.append(query.get("wantedCollections", []))
        plan = self.plans.popleft() if self.plans else Plan()
        events = (self.history[self.live_from:] if cursor is None
                  else [e for e in self.history if e["time_us"] >= cursor])
        for event in events:
            frame = orjson.dumps(event)
            if event["time_us"] == plan.cut_at:
                _drop_mid_frame(connection.socket, frame)
                return
            connection.send(frame.decode())
        if plan.then_wait:
            self._closing.wait()
        connection.close()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()


def _drop_mid_frame(sock: socket.socket, payload: bytes) -> None:
    """Half of an unmasked text frame, then the TCP connection goes: no close frame."""
    length = len(payload)
    if length < 126:
        header = bytes([0x81, length])
    elif length < 2**16:
        header = bytes([0x81, 126]) + struct.pack("!H", length)
    else:
        header = bytes([0x81, 127]) + struct.pack("!Q", length)
    frame = header + payload
    sock.sendall(frame[: len(header) + length // 2])
    time.sleep(0.05)
    sock.shutdown(socket.SHUT_RDWR)
    sock.close()


_clock = [int(time.time() * 1_000_000)]


def next_time_us() -> int:
    """Increasing ``time_us`` values near now (Jetstream's cursor is wall-clock based)."""
    _clock[0] = max(_clock[0] + 1, int(time.time() * 1_000_000))
    return _clock[0]


def jetstream_event(record: dict[str, Any], time_us: int | None = None) -> dict[str, Any]:
    """The commit event Jetstream sends for a record (``{uri, cid, value}``, as
    ``com.atproto.repo.getRecord`` answers): its documented JSON shape."""
    did, collection, rkey = record["uri"][len("at://"):].split("/")
    return {
        "did": did,
        "time_us": time_us or next_time_us(),
        "kind": "commit",
        "commit": {
            "rev": rkey,
            "operation": "create",
            "collection": collection,
            "rkey": rkey,
            "record": record["value"],
            "cid": record["cid"],
        },
    }


def delete_event(uri: str, time_us: int | None = None) -> dict[str, Any]:
    did, collection, rkey = uri[len("at://"):].split("/")
    return {"did": did, "time_us": time_us or next_time_us(), "kind": "commit",
            "commit": {"rev": rkey, "operation": "delete", "collection": collection,
                       "rkey": rkey}}


def account_event(did: str, time_us: int | None = None) -> dict[str, Any]:
    at = time_us or next_time_us()
    return {"did": did, "time_us": at, "kind": "account",
            "account": {"active": True, "did": did, "seq": at % 10**9,
                        "time": "2026-12-07T20:00:00.000Z"}}


def read_record(pds_url: str, uri: str) -> dict[str, Any]:
    """A record as the PDS serves it (``com.atproto.repo.getRecord``), no login needed."""
    did, collection, rkey = uri[len("at://"):].split("/")
    answer = httpx.get(f"{pds_url}/xrpc/com.atproto.repo.getRecord",
                       params={"repo": did, "collection": collection, "rkey": rkey},
                       timeout=30)
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()
    return found
