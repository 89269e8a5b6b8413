"""Facebook Pages and Instagram over the Graph API: posts, comments, replies, Messenger,
mentions; replies to comments, private replies and Messenger answers.

Reading (polling; webhooks, ``hustings.connectors.webhooks``, bring the same objects
sooner). Each feed keeps its own cursor:

* ``posts`` / ``media``: the newest ``created_time``/``timestamp`` written. The Graph lists
  newest first, so a pull reads back to the cursor, then writes oldest first, one chunk and
  its cursor per transaction: a sync killed midway restarts after the last chunk written.
* ``comments:<post>``: for the ``recent`` newest posts, every comment and reply
  (``filter=stream``, ``order=chronological``), page by page from the stored ``after``
  cursor, so only what is new is asked for. Instagram lists comments newest first with
  their replies nested, and new replies come under old comments: the comments of each
  recent media are read whole and those newer than ``comments:<media>`` written.
* ``conversations``: Messenger conversations updated since the stored time, with their
  latest messages.
* ``mentions`` (Instagram): the comment and media ids a mention webhook named, fetched
  through ``mentioned_comment``/``mentioned_media`` (the only way the API gives them).

Sending. A reply to a comment is a comment under it (``POST /{comment}/comments`` or
Instagram's ``/{comment}/replies``), or with ``private_replies`` a Messenger message to its
author (``recipient.comment_id``); a reply to a Messenger message is a ``RESPONSE`` message
to its sender. The Graph takes no idempotency key, so before any retry of a send whose
outcome is unknown, ``find_sent`` looks for the text among the account's own answers there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

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
from hustings.errors import ConfigError, PlatformResponseError
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Parsed, Where
from hustings.ingest.meta import FacebookImporter, InstagramImporter
from hustings.ingest.readers import parse_time
from hustings.model import Account

__all__ = [
    "FacebookConnector",
    "FacebookOptions",
    "InstagramConnector",
    "InstagramOptions",
    "register_connectors",
]

_FB_POST = "id,message,story,created_time,from,permalink_url,status_type"
_FB_COMMENT = "id,message,created_time,from,parent{id,from},permalink_url,message_tags"
_FB_MESSAGE = "id,message,created_time,from,to"
_IG_MEDIA = "id,caption,timestamp,username,permalink,media_type,comments_count"
_IG_COMMENT = "id,text,timestamp,username,from,parent_id,like_count"
_IG_COMMENTS = f"{_IG_COMMENT},replies{{{_IG_COMMENT}}}"


@dataclass(frozen=True, slots=True)
class GraphOptions(ConnectorOptions):
    """``server``: the Graph host (a test's replay server). ``recent``: how many of the
    newest posts are watched for new comments on each pull."""

    server: str = "https://graph.facebook.com"
    api_version: str = "v24.0"
    page_size: int = 100
    recent: int = 10
    batch: int = 1000
    """Items written per transaction: several API pages are gathered into one write (with
    the cursor of the last of them), since each write also files the inbox."""
    timeout: float = 20.0
    tries: int = 5
    backoff: float = 1.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.server)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"server must be a URL such as https://graph.facebook.com: "
                              f"{self.server!r}")

    @property
    def base(self) -> str:
        return f"{self.server.rstrip('/')}/{self.api_version.strip('/')}"


@dataclass(frozen=True, slots=True)
class FacebookOptions(GraphOptions):
    """``private_replies``: answer a comment privately (Messenger) instead of under it.
    ``conversations``: read the Page's Messenger conversations."""

    private_replies: bool = False
    conversations: bool = True


@dataclass(frozen=True, slots=True)
class InstagramOptions(GraphOptions):
    """``account_id``: the Instagram professional account, when the token is a Page's
    (Facebook Login); without it the token's own account (``/me``, Instagram Login)."""

    account_id: str | None = None


def _stamp(value: Any) -> str:
    """A Graph time as the cursor keeps it (UTC ISO), comparable as text."""
    return parse_time(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class _GraphConnector(Connector):
    """What the Facebook and Instagram connectors share."""

    server_setting: ClassVar[str] = "server"
    parser_class: ClassVar[type[FacebookImporter] | type[InstagramImporter]]
    time_field: ClassVar[str]

    def __init__(self, options: ConnectorOptions, secret: Any, source: str) -> None:
        super().__init__(options, secret, source)
        assert isinstance(options, GraphOptions)
        self.opts = options
        self.credentials = MetaCredentials.of(secret)
        policy = RetryPolicy(tries=options.tries, base=options.backoff,
                             cap=max(60.0, options.backoff), timeout=options.timeout)
        self.graph = GraphClient(options.base, self.credentials, policy, self.title)
        self.parser = self.parser_class()
        self._me: Identity | None = None

    def close(self) -> None:
        self.graph.close()

    def parse(self, value: Any, node: str | None) -> Parsed:
        return self.parser.parse_value(value, Where(self.source, position_of(value), "item",
                                                    node))

    def me(self) -> Identity:
        if self._me is None:
            self._me = self.authenticate()
        return self._me

    def _newest_first(self, path: str, fields: str, since: str | None) -> tuple[
            list[dict[str, Any]], list[dict[str, Any]]]:
        """``(new, recent)``: the items newer than ``since`` (oldest first), and the
        ``recent`` newest items (whose comments are watched)."""
        new: list[dict[str, Any]] = []
        recent: list[dict[str, Any]] = []
        for items, _after, _more in self.graph.pages(path, fields=fields,
                                                     limit=self.opts.page_size):
            done = False
            for item in items:
                if not isinstance(item, dict) or self.time_field not in item:
                    continue
                if len(recent) < self.opts.recent:
                    recent.append(item)
                # Items as old as the cursor come again (a no-op write): two posted in
                # the same second as the last one written must not be skipped.
                if since is not None and _stamp(item[self.time_field]) < since:
                    done = True
                else:
                    new.append(item)
            if done and len(recent) >= self.opts.recent:
                break
        new.sort(key=lambda i: _stamp(i[self.time_field]))
        return new, recent

    def _chunks(self, feed: str, items: list[dict[str, Any]], node: str,
                cursor: Cursor) -> Iterator[Page]:
        size = max(1, self.opts.batch)
        for start in range(0, len(items), size):
            chunk = items[start:start + size]
            cursor[feed] = _stamp(chunk[-1][self.time_field])
            yield Page(feed, tuple(self.parse(i, node) for i in chunk), dict(cursor))

    def _sent(self, value: dict[str, Any], node: str | None) -> Sent:
        unit = self.parse(value, node)
        if not unit.messages:
            reason = unit.quarantined[0].reason if unit.quarantined else "nothing"
            raise PlatformResponseError(f"{self.title} answered the send with {reason}")
        return Sent(unit.messages[0].platform_id, (unit,))


class FacebookConnector(_GraphConnector):
    name: ClassVar[str] = "facebook"
    title: ClassVar[str] = "Facebook"
    description: ClassVar[str] = (
        "Reads a Facebook Page's posts, their comments and replies and its Messenger "
        "conversations through the Graph API (polled, or pushed by a signed webhook), and "
        "answers comments (publicly or privately) and Messenger messages; publishes the "
        "workspace's planned posts."
    )
    platform: ClassVar[str] = "facebook"
    Options: ClassVar[type[ConnectorOptions]] = FacebookOptions
    requires: ClassVar[tuple[str, ...]] = (
        "Page access token (pages_read_engagement, pages_read_user_content, "
        "pages_manage_engagement, pages_messaging, pages_manage_posts)",
        "optional: app secret and webhook verify token",
    )
    posts: ClassVar[bool] = True
    parser_class = FacebookImporter
    time_field = "created_time"

    @property
    def fb(self) -> FacebookOptions:
        assert isinstance(self.opts, FacebookOptions)
        return self.opts

    def authenticate(self) -> Identity:
        raw = self.graph.get("/me", fields="id,name,username")
        if not isinstance(raw, dict) or not raw.get("id"):
            raise PlatformResponseError("Facebook answered /me without an id")
        page_id = str(raw["id"])
        handle = str(raw.get("username") or page_id)
        name = raw.get("name") if isinstance(raw.get("name"), str) else None
        account = Account(platform="facebook", platform_id=page_id, handle=handle,
                          display_name=name)
        self._me = Identity(page_id, handle, name, (Parsed(position=0, accounts=(account,)),))
        return self._me

    def pull(self, cursor: Cursor) -> Iterator[Page]:
        cursor = dict(cursor)
        page = self.me().platform_id
        new, recent = self._newest_first(f"/{page}/feed", _FB_POST, cursor.get("posts"))
        yield from self._chunks("posts", new, page, cursor)
        watched = {f"comments:{p['id']}" for p in recent}
        for key in [k for k in cursor if k.startswith("comments:") and k not in watched]:
            del cursor[key]
        for post in sorted(recent, key=lambda p: _stamp(p["created_time"])):
            yield from self._comments(str(post["id"]), cursor)
        if self.fb.conversations:
            yield from self._conversations(page, cursor)

    def _comments(self, post_id: str, cursor: Cursor) -> Iterator[Page]:
        feed = f"comments:{post_id}"
        units: list[Parsed] = []
        for items, after, more in self.graph.pages(
            f"/{post_id}/comments", cursor.get(feed), fields=_FB_COMMENT, filter="stream",
            order="chronological", limit=self.opts.page_size,
        ):
            units.extend(self.parse(i, post_id) for i in items)
            if after:
                cursor[feed] = after
            if len(units) >= self.opts.batch or not more:
                yield Page(feed, tuple(units), dict(cursor))
                units = []

    def _conversations(self, page: str, cursor: Cursor) -> Iterator[Page]:
        since = cursor.get("conversations")
        fields = f"id,updated_time,messages.limit({self.opts.page_size}){{{_FB_MESSAGE}}}"
        changed: list[dict[str, Any]] = []
        for items, _after, _more in self.graph.pages(
            f"/{page}/conversations", fields=fields, platform="messenger",
            limit=self.opts.page_size,
        ):
            fresh = [c for c in items if isinstance(c, dict) and c.get("updated_time")
                     and (since is None or _stamp(c["updated_time"]) >= since)]
            changed.extend(fresh)
            if len(fresh) < len(items):
                break
        for conversation in sorted(changed, key=lambda c: _stamp(c["updated_time"])):
            cursor["conversations"] = _stamp(conversation["updated_time"])
            yield Page("conversations", (self.parse(conversation, page),), dict(cursor))

    def send(self, reply: OutgoingReply) -> Sent:
        page = self.me().platform_id
        parent = reply.in_reply_to_id
        if parent is None:
            made = self.graph.post(f"/{page}/feed", {"message": reply.text})
            return self._sent({"id": made.get("id"), "message": reply.text,
                               "created_time": _now(), "from": {"id": page}}, page)
        if parent.startswith("m_"):
            psid = self._sender_of(parent, page)
            made = self.graph.post(f"/{page}/messages", {
                "recipient": {"id": psid}, "messaging_type": "RESPONSE",
                "message": {"text": reply.text},
            })
            return self._sent({"id": made.get("message_id"), "message": reply.text,
                               "created_time": _now(), "from": {"id": page},
                               "to": {"data": [{"id": psid}]}}, page)
        if self.fb.private_replies:
            made = self.graph.post(f"/{page}/messages", {
                "recipient": {"comment_id": parent}, "message": {"text": reply.text},
            })
            psid = str(made.get("recipient_id") or "")
            return self._sent({"id": made.get("message_id"), "message": reply.text,
                               "created_time": _now(), "from": {"id": page},
                               "to": {"data": [{"id": psid}] if psid else []}}, page)
        made = self.graph.post(f"/{parent}/comments", {"message": reply.text})
        return self._sent({"id": made.get("id"), "message": reply.text,
                           "created_time": made.get("created_time") or _now(),
                           "from": {"id": page}, "parent": {"id": parent}}, parent)

    def _sender_of(self, message_id: str, page: str) -> str:
        raw = self.graph.get(f"/{message_id}", fields="from,to")
        sender = str((raw.get("from") or {}).get("id") or "")
        if sender and sender != page:
            return sender
        to = [str(r.get("id")) for r in (raw.get("to") or {}).get("data") or []]
        if not to:
            raise PlatformResponseError("Facebook did not say who wrote that message")
        return to[0]

    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        page = self.me().platform_id
        parent = reply.in_reply_to_id
        text = reply.text.strip()
        if parent is None:
            items = self.graph.get(f"/{page}/feed", fields=_FB_POST, limit=25).get("data")
            node: str | None = page
        elif parent.startswith("m_") or self.fb.private_replies:
            query: dict[str, Any] = {"fields": f"messages.limit(25){{{_FB_MESSAGE}}}",
                                     "platform": "messenger", "limit": 25}
            if parent.startswith("m_"):
                query["user_id"] = self._sender_of(parent, page)
            conversations = self.graph.get(f"/{page}/conversations", **query).get("data")
            items = [m for c in conversations or [] if isinstance(c, dict)
                     for m in (c.get("messages") or {}).get("data") or []]
            node = page
        else:
            items = self.graph.get(f"/{parent}/comments", fields=_FB_COMMENT, filter="stream",
                                   order="reverse_chronological", limit=50).get("data")
            node = parent
        for item in items or []:
            if (isinstance(item, dict) and str((item.get("from") or {}).get("id")) == page
                    and str(item.get("message") or "").strip() == text):
                if parent is not None and not parent.startswith("m_") and "parent" not in item \
                        and not self.fb.private_replies:
                    item = {**item, "parent": {"id": parent}}
                return self._sent(item, node)
        return None


class InstagramConnector(_GraphConnector):
    name: ClassVar[str] = "instagram"
    title: ClassVar[str] = "Instagram"
    description: ClassVar[str] = (
        "Reads an Instagram professional account's media, their comments and replies, and "
        "the comments and media that mention it (named by its mention webhook) through the "
        "Graph API, and answers comments with replies under them."
    )
    platform: ClassVar[str] = "instagram"
    Options: ClassVar[type[ConnectorOptions]] = InstagramOptions
    requires: ClassVar[tuple[str, ...]] = (
        "access token (instagram_basic, instagram_manage_comments, "
        "instagram_manage_messages; through a Page or Instagram Login)",
        "optional: account_id, app secret and webhook verify token",
    )
    parser_class = InstagramImporter
    time_field = "timestamp"

    def _node(self) -> str:
        assert isinstance(self.opts, InstagramOptions)
        return self.opts.account_id or "me"

    def authenticate(self) -> Identity:
        raw = self.graph.get(f"/{self._node()}", fields="id,username,name")
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("username"):
            raise PlatformResponseError("Instagram answered without an id and username")
        account = Account(platform="instagram", platform_id=str(raw["id"]),
                          handle=str(raw["username"]),
                          display_name=raw.get("name") if isinstance(raw.get("name"), str)
                          else None)
        assert account.handle is not None
        self._me = Identity(account.platform_id, account.handle, account.display_name,
                            (Parsed(position=0, accounts=(account,)),))
        return self._me

    def pull(self, cursor: Cursor) -> Iterator[Page]:
        cursor = dict(cursor)
        me = self.me().platform_id
        new, recent = self._newest_first(f"/{me}/media", _IG_MEDIA, cursor.get("media"))
        yield from self._chunks("media", new, me, cursor)
        # The parser learns who wrote each watched media, for the comments that follow.
        for media in recent:
            self.parse(media, me)
        watched = {f"comments:{m['id']}" for m in recent}
        for key in [k for k in cursor if k.startswith("comments:") and k not in watched]:
            del cursor[key]
        for media in sorted(recent, key=lambda m: _stamp(m["timestamp"])):
            yield from self._comments(str(media["id"]), cursor)
        yield from self._mentions(me, cursor)

    def _comments(self, media_id: str, cursor: Cursor) -> Iterator[Page]:
        feed = f"comments:{media_id}"
        since = cursor.get(feed)
        fresh: list[tuple[str, dict[str, Any]]] = []
        for items, _after, _more in self.graph.pages(f"/{media_id}/comments",
                                                     fields=_IG_COMMENTS,
                                                     limit=self.opts.page_size):
            for item in items:
                if not isinstance(item, dict) or "timestamp" not in item:
                    continue
                times = [_stamp(item["timestamp"]), *(
                    _stamp(r["timestamp"]) for r in (item.get("replies") or {}).get("data") or []
                    if isinstance(r, dict) and r.get("timestamp"))]
                if since is None or max(times) >= since:
                    fresh.append((max(times), item))
        if not fresh:
            return
        fresh.sort(key=lambda pair: pair[0])
        cursor[feed] = fresh[-1][0]
        yield Page(feed, tuple(self.parse(i, media_id) for _, i in fresh), dict(cursor))

    def _mentions(self, me: str, cursor: Cursor) -> Iterator[Page]:
        pending = [p for p in cursor.get("mentions_pending", "").split(",") if p]
        while pending:
            kind, _, ident = pending[0].partition(":")
            edge = "mentioned_media.media_id" if kind == "media" else \
                "mentioned_comment.comment_id"
            inner = _IG_MEDIA if kind == "media" else f"{_IG_COMMENT},media{{id}}"
            field = f"{edge}({ident}){{{inner}}}"
            raw = self.graph.get(f"/{me}", fields=field)
            pending.pop(0)
            cursor["mentions_pending"] = ",".join(pending)
            yield Page("mentions", (self.parse(raw, me),), dict(cursor))

    def send(self, reply: OutgoingReply) -> Sent:
        me = self.me()
        parent = reply.in_reply_to_id
        if parent is None:
            raise ConfigError("Instagram posts need media: Hustings answers comments only")
        made = self.graph.post(f"/{parent}/replies", {"message": reply.text})
        return self._sent({"id": made.get("id"), "text": reply.text, "timestamp": _now(),
                           "from": {"id": me.platform_id, "username": me.handle},
                           "parent_id": parent}, None)

    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        me = self.me()
        parent = reply.in_reply_to_id
        if parent is None:
            return None
        items = self.graph.get(f"/{parent}/replies", fields=_IG_COMMENT).get("data")
        for item in items or []:
            if (isinstance(item, dict) and item.get("username") == me.handle
                    and str(item.get("text") or "").strip() == reply.text.strip()):
                return self._sent({**item, "parent_id": parent,
                                   "from": {"id": me.platform_id, "username": me.handle}},
                                  None)
        return None


@hookimpl
def register_connectors() -> list[type[Connector]]:
    return [FacebookConnector, InstagramConnector]
