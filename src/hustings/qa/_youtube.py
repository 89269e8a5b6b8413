"""YouTube live chat into an event's queue: the Data API's ``liveChatMessages.list`` within a
quota budget, and a quota-free reader of the web chat format as fallback.

``parse_api_page`` and ``parse_web_chat`` are pure (one decoded response in, chat lines out),
so what the tests prove on recorded responses is what runs live. ``poll`` drives the API:
it waits the longer of the page's ``pollingIntervalMillis`` and the budget's interval, stops
when the stream's chat has ended, and raises ``QuotaExhaustedError`` when the day's quota is
spent, which the caller answers by switching to the web reader.

The budget: each ``liveChatMessages.list`` call costs 5 units of a project's 10,000-unit
day; keeping an event within half a day (5,000 units, 1,000 calls) over 3 hours means one
call every 10.8 s at most, whatever shorter interval YouTube suggests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import httpx
from sqlalchemy import Connection

from hustings.errors import PlatformResponseError, PlatformUnavailableError, QuotaExhaustedError
from hustings.qa._chatvotes import chat_vote
from hustings.qa._detect import QuestionDetector, load_detector
from hustings.qa._queue import add_question

__all__ = [
    "CALL_COST",
    "ChatLine",
    "ChatPage",
    "QuotaBudget",
    "api_error",
    "parse_api_page",
    "parse_web_chat",
    "poll",
    "poll_pages",
    "take_questions",
]

CALL_COST: Final = 5
_ENDED: Final = frozenset({"liveChatEnded", "liveChatNotFound", "liveChatDisabled"})
_QUOTA: Final = frozenset({"quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded"})


@dataclass(frozen=True)
class ChatLine:
    """One chat message: its platform id, author's display name and channel id, text, time."""

    id: str
    author: str
    author_channel: str
    text: str
    published_at: datetime


@dataclass(frozen=True)
class ChatPage:
    lines: list[ChatLine]
    next_page_token: str | None
    polling_ms: int
    ended: bool = False


@dataclass(frozen=True)
class QuotaBudget:
    """How often the API may be called so an event of ``event_s`` seconds spends at most
    ``share`` of a ``daily_units`` day, at ``cost`` units a call (the YouTube comments
    connector budgets its day with the same rule: ``units`` a day, ``allows`` a call)."""

    event_s: float
    daily_units: int = 10_000
    share: float = 0.5
    cost: int = CALL_COST

    @property
    def units(self) -> int:
        return int(self.daily_units * self.share)

    @property
    def calls(self) -> int:
        return self.units // self.cost

    def allows(self, spent: int, cost: int | None = None) -> bool:
        """Whether a call of ``cost`` units still fits after ``spent`` units."""
        return spent + (self.cost if cost is None else cost) <= self.units

    @property
    def min_interval_s(self) -> float:
        return self.event_s / self.calls


def _api_text(snippet: dict[str, Any]) -> str | None:
    kind = snippet.get("type")
    if kind == "textMessageEvent":
        return str(snippet.get("textMessageDetails", {}).get("messageText", ""))
    if kind == "superChatEvent":
        comment = snippet.get("superChatDetails", {}).get("userComment")
        return str(comment) if comment else None
    return None  # memberships, stickers, deletions: not questions


def api_error(value: dict[str, Any], benign: frozenset[str] = frozenset()) -> bool:
    """Raise for a Data API error envelope: ``QuotaExhaustedError`` when its reason is the
    quota, else ``PlatformResponseError`` with the API's message; True (no raise) when a
    reason is one of ``benign`` (for chat: the stream ended). False without an error."""
    error = value.get("error")
    if not isinstance(error, dict):
        return False
    reasons = {e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)}
    if reasons & benign:
        return True
    if reasons & _QUOTA:
        raise QuotaExhaustedError(f"YouTube quota spent: {error.get('message', '')}")
    reason = ", ".join(sorted(str(r) for r in reasons if r))
    raise PlatformResponseError(
        f"YouTube error {error.get('code')}: {error.get('message')}"
        + (f" ({reason})" if reason else "")
    )


def parse_api_page(value: dict[str, Any]) -> ChatPage:
    """One ``liveChatMessages.list`` response (or its error envelope) as a page of lines.

    An error whose reason says the chat ended gives an empty page marked ``ended``; a quota
    reason raises ``QuotaExhaustedError``; any other error ``PlatformResponseError``.
    """
    if api_error(value, _ENDED):
        return ChatPage([], None, 0, ended=True)
    if value.get("kind") != "youtube#liveChatMessageListResponse":
        raise PlatformResponseError(f"not a live chat page: kind {value.get('kind')!r}")
    lines = []
    for item in value.get("items", []):
        snippet, author = item.get("snippet", {}), item.get("authorDetails", {})
        text = _api_text(snippet)
        if text:
            lines.append(
                ChatLine(
                    str(item["id"]),
                    str(author.get("displayName", "")),
                    str(author.get("channelId", snippet.get("authorChannelId", ""))),
                    text,
                    datetime.fromisoformat(snippet["publishedAt"].replace("Z", "+00:00")),
                )
            )
    ended = bool(value.get("offlineAt"))
    return ChatPage(lines, value.get("nextPageToken"), int(value["pollingIntervalMillis"]), ended)


def _runs(message: dict[str, Any]) -> str:
    return "".join(r.get("text", "") for r in message.get("runs", []))


def parse_web_chat(value: dict[str, Any]) -> ChatPage:
    """One response of YouTube's web chat (``get_live_chat``) as a page of lines.

    A response without a chat continuation is the one YouTube sends once a stream has
    ended: an empty page marked ``ended``. Replay pages wrap their actions in
    ``replayChatItemAction``; both are read alike.
    """
    body = value.get("response", value)
    chat = (body.get("continuationContents") or {}).get("liveChatContinuation")
    if not chat or not chat.get("continuations"):
        return ChatPage([], None, 0, ended=True)
    actions = list(chat.get("actions", []))
    flat: list[dict[str, Any]] = []
    for action in actions:
        flat += action.get("replayChatItemAction", {}).get("actions", [action])
    lines = []
    for action in flat:
        item = action.get("addChatItemAction", {}).get("item", {})
        renderer = item.get("liveChatTextMessageRenderer") or item.get(
            "liveChatPaidMessageRenderer"
        )
        if not renderer or "message" not in renderer:
            continue
        lines.append(
            ChatLine(
                str(renderer["id"]),
                str(renderer.get("authorName", {}).get("simpleText", "")),
                str(renderer.get("authorExternalChannelId", "")),
                _runs(renderer["message"]),
                datetime.fromtimestamp(int(renderer["timestampUsec"]) / 1e6, UTC),
            )
        )
    following = chat["continuations"][0]
    data = next(iter(following.values()))
    return ChatPage(lines, data.get("continuation"), int(data.get("timeoutMs", 5000)))


def poll_pages(
    client: httpx.Client,
    live_chat_id: str,
    budget: QuotaBudget,
    *,
    sleep: Callable[[float], object] = time.sleep,
    max_calls: int | None = None,
    stop: threading.Event | None = None,
) -> Iterator[ChatPage]:
    """Yield ``liveChatMessages.list`` pages (``client`` carries the base URL and the API
    key) until the chat ends, the budget's calls are spent, ``max_calls`` is hit or
    ``stop`` is set; between calls wait the longer of the page's ``pollingIntervalMillis``
    and the budget's interval."""
    token: str | None = None
    calls = 0
    limit = budget.calls if max_calls is None else min(max_calls, budget.calls)
    while calls < limit and not (stop is not None and stop.is_set()):
        params = {"liveChatId": live_chat_id, "part": "snippet,authorDetails"}
        if token:
            params["pageToken"] = token
        try:
            response = client.get("/youtube/v3/liveChat/messages", params=params)
        except httpx.HTTPError as exc:
            raise PlatformUnavailableError(f"YouTube unreachable: {exc}") from exc
        calls += 1
        try:
            page = parse_api_page(response.json())
        except ValueError as exc:
            if isinstance(exc, PlatformResponseError):
                raise
            raise PlatformResponseError(
                f"YouTube answered {response.status_code}, not JSON"
            ) from exc
        yield page
        if page.ended:
            return
        token = page.next_page_token
        sleep(max(page.polling_ms / 1000, budget.min_interval_s))


def poll(
    client: httpx.Client,
    live_chat_id: str,
    budget: QuotaBudget,
    *,
    sleep: Callable[[float], None] = time.sleep,
    max_calls: int | None = None,
) -> Iterator[ChatLine]:
    """The lines of ``poll_pages``'s pages, in order."""
    for page in poll_pages(client, live_chat_id, budget, sleep=sleep, max_calls=max_calls):
        yield from page.lines


def take_questions(
    conn: Connection,
    workspace_id: int,
    event_id: int,
    lines: list[ChatLine],
    detector: QuestionDetector | None = None,
) -> int:
    """Put the chat lines the detector calls questions into the event's queue (source
    ``youtube``, keyed by the chat message's id, so a replay adds nothing twice), and count
    each "+1" line as its author's vote (``chat_vote``); return how many lines were
    questions."""
    keep = (detector or load_detector()).is_question([line.text for line in lines])
    taken = 0
    for line, is_question in zip(lines, keep, strict=True):
        voter = f"youtube:{line.author_channel or line.author}"
        if chat_vote(conn, workspace_id, event_id, "youtube", line.text, voter) is not None:
            continue
        if is_question:
            add_question(
                conn, workspace_id, event_id, line.text, "youtube", line.author,
                source_id=line.id, author_id=line.author_channel or None,
            )  # fmt: skip
            taken += 1
    return taken
