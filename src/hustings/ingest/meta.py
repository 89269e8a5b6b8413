"""Read Meta's APIs: Facebook Pages (Graph API), Instagram (Graph API) and Threads.

Three importers, one per platform, over one reader, because the three APIs share their
envelopes: a list page is ``{"data": [...], "paging": {...}}``, a multi-id answer
(``?ids=a,b``) is ``{id: object}``, an error is ``{"error": {...}}`` and a webhook delivery
is ``{"object": ..., "entry": [...]}``. ``parse_value`` reads any of these (or one object)
and ``parse`` reads a saved response, an array or JSON Lines of them, so the connectors'
live answers and a recorded file go through the same code.

Facebook (``platform="facebook"``). A Page post ``{id: "PAGE_POST", message, created_time,
from?}`` is a ``post`` by the Page (``from``, else the id's first part). A comment is a
``comment`` answering its post (``reply_to_account_id`` the Page, read from the comment's
``permalink_url`` ``/PAGE/posts/POST/?comment_id=C``); a reply to a comment
(``&reply_to_comment_id``, or ``parent{id}``) is a ``reply`` to it. Comment ids are the
Graph's ``POST_COMMENT``; a recording without ``id`` gets it from the permalink. A Messenger
message ``{id: "m_...", from, to, message}`` is a ``dm``; its conversation is the sorted
pair of participants (``"PAGE-PSID"``), as the inbox matches DMs. A conversation with
``messages`` nested yields those messages; without them, nothing (its ``snippet`` is not a
message).

Instagram (``platform="instagram"``). A media ``{id, caption, timestamp, ...}`` is a
``post``; a comment ``{id, text, timestamp, username, from?, parent_id?, media?}`` is a
``comment`` on its media or a ``reply`` to its parent (nested ``replies`` are read too).
``mentioned_comment``/``mentioned_media`` answers (what a mention webhook points at) mention
the account whose ``id`` they are read for.

Threads (``platform="threads"``). A media ``{id, text, timestamp, username, replied_to?,
root_post?}`` is a ``post``, or a ``reply`` to ``replied_to`` in the thread of
``root_post``. Mentions in the text (``@name``) are kept as mentions.

The node. ``where.origin`` is the Graph node whose edge answered: the Page or account
for a feed or media list (their author when the objects do not say), the post or media for
a comments edge (what a comment answers when it does not say), the thread for a replies
edge. A file read without it keeps only what the objects say.

Authors. Meta withholds who wrote a comment (``from``) from a token without the right
permission; the recorded Facebook comments have none. Such a message is kept, its author
recorded as ``hidden`` (one placeholder, never a made-up person). Who a reply answers is
known when the parent was read earlier in the same stream (the importer remembers authors
by message id), as when a connector reads a post and then its comments.

Webhooks. Facebook ``feed`` changes carrying a comment or post (``item``, ``verb``
``add``/``edited``) and Messenger ``messaging`` events with a ``message``, and Instagram
``comments`` changes, become messages; changes that carry only ids (an Instagram mention)
give nothing here: the connector fetches them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO, ClassVar

from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer, Parsed, Sample, Where
from hustings.ingest.readers import (
    RecordError,
    guard,
    iter_json_units,
    optional_text,
    parse_time,
)
from hustings.model import Account, Message, MessageKind, Quarantined, RawRef, ReplyLink, Visibility

__all__ = [
    "HIDDEN_AUTHOR",
    "FacebookImporter",
    "InstagramImporter",
    "ThreadsImporter",
    "comment_id_of",
    "register_importers",
]

HIDDEN_AUTHOR = "hidden"
"""The author of a message Meta did not say who wrote (no ``from``)."""

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9._]{1,30})")
_HASHTAG = re.compile(r"(?<![\w#])#(\w{1,100})")
_URL = re.compile(r"https?://[^\s<>\"]+")


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise RecordError(f"{name} is missing or not a string: {value!r}")
    return value


def _id(value: Any, name: str = "id") -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise RecordError(f"{name} is missing or not an id: {value!r}")
    return str(value)


def _time(value: Any, name: str) -> datetime:
    if value is None:
        raise RecordError(f"{name} is missing")
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # Messenger sends milliseconds
        return datetime.fromtimestamp(seconds, UTC)
    return parse_time(value)


def _words(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    mentions = tuple(dict.fromkeys(m.lower() for m in _MENTION.findall(text)))
    tags = tuple(dict.fromkeys(t.lower() for t in _HASHTAG.findall(text)))
    urls = tuple(dict.fromkeys(u.rstrip(".,)") for u in _URL.findall(text)))
    return mentions, tags, urls


_POSTS = re.compile(r"/([^/?#]+)/posts/([^/?#]+)")
_QUERY_ID = re.compile(r"[?&](comment_id|reply_comment_id)=([^&#]+)")


def _permalink(url: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """``(page, post, comment, reply comment)`` local ids from a comment's permalink
    (``https://www.facebook.com/PAGE/posts/POST/?comment_id=C&reply_comment_id=R``). Read
    with two regular expressions: ``urlsplit`` and ``parse_qs`` were a tenth of a sync's
    time."""
    if not isinstance(url, str):
        return None, None, None, None
    found = _POSTS.search(url)
    ids = dict(_QUERY_ID.findall(url))
    return (found.group(1) if found else None, found.group(2) if found else None,
            ids.get("comment_id"), ids.get("reply_comment_id"))


def comment_id_of(raw: Any) -> str | None:
    """A Facebook comment's Graph id: its ``id``, else ``POST_COMMENT`` from its permalink
    (answers read without ``id`` in their fields, as the recorded ones were)."""
    if not isinstance(raw, dict):
        return None
    if raw.get("id"):
        return str(raw["id"])
    _page, post, comment, reply = _permalink(raw.get("permalink_url"))
    return f"{post}_{reply or comment}" if post and (reply or comment) else None


@dataclass(slots=True)
class _Unit:
    """What one input unit yields, gathered before it is frozen into a ``Parsed``."""

    platform: str
    where: Where
    authors: dict[str, str]
    messages: list[Message] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    bad: list[Quarantined] = field(default_factory=list)

    def freeze(self) -> Parsed:
        return Parsed(
            position=self.where.position,
            messages=tuple(self.messages),
            accounts=tuple(dict.fromkeys(self.accounts)),
            quarantined=tuple(self.bad),
            unit=self.where.unit,
        )

    def guarded(self, what: str, raw: Any, parse: Any) -> None:
        w = self.where
        result = guard(w.source, w.position, w.unit, raw, parse)
        if isinstance(result, Quarantined):
            self.bad.append(Quarantined(result.source, result.position, result.unit,
                                        f"{self.platform} {what}: {result.reason}",
                                        result.excerpt))

    def raw(self) -> RawRef:
        return RawRef(self.where.source, self.where.position, self.where.unit)

    def author(self, raw: Any, handle_key: str = "name") -> tuple[str, str | None]:
        """``(id, handle)`` of a ``from`` object; an account record is kept for it."""
        if not isinstance(raw, dict):
            return HIDDEN_AUTHOR, None
        author_id = _id(raw.get("id"), "from.id")
        handle = optional_text(raw.get("username")) or optional_text(raw.get(handle_key))
        self.accounts.append(Account(
            platform=self.platform, platform_id=author_id, handle=handle,
            display_name=optional_text(raw.get("name")),
        ))
        return author_id, handle

    def add(self, message: Message) -> None:
        self.messages.append(message)
        if message.author_id != HIDDEN_AUTHOR:
            self.authors[message.platform_id] = message.author_id


class _Reader:
    """One platform's reading of Meta's shapes; the state is the authors seen so far."""

    platform: ClassVar[str]

    def __init__(self) -> None:
        self.authors: dict[str, str] = {}

    def value(self, value: Any, where: Where) -> Parsed:
        out = _Unit(self.platform, where, self.authors)
        out.guarded("response", value, lambda: self.document(out, value))
        return out.freeze()

    def document(self, out: _Unit, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self.document(out, item)
            return
        if not isinstance(value, dict):
            raise RecordError(f"not an object: {value!r}"[:200])
        if "error" in value and isinstance(value["error"], dict):
            error = value["error"]
            raise RecordError(f"an error answer (code {error.get('code')}): "
                              f"{str(error.get('message', ''))[:200]}")
        if isinstance(value.get("entry"), list) and "object" in value:
            for entry in value["entry"]:
                out.guarded("webhook entry", entry, lambda e=entry: self.webhook(out, e))
            return
        if isinstance(value.get("data"), list):
            for item in value["data"]:
                out.guarded("item", item, lambda i=item: self.item(out, i))
            return
        if value and "id" not in value and all(
            isinstance(v, dict) and v.get("id") == k for k, v in value.items()
        ):  # a multi-id answer: {id: object}
            for item in value.values():
                out.guarded("item", item, lambda i=item: self.item(out, i))
            return
        self.item(out, value)

    def item(self, out: _Unit, raw: Any) -> None:
        raise NotImplementedError

    def webhook(self, out: _Unit, entry: Any) -> None:
        """A webhook entry; platforms that take webhooks override this."""


class _Facebook(_Reader):
    platform = "facebook"

    def item(self, out: _Unit, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise RecordError(f"not an object: {raw!r}"[:200])
        if isinstance(raw.get("messages"), dict):  # a conversation with its messages
            for message in raw["messages"].get("data") or ():
                out.guarded("message", message, lambda m=message: self.dm(out, m))
            return
        if "snippet" in raw or "message_count" in raw:
            return  # a conversation without its messages: nothing said in it is here
        if "to" in raw and "from" in raw:
            self.dm(out, raw)
            return
        if (_permalink(raw.get("permalink_url"))[2] or "parent" in raw
                or "comment_count" in raw):
            self.comment(out, raw)
            return
        self.post(out, raw)

    def post(self, out: _Unit, raw: dict[str, Any]) -> None:
        post_id = _id(raw.get("id"))
        author, handle = out.author(raw.get("from"))
        if author == HIDDEN_AUTHOR:  # a Page feed id is PAGE_POST; else the edge's node
            author = post_id.split("_", 1)[0] if "_" in post_id else (
                out.where.origin or HIDDEN_AUTHOR)
        text = optional_text(raw.get("message")) or optional_text(raw.get("story")) or ""
        mentions, tags, urls = _words(text)
        tagged = tuple(str(t["id"]) for t in raw.get("message_tags") or ()
                       if isinstance(t, dict) and t.get("id"))
        link = optional_text(raw.get("permalink_url"))
        out.add(Message(
            platform=self.platform, platform_id=post_id, author_id=author,
            author_handle=handle, created_at=_time(raw.get("created_time"), "created_time"),
            text=text, kind=MessageKind.POST, conversation_id=post_id,
            mentions=tuple(dict.fromkeys([*tagged, *mentions])), hashtags=tags,
            urls=tuple(dict.fromkeys([*urls, *([link] if link else [])])), raw=out.raw(),
        ))
        comments = raw.get("comments")
        if isinstance(comments, dict):
            for comment in comments.get("data") or ():
                out.guarded("comment", comment,
                            lambda c=comment: self.comment(out, c, post_id))

    def comment(self, out: _Unit, raw: dict[str, Any], post_id: str | None = None) -> None:
        page, post, comment, reply = _permalink(raw.get("permalink_url"))
        if post_id is None:
            post_id = (f"{page}_{post}" if page and post else post) or out.where.origin
        local_post = post or (post_id.split("_", 1)[-1] if post_id else None)
        own = raw.get("id")
        if own is None and local_post and (reply or comment):
            own = f"{local_post}_{reply or comment}"
        comment_id = _id(own)
        parent = raw.get("parent")
        parent_id: str | None = None
        if isinstance(parent, dict) and parent.get("id"):
            parent_id = str(parent["id"])
        elif reply and comment and local_post:
            parent_id = f"{local_post}_{comment}"
        author, handle = out.author(raw.get("from"))
        text = optional_text(raw.get("message")) or ""
        mentions, tags, urls = _words(text)
        tagged = tuple(str(t["id"]) for t in raw.get("message_tags") or ()
                       if isinstance(t, dict) and t.get("id"))
        to: str | None
        to_account: str | None
        if parent_id is not None:
            answered = self.authors.get(parent_id)
            if isinstance(parent, dict) and isinstance(parent.get("from"), dict):
                answered = str(parent["from"].get("id") or "") or answered
            kind, to, to_account = MessageKind.REPLY, parent_id, answered
        else:
            to = post_id
            to_account = (post_id.split("_", 1)[0] if post_id and "_" in post_id
                          else self.authors.get(post_id or "") or page)
            kind = MessageKind.COMMENT
        out.add(Message(
            platform=self.platform, platform_id=comment_id, author_id=author,
            author_handle=handle, created_at=_time(raw.get("created_time"), "created_time"),
            text=text, kind=kind, reply_to_id=to, reply_to_account_id=to_account,
            reply_link=ReplyLink.MESSAGE if to else None, conversation_id=post_id,
            mentions=tuple(dict.fromkeys([*tagged, *mentions])), hashtags=tags, urls=urls,
            raw=out.raw(),
        ))

    def dm(self, out: _Unit, raw: dict[str, Any]) -> None:
        sender, handle = out.author(raw.get("from"))
        to = raw.get("to")
        recipients = [r for r in (to.get("data") if isinstance(to, dict) else to) or ()
                      if isinstance(r, dict) and r.get("id")]
        for r in recipients:
            out.author(r)
        ids = sorted({sender, *(str(r["id"]) for r in recipients)})
        out.add(Message(
            platform=self.platform, platform_id=_id(raw.get("id")), author_id=sender,
            author_handle=handle, created_at=_time(raw.get("created_time"), "created_time"),
            text=optional_text(raw.get("message")) or "", kind=MessageKind.DM,
            visibility=Visibility.DIRECT,
            reply_to_account_id=str(recipients[0]["id"]) if recipients else None,
            conversation_id="-".join(ids), raw=out.raw(),
        ))

    def webhook(self, out: _Unit, entry: Any) -> None:
        if not isinstance(entry, dict):
            raise RecordError("entry is not an object")
        page = str(entry.get("id") or "")
        for change in entry.get("changes") or ():
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") != "feed":
                continue
            if value.get("verb") not in ("add", "edited") or value.get("item") not in (
                "comment", "status", "post", "photo", "video"
            ):
                continue
            if value.get("item") == "comment":
                raw = {"id": value.get("comment_id"), "message": value.get("message"),
                       "from": value.get("from"), "created_time": value.get("created_time"),
                       "parent": ({"id": value["parent_id"]}
                                  if value.get("parent_id") not in (None, value.get("post_id"))
                                  else None)}
                out.guarded("webhook comment", value, lambda r=raw, v=value: self.comment(
                    out, {k: x for k, x in r.items() if x is not None},
                    str(v.get("post_id") or "") or None))
            else:
                raw = {"id": value.get("post_id"), "message": value.get("message"),
                       "from": value.get("from"), "created_time": value.get("created_time")}
                out.guarded("webhook post", value, lambda r=raw: self.post(out, r))
        for event in entry.get("messaging") or ():
            message = event.get("message") if isinstance(event, dict) else None
            if not isinstance(message, dict) or message.get("is_echo"):
                continue
            raw = {"id": message.get("mid"), "message": message.get("text"),
                   "from": {"id": (event.get("sender") or {}).get("id")},
                   "to": {"data": [{"id": (event.get("recipient") or {}).get("id") or page}]},
                   "created_time": event.get("timestamp")}
            out.guarded("webhook message", event, lambda r=raw: self.dm(out, r))


class _Instagram(_Reader):
    platform = "instagram"

    def item(self, out: _Unit, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise RecordError(f"not an object: {raw!r}"[:200])
        for key in ("mentioned_comment", "mentioned_media"):
            if isinstance(raw.get(key), dict):
                mentioned = str(raw.get("id") or out.where.origin or "")
                inner = raw[key]
                read = self.comment if key == "mentioned_comment" else self.media
                read(out, inner, mentioned or None)
                return
        if "text" in raw and "media_type" not in raw:
            self.comment(out, raw)
        else:
            self.media(out, raw)

    def media(self, out: _Unit, raw: dict[str, Any], mentioned: str | None = None) -> None:
        owner = raw.get("owner")
        author, handle = (out.author(owner) if isinstance(owner, dict)
                          else (out.where.origin or HIDDEN_AUTHOR, None))
        handle = handle or optional_text(raw.get("username"))
        text = optional_text(raw.get("caption")) or ""
        mentions, tags, urls = _words(text)
        link = optional_text(raw.get("permalink"))
        media_id = _id(raw.get("id"))
        out.add(Message(
            platform=self.platform, platform_id=media_id, author_id=author,
            author_handle=handle, created_at=_time(raw.get("timestamp"), "timestamp"),
            text=text, kind=MessageKind.POST, conversation_id=media_id,
            mentions=tuple(dict.fromkeys([*mentions, *([mentioned] if mentioned else [])])),
            hashtags=tags, urls=tuple(dict.fromkeys([*urls, *([link] if link else [])])),
            raw=out.raw(),
        ))
        comments = raw.get("comments")
        if isinstance(comments, dict):
            for comment in comments.get("data") or ():
                out.guarded("comment", comment,
                            lambda c=comment: self.comment(out, c, None, media_id))

    def comment(self, out: _Unit, raw: dict[str, Any], mentioned: str | None = None,
                media_id: str | None = None) -> None:
        frm = raw.get("from")
        if isinstance(frm, dict):
            author, handle = out.author(frm)
        else:
            handle = optional_text(raw.get("username"))
            author = HIDDEN_AUTHOR
        media = raw.get("media")
        if isinstance(media, dict) and media.get("id"):
            media_id = str(media["id"])
        media_id = media_id or (None if mentioned else out.where.origin)
        parent = optional_text(raw.get("parent_id"))
        text = _text(raw.get("text"), "text") if "text" in raw else ""
        mentions, tags, urls = _words(text)
        comment_id = _id(raw.get("id"))
        to: str | None
        to_account: str | None
        if parent:
            kind, to, to_account = MessageKind.REPLY, parent, self.authors.get(parent)
        else:
            to = media_id
            to_account = self.authors.get(media_id) if media_id else None
            kind = MessageKind.COMMENT
        out.add(Message(
            platform=self.platform, platform_id=comment_id, author_id=author,
            author_handle=handle, created_at=_time(raw.get("timestamp"), "timestamp"),
            text=text, kind=kind, reply_to_id=to, reply_to_account_id=to_account,
            reply_link=ReplyLink.MESSAGE if to else None, conversation_id=media_id,
            mentions=tuple(dict.fromkeys([*mentions, *([mentioned] if mentioned else [])])),
            hashtags=tags, urls=urls, raw=out.raw(),
        ))
        replies = raw.get("replies")
        if isinstance(replies, dict):
            for child in replies.get("data") or ():
                if isinstance(child, dict):
                    child = {"parent_id": comment_id, **child}
                    if media_id and "media" not in child:
                        child["media"] = {"id": media_id}
                out.guarded("reply", child, lambda c=child: self.comment(out, c))

    def webhook(self, out: _Unit, entry: Any) -> None:
        if not isinstance(entry, dict):
            raise RecordError("entry is not an object")
        for change in entry.get("changes") or ():
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict) and change.get("field") in ("comments", "live_comments"):
                raw = {**value, "timestamp": value.get("timestamp") or entry.get("time")}
                out.guarded("webhook comment", value, lambda r=raw: self.comment(out, r))


class _Threads(_Reader):
    platform = "threads"

    def item(self, out: _Unit, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise RecordError(f"not an object: {raw!r}"[:200])
        owner = raw.get("owner")
        author, handle = (out.author(owner) if isinstance(owner, dict)
                          else (HIDDEN_AUTHOR, None))
        handle = handle or optional_text(raw.get("username"))
        if author == HIDDEN_AUTHOR and handle:
            author = f"@{handle.lower()}"  # Threads names others by username only
            out.accounts.append(Account(platform=self.platform, platform_id=author,
                                        handle=handle))
        text = optional_text(raw.get("text")) or ""
        mentions, tags, urls = _words(text)
        replied = raw.get("replied_to")
        root = raw.get("root_post")
        parent = str(replied["id"]) if isinstance(replied, dict) and replied.get("id") else None
        if parent is None and raw.get("is_reply") and out.where.origin:
            parent = out.where.origin  # read from that thread's replies edge
        root_id = str(root["id"]) if isinstance(root, dict) and root.get("id") else None
        media_id = _id(raw.get("id"))
        link = optional_text(raw.get("permalink"))
        out.add(Message(
            platform=self.platform, platform_id=media_id, author_id=author,
            author_handle=handle, created_at=_time(raw.get("timestamp"), "timestamp"),
            text=text, kind=MessageKind.REPLY if parent else MessageKind.POST,
            reply_to_id=parent,
            reply_to_account_id=self.authors.get(parent) if parent else None,
            reply_link=ReplyLink.MESSAGE if parent else None,
            conversation_id=root_id or (None if parent else media_id),
            quote_of_id=(str(raw["quoted_post"]["id"])
                         if isinstance(raw.get("quoted_post"), dict) else None),
            mentions=mentions, hashtags=tags,
            urls=tuple(dict.fromkeys([*urls, *([link] if link else [])])), raw=out.raw(),
        ))


_OTHERS = ('"acct"', '"author_id"', '"referenced_tweets"', '"id_str"', '"$type"', '"did"',
           '"createdAt"')
"""Keys of the X, Mastodon and Bluesky formats: a file with any of them is not Meta's (X's
``"type": "replied_to"`` once made X files look like Threads replies)."""


class _MetaImporter(Importer):
    """The shared file reading of the three importers."""

    reader: ClassVar[type[_Reader]]
    markers: ClassVar[tuple[str, ...]]
    refuse: ClassVar[tuple[str, ...]]

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self._reader = self.reader()

    def sniff(self, sample: Sample) -> int:
        text = sample.text()
        if any(marker in text for marker in self.refuse):
            return 0
        return 80 if any(marker in text for marker in self.markers) else 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        for position, unit, value in iter_json_units(stream, source):
            if isinstance(value, Quarantined):
                yield Parsed(position=position, quarantined=(value,), unit=unit)
                continue
            yield self._reader.value(value, Where(source, position, unit))

    def parse_value(self, value: object, where: Where) -> Parsed:
        """One decoded answer: an object, a ``data`` page, a multi-id answer, a webhook
        delivery. ``where.origin`` is the node whose edge answered (module docstring)."""
        return self._reader.value(value, where)


class FacebookImporter(_MetaImporter):
    name: ClassVar[str] = "facebook"
    title: ClassVar[str] = "Facebook Pages (Graph API)"
    description: ClassVar[str] = (
        "Reads Graph API answers for a Facebook Page (feed posts, comments and replies, "
        "Messenger conversations and messages, webhook deliveries) into posts, comments, "
        "replies and direct messages."
    )
    platform: ClassVar[str] = "facebook"
    reader = _Facebook
    markers = ('"created_time"',)
    refuse = ('"timestamp"', *_OTHERS)


class InstagramImporter(_MetaImporter):
    name: ClassVar[str] = "instagram"
    title: ClassVar[str] = "Instagram (Graph API)"
    description: ClassVar[str] = (
        "Reads Instagram Graph API answers (media, comments and replies, mentioned comments "
        "and media, webhook deliveries) into posts, comments and replies."
    )
    platform: ClassVar[str] = "instagram"
    reader = _Instagram
    markers = ('"timestamp"', '"mentioned_comment"', '"mentioned_media"')
    refuse = ('"created_time"', "threads.net", '"THREADS"', '"root_post"', *_OTHERS)


class ThreadsImporter(_MetaImporter):
    name: ClassVar[str] = "threads"
    title: ClassVar[str] = "Threads API"
    description: ClassVar[str] = (
        "Reads Threads API answers (the account's threads, replies and conversations, "
        "mentions) into posts and replies."
    )
    platform: ClassVar[str] = "threads"
    reader = _Threads
    markers = ("threads.net", '"THREADS"', '"root_post"')
    refuse = ('"created_time"', *_OTHERS)


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [FacebookImporter, InstagramImporter, ThreadsImporter]
