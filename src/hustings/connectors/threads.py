"""Threads (Meta's Threads API over ``httpx``): the account's threads, the replies to them,
its mentions; replies.

Reading. ``threads`` and ``mentions`` are listed newest first with ``since`` (a Unix time)
and cursor pages that carry no ``next`` link: a pull asks from the stored time, then
writes oldest first with its cursor, chunk by chunk. ``replies:<thread>`` reads each of the
``recent`` newest threads' whole conversation (``/{id}/conversation``, every depth) and
writes what is newer than the stored time.

Sending. A reply is two calls, as the API requires: a text container
(``POST /me/threads`` with ``reply_to_id``), then ``POST /me/threads_publish`` with its
``creation_id``. Only the second publishes; a container left unpublished expires. No
idempotency key exists, so before a retry ``find_sent`` looks for the text among the
account's own replies (``/me/replies``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from hustings.connectors.base import (
    Connector,
    ConnectorOptions,
    Cursor,
    Identity,
    OutgoingReply,
    Page,
    Sent,
)
from hustings.connectors.graph import GraphClient, MetaCredentials, position_of
from hustings.connectors.http import RetryPolicy
from hustings.connectors.meta import GraphOptions
from hustings.errors import PlatformResponseError
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Parsed, Where
from hustings.ingest.meta import ThreadsImporter
from hustings.ingest.readers import parse_time
from hustings.model import Account

__all__ = ["ThreadsConnector", "ThreadsOptions", "register_connectors"]

_FIELDS = ("id,text,timestamp,username,permalink,media_type,is_reply,replied_to,root_post,"
           "is_quote_post")


@dataclass(frozen=True, slots=True)
class ThreadsOptions(GraphOptions):
    server: str = "https://graph.threads.net"
    api_version: str = "v1.0"


def _unix(value: Any) -> int:
    return int(parse_time(value).timestamp())


class ThreadsConnector(Connector):
    name: ClassVar[str] = "threads"
    title: ClassVar[str] = "Threads"
    description: ClassVar[str] = (
        "Reads a Threads account's threads, the replies to them and its mentions through "
        "the Threads API, and publishes replies and the workspace's planned posts."
    )
    platform: ClassVar[str] = "threads"
    server_setting: ClassVar[str] = "server"
    Options: ClassVar[type[ConnectorOptions]] = ThreadsOptions
    requires: ClassVar[tuple[str, ...]] = (
        "Threads user access token (threads_basic, threads_read_replies, "
        "threads_manage_replies, threads_manage_mentions, threads_content_publish)",
    )
    posts: ClassVar[bool] = True

    def __init__(self, options: ConnectorOptions, secret: Any, source: str) -> None:
        super().__init__(options, secret, source)
        assert isinstance(options, ThreadsOptions)
        self.opts = options
        policy = RetryPolicy(tries=options.tries, base=options.backoff,
                             cap=max(60.0, options.backoff), timeout=options.timeout)
        self.graph = GraphClient(options.base, MetaCredentials.of(secret), policy, "Threads")
        self.parser = ThreadsImporter()
        self._me: Identity | None = None

    def close(self) -> None:
        self.graph.close()

    def _parse(self, value: Any, node: str | None) -> Parsed:
        return self.parser.parse_value(value, Where(self.source, position_of(value), "item",
                                                    node))

    def authenticate(self) -> Identity:
        raw = self.graph.get("/me", fields="id,username,name")
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("username"):
            raise PlatformResponseError("Threads answered /me without an id and username")
        account = Account(platform="threads", platform_id=str(raw["id"]),
                          handle=str(raw["username"]),
                          display_name=raw.get("name") if isinstance(raw.get("name"), str)
                          else None)
        assert account.handle is not None
        self._me = Identity(account.platform_id, account.handle, account.display_name,
                            (Parsed(position=0, accounts=(account,)),))
        return self._me

    def me(self) -> Identity:
        return self._me or self.authenticate()

    def _listed(self, path: str, since: str | None, node: str | None,
                own: bool = False) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"fields": _FIELDS, "limit": self.opts.page_size}
        if since is not None:
            params["since"] = since
        found: list[dict[str, Any]] = []
        for items, _after, _more in self.graph.pages(path, with_next=False, **params):
            found.extend(i for i in items if isinstance(i, dict) and i.get("timestamp")
                         and (since is None or _unix(i["timestamp"]) >= int(since)))
        if own:  # the account's own threads carry no owner: say whose they are
            me = self.me()
            found = [{**i, "owner": {"id": me.platform_id, "username": me.handle}}
                     for i in found]
        return sorted(found, key=lambda i: _unix(i["timestamp"]))

    def _chunks(self, feed: str, items: list[dict[str, Any]], node: str | None,
                cursor: Cursor) -> Iterator[Page]:
        size = max(1, self.opts.batch)
        for start in range(0, len(items), size):
            chunk = items[start:start + size]
            cursor[feed] = str(_unix(chunk[-1]["timestamp"]))
            yield Page(feed, tuple(self._parse(i, node) for i in chunk), dict(cursor))

    def pull(self, cursor: Cursor) -> Iterator[Page]:
        cursor = dict(cursor)
        me = self.me()
        new = self._listed("/me/threads", cursor.get("threads"), me.platform_id, own=True)
        yield from self._chunks("threads", new, me.platform_id, cursor)
        recent = self._listed("/me/threads", None, me.platform_id, own=True)
        recent = recent[-self.opts.recent:]
        for thread in recent:  # who wrote each watched thread, for the replies that follow
            self._parse(thread, me.platform_id)
        watched = {f"replies:{t['id']}" for t in recent}
        for key in [k for k in cursor if k.startswith("replies:") and k not in watched]:
            del cursor[key]
        for thread in recent:
            feed = f"replies:{thread['id']}"
            replies = self._listed(f"/{thread['id']}/conversation", cursor.get(feed),
                                   str(thread["id"]))
            yield from self._chunks(feed, replies, str(thread["id"]), cursor)
        mentions = self._listed("/me/mentions", cursor.get("mentions"), None)
        yield from self._chunks("mentions", mentions, None, cursor)

    def send(self, reply: OutgoingReply) -> Sent:
        me = self.me()
        body: dict[str, Any] = {"media_type": "TEXT", "text": reply.text}
        if reply.in_reply_to_id is not None:
            body["reply_to_id"] = reply.in_reply_to_id
        container = self.graph.post("/me/threads", body)
        if not isinstance(container, dict) or not container.get("id"):
            raise PlatformResponseError("Threads answered the container without an id")
        made = self.graph.post("/me/threads_publish", {"creation_id": container["id"]})
        if not isinstance(made, dict) or not made.get("id"):
            raise PlatformResponseError("Threads answered the publish without an id")
        value = {"id": made["id"], "text": reply.text,
                 "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                 "owner": {"id": me.platform_id, "username": me.handle}}
        if reply.in_reply_to_id is not None:
            value["replied_to"] = {"id": reply.in_reply_to_id}
        return self._sent(value)

    def _sent(self, value: dict[str, Any]) -> Sent:
        unit = self._parse(value, None)
        if not unit.messages:
            raise PlatformResponseError("Threads answered the reply with nothing readable")
        return Sent(unit.messages[0].platform_id, (unit,))

    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        me = self.me()
        path = "/me/replies" if reply.in_reply_to_id else "/me/threads"
        items = self.graph.get(path, fields=_FIELDS, limit=50).get("data")
        for item in items or []:
            if not isinstance(item, dict) or str(item.get("text") or "").strip() != \
                    reply.text.strip():
                continue
            parent = (item.get("replied_to") or {}).get("id")
            if reply.in_reply_to_id is None or str(parent) == reply.in_reply_to_id:
                return self._sent({**item, "owner": {"id": me.platform_id,
                                                     "username": me.handle}})
        return None


@hookimpl
def register_connectors() -> list[type[Connector]]:
    return [ThreadsConnector]
