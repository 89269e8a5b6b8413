"""Jetstream: Bluesky's network-wide event stream as JSON, followed live from a cursor.

Jetstream (``wss://jetstream2.us-east.bsky.network/subscribe`` and the other public
instances, or one a team runs itself) turns the relay's CBOR firehose into one JSON text
frame per event: ``{"did", "time_us", "kind": "commit" | "identity" | "account", ...}``.
Its cursor is time-based (``time_us``, microseconds since the epoch), so the same cursor
works on every instance, and a client that reconnects with ``?cursor=`` gets every event
from then on.

The stream is asked for posts only (``wantedCollections=app.bsky.feed.post``): its
``wantedDids`` filter keeps what the named accounts *do*, but a campaign needs what is
said *to* them, so every post of the network arrives and ``involves`` keeps those of the
tracked accounts, the replies in their threads, the quotes of their posts and the posts
that mention them, before any of it is parsed. The kept events go through the Bluesky
importer's ``parse_value``, the same mapping as a recorded Jetstream file.

The cursor. Each kept event carries the ``time_us`` it was read at, which the follower
stores with the event's units in one transaction; the rest of the network moves the
cursor too, at most once a second (``_CURSOR_EVERY``), so a quiet account does not rewind
hours of network on reconnecting. A reconnection asks for the stored cursor minus
``rewind`` seconds (Jetstream's own advice, for gapless playback across instances):
what is read twice is written again as a no-op. A first connection, or one whose cursor
is older than the instance keeps (``replay_hours``), starts live and says ``open`` so the
follower pulls the backlog from the PDS first; a resumed one says ``resume`` and pulls
nothing, since Jetstream replays the gap itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson
from websockets.exceptions import (
    ConnectionClosedOK,
    InvalidHandshake,
    InvalidURI,
    WebSocketException,
)
from websockets.sync.client import connect

from hustings.connectors.base import Cursor, Event
from hustings.errors import ConfigError, PlatformUnavailableError
from hustings.ingest.base import Parsed
from hustings.ingest.bluesky import POST, involves
from hustings.model import Quarantined

__all__ = ["CURSOR_KEY", "check_url", "follow", "start_of"]

CURSOR_KEY = "jetstream"
"""The connection cursor's key for the stream's ``time_us``."""

_CURSOR_EVERY = 1.0  # seconds between cursor-only events while nothing relevant arrives
_MAX_FRAME = 2**21  # Jetstream's largest events (long posts with facets) stay far below


def check_url(url: str) -> str:
    """A Jetstream subscribe URL (``ws://`` or ``wss://``), or ``ConfigError`` naming it."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.netloc:
        raise ConfigError(
            "jetstream must be a WebSocket URL such as "
            f"wss://jetstream2.us-east.bsky.network/subscribe: {url!r}"
        )
    return url


def start_of(cursor: Cursor, rewind: float, replay_hours: float,
             now: float | None = None) -> int | None:
    """The ``time_us`` to resume from: the stored cursor minus ``rewind`` seconds, or None
    to start live (no cursor, an unreadable one, or one older than the instance keeps)."""
    try:
        stored = int(cursor[CURSOR_KEY])
    except (KeyError, ValueError):
        return None
    now_us = int((time.time() if now is None else now) * 1_000_000)
    if now_us - stored > replay_hours * 3600 * 1_000_000:
        return None
    return max(0, stored - int(rewind * 1_000_000))


def _subscribe_url(url: str, start: int | None) -> str:
    parts = urlsplit(url)
    query = [("wantedCollections", POST)]
    if start is not None:
        query.append(("cursor", str(start)))
    extra = "&".join(p for p in (parts.query, urlencode(query)) if p)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/subscribe", extra, ""))


def _bad_frame(source: str, frame: str | bytes, reason: str) -> Event:
    text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
    bad = Quarantined(source, 0, "event", f"Jetstream event: {reason}", text[:500])
    return Event("event", (Parsed(position=0, quarantined=(bad,), unit="event"),))


def follow(
    url: str,
    start: int | None,
    watch: Collection[str],
    parse: Callable[[dict[str, Any], int], Parsed],
    source: str,
    open_timeout: float = 10.0,
) -> Iterator[Event]:
    """Events of the stream at ``url`` from ``start`` (``time_us``; None: live) that
    involve ``watch``, each parsed by ``parse(event, time_us)`` and carrying its cursor,
    until the stream drops (``PlatformUnavailableError``). See the module."""
    address = _subscribe_url(url, start)
    watched = frozenset(watch)
    unmarked: list[int] = []  # the newest time_us read but not yet handed on as a cursor
    try:
        with connect(address, open_timeout=open_timeout, max_size=_MAX_FRAME,
                     proxy=None, user_agent_header="hustings") as socket:
            yield Event("open" if start is None else "resume")
            last_mark = float("-inf")  # the first event marks where the stream is
            for frame in socket:
                try:
                    value = orjson.loads(frame)
                except orjson.JSONDecodeError as exc:
                    yield _bad_frame(source, frame, f"invalid JSON: {exc}")
                    continue
                if not isinstance(value, dict) or not isinstance(value.get("time_us"), int):
                    yield _bad_frame(source, frame, "not an event with a time_us")
                    continue
                at = value["time_us"]
                if involves(value, watched):
                    last_mark, unmarked = time.monotonic(), []
                    yield Event("event", (parse(value, at),), {CURSOR_KEY: str(at)})
                elif time.monotonic() - last_mark >= _CURSOR_EVERY:
                    last_mark, unmarked = time.monotonic(), []
                    yield Event("cursor", (), {CURSOR_KEY: str(at)})
                else:
                    unmarked = [at]
    except ConnectionClosedOK:
        pass
    except (InvalidURI, InvalidHandshake) as exc:
        raise PlatformUnavailableError(f"Jetstream at {url} refused the stream: {exc}") from None
    except (OSError, TimeoutError, WebSocketException) as exc:
        yield from _mark(unmarked)
        raise PlatformUnavailableError(
            f"Jetstream stream dropped ({type(exc).__name__}); reconnecting from the cursor"
        ) from None
    yield from _mark(unmarked)
    raise PlatformUnavailableError("Jetstream stream ended; reconnecting from the cursor")


def _mark(unmarked: list[int]) -> Iterator[Event]:
    """The cursor of the last events read, when the stream stops before it was handed on:
    everything read is done with, so a reconnection need not read it again."""
    if unmarked:
        yield Event("cursor", (), {CURSOR_KEY: str(unmarked[0])})
