"""Read Mastodon API responses: statuses, timelines, threads, notifications, DMs and streams.

Accepted inputs, as saved from the REST API (one document, an array, or JSON Lines):

* a ``Status`` or an array of them (home, public, hashtag and account timelines);
* a ``Context`` (``ancestors``/``descendants``), a v2 search result, notifications and
  conversations (``/api/v1/conversations``: direct messages);
* the recorded exchanges the fixtures use (``[{"request": ..., "response": {"body": ...}}]``,
  as Mastodon.py's vcrpy cassettes hold them): each response body is read as above, and the
  request URI tells which server answered. ``DELETE`` responses are skipped: they restate a
  status that is being removed, and Hustings has no tombstones to record that with;
* a streaming recording (``event:``/``data:`` lines, Server-Sent Events), raw or inside a
  recorded exchange: ``update``, ``status.update``, ``notification`` and ``conversation``
  events are read, ``delete`` and the rest are skipped for the same reason.

Identifiers. A status ``id`` (and ``in_reply_to_id``, and an account ``id``) is local to the
server that answered the request: the same post has another id on every other server. Global
``uri`` values would be unique, but ``in_reply_to_id`` is only ever a local id, so keying by
``uri`` would break every reply link. Hustings therefore keys records by the local id
prefixed with the answering server's host, ``"mastodon.social/1130..."``, for statuses,
authors, parents and accounts alike. The host comes from a local account in the same unit
(``acct`` without ``@``: its ``url`` host *is* the server), else from the recorded request
URI (not a streaming one: that server listens on another port), else from an earlier unit
of the file, and only as a last resort from the status's own ``uri`` (right for a server's
own statuses; a remote status seen alone may then get its home server's host). Handles are
full ``user@host`` addresses, since a local ``acct`` omits
the host and would be ambiguous across servers.

Kinds and visibility. A ``direct`` status is a DM addressed to the accounts it mentions,
even when it replies inside a public thread: its reply link is kept so the thread still
joins. ``public``, ``unlisted`` and ``private`` (followers-only) are all stored as
``Visibility.PUBLIC``: the model has no followers-only value, and all three address an
audience rather than named people. A reblog is a ``repost`` (the reblogged status becomes
partial context); a reply that also quotes stays a ``reply`` with ``quote_of_id`` set.

Thread roots. The API gives no conversation id, so ``conversation_id`` stays empty and the
store's thread reconstruction finds roots from reply links; only a ``Context`` response whose
first ancestor is itself not a reply names its root.

Follower counts are kept on the account, but no ``FollowerSnapshot`` is made: a response
saved to a file does not say when it was fetched, and a snapshot needs a real time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, BinaryIO, ClassVar
from urllib.parse import urlsplit

import orjson

from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer, Parsed, Sample, Where
from hustings.ingest.readers import (
    RecordError,
    guard,
    iter_json_units,
    iter_lines,
    optional_count,
    optional_text,
    parse_time,
    quarantined,
)
from hustings.model import Account, Message, MessageKind, Quarantined, RawRef, ReplyLink, Visibility

__all__ = ["MastodonImporter", "html_to_text", "register_importers"]

PLATFORM = "mastodon"
_MESSAGE_NOTIFICATIONS = frozenset({"mention", "status", "quote", "update"})
_STATUS_EVENTS = frozenset({"update", "status.update"})
_SSE_START = (b":", b"event:", b"data:", b"id:", b"retry:")
_NOT_MASTODON = ('"id_str"', '"author_id"', '"includes"', '"$type"', '"at://did:')
_MASTODON_KEYS = (
    '"in_reply_to_account_id"',
    '"last_status"',
    '"descendants"',
    '"reblogs_count"',
    '"/api/v1/',
    '"group_key"',
)


class _TextParser(HTMLParser):
    """Plain text of Mastodon's status HTML, and the links that are not mentions or tags.

    A ``quote-inline`` paragraph (``RE: <link>``) is a fallback for clients that cannot show
    quotes; the quote is already recorded as ``quote_of_id``, so its text is left out.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._stack: list[bool] = []

    @property
    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "br":
            self.parts.append("\n")
            return
        if tag == "a" and not self._hidden and "mention" not in classes and found.get("href"):
            self.links.append(str(found["href"]))
        self._stack.append("quote-inline" in classes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        hidden = self._stack.pop() if self._stack else False
        if tag == "p" and not hidden and not self._hidden:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, tuple[str, ...]]:
    """Readable text of status HTML (``<br>`` and paragraphs as line breaks) and its links."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = re.sub(r"[ \t]+\n", "\n", "".join(parser.parts))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, tuple(dict.fromkeys(parser.links))


def _host(url: Any) -> str | None:
    if not isinstance(url, str) or not url:
        return None
    return urlsplit(url).netloc or None


def _local_host(value: Any, depth: int = 0) -> str | None:
    """The answering server: the host of the first local account (no ``@`` in ``acct``)."""
    if depth > 6:
        return None
    if isinstance(value, dict):
        acct = value.get("acct")
        if isinstance(acct, str) and "@" not in acct and _host(value.get("url")):
            return _host(value.get("url"))
        children: Any = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        if isinstance(child, dict | list):
            found = _local_host(child, depth + 1)
            if found:
                return found
    return None


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise RecordError(f"{name} is missing or not a string: {value!r}")
    return value


@dataclass(slots=True)
class _Unit:
    """What one input unit yields, gathered before it is frozen into a ``Parsed``."""

    source: str
    position: int
    unit: str
    origin: str | None
    messages: list[Message] = field(default_factory=list)
    context: list[Message] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    bad: list[Quarantined] = field(default_factory=list)

    def freeze(self) -> Parsed:
        return Parsed(
            position=self.position,
            messages=tuple(self.messages),
            context=tuple(self.context),
            accounts=tuple(dict.fromkeys(self.accounts)),
            quarantined=tuple(self.bad),
        )

    def key(self, local: Any, fallback_url: Any = None) -> str:
        """The stored id of a server-local id: ``host/id`` (see the module docstring)."""
        if isinstance(local, bool) or not isinstance(local, str | int) or local == "":
            raise RecordError(f"id is missing or not a string: {local!r}")
        host = self.origin or _host(fallback_url)
        return f"{host}/{local}" if host else str(local)

    def handle(self, acct: Any, url: Any) -> str:
        name = _text(acct, "acct")
        host = _host(url) if "@" not in name else None
        return f"{name}@{host}" if host else name

    def account(self, raw: Any) -> Account:
        if not isinstance(raw, dict):
            raise RecordError(f"account is not an object: {raw!r}")
        note = raw.get("note")
        created = raw.get("created_at")
        return Account(
            platform=PLATFORM,
            platform_id=self.key(raw["id"], raw.get("url")),
            handle=self.handle(raw["acct"], raw.get("url")),
            display_name=optional_text(raw.get("display_name")),
            description=html_to_text(note)[0] or None if isinstance(note, str) else None,
            followers=optional_count(raw.get("followers_count")),
            following=optional_count(raw.get("following_count")),
            created_at=parse_time(created) if created else None,
            url=optional_text(raw.get("url")),
        )

    def status(
        self, raw: Any, conversation_id: str | None = None, partial: bool = False
    ) -> Message:
        """One status; its author, reblogged and quoted statuses are added as side records."""
        if not isinstance(raw, dict):
            raise RecordError(f"status is not an object: {raw!r}")
        author = self.account(raw["account"])
        self.accounts.append(author)
        html = raw["content"] if "content" in raw else raw["text"]
        if not isinstance(html, str):
            raise RecordError(f"content is not a string: {html!r}")
        text, links = html_to_text(html)
        reblog = raw.get("reblog")
        repost_of = self._side(reblog, conversation_id) if isinstance(reblog, dict) else None
        quote = raw.get("quote")
        quote_of = None
        if isinstance(quote, dict):
            quoted = quote.get("quoted_status")
            if isinstance(quoted, dict):
                quote_of = self._side(quoted, None)
            elif quote.get("quoted_status_id"):
                quote_of = self.key(quote["quoted_status_id"])
        parent = raw.get("in_reply_to_id")
        parent_account = raw.get("in_reply_to_account_id")
        mentions = [m for m in raw.get("mentions") or () if isinstance(m, dict)]
        direct = raw.get("visibility") == "direct"
        card = raw.get("card")
        card_url = card.get("url") if isinstance(card, dict) else None
        application = raw.get("application")
        return Message(
            platform=PLATFORM,
            platform_id=self.key(raw["id"], raw.get("uri")),
            author_id=author.platform_id,
            author_handle=author.handle,
            created_at=parse_time(raw["created_at"]),
            text=text,
            kind=(
                MessageKind.DM
                if direct
                else MessageKind.REPOST
                if repost_of
                else MessageKind.REPLY
                if parent
                else MessageKind.QUOTE
                if quote_of
                else MessageKind.POST
            ),
            visibility=Visibility.DIRECT if direct else Visibility.PUBLIC,
            reply_to_id=self.key(parent, raw.get("uri")) if parent else None,
            reply_to_account_id=(
                self.key(parent_account, raw.get("uri")) if parent_account else None
            ),
            reply_to_handle=next(
                (
                    self.handle(m["acct"], m.get("url"))
                    for m in mentions
                    if m.get("id") == parent_account
                ),
                None,
            ),
            reply_link=ReplyLink.MESSAGE if parent else None,
            conversation_id=conversation_id,
            quote_of_id=quote_of,
            repost_of_id=repost_of,
            mentions=tuple(dict.fromkeys(self.handle(m["acct"], m.get("url")) for m in mentions)),
            hashtags=tuple(
                dict.fromkeys(
                    str(t["name"])
                    for t in raw.get("tags") or ()
                    if isinstance(t, dict) and t.get("name")
                )
            ),
            urls=tuple(dict.fromkeys([*links, *([card_url] if isinstance(card_url, str) else [])])),
            language=optional_text(raw.get("language")),
            client=optional_text(application.get("name"))
            if isinstance(application, dict)
            else None,
            subject=optional_text(raw.get("spoiler_text")),
            raw=RawRef(self.source, self.position, self.unit),
            partial=partial,
        )

    def _side(self, raw: dict[str, Any], conversation_id: str | None) -> str:
        """Keep a reblogged or quoted status as partial context and return its id."""
        message = self.status(raw, conversation_id, partial=True)
        self.context.append(message)
        return message.platform_id

    def guarded(self, where: str, raw: Any, parse: Any) -> None:
        """Run ``parse`` on one object inside the unit; a bad one is quarantined, not fatal."""
        result = guard(self.source, self.position, self.unit, raw, parse)
        if isinstance(result, Quarantined):
            reason = f"{where}: {result.reason}" if where else result.reason
            self.bad.append(
                Quarantined(result.source, result.position, result.unit, reason, result.excerpt)
            )

    def add_status(self, where: str, raw: Any, conversation_id: str | None = None) -> None:
        self.guarded(where, raw, lambda: self.messages.append(self.status(raw, conversation_id)))

    def add_account(self, where: str, raw: Any) -> None:
        self.guarded(where, raw, lambda: self.accounts.append(self.account(raw)))

    def document(self, value: Any, where: str = "", wrapped: bool = False) -> None:
        """Read one API response body; a body that breaks off midway keeps what came before."""
        self.guarded(where, value, lambda: self._document(value, where, wrapped))

    def _document(self, value: Any, where: str, wrapped: bool, nested: bool = False) -> None:
        if isinstance(value, list) and not nested:
            for index, item in enumerate(value, start=1):
                at = f"{where}[{index}]" if where else f"item {index}"
                self._document(item, at, wrapped, nested=True)
            return
        if not isinstance(value, dict):
            if not wrapped:
                self._unknown(where, value)
            return
        if "ancestors" in value or "descendants" in value:
            self._context(value, where)
        elif "statuses" in value and "accounts" in value:
            for i, item in enumerate(_items(value["statuses"]), start=1):
                self.add_status(f"{where}statuses[{i}]", item)
            for i, item in enumerate(_items(value["accounts"]), start=1):
                self.add_account(f"{where}accounts[{i}]", item)
        elif "last_status" in value and "accounts" in value:
            for i, item in enumerate(_items(value["accounts"]), start=1):
                self.add_account(f"{where}accounts[{i}]", item)
            if value["last_status"] is not None:
                self.add_status(f"{where}last_status", value["last_status"])
        elif "type" in value and "account" in value and "content" not in value:
            self._notification(value, where)
        elif "account" in value and ("content" in value or "text" in value):
            self.add_status(where, value)
        elif "acct" in value and "username" in value:
            self.add_account(where, value)
        elif not wrapped:
            self._unknown(where, value)

    def _context(self, value: dict[str, Any], where: str) -> None:
        ancestors = _items(value.get("ancestors"))
        descendants = _items(value.get("descendants"))
        first = ancestors[0] if ancestors else None
        root = None
        if isinstance(first, dict) and not first.get("in_reply_to_id"):
            try:
                root = self.key(first.get("id"), first.get("uri"))
            except RecordError:
                root = None  # the ancestor itself is quarantined below
        for name, group in (("ancestors", ancestors), ("descendants", descendants)):
            for i, item in enumerate(group, start=1):
                self.add_status(f"{where}{name}[{i}]", item, root)

    def _notification(self, value: dict[str, Any], where: str) -> None:
        self.add_account(f"{where}account", value["account"])
        status = value.get("status")
        if not isinstance(status, dict):
            return
        if value["type"] in _MESSAGE_NOTIFICATIONS:
            self.add_status(f"{where}status", status)
        else:
            self.guarded(f"{where}status", status, lambda: self._side(status, None))

    def _unknown(self, where: str, value: Any) -> None:
        reason = "not a Mastodon status, notification, conversation, context or search result"
        reason = f"{where.strip()}: {reason}" if where.strip() else reason
        self.bad.append(quarantined(self.source, self.position, self.unit, reason, str(value)))

    def events(self, lines: list[tuple[int, str, str]]) -> None:
        """Read the ``(line, event, data)`` of a streaming recording into this unit."""
        for number, event, data in lines:
            where = f"{event} event" if number == self.position else f"{event} event, line {number}"
            if event not in _STATUS_EVENTS | {"notification", "conversation"}:
                continue
            try:
                value = _json(data)
            except ValueError as exc:
                self.bad.append(
                    quarantined(self.source, self.position, self.unit, f"{where}: {exc}", data)
                )
                continue
            self.origin = self.origin or _local_host(value)
            if event in _STATUS_EVENTS:
                self.add_status(where, value)
            else:
                self.document(value, where + " ")


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"expected a list, got {type(value).__name__}")
    return value


def _json(data: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON in event data: {exc}") from None


def _sse_events(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str, str]]:
    """``(first line, event name, data)`` per Server-Sent Event; comments are skipped."""
    event, start = "message", 0
    data: list[str] = []
    for number, line in lines:
        if not line.strip():
            if data:
                yield start, event, "\n".join(data)
            event, start, data = "message", 0, []
            continue
        name, _, rest = line.partition(":")
        if not name:
            continue  # a comment, such as the server's heartbeat
        rest = rest[1:] if rest.startswith(" ") else rest
        start = start or number
        if name == "event":
            event = rest.strip()
        elif name == "data":
            data.append(rest)
    if data:
        yield start, event, "\n".join(data)


class MastodonImporter(Importer):
    """Mastodon REST and streaming API responses, raw or as recorded exchanges."""

    name: ClassVar[str] = "mastodon"
    title: ClassVar[str] = "Mastodon API"
    description: ClassVar[str] = (
        "Reads Mastodon API statuses, timelines, contexts, notifications, conversations, "
        "search results and streaming recordings into messages, DMs, reposts and accounts."
    )
    platform: ClassVar[str] = PLATFORM

    def sniff(self, sample: Sample) -> int:
        text = sample.text()
        if sample.first_line.startswith(_SSE_START):
            events = ("event: update", "event: notification", "event: conversation")
            return 90 if any(e in text for e in events) else 0
        if any(marker in text for marker in _NOT_MASTODON):
            return 0
        if '"acct"' not in text:
            return 0
        return 90 if any(key in text for key in _MASTODON_KEYS) else 60

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        if _starts_with_sse(stream):
            yield from self._parse_sse(stream, source)
            return
        origin: str | None = None
        for position, unit, value in iter_json_units(stream, source):
            if isinstance(value, Quarantined):
                yield Parsed(position=position, quarantined=(value,))
                continue
            exchange = _exchange(value)
            if exchange is not None:
                method, uri, body, content_type = exchange
                streaming = "/streaming" in urlsplit(uri).path  # served from another port
                found = _local_host(body) or (None if streaming else _host(uri)) or origin
                if method == "DELETE" or body is None:
                    yield Parsed(position=position)
                    continue
            else:
                body, content_type = value, ""
                found = _local_host(value) or origin
            origin = found
            where = Where(source, position, unit, found)
            if isinstance(body, str) and "event-stream" in content_type:
                out = _Unit(source, position, unit, found)
                lines = enumerate(body.splitlines(), start=1)
                out.events(list(_sse_events(lines)))
                yield out.freeze()
            else:
                yield _parse_value(body, where, wrapped=exchange is not None)

    def parse_value(self, value: object, where: Where) -> Parsed:
        """One decoded API object (status, notification, conversation, context, search
        result, account, or a list of them) as the file parser reads it.

        ``where.origin`` is the answering server's host; a local account inside ``value``
        names it better (see the module docstring) and wins.
        """
        return _parse_value(value, where, wrapped=False)

    def _parse_sse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        def decoded() -> Iterator[tuple[int, str]]:
            for number, raw in iter_lines(stream):
                yield number, (raw or b"").decode("utf-8", "replace").rstrip("\r\n")

        origin: str | None = None
        for number, event, data in _sse_events(decoded()):
            out = _Unit(source, number, "line", origin)
            out.events([(number, event, data)])
            origin = out.origin
            yield out.freeze()


def _parse_value(value: Any, where: Where, wrapped: bool) -> Parsed:
    """``wrapped``: a recorded exchange's body, where other API objects are skipped silently."""
    out = _Unit(where.source, where.position, where.unit, _local_host(value) or where.origin)
    out.document(value, wrapped=wrapped)
    return out.freeze()


def _starts_with_sse(stream: BinaryIO) -> bool:
    """Peek at the first line: a stream recording starts with a comment or a field name."""
    if not stream.seekable():
        return False
    start = stream.tell()
    first = stream.readline(4096).lstrip(b"\xef\xbb\xbf")
    stream.seek(start)
    return first.startswith(_SSE_START)


def _exchange(value: Any) -> tuple[str, str, Any, str] | None:
    """``(method, uri, body, content type)`` of a recorded request/response, else ``None``."""
    if not isinstance(value, dict) or set(value) != {"request", "response"}:
        return None
    request, response = value["request"], value["response"]
    if not isinstance(request, dict) or not isinstance(response, dict):
        return None
    status = response.get("status")
    code = status.get("code") if isinstance(status, dict) else status
    ok = not isinstance(code, int) or 200 <= code < 300
    content_type = response.get("content_type")
    if isinstance(content_type, list):
        content_type = " ".join(str(c) for c in content_type)
    return (
        str(request.get("method", "GET")).upper(),
        str(request.get("uri", "")),
        response.get("body") if ok else None,
        str(content_type or ""),
    )


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [MastodonImporter]
