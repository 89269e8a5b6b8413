"""X (Twitter) API v2 through tweepy: mentions, the account's own posts, DMs, hashtags.

Credentials. Either the four OAuth 1.0a keys of a developer app with read, write and
direct-message permission (consumer key and secret, the account's access token and
secret), given as one JSON object; or an OAuth 2.0 user access token (scopes
``tweet.read tweet.write users.read dm.read dm.write``), which X lets live two hours: when
it expires the health page says so and the account is connected again. The OAuth 1.0a
keys do not expire until revoked, so they are what a campaign should use.

Reading. Four kinds of feed, each with its own cursor (the newest id written):
``mentions`` (``GET /2/users/:id/mentions``), ``own`` (``GET /2/users/:id/tweets``,
replies included: an answer given in the X app marks its inbox item answered), ``dm``
(``GET /2/dm_events``) and one ``search:<tag>`` per monitored hashtag (recent search, for
Listen). X pages from the newest back: a pull walks back to the cursor (``since_id``; DM
events have none, so the walk stops at the first event at or below it), then yields the
pages oldest first, ``write_pages`` response pages to a transaction with the newest id
they hold, so a sync killed between them restarts after the last committed one and a
sync killed mid-walk starts the walk again (one transaction per ten pages rather than per
page: filing into the inbox costs per transaction, and a backfill is thousands of posts).
Every response page goes whole through the ``x-v2`` importer's ``parse_value``, the code
that reads twarc2 files. A first sync reads ``backfill_pages`` pages back per feed.

Budget. X bills reads per resource returned and caps a month's post reads; each sync
counts the posts, users and DM events it read, prices them at the connection's rates
(``post_read_usd``... defaults: X's pay-per-use prices of Dec 2026) and keeps the month's
total with the cursor. The health page shows it against the plan's monthly post cap
(``post_cap``) and, if set, the connection's own ``monthly_budget`` in US dollars: a sync
stops reading, with a clear error, when either is spent. Rate limits and the cap: see
``hustings.connectors._x_client``.

Sending. A reply is ``POST /2/tweets`` with ``in_reply_to_tweet_id``; an answer to a
direct message goes into its DM conversation (``POST /2/dm_conversations/:id/messages``).
X takes no idempotency key, so a send whose answer was lost is looked for before any
retry (``find_sent``): among the account's own recent posts for a reply to the same post
with the same text, or among the conversation's DM events for the same text from us.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import orjson

from hustings.connectors._x_client import Usage, XClient
from hustings.connectors.base import (
    Connector,
    ConnectorOptions,
    Cursor,
    Identity,
    OutgoingReply,
    Page,
    Sent,
)
from hustings.connectors.http import RetryPolicy
from hustings.connectors.secrets import Secret
from hustings.errors import (
    ConfigError,
    ConnectorError,
    PlatformResponseError,
    QuotaExhaustedError,
)
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Parsed, Where
from hustings.ingest.x import XV2Importer

__all__ = ["XConnector", "XOptions", "register_connectors"]

TWEET_FIELDS = ["author_id", "created_at", "conversation_id", "in_reply_to_user_id",
                "referenced_tweets", "entities", "lang", "source", "public_metrics"]
USER_FIELDS = ["username", "name", "description", "public_metrics", "created_at", "verified"]
EXPANSIONS = ["author_id", "in_reply_to_user_id", "referenced_tweets.id",
              "entities.mentions.username"]
DM_FIELDS = ["id", "text", "event_type", "created_at", "sender_id", "dm_conversation_id",
             "participant_ids", "referenced_tweets", "entities"]
_URL = re.compile(r"https?://\S+")
_me: dict[tuple[str, str], tuple[str, str, str | None]] = {}
_me_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class XOptions(ConnectorOptions):
    """``api``: X's API address. ``hashtags``: searched for Listen. ``post_cap``: the plan's
    monthly post reads (pay-per-use: 2,000,000; the legacy Basic tier: 10,000 or 15,000);
    ``monthly_budget``: US dollars this connection may spend on reads a month. Prices per
    resource read default to X's pay-per-use rates as published in December 2026."""

    api: str = "https://api.x.com"
    hashtags: tuple[str, ...] = ()
    direct_messages: bool = True
    page_size: int = 100
    backfill_pages: int = 2
    max_pages: int = 20
    write_pages: int = 10
    post_cap: int = 2_000_000
    monthly_budget: float | None = None
    post_read_usd: float = 0.005
    user_read_usd: float = 0.010
    dm_read_usd: float = 0.010
    timeout: float = 20.0
    tries: int = 5
    backoff: float = 1.0
    max_wait: float = 60.0

    def __post_init__(self) -> None:
        if not self.api.startswith(("http://", "https://")):
            raise ConfigError(f"api must be a URL such as https://api.x.com: {self.api!r}")
        if not 10 <= self.page_size <= 100:
            raise ConfigError(f"page_size must be 10 to 100, not {self.page_size}")
        if self.post_cap < 1:
            raise ConfigError("post_cap must be at least 1")


def _month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def _ids(body: dict[str, Any]) -> list[int]:
    data = body.get("data")
    items = data if isinstance(data, list) else []
    return [int(i["id"]) for i in items
            if isinstance(i, dict) and str(i.get("id", "")).isdigit()]


def _position(body: Any) -> int:
    digest = hashlib.blake2b(orjson.dumps(body, option=orjson.OPT_SORT_KEYS), digest_size=7)
    return int.from_bytes(digest.digest(), "big")


def _same_text(a: str, b: str) -> bool:
    """The same words, whatever X did to links (``t.co``) and spacing."""
    def norm(text: str) -> str:
        return " ".join(_URL.sub("", text).split())
    return norm(a) == norm(b)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class XConnector(Connector):
    name: ClassVar[str] = "x"
    title: ClassVar[str] = "X (Twitter)"
    description: ClassVar[str] = (
        "Reads an X account's mentions, its own posts and replies, its direct messages and "
        "chosen hashtags (recent search) through the X API v2 with tweepy, within the plan's "
        "monthly cap and the connection's budget; posts replies and answers DMs in their "
        "conversation; publishes the workspace's planned posts."
    )
    platform: ClassVar[str] = "x"
    Options: ClassVar[type[ConnectorOptions]] = XOptions
    requires: ClassVar[tuple[str, ...]] = (
        "OAuth 1.0a keys as JSON (consumer_key, consumer_secret, access_token, "
        "access_token_secret), or an OAuth 2.0 user access token",
    )
    server_setting: ClassVar[str] = "api"
    posts: ClassVar[bool] = True

    def __init__(self, options: ConnectorOptions, secret: Secret, source: str) -> None:
        super().__init__(options, secret, source)
        assert isinstance(options, XOptions)
        self.opts = options
        policy = RetryPolicy(tries=options.tries, base=options.backoff,
                             cap=max(60.0, options.backoff), timeout=options.timeout)
        self.client = XClient(options.api, secret, policy, options.max_wait)
        self.parser = XV2Importer()

    def close(self) -> None:
        self.client.close()

    def _parse(self, body: Any, unit: str) -> Parsed:
        return self.parser.parse_value(body, Where(self.source, _position(body), unit))

    # -- who -------------------------------------------------------------------------

    def _who(self, fresh: bool = False) -> tuple[str, str, str | None]:
        """The account's id, username and name (remembered per process: a user read)."""
        key = (self.opts.api, hashlib.blake2b(self.secret.reveal().encode(),
                                              digest_size=12).hexdigest())
        with _me_lock:
            found = None if fresh else _me.get(key)
        if found is not None:
            return found
        body = self.client.get_me(user_fields=USER_FIELDS)
        self.client.usage.count(body)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or not data.get("id") or not data.get("username"):
            raise PlatformResponseError("X answered /2/users/me without an account")
        found = (str(data["id"]), str(data["username"]), data.get("name"))
        with _me_lock:
            _me[key] = found
        return found

    def authenticate(self) -> Identity:
        uid, username, name = self._who(fresh=True)
        body = {"data": {"id": uid, "username": username, "name": name}}
        unit = self._parse(body, "account")
        return Identity(uid, username, name, (unit,))

    # -- reading ---------------------------------------------------------------------

    def _feeds(self, me: str) -> list[tuple[str, Callable[[str | None, str | None], Any]]]:
        common = {"expansions": EXPANSIONS, "tweet_fields": TWEET_FIELDS,
                  "user_fields": USER_FIELDS, "max_results": self.opts.page_size}

        def given(**params: Any) -> dict[str, Any]:
            return {k: v for k, v in params.items() if v is not None}

        feeds: list[tuple[str, Callable[[str | None, str | None], Any]]] = [
            ("mentions", lambda since, token: self.client.get_users_mentions(
                me, **common, **given(since_id=since, pagination_token=token))),
            ("own", lambda since, token: self.client.get_users_tweets(
                me, **common, **given(since_id=since, pagination_token=token))),
        ]
        if self.opts.direct_messages:
            feeds.append(("dm", lambda since, token: self.client.get_direct_message_events(
                dm_event_fields=DM_FIELDS, expansions=["sender_id"], user_fields=USER_FIELDS,
                max_results=self.opts.page_size, **given(pagination_token=token))))
        def search(name: str) -> Callable[[str | None, str | None], Any]:
            return lambda since, token: self.client.search_recent_tweets(
                f"#{name} -is:retweet", **common, **given(since_id=since, next_token=token))

        for tag in self.opts.hashtags:
            name = tag.lstrip("#").lower()
            feeds.append((f"search:{name}", search(name)))
        return feeds

    def pull(self, cursor: Cursor) -> Iterator[Page]:
        cursor = dict(cursor)
        self._base = self._month_so_far(cursor)
        me, _, _ = self._who()
        for feed, call in self._feeds(me):
            yield from self._walk(feed, call, cursor)
        yield Page("usage", (), self._stamped(cursor))

    def _walk(self, feed: str, call: Callable[[str | None, str | None], Any],
              cursor: Cursor) -> Iterator[Page]:
        since = cursor.get(feed)
        floor = int(since) if since and since.isdigit() else 0
        pages: list[dict[str, Any]] = []  # newest first
        token: str | None = None
        more = False
        try:
            for _ in range(self.opts.max_pages if since else self.opts.backfill_pages):
                self._check_budget()
                body = call(since if feed != "dm" else None, token)
                if not isinstance(body, dict):
                    raise PlatformResponseError(f"X answered the {feed} feed without JSON")
                self.client.usage.count(body)
                if feed == "dm" and isinstance(body.get("data"), list):
                    fresh = [e for e in body["data"]
                             if isinstance(e, dict) and int(e.get("id", 0) or 0) > floor]
                    stop = len(fresh) < len(body["data"])
                    body = {**body, "data": fresh}
                else:
                    stop = False
                if body.get("data") or body.get("errors"):
                    pages.append(body)
                token = (body.get("meta") or {}).get("next_token")
                more = bool(token) and not stop
                if not more or not body.get("data"):
                    break
        except ConnectorError:
            if pages:  # what was read is kept; the cursor waits for the whole walk
                units = tuple(self._parse(p, feed) for p in reversed(pages))
                yield Page(feed, units, self._stamped(cursor))
            raise
        if more and since:
            self._gap = f"{feed}: more than {self.opts.max_pages} pages new, older ones skipped"
        pages.reverse()
        step = self.opts.write_pages
        for start in range(0, len(pages), step):
            group = pages[start:start + step]
            newest = max((i for body in group for i in _ids(body)), default=0)
            if newest > int(cursor.get(feed) or 0):
                cursor[feed] = str(newest)
            yield Page(feed, tuple(self._parse(body, feed) for body in group),
                       self._stamped(cursor))

    # -- the budget ------------------------------------------------------------------

    def _month_so_far(self, cursor: Cursor) -> Usage:
        if cursor.get("month") != _month():
            return Usage()
        return Usage(posts=int(cursor.get("month_posts", "0")),
                     users=int(cursor.get("month_users", "0")),
                     dm_events=int(cursor.get("month_dm", "0")))

    def _cost(self, usage: Usage) -> float:
        o = self.opts
        return (usage.posts * o.post_read_usd + usage.users * o.user_read_usd
                + usage.dm_events * o.dm_read_usd)

    def _total(self) -> Usage:
        now, base = self.client.usage, getattr(self, "_base", Usage())
        return Usage(base.posts + now.posts, base.users + now.users,
                     base.dm_events + now.dm_events)

    def _check_budget(self) -> None:
        total = self._total()
        if total.posts >= self.opts.post_cap:
            raise QuotaExhaustedError(
                f"X: {total.posts:,} posts read this month, the plan's cap of "
                f"{self.opts.post_cap:,}: reading stops until next month"
            )
        budget = self.opts.monthly_budget
        if budget is not None and self._cost(total) >= budget:
            raise QuotaExhaustedError(
                f"X: this month's reads cost about ${self._cost(total):.2f}, the connection's "
                f"budget of ${budget:.2f}: reading stops until next month (raise "
                "monthly_budget to read more)"
            )

    def _stamped(self, cursor: Cursor) -> Cursor:
        """``cursor`` with the month's usage and the health page's notice."""
        now, total = self.client.usage, self._total()
        cursor.update(month=_month(), month_posts=str(total.posts),
                      month_users=str(total.users), month_dm=str(total.dm_events))
        share = total.posts / self.opts.post_cap
        notice = (
            f"last sync read {now.posts:,} posts, {now.dm_events:,} DM events and "
            f"{now.users:,} users (about ${self._cost(now):.2f}); this month "
            f"{total.posts:,} posts, {share:.2%} of the {self.opts.post_cap:,}-post cap"
        )
        if self.opts.monthly_budget is not None:
            spent = self._cost(total)
            notice += (f", ${spent:.2f} of the ${self.opts.monthly_budget:.2f} budget "
                       f"({spent / max(self.opts.monthly_budget, 0.01):.0%})")
        gap = getattr(self, "_gap", None)
        cursor["notice"] = f"{notice}; {gap}" if gap else notice
        return dict(cursor)

    # -- sending ---------------------------------------------------------------------

    def send(self, reply: OutgoingReply) -> Sent:
        me, _, _ = self._who()
        if reply.direct:
            if not reply.thread:
                raise PlatformResponseError(
                    "X: the conversation of this direct message is unknown; answer it in X"
                )
            body = self.client.create_direct_message(dm_conversation_id=reply.thread,
                                                     text=reply.text)
            data = (body or {}).get("data") or {}
            event = {"id": data.get("dm_event_id"), "event_type": "MessageCreate",
                     "text": reply.text, "sender_id": me, "created_at": _stamp(datetime.now(UTC)),
                     "dm_conversation_id": data.get("dm_conversation_id") or reply.thread}
            return self._sent({"data": [event]}, "the direct message")
        body = self.client.create_tweet(text=reply.text,
                                        in_reply_to_tweet_id=reply.in_reply_to_id)
        data = (body or {}).get("data") or {}
        tweet: dict[str, Any] = {"id": data.get("id"), "text": data.get("text", reply.text),
                                 "author_id": me, "created_at": _stamp(datetime.now(UTC))}
        if reply.in_reply_to_id is not None:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply.in_reply_to_id}]
            tweet["conversation_id"] = reply.thread or reply.in_reply_to_id
        return self._sent({"data": [tweet]}, "the post")

    def _sent(self, body: dict[str, Any], what: str) -> Sent:
        unit = self._parse(body, "sent")
        if not unit.messages:
            reason = unit.quarantined[0].reason if unit.quarantined else "nothing"
            raise PlatformResponseError(f"X answered {what} with {reason}")
        return Sent(unit.messages[0].platform_id, (unit,))

    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        me, _, _ = self._who()
        since = reply.queued_at - timedelta(minutes=5)
        if reply.direct and reply.thread:
            body = self.client.get_direct_message_events(
                dm_conversation_id=reply.thread, dm_event_fields=DM_FIELDS, max_results=50)
            for event in (body or {}).get("data") or []:
                if (isinstance(event, dict) and event.get("sender_id") == me
                        and _same_text(str(event.get("text", "")), reply.text)):
                    return self._sent({"data": [event]}, "the direct message")
            return None
        body = self.client.get_users_tweets(me, start_time=since, max_results=20,
                                            tweet_fields=TWEET_FIELDS)
        for tweet in (body or {}).get("data") or []:
            if not isinstance(tweet, dict):
                continue
            parent = next((r.get("id") for r in tweet.get("referenced_tweets") or []
                           if isinstance(r, dict) and r.get("type") == "replied_to"), None)
            if parent == reply.in_reply_to_id and _same_text(str(tweet.get("text", "")),
                                                             reply.text):
                return self._sent({"data": [tweet]}, "the post")
        return None


@hookimpl
def register_connectors() -> list[type[Connector]]:
    return [XConnector]
