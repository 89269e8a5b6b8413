"""Mastodon: mentions, direct conversations, hashtag timelines, the user stream, replies.

Reading. Three kinds of feed are pulled, each with its own cursor (the newest id seen):
``notifications`` (mentions only: ``types[]=mention``), ``conversations`` (direct
messages) and one ``tag:<name>`` per hashtag in the settings (for Listen). Each is walked
oldest first with ``min_id``, following the ``Link: rel="prev"`` header page by page, so a
cursor only ever moves forward and a sync killed mid-page restarts exactly where the last
committed page ended.

Streaming. ``/api/v1/streaming/user`` (Server-Sent Events) has no replay: a reconnect
cannot ask for what it missed. So ``stream`` reports ``open`` as soon as the server
accepts it, and the caller then pulls from the stored cursor: events that arrived while
no stream was open come from the pull, those after from the stream, and the overlap is
written twice, which the idempotent intake makes a no-op. An event cut off by a dropped
connection is discarded whole (only a blank line completes an event), never half-parsed.

Sending. A reply fetches the status it answers first, to keep its visibility (a reply to a
direct message stays direct, followers-only stays followers-only) and to mention its
author (on Mastodon a direct message reaches only the accounts it mentions). The POST
carries an ``Idempotency-Key``, which Mastodon honours for an hour; ``find_sent`` looks
for the reply among the account's own recent statuses.

Mastodon.py is not used: it turns responses into typed objects (dates parsed, ids cast),
so the importer, which reads the API's JSON, would not see what the server sent; the
same parser for recordings and live answers matters more than the convenience.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
import orjson

from hustings.connectors.base import (
    Connector,
    ConnectorOptions,
    Cursor,
    Event,
    Identity,
    OutgoingReply,
    Page,
    Sent,
)
from hustings.connectors.http import Http, RetryPolicy, json_of, link_params
from hustings.errors import ConfigError, PlatformResponseError, PlatformUnavailableError
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Parsed, Where
from hustings.ingest.mastodon import MastodonImporter, html_to_text
from hustings.model import Quarantined

__all__ = ["MastodonConnector", "MastodonOptions", "register_connectors"]

_STREAM_EVENTS = frozenset({"update", "status.update", "notification", "conversation"})


@dataclass(frozen=True, slots=True)
class MastodonOptions(ConnectorOptions):
    """``server``: the instance's URL. ``hashtags``: timelines to follow for Listen.
    ``streaming_url``: where the streaming API listens, if not on ``server``."""

    server: str
    hashtags: tuple[str, ...] = ()
    streaming_url: str | None = None
    page_size: int = 40
    timeout: float = 20.0
    tries: int = 5
    backoff: float = 1.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.server)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"server must be a URL such as https://mastodon.social: {self.server!r}"
            )


def _local(key: str) -> str:
    """A stored key ``host/123`` back to the server-local id ``123``."""
    return key.rsplit("/", 1)[-1]


def _newer(a: str | None, b: str) -> str:
    """The later of two ids (Mastodon ids are numbers in strings; compare as numbers)."""
    if a is None:
        return b
    if a.isdigit() and b.isdigit():
        return a if int(a) >= int(b) else b
    return max(a, b)


def _position(value: Any) -> int:
    """A stable place for a live object (its numeric id), for raw references and the
    quarantine's once-per-place rule."""
    found = value.get("id") if isinstance(value, dict) else None
    if isinstance(found, str) and found.isdigit() and len(found) < 19:
        return int(found)
    digest = hashlib.blake2b(orjson.dumps(value, option=orjson.OPT_SORT_KEYS), digest_size=7)
    return int.from_bytes(digest.digest(), "big")


class MastodonConnector(Connector):
    name: ClassVar[str] = "mastodon"
    title: ClassVar[str] = "Mastodon"
    description: ClassVar[str] = (
        "Reads an account's mentions, direct conversations and chosen hashtag timelines "
        "from a Mastodon server, live through the user stream, and posts replies that keep "
        "the visibility of the status they answer."
    )
    platform: ClassVar[str] = "mastodon"
    server_setting: ClassVar[str] = "server"
    stream_setting: ClassVar[str | None] = "streaming_url"
    Options: ClassVar[type[ConnectorOptions]] = MastodonOptions
    requires: ClassVar[tuple[str, ...]] = ("server", "access token (read, write:statuses)")
    streams: ClassVar[bool] = True

    def __init__(self, options: ConnectorOptions, secret: Any, source: str) -> None:
        super().__init__(options, secret, source)
        assert isinstance(options, MastodonOptions)
        self.opts = options
        self.host = urlsplit(options.server).netloc
        policy = RetryPolicy(
            tries=options.tries, base=options.backoff, cap=max(60.0, options.backoff),
            timeout=options.timeout,
        )
        self.http = Http(
            options.server.rstrip("/"),
            lambda: {"Authorization": f"Bearer {self.secret.reveal()}"},
            policy,
            "Mastodon",
        )
        self.parser = MastodonImporter()

    def close(self) -> None:
        self.http.close()

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return self.http.request("GET", path, params=dict(params or {}))

    def _parse(self, value: Any, unit: str = "item") -> Parsed:
        return self.parser.parse_value(
            value, Where(self.source, _position(value), unit, self.host)
        )

    def authenticate(self) -> Identity:
        raw = json_of(self._get("/api/v1/accounts/verify_credentials"), "Mastodon")
        unit = self._parse(raw, "account")
        if not unit.accounts or not unit.accounts[0].handle:
            reason = unit.quarantined[0].reason if unit.quarantined else "no account"
            raise PlatformResponseError(f"Mastodon answered verify_credentials with {reason}")
        account = unit.accounts[0]
        assert account.handle is not None
        return Identity(account.platform_id, account.handle, account.display_name, (unit,))

    def _feeds(self) -> list[tuple[str, str, dict[str, Any]]]:
        feeds = [
            ("notifications", "/api/v1/notifications", {"types[]": "mention"}),
            ("conversations", "/api/v1/conversations", {}),
        ]
        for tag in self.opts.hashtags:
            name = tag.lstrip("#").lower()
            feeds.append((f"tag:{name}", f"/api/v1/timelines/tag/{name}", {}))
        return feeds

    def pull(self, cursor: Cursor) -> Iterator[Page]:
        cursor = dict(cursor)
        for feed, path, extra in self._feeds():
            since = cursor.get(feed, "0")
            while True:
                params = {**extra, "min_id": since, "limit": self.opts.page_size}
                response = self._get(path, params)
                items = json_of(response, "Mastodon")
                if not isinstance(items, list):
                    raise PlatformResponseError(
                        f"Mastodon answered {path} with {type(items).__name__}, not a list"
                    )
                if not items:
                    break
                newest = (link_params(response, "prev") or {}).get("min_id")
                for item in items:
                    found = item.get("id") if isinstance(item, dict) else None
                    if feed == "conversations" and isinstance(item, dict):
                        last = item.get("last_status")
                        found = last.get("id") if isinstance(last, dict) else found
                    if isinstance(found, str) and not newest:
                        newest = _newer(newest, found)
                units = tuple(self._parse(item) for item in reversed(items))
                if not newest or newest == since:
                    yield Page(feed, units, dict(cursor))
                    break
                since = cursor[feed] = newest
                yield Page(feed, units, dict(cursor))

    def stream(self, cursor: Cursor, watch: Collection[str] = ()) -> Iterator[Event]:
        base = (self.opts.streaming_url or self.opts.server).rstrip("/")
        headers = {"Authorization": f"Bearer {self.secret.reveal()}"}
        timeout = httpx.Timeout(self.opts.timeout, read=max(60.0, self.opts.timeout))
        try:
            with httpx.stream(
                "GET", f"{base}/api/v1/streaming/user", headers=headers, timeout=timeout
            ) as response:
                if response.status_code != 200:
                    response.read()
                    json_of(response, "Mastodon streaming")  # raises with the reason
                yield Event("open")
                event, data = "message", list[str]()
                for line in response.iter_lines():
                    if line == "":
                        if data and event in _STREAM_EVENTS:
                            yield self._event(event, "\n".join(data))
                        event, data = "message", []
                    elif line.startswith(":"):
                        continue  # heartbeat
                    else:
                        name, _, rest = line.partition(":")
                        rest = rest[1:] if rest.startswith(" ") else rest
                        if name == "event":
                            event = rest.strip()
                        elif name == "data":
                            data.append(rest)
        except httpx.HTTPError as exc:
            raise PlatformUnavailableError(
                f"Mastodon stream dropped ({type(exc).__name__}); reconnecting from the cursor"
            ) from exc
        raise PlatformUnavailableError("Mastodon stream ended; reconnecting from the cursor")

    def _event(self, event: str, data: str) -> Event:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            bad = Quarantined(self.source, 0, "event", f"{event} event: invalid JSON: {exc}", data)
            return Event(event, (Parsed(position=0, quarantined=(bad,)),))
        return Event(event, (self._parse(value, "event"),))

    def send(self, reply: OutgoingReply) -> Sent:
        parent_id = _local(reply.in_reply_to_id)
        parent = json_of(self._get(f"/api/v1/statuses/{parent_id}"), "Mastodon")
        me = json_of(self._get("/api/v1/accounts/verify_credentials"), "Mastodon")
        author = parent.get("account") or {}
        text = reply.text
        acct = author.get("acct")
        mine = author.get("id") == me.get("id")
        if isinstance(acct, str) and not mine and f"@{acct}".lower() not in text.lower():
            text = f"@{acct} {text}"
        body = {
            "status": text,
            "in_reply_to_id": parent_id,
            "visibility": parent.get("visibility") or "public",
        }
        response = self.http.request(
            "POST",
            "/api/v1/statuses",
            json=body,
            headers={"Idempotency-Key": reply.idempotency_key},
        )
        return self._sent(json_of(response, "Mastodon"))

    def _sent(self, status: Any) -> Sent:
        unit = self._parse(status)
        if not unit.messages:
            reason = unit.quarantined[0].reason if unit.quarantined else "no status"
            raise PlatformResponseError(f"Mastodon answered the post with {reason}")
        return Sent(unit.messages[0].platform_id, (unit,))

    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        me = json_of(self._get("/api/v1/accounts/verify_credentials"), "Mastodon")
        statuses = json_of(
            self._get(
                f"/api/v1/accounts/{me['id']}/statuses",
                {"limit": 40, "exclude_reblogs": "true"},
            ),
            "Mastodon",
        )
        parent_id = _local(reply.in_reply_to_id)
        for status in statuses if isinstance(statuses, list) else []:
            if not isinstance(status, dict) or status.get("in_reply_to_id") != parent_id:
                continue
            content = status.get("content")
            text = html_to_text(content)[0] if isinstance(content, str) else ""
            if reply.text.strip() in text:
                return self._sent(status)
        return None


@hookimpl
def register_connectors() -> list[type[Connector]]:
    return [MastodonConnector]
