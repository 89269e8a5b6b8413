"""YouTube: comment threads on the channel's videos and their replies, answered in place.

Credentials. An OAuth 2.0 client of a Google Cloud project with the YouTube Data API v3
enabled, and a refresh token for the channel's Google account with the
``https://www.googleapis.com/auth/youtube.force-ssl`` scope (reading comments with
``moderationStatus`` and posting replies need it), given as one JSON object
``{"client_id", "client_secret", "refresh_token"}``: access tokens live an hour, so the
connector asks ``token_url`` for a new one when it needs one (kept in memory per process,
never stored). A bare access token is accepted for a quick try; it stops working within
the hour and the health page then says to connect again, as it does when Google refuses
the refresh token (revoked, or expired: a project left in "Testing" gets 7-day tokens).

Reading. One feed, ``threads``: ``commentThreads.list`` with
``allThreadsRelatedToChannelId`` (the channel's videos and the channel itself), newest
first, walked back to the cursor (the latest comment time written); a thread with more
replies than the five YouTube embeds has them read with ``comments.list`` by
``parentId``. Threads are then written oldest activity first, in pages of ``page_size``,
each with the latest time it holds, so a sync killed midway restarts after the last
committed page; a thread at exactly the cursor is read again, a no-op. Every response goes
through the ``youtube-data`` importer's ``parse_value``. YouTube orders threads by the
time of their top-level comment, so a new reply to a thread older than the cursor is read
only when that thread is listed again (a new top-level comment near it, or a backfill).

Quota. A project has 10,000 units a day (reset at midnight Pacific time); a list call
costs 1 unit, a reply 50 (``comments.insert``), and Live Q&A's chat polling draws on the
same day. The connection spends at most ``quota_share`` of ``daily_quota`` a day, by the
``QuotaBudget`` rule Live Q&A uses: a sync that would exceed it stops with a clear
error; what it used shows on the health page. A 403 ``quotaExceeded`` from YouTube is a
``QuotaExhaustedError`` (retrying today cannot help), never a refused credential.

Sending. ``comments.insert`` with the thread's id as ``parentId`` (a reply to a reply goes
to its thread, as YouTube threads are one level deep). YouTube takes no idempotency key:
a send whose answer was lost is looked for among the thread's replies before any retry.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx
import orjson

from hustings.connectors.base import (
    Connector,
    ConnectorOptions,
    Cursor,
    Identity,
    OutgoingReply,
    Page,
    Sent,
)
from hustings.connectors.http import Http, RetryPolicy, json_of
from hustings.connectors.secrets import Secret
from hustings.errors import (
    ConfigError,
    ConnectorError,
    CredentialsError,
    PlatformResponseError,
    PlatformUnavailableError,
    QuotaExhaustedError,
)
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Parsed, Where
from hustings.ingest.readers import RecordError, parse_time
from hustings.ingest.youtube import YouTubeImporter
from hustings.qa._youtube import QuotaBudget, api_error

__all__ = ["YouTubeConnector", "YouTubeOptions", "register_connectors"]

_PLATFORM = "YouTube"
_PACIFIC = ZoneInfo("America/Los_Angeles")
_INSERT_COST = 50
_REFRESH_KEYS = ("client_id", "client_secret", "refresh_token")
_tokens: dict[str, tuple[str, float]] = {}
_channels: dict[str, str] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class YouTubeOptions(ConnectorOptions):
    """``api``: the Data API's address; ``token_url``: Google's OAuth token endpoint.
    ``daily_quota``: the project's units a day; ``quota_share``: how much of it this
    connection may spend (the rest is left for Live Q&A and other uses)."""

    api: str = "https://www.googleapis.com"
    token_url: str = "https://oauth2.googleapis.com/token"
    page_size: int = 100
    backfill_pages: int = 2
    max_pages: int = 20
    daily_quota: int = 10_000
    quota_share: float = 0.5
    timeout: float = 20.0
    tries: int = 5
    backoff: float = 1.0

    def __post_init__(self) -> None:
        for name in ("api", "token_url"):
            if not getattr(self, name).startswith(("http://", "https://")):
                raise ConfigError(f"{name} must be a URL, not {getattr(self, name)!r}")
        if not 1 <= self.page_size <= 100:
            raise ConfigError(f"page_size must be 1 to 100, not {self.page_size}")
        if not 0 < self.quota_share <= 1:
            raise ConfigError(f"quota_share must be above 0 and at most 1: {self.quota_share}")


def _refine(response: httpx.Response) -> Exception | None:
    """YouTube's 4xx in its own words: a spent quota or a refused comment is not a refused
    credential (only 401 and a 403 for missing permission are)."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None
    if response.status_code == 401 or not isinstance(body, dict):
        return None
    errors = (body.get("error") or {}).get("errors") if isinstance(body.get("error"), dict) else []
    reasons = {e.get("reason") for e in errors or [] if isinstance(e, dict)}
    quota = reasons & {"quotaExceeded", "dailyLimitExceeded"}
    if response.status_code == 429 and not quota:
        return None  # a short rate limit: ``Http`` waits and retries
    if reasons & {"insufficientPermissions", "authError", "forbidden"} and not quota:
        return None
    try:
        api_error(body)
    except ConnectorError as exc:
        return exc
    return None


def _when(value: Any) -> datetime:
    try:
        return parse_time(value)
    except RecordError:
        return datetime.min.replace(tzinfo=UTC)


def _activity(thread: Mapping[str, Any]) -> datetime:
    """The latest time in a thread: its top-level comment's and its replies'."""
    snippet = thread.get("snippet") or {}
    top = (snippet.get("topLevelComment") or {}).get("snippet") or {}
    times = [_when(top.get("publishedAt")), _when(top.get("updatedAt"))]
    for reply in (thread.get("replies") or {}).get("comments") or []:
        inner = reply.get("snippet") or {} if isinstance(reply, dict) else {}
        times += [_when(inner.get("publishedAt")), _when(inner.get("updatedAt"))]
    return max(times)


def _position(value: Any) -> int:
    digest = hashlib.blake2b(orjson.dumps(value, option=orjson.OPT_SORT_KEYS), digest_size=7)
    return int.from_bytes(digest.digest(), "big")


class YouTubeConnector(Connector):
    name: ClassVar[str] = "youtube"
    title: ClassVar[str] = "YouTube"
    description: ClassVar[str] = (
        "Reads the comment threads on a YouTube channel's videos and their replies through "
        "the Data API v3, within a share of the project's daily quota, and answers comments "
        "in their thread."
    )
    platform: ClassVar[str] = "youtube"
    Options: ClassVar[type[ConnectorOptions]] = YouTubeOptions
    requires: ClassVar[tuple[str, ...]] = (
        "an OAuth client and refresh token as JSON (client_id, client_secret, "
        "refresh_token; scope youtube.force-ssl), or an access token",
    )
    server_setting: ClassVar[str] = "api"

    def __init__(self, options: ConnectorOptions, secret: Secret, source: str) -> None:
        super().__init__(options, secret, source)
        assert isinstance(options, YouTubeOptions)
        self.opts = options
        policy = RetryPolicy(tries=options.tries, base=options.backoff,
                             cap=max(60.0, options.backoff), timeout=options.timeout)
        self.http = Http(options.api.rstrip("/"),
                         lambda: {"Authorization": f"Bearer {self._access()}"},
                         policy, _PLATFORM, refine=_refine)
        self.parser = YouTubeImporter()
        self.budget = QuotaBudget(86_400, options.daily_quota, options.quota_share, cost=1)
        self.key = hashlib.blake2b(secret.reveal().encode(), digest_size=12).hexdigest()
        self.spent = 0
        self.today = 0

    def close(self) -> None:
        self.http.close()

    # -- credentials -----------------------------------------------------------------

    def _refreshable(self) -> dict[str, str] | None:
        raw = self.secret.reveal()
        if not raw.startswith("{"):
            return None
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise CredentialsError("the YouTube credentials are not valid JSON") from None
        missing = [k for k in _REFRESH_KEYS if not value.get(k)]
        if missing:
            raise CredentialsError(f"the YouTube credentials lack {', '.join(missing)}")
        return {k: str(value[k]) for k in _REFRESH_KEYS}

    def _access(self, fresh: bool = False) -> str:
        found = self._refreshable()
        if found is None:
            return self.secret.reveal()
        with _lock:
            token = None if fresh else _tokens.get(self.key)
        if token is not None and token[1] > time.time() + 60:
            return token[0]
        try:
            response = httpx.post(self.opts.token_url, data={**found,
                                  "grant_type": "refresh_token"}, timeout=self.opts.timeout)
        except httpx.HTTPError as exc:
            raise PlatformUnavailableError(
                f"Google's token endpoint did not answer ({type(exc).__name__})") from None
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict) or not body.get(
                "access_token"):
            said = body.get("error_description") or body.get("error") if isinstance(
                body, dict) else None
            raise CredentialsError(
                f"Google refused the refresh token (HTTP {response.status_code}: "
                f"{said or 'no reason'}): it was revoked or expired; connect the channel again"
            )
        access = str(body["access_token"])
        with _lock:
            _tokens[self.key] = (access, time.time() + float(body.get("expires_in", 3600)))
        return access

    # -- calls and the quota ---------------------------------------------------------

    def _call(self, method: str, path: str, params: Mapping[str, Any],
              cost: int = 1, **kwargs: Any) -> Any:
        if not self.budget.allows(self.today + self.spent, cost):
            raise QuotaExhaustedError(
                f"YouTube: this connection's {self.budget.units:,} units for today "
                f"({self.opts.quota_share:.0%} of the {self.opts.daily_quota:,}-unit day) "
                "are spent; it reads again after midnight Pacific time"
            )
        query = {k: v for k, v in params.items() if v is not None}
        for attempt in (0, 1):
            try:
                self.spent += cost
                response = self.http.request(method, path, params=query, **kwargs)
                return json_of(response, _PLATFORM)
            except CredentialsError:
                if attempt == 1 or self._refreshable() is None:
                    raise
                self._access(fresh=True)  # the access token expired early: once more
        raise AssertionError("unreachable")

    def _stamped(self, cursor: Cursor) -> Cursor:
        cursor.update(day=datetime.now(_PACIFIC).date().isoformat(),
                      day_units=str(self.today + self.spent))
        used = self.today + self.spent
        cursor["notice"] = (
            f"last sync used {self.spent:,} quota units; today (Pacific time) {used:,} of "
            f"the {self.budget.units:,} this connection may use "
            f"({used / max(self.budget.units, 1):.1%}; {self.opts.quota_share:.0%} of the "
            f"{self.opts.daily_quota:,}-unit day)"
        )
        return dict(cursor)

    def _channel(self, fresh: bool = False) -> tuple[str, dict[str, Any]]:
        with _lock:
            known = None if fresh else _channels.get(self.key)
        if known is not None:
            return known, {}
        body = self._call("GET", "/youtube/v3/channels",
                          {"part": "snippet,statistics", "mine": "true"})
        items = body.get("items") if isinstance(body, dict) else None
        if not items or not isinstance(items[0], dict) or not items[0].get("id"):
            raise PlatformResponseError(
                "YouTube answered channels.list?mine=true without a channel: does this "
                "Google account have one?")
        with _lock:
            _channels[self.key] = str(items[0]["id"])
        return str(items[0]["id"]), body

    def _parse(self, value: Any, unit: str) -> Parsed:
        return self.parser.parse_value(value, Where(self.source, _position(value), unit))

    def authenticate(self) -> Identity:
        channel, body = self._channel(fresh=True)
        unit = self._parse(body, "channel")
        account = next((a for a in unit.accounts if a.platform_id == channel), None)
        if account is None or account.handle is None:
            raise PlatformResponseError("YouTube answered channels.list without its channel")
        return Identity(channel, account.handle, account.display_name, (unit,))

    # -- reading ---------------------------------------------------------------------

    def pull(self, cursor: Cursor) -> Iterator[Page]:
        cursor = dict(cursor)
        day = datetime.now(_PACIFIC).date().isoformat()
        self.today = int(cursor.get("day_units", "0")) if cursor.get("day") == day else 0
        since = _when(cursor["threads"]) if cursor.get("threads") else None
        threads: list[dict[str, Any]] = []
        try:
            channel, _ = self._channel()
            threads = self._walk(channel, since)
            for thread in threads:
                self._all_replies(thread)
        except ConnectorError:
            if threads:  # what was read is kept; the cursor waits for the whole walk
                units = tuple(self._parse(t, "thread") for t in threads)
                yield Page("threads", units, self._stamped(cursor))
            else:
                self._stamped(cursor)
            raise
        threads.sort(key=_activity)
        size = self.opts.page_size
        for start in range(0, len(threads), size):
            chunk = threads[start:start + size]
            newest = max(_activity(t) for t in chunk)
            if since is None or newest > since:
                cursor["threads"] = newest.isoformat()
            yield Page("threads", tuple(self._parse(t, "thread") for t in chunk),
                       self._stamped(cursor))
        yield Page("quota", (), self._stamped(cursor))

    def _walk(self, channel: str, since: datetime | None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(self.opts.max_pages if since else self.opts.backfill_pages):
            body = self._call("GET", "/youtube/v3/commentThreads", {
                "part": "snippet,replies", "allThreadsRelatedToChannelId": channel,
                "maxResults": self.opts.page_size, "order": "time",
                "textFormat": "plainText", "pageToken": token,
            })
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise PlatformResponseError("YouTube answered commentThreads without items")
            older = [t for t in items if since is not None and _activity(t) < since]
            found += [t for t in items if t not in older]
            token = body.get("nextPageToken")
            if older or not token:
                break
        return found

    def _all_replies(self, thread: dict[str, Any]) -> None:
        """The thread's every reply, when YouTube embedded only some (at most five)."""
        snippet = thread.get("snippet") or {}
        embedded = (thread.get("replies") or {}).get("comments") or []
        if int(snippet.get("totalReplyCount") or 0) <= len(embedded):
            return
        replies: list[Any] = []
        token: str | None = None
        for _ in range(self.opts.max_pages):
            body = self._call("GET", "/youtube/v3/comments", {
                "part": "snippet", "parentId": thread.get("id"), "maxResults": 100,
                "textFormat": "plainText", "pageToken": token,
            })
            replies += body.get("items") or []
            token = body.get("nextPageToken")
            if not token:
                break
        thread["replies"] = {"comments": replies}

    # -- sending ---------------------------------------------------------------------

    def send(self, reply: OutgoingReply) -> Sent:
        parent = reply.thread or reply.in_reply_to_id
        if parent is None:
            raise PlatformResponseError("YouTube: a new comment needs a video; answer a comment")
        body = self._call("POST", "/youtube/v3/comments", {"part": "snippet"},
                          cost=_INSERT_COST,
                          json={"snippet": {"parentId": parent, "textOriginal": reply.text}})
        return self._sent(body)

    def _sent(self, comment: Any) -> Sent:
        unit = self._parse(comment, "sent")
        if not unit.messages:
            reason = unit.quarantined[0].reason if unit.quarantined else "nothing"
            raise PlatformResponseError(f"YouTube answered the reply with {reason}")
        return Sent(unit.messages[0].platform_id, (unit,))

    def find_sent(self, reply: OutgoingReply) -> Sent | None:
        channel, _ = self._channel()
        parent = reply.thread or reply.in_reply_to_id
        body = self._call("GET", "/youtube/v3/comments", {
            "part": "snippet", "parentId": parent, "maxResults": 100, "textFormat": "plainText",
        })
        since = reply.queued_at - timedelta(minutes=5)
        for comment in body.get("items") or []:
            snippet = comment.get("snippet") or {} if isinstance(comment, dict) else {}
            author = (snippet.get("authorChannelId") or {}).get("value")
            if (author == channel and _when(snippet.get("publishedAt")) >= since
                    and (snippet.get("textOriginal") or "").strip() == reply.text.strip()):
                return self._sent(comment)
        return None


@hookimpl
def register_connectors() -> list[type[Connector]]:
    return [YouTubeConnector]
