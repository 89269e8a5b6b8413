"""The ``youtube-data`` importer: YouTube Data API v3 comment threads, comments, channels.

One input unit is one decoded API object: a list response (``commentThreadListResponse``,
``commentListResponse``, ``channelListResponse``), or one ``commentThread``, ``comment``
or ``channel`` resource. The YouTube connector hands its responses here, so a saved API
response and a live one are read by the same code.

How YouTube's comments become conversation:

* a top-level comment is a ``comment`` on the video (``reply_to_id`` is the video's id) and
  answers the channel that owns it (``reply_to_account_id``, from the thread's
  ``channelId``), so it lands in that channel's inbox; its thread id is the conversation;
* a reply answers its thread's top-level comment (``parentId``; YouTube threads are one
  level deep) and, when the thread is at hand, that comment's author, so a reply to the
  channel's own comment lands in its inbox too; ``@name`` in the text are mentions;
* the author's channel id is the author (display names change, channel ids do not).

An error envelope (``{"error": {...}}``) or a comment without its author, time or text is
quarantined with the API's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer, Parsed, Sample, Where
from hustings.ingest.readers import RecordError, guard, iter_json_units, parse_time
from hustings.model import Account, Message, MessageKind, Quarantined, RawRef, ReplyLink

__all__ = ["PLATFORM", "YouTubeImporter", "register_importers"]

PLATFORM = "youtube"
_MENTION = re.compile(r"(?:^|\s)@([\w.\-]{3,30})")
_LISTS = {
    "youtube#commentThreadListResponse", "youtube#commentListResponse",
    "youtube#channelListResponse",
}


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{what} is not an object")
    return value


def _author(snippet: dict[str, Any]) -> str | None:
    found = snippet.get("authorChannelId")
    value = found.get("value") if isinstance(found, dict) else found
    return str(value) if value else None


def _account(snippet: dict[str, Any]) -> Account | None:
    author = _author(snippet)
    if author is None:
        return None
    name = snippet.get("authorDisplayName")
    name = str(name) if name else None
    return Account(platform=PLATFORM, platform_id=author,
                   handle=name.lstrip("@") if name else None, display_name=name,
                   url=snippet.get("authorChannelUrl") or None)


class _Unit:
    """What one unit yields, gathered as it is read; a bad comment is quarantined alone."""

    def __init__(self, where: Where) -> None:
        self.where = where
        self.messages: list[Message] = []
        self.accounts: dict[str, Account] = {}
        self.bad: list[Quarantined] = []

    def raw(self) -> RawRef:
        return RawRef(self.where.source, self.where.position, self.where.unit)

    def comment(self, value: Any, thread: dict[str, Any] | None,
                parent_author: str | None) -> str | None:
        """Read one comment (top-level when ``thread`` is given); its author's id."""
        w = self.where
        found = guard(w.source, w.position, w.unit, value,
                      lambda: self._message(_obj(value, "comment"), thread, parent_author))
        if isinstance(found, Quarantined):
            self.bad.append(found)
            return None
        self.messages.append(found)
        account = _account(_obj(value, "comment").get("snippet") or {})
        if account is not None:
            self.accounts.setdefault(account.platform_id, account)
        return found.author_id

    def _message(self, comment: dict[str, Any], thread: dict[str, Any] | None,
                 parent_author: str | None) -> Message:
        cid = comment.get("id")
        if not isinstance(cid, str) or not cid:
            raise RecordError("comment has no id")
        snippet = _obj(comment.get("snippet"), f"comment {cid}: snippet")
        author = _author(snippet)
        if author is None:
            raise RecordError(f"comment {cid} has no authorChannelId")
        text = snippet.get("textOriginal") or snippet.get("textDisplay")
        if not isinstance(text, str):
            raise RecordError(f"comment {cid} has no text (request part=snippet)")
        created = parse_time(snippet.get("publishedAt"))
        name = snippet.get("authorDisplayName")
        handle = str(name).lstrip("@") if name else None
        mentions = tuple(m.lower() for m in _MENTION.findall(text))
        if thread is not None:
            video = snippet.get("videoId") or thread.get("videoId")
            owner = thread.get("channelId") or snippet.get("channelId")
            return Message(
                platform=PLATFORM, platform_id=cid, author_id=author, created_at=created,
                text=text, kind=MessageKind.COMMENT, author_handle=handle,
                reply_to_id=str(video) if video else None,
                reply_to_account_id=str(owner) if owner else None,
                reply_link=ReplyLink.MESSAGE if video else ReplyLink.ACCOUNT,
                conversation_id=cid, mentions=mentions, raw=self.raw(),
            )
        parent = snippet.get("parentId")
        if not isinstance(parent, str) or not parent:
            raise RecordError(f"comment {cid} is neither in a thread nor has a parentId")
        return Message(
            platform=PLATFORM, platform_id=cid, author_id=author, created_at=created,
            text=text, kind=MessageKind.REPLY, author_handle=handle, reply_to_id=parent,
            reply_to_account_id=parent_author, reply_link=ReplyLink.MESSAGE,
            conversation_id=parent, mentions=mentions, raw=self.raw(),
        )

    def thread(self, value: Any) -> None:
        thread = _obj(value, "comment thread")
        snippet = _obj(thread.get("snippet"), f"thread {thread.get('id')}: snippet")
        top = snippet.get("topLevelComment")
        starter = self.comment(top, snippet, None)
        replies = thread.get("replies")
        comments = replies.get("comments") if isinstance(replies, dict) else None
        for reply in comments if isinstance(comments, list) else []:
            self.comment(reply, None, starter)

    def channel(self, value: Any) -> None:
        channel = _obj(value, "channel")
        snippet = _obj(channel.get("snippet"), "channel snippet")
        found = channel.get("statistics")
        stats: dict[str, Any] = found if isinstance(found, dict) else {}
        subscribers = str(stats.get("subscriberCount") or "")
        custom = snippet.get("customUrl")
        self.accounts[str(channel["id"])] = Account(
            platform=PLATFORM, platform_id=str(channel["id"]),
            handle=str(custom).lstrip("@") if custom else str(channel["id"]),
            display_name=snippet.get("title") or None,
            description=snippet.get("description") or None,
            followers=int(subscribers) if subscribers.isdigit() else None,
            url=f"https://www.youtube.com/channel/{channel['id']}",
        )

    def read(self, value: Any) -> None:
        body = _obj(value, "YouTube response")
        if "error" in body:
            error = body["error"] if isinstance(body["error"], dict) else {}
            reasons = [e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)]
            raise RecordError(f"YouTube error {error.get('code')}: {error.get('message')} "
                              f"({', '.join(str(r) for r in reasons) or 'no reason'})")
        kind = body.get("kind")
        items = body.get("items") if kind in _LISTS else [body]
        for item in items if isinstance(items, list) else []:
            item_kind = item.get("kind") if isinstance(item, dict) else None
            if item_kind == "youtube#commentThread":
                self.thread(item)
            elif item_kind == "youtube#comment":
                parent = (item.get("snippet") or {}).get("parentId")
                self.comment(item, None if parent else {}, None)
            elif item_kind == "youtube#channel":
                self.channel(item)
            else:
                raise RecordError(f"not a YouTube comment, thread or channel: {item_kind!r}")

    def parsed(self) -> Parsed:
        return Parsed(position=self.where.position, messages=tuple(self.messages),
                      accounts=tuple(self.accounts.values()), quarantined=tuple(self.bad),
                      unit=self.where.unit)


class YouTubeImporter(Importer):
    name = "youtube-data"
    title = "YouTube Data API v3"
    description = (
        "Reads YouTube Data API v3 responses (comment threads with their replies, comments, "
        "channels) into comments on videos and replies, with their authors' channels."
    )
    platform = PLATFORM

    def sniff(self, sample: Sample) -> int:
        text = sample.text()
        if any(f'"{kind}"' in text for kind in _LISTS):
            return 95
        return 80 if '"youtube#comment' in text else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        for position, unit, value in iter_json_units(stream, source):
            if isinstance(value, Quarantined):
                yield Parsed(position, quarantined=(value,), unit=unit)
            else:
                yield self.parse_value(value, Where(source, position, unit))

    def parse_value(self, value: object, where: Where) -> Parsed:
        out = _Unit(where)
        found = guard(where.source, where.position, where.unit, value, lambda: out.read(value))
        if isinstance(found, Quarantined):
            out.bad.append(found)
        return out.parsed()


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [YouTubeImporter]
