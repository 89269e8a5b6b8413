"""Facebook Live comments into an event's queue, beside YouTube's live chat.

A Live video's comments are the Graph API's comments edge of the video
(``/{live-video-id}/comments``, ``filter=stream``, ``order=chronological``), read page after
page from the ``after`` cursor of the last page, so each poll asks only for what is new.
``parse_live_page`` is pure (one decoded answer in, chat lines out), so what the tests
prove on recorded answers is what runs live. ``poll`` waits ``interval`` seconds between
calls (Graph rate limits count calls per Page, not a daily quota as YouTube's do), and
ends once the video is no longer ``LIVE`` and no new comment came.

Requests go through the connectors' ``GraphClient``: the Page token in a header, the app
secret proof, and the Graph's errors (190: the token expired; 4, 17, 32, 613: back off).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection

from hustings.connectors.graph import GraphClient
from hustings.errors import PlatformResponseError
from hustings.ingest.meta import comment_id_of
from hustings.ingest.readers import parse_time
from hustings.qa._detect import QuestionDetector, load_detector
from hustings.qa._queue import add_question
from hustings.qa._youtube import ChatLine

__all__ = ["LivePage", "parse_live_page", "poll_live", "take_live_questions"]

SOURCE: Final = "facebook"
_FIELDS: Final = "id,message,created_time,from{id,name}"
_LIVE: Final = frozenset({"LIVE", "SCHEDULED_LIVE", "UNPUBLISHED"})


@dataclass(frozen=True)
class LivePage:
    lines: list[ChatLine]
    after: str | None


def parse_live_page(value: dict[str, Any]) -> LivePage:
    """One answer of a live video's comments edge as chat lines (a comment without text,
    a sticker or a photo, is not a question and is left out)."""
    if "error" in value:
        error = value["error"]
        raise PlatformResponseError(
            f"Facebook error {error.get('code')}: {error.get('message')}"
        )
    if not isinstance(value.get("data"), list):
        raise PlatformResponseError("not a comments page: no data list")
    lines = []
    for item in value["data"]:
        text = item.get("message") if isinstance(item, dict) else None
        found = comment_id_of(item)
        if not isinstance(text, str) or not text.strip() or found is None:
            continue
        author = item.get("from") if isinstance(item.get("from"), dict) else {}
        lines.append(ChatLine(
            found, str(author.get("name", "")), str(author.get("id", "")),
            text, parse_time(item["created_time"]),
        ))
    paging: dict[str, Any] = value["paging"] if isinstance(value.get("paging"), dict) else {}
    cursors: dict[str, Any] = (paging["cursors"] if isinstance(paging.get("cursors"), dict)
                               else {})
    after = cursors.get("after")
    return LivePage(lines, after if isinstance(after, str) else None)


def poll_live(
    graph: GraphClient,
    video_id: str,
    *,
    interval: float = 5.0,
    after: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_calls: int | None = None,
) -> Iterator[ChatLine]:
    """Yield the video's comments until it is no longer live and nothing new came, or
    ``max_calls`` comment pages were asked for."""
    calls = 0
    while max_calls is None or calls < max_calls:
        params: dict[str, Any] = {"fields": _FIELDS, "filter": "stream",
                                  "order": "chronological", "limit": 100}
        if after:
            params["after"] = after
        page = parse_live_page(graph.get(f"/{video_id}/comments", **params))
        calls += 1
        yield from page.lines
        after = page.after or after
        if not page.lines:
            status = graph.get(f"/{video_id}", fields="status").get("status")
            if status not in _LIVE:
                return
        sleep(interval)


def take_live_questions(
    conn: Connection,
    workspace_id: int,
    event_id: int,
    lines: list[ChatLine],
    detector: QuestionDetector | None = None,
) -> int:
    """Put the comments the detector calls questions into the event's queue (source
    ``facebook``, keyed by the comment's id, so a replay adds nothing twice); return how
    many were questions."""
    keep = (detector or load_detector()).is_question([line.text for line in lines])
    taken = 0
    for line, is_question in zip(lines, keep, strict=True):
        if is_question:
            add_question(conn, workspace_id, event_id, line.text, SOURCE, line.author,
                         source_id=line.id)
            taken += 1
    return taken
