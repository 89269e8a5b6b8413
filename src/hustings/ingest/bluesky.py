"""Read Bluesky (AT Protocol) API responses, records and Jetstream events.

Accepted inputs (one JSON document, an array, or JSON Lines):

* ``app.bsky.feed.getAuthorFeed`` / ``getTimeline`` pages (``feed: [feedViewPost]``): each
  ``post`` is a message; ``reply.root`` and ``reply.parent`` views are partial context; a
  ``reasonRepost`` adds a ``repost`` message keyed by the repost record's URI (a reason
  without ``uri`` names no record, so only the post itself is kept, as context);
* ``app.bsky.feed.getPostThread`` (``thread``, recursive): the focus post, its replies *and*
  its parents are messages, since a thread view carries each one's full record; not-found
  and blocked posts carry no record and are skipped;
* ``app.bsky.feed.searchPosts`` (``posts``) and a bare ``postView``;
* ``app.bsky.notification.listNotifications``: notifications whose record is a post
  (``mention``, ``reply``, ``quote``, ``subscribed-post``) are messages, a repost record is a
  ``repost`` message, and the rest (likes, follows) only record the account behind them;
* ``com.atproto.repo.getRecord`` / ``listRecords`` output (``{uri, cid, value}``);
* ``app.bsky.graph.getFollows`` / ``getFollowers`` pages: accounts only;
* Jetstream events (``{did, time_us, kind, commit | identity | account}``), one per line,
  as a file or live from ``hustings.connectors.jetstream``: a ``commit`` creating (or
  updating) an ``app.bsky.feed.post`` or ``app.bsky.feed.repost`` record is a message, an
  ``identity`` event records the account's handle, an ``account`` event (activated,
  deactivated) is skipped. Deletes are skipped, not quarantined: a delete is a valid event,
  but the store keeps no tombstones to apply it to, so a stored post stays as it was read
  (likes, follows and other collections are skipped likewise: they are not conversation).
  ``involves(event, watch)`` tells whether a live event concerns the tracked accounts, from
  the same facets and references the mapping reads.

Identifiers are global: a post is its ``at://did/app.bsky.feed.post/rkey`` URI, an account its
DID. A reply's parent author is not in the record, so ``reply_to_account_id`` is the DID in
the parent's URI. ``conversation_id`` is ``reply.root.uri`` for a reply and the post's own URI
for a root post, as the record says. Mentions are the DIDs the facets name (handles change,
DIDs do not); hashtags come from tag facets and the record's ``tags``; links from link
facets and external embeds. An ``app.bsky.embed.record`` (or ``recordWithMedia``) embedding
a post makes a quote. Bluesky has no DMs in these endpoints, so every message is public.

``parse_value(value, where)`` reads one decoded object (a response, a post view, a
notification, a thread, a record, a Jetstream event) and ``parse`` is built on it, so the
live connector (``hustings.connectors.bluesky``) and a recorded file go through the same
code.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, BinaryIO, ClassVar

from hustings.hookspecs import hookimpl
from hustings.ingest.base import Importer, Parsed, Sample, Where
from hustings.ingest.readers import (
    RecordError,
    guard,
    iter_json_units,
    optional_count,
    optional_text,
    optional_time,
    parse_time,
)
from hustings.model import Account, Message, MessageKind, Quarantined, RawRef, ReplyLink

__all__ = ["BlueskyImporter", "did_of", "involves", "register_importers"]

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_MAX_THREAD_DEPTH = 200
_MARKERS = ('"app.bsky.', '"at://did:', '"did:plc:', '"did:web:')
_NOT_BLUESKY = ('"id_str"', '"author_id"', '"acct"')


def did_of(uri: Any) -> str:
    """The DID in an ``at://`` URI: the repository, hence the author, of the record."""
    if not isinstance(uri, str) or not uri.startswith("at://did:"):
        raise RecordError(f"not an at:// URI with a DID: {uri!r}")
    return uri[len("at://") :].split("/", 1)[0]


def _collection(uri: str) -> str:
    parts = uri[len("at://") :].split("/")
    return parts[1] if len(parts) > 2 else ""


def _strong_uri(ref: Any, name: str) -> str:
    if not isinstance(ref, dict):
        raise RecordError(f"{name} is not a strong reference: {ref!r}")
    uri = ref["uri"]
    did_of(uri)
    return str(uri)


def _facets(record: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    """Mentioned DIDs, links and tags named by the record's rich-text facets."""
    mentions: list[str] = []
    links: list[str] = []
    tags: list[str] = []
    for facet in record.get("facets") or ():
        if not isinstance(facet, dict):
            continue
        for feature in facet.get("features") or ():
            if not isinstance(feature, dict):
                continue
            kind = str(feature.get("$type", ""))
            if kind.endswith("#mention") and isinstance(feature.get("did"), str):
                mentions.append(feature["did"])
            elif kind.endswith("#link") and isinstance(feature.get("uri"), str):
                links.append(feature["uri"])
            elif kind.endswith("#tag") and isinstance(feature.get("tag"), str):
                tags.append(feature["tag"])
    tags.extend(t for t in record.get("tags") or () if isinstance(t, str))
    return mentions, links, tags


def _embedded(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(quoted post URI, external link)`` of the record's embed, when it has them."""
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return None, None
    kind = embed.get("$type")
    if kind == "app.bsky.embed.external":
        external = embed.get("external")
        uri = external.get("uri") if isinstance(external, dict) else None
        return None, uri if isinstance(uri, str) else None
    inner = embed.get("record")
    if kind == "app.bsky.embed.recordWithMedia" and isinstance(inner, dict):
        inner = inner.get("record")
    if kind in {"app.bsky.embed.record", "app.bsky.embed.recordWithMedia"}:
        uri = inner.get("uri") if isinstance(inner, dict) else None
        if isinstance(uri, str) and uri.startswith("at://") and _collection(uri) == POST:
            return uri, None
    return None, None


def _did_in(uri: Any) -> str | None:
    """The DID of an ``at://`` URI, or None for anything else (no exception: a filter)."""
    if isinstance(uri, str) and uri.startswith("at://did:"):
        return uri[len("at://") :].split("/", 1)[0]
    return None


def involves(event: Mapping[str, Any], watch: Collection[str]) -> bool:
    """Whether a Jetstream event concerns an account in ``watch`` (DIDs): anything the
    account itself did, and posts that reply in a thread of one of its posts, quote one, or
    name it in a mention facet. Cheap and forgiving (a malformed event is not involved), so
    a stream can drop the rest of the network before parsing it."""
    if event.get("did") in watch:
        return True
    commit = event.get("commit")
    if not isinstance(commit, dict) or commit.get("collection") != POST:
        return False
    record = commit.get("record")
    if not isinstance(record, dict):
        return False
    reply = record.get("reply")
    if isinstance(reply, dict):
        for ref in (reply.get("parent"), reply.get("root")):
            if isinstance(ref, dict) and _did_in(ref.get("uri")) in watch:
                return True
    quoted, _ = _embedded(record)
    if quoted is not None and _did_in(quoted) in watch:
        return True
    try:
        mentions, _, _ = _facets(record)
    except TypeError:  # facets or tags that are not lists: nothing it names can be read
        return False
    return any(did in watch for did in mentions)


@dataclass(slots=True)
class _Unit:
    """What one input unit yields, gathered before it is frozen into a ``Parsed``."""

    source: str
    position: int
    unit: str
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

    def guarded(self, where: str, raw: Any, parse: Callable[[], object]) -> None:
        """Run one object's parser; a bad object is quarantined with where it sat."""
        result = guard(self.source, self.position, self.unit, raw, parse)
        if isinstance(result, Quarantined):
            reason = f"{where}: {result.reason}" if where else result.reason
            self.bad.append(
                Quarantined(result.source, result.position, result.unit, reason, result.excerpt)
            )

    def account(self, view: Any, where: str = "") -> Account:
        """An account from a profile view (``did``, ``handle``, counts when present)."""
        if not isinstance(view, dict):
            raise RecordError(f"author is not a profile view: {view!r}")
        did = view["did"]
        if not isinstance(did, str) or not did.startswith("did:"):
            raise RecordError(f"not a DID: {did!r}")
        found = Account(
            platform=PLATFORM,
            platform_id=did,
            handle=optional_text(view.get("handle")),
            display_name=optional_text(view.get("displayName")),
            description=optional_text(view.get("description")),
            followers=optional_count(view.get("followersCount")),
            following=optional_count(view.get("followsCount")),
            created_at=optional_time(view.get("createdAt")),
        )
        self.accounts.append(found)
        return found

    def post(
        self,
        uri: Any,
        record: Any,
        author: Account | None = None,
        partial: bool = False,
        parent_handle: str | None = None,
    ) -> Message:
        """A message from a post record and its URI; the author defaults to the URI's DID."""
        did = did_of(uri)
        if not isinstance(record, dict):
            raise RecordError(f"record is not an object: {record!r}")
        if record.get("$type", POST) != POST:
            raise RecordError(f"record is a {record.get('$type')!r}, not a post")
        text = record["text"]
        if not isinstance(text, str):
            raise RecordError(f"text is not a string: {text!r}")
        reply = record.get("reply")
        parent = root = None
        if reply is not None:
            if not isinstance(reply, dict):
                raise RecordError(f"reply is not a reply reference: {reply!r}")
            parent = _strong_uri(reply["parent"], "reply.parent")
            root = _strong_uri(reply["root"], "reply.root")
        mentions, links, tags = _facets(record)
        quote_of, external = _embedded(record)
        langs = record.get("langs")
        language = langs[0] if isinstance(langs, list) and langs else None
        return Message(
            platform=PLATFORM,
            platform_id=str(uri),
            author_id=author.platform_id if author else did,
            author_handle=author.handle if author else None,
            created_at=parse_time(record["createdAt"]),
            text=text,
            kind=(
                MessageKind.REPLY if parent else MessageKind.QUOTE if quote_of else MessageKind.POST
            ),
            reply_to_id=parent,
            reply_to_account_id=did_of(parent) if parent else None,
            reply_to_handle=parent_handle if parent else None,
            reply_link=ReplyLink.MESSAGE if parent else None,
            conversation_id=root or str(uri),
            quote_of_id=quote_of,
            mentions=tuple(dict.fromkeys(mentions)),
            hashtags=tuple(dict.fromkeys(tags)),
            urls=tuple(dict.fromkeys([*links, *([external] if external else [])])),
            language=optional_text(language),
            raw=RawRef(self.source, self.position, self.unit),
            partial=partial,
        )

    def repost(self, uri: Any, record: Any, by: Account | None, created: Any = None) -> Message:
        """A repost record (or feed reason): who reposted which post, and when."""
        did = did_of(uri)
        subject = record.get("subject") if isinstance(record, dict) else None
        when = created if created is not None else record["createdAt"]
        return Message(
            platform=PLATFORM,
            platform_id=str(uri),
            author_id=by.platform_id if by else did,
            author_handle=by.handle if by else None,
            created_at=parse_time(when),
            text="",
            kind=MessageKind.REPOST,
            repost_of_id=_strong_uri(subject, "subject"),
            raw=RawRef(self.source, self.position, self.unit),
        )

    def view(self, view: Any, partial: bool = False, parent_handle: str | None = None) -> Message:
        """A message from a ``postView`` (``uri``, ``author``, ``record``)."""
        if not isinstance(view, dict):
            raise RecordError(f"post is not a post view: {view!r}")
        author = self.account(view["author"])
        return self.post(view["uri"], view["record"], author, partial, parent_handle)

    def add(self, where: str, raw: Any, make: Callable[[], Message], primary: bool = True) -> None:
        target = self.messages if primary else self.context

        def run() -> None:
            target.append(make())

        self.guarded(where, raw, run)

    # -- endpoints ---------------------------------------------------------------------

    def each(self, name: str, items: Any, parse: Callable[[Any, str], object]) -> None:
        """Parse every item of a list on its own, so one bad item spares the others."""
        for index, item in enumerate(_list(items), start=1):
            where = f"{name}[{index}]"
            self.guarded(where, item, partial(parse, item, where))

    def primary_view(self, view: Any, where: str = "") -> None:
        self.messages.append(self.view(view))

    def document(self, value: Any) -> None:
        """Read one response, record or event, whatever it is."""
        if not isinstance(value, dict):
            raise RecordError(f"expected a JSON object, got {type(value).__name__}")
        if "thread" in value:
            self.thread(value["thread"], "thread", None, 0)
        elif "feed" in value:
            self.each("feed", value["feed"], self.feed_item)
        elif "notifications" in value:
            self.each("notifications", value["notifications"], self.notification)
        elif "posts" in value:
            self.each("posts", value["posts"], self.primary_view)
        elif "records" in value:
            self.each("records", value["records"], self.record)
        elif "follows" in value or "followers" in value:
            self.each("accounts", value.get("follows", value.get("followers")), self.account)
            if value.get("subject") is not None:
                self.guarded("subject", value["subject"], partial(self.account, value["subject"]))
        elif "kind" in value and "did" in value and "time_us" in value:
            self.jetstream(value)
        elif "value" in value and "uri" in value:
            self.record(value)
        elif isinstance(value.get("post"), dict) and "uri" in value["post"]:
            self.feed_item(value, "")  # one feed item, as a live pull reads it
        elif "reason" in value and "record" in value and "author" in value:
            self.notification(value)  # one notification, as a live pull reads it
        elif "record" in value and "author" in value and "uri" in value:
            self.add("", value, lambda: self.view(value))
        else:
            raise RecordError(
                "not a Bluesky feed, thread, notification list, post, record or Jetstream event"
            )

    def thread(self, node: Any, where: str, parent: Any, depth: int) -> None:
        """Walk a ``threadViewPost``: parents above, replies below, all primary."""
        if not isinstance(node, dict) or "post" not in node or depth > _MAX_THREAD_DEPTH:
            return  # notFoundPost / blockedPost: no record to keep
        up = node.get("parent") if depth == 0 else None
        if isinstance(up, dict):
            self.thread_parents(up, where + ".parent", -1)
        handle = _handle(parent if depth else (up or {}).get("post"))
        self.add(where, node["post"], lambda: self.view(node["post"], parent_handle=handle))
        for i, reply in enumerate(_list(node.get("replies")), start=1):
            self.thread(reply, f"{where}.replies[{i}]", node["post"], depth + 1)

    def thread_parents(self, node: dict[str, Any], where: str, depth: int) -> None:
        if "post" not in node or depth < -_MAX_THREAD_DEPTH:
            return
        up = node.get("parent")
        handle = _handle(up.get("post")) if isinstance(up, dict) else None
        self.add(where, node["post"], lambda: self.view(node["post"], parent_handle=handle))
        if isinstance(up, dict):
            self.thread_parents(up, where + ".parent", depth - 1)

    def feed_item(self, item: Any, where: str) -> None:
        if not isinstance(item, dict):
            raise RecordError(f"feed item is not an object: {item!r}")
        post = item["post"]
        reply = item.get("reply")
        handle = _handle(reply.get("parent") if isinstance(reply, dict) else None)
        for name in ("root", "parent"):
            ref = reply.get(name) if isinstance(reply, dict) else None
            if isinstance(ref, dict) and "record" in ref and "author" in ref:
                self.add(f"{where}.reply.{name}", ref, partial(self.view, ref, True), False)
        reason = item.get("reason")
        if not isinstance(reason, dict) or not str(reason.get("$type")).endswith("#reasonRepost"):
            self.add(f"{where}.post", post, lambda: self.view(post, parent_handle=handle))
            return
        self.add(f"{where}.post", post, lambda: self.view(post, True, handle), False)
        if isinstance(reason.get("uri"), str):
            by = self.account(reason["by"])
            subject = {"uri": post["uri"]}
            self.add(
                f"{where}.reason",
                reason,
                lambda: self.repost(reason["uri"], {"subject": subject}, by, reason["indexedAt"]),
            )

    def notification(self, item: Any, where: str = "") -> None:
        if not isinstance(item, dict):
            raise RecordError(f"notification is not an object: {item!r}")
        author = self.account(item["author"])
        record = item["record"]
        kind = record.get("$type") if isinstance(record, dict) else None
        if kind == POST:
            self.messages.append(self.post(item["uri"], record, author))
        elif kind == REPOST:
            self.messages.append(self.repost(item["uri"], record, author))

    def record(self, item: Any, where: str = "") -> None:
        """A ``{uri, cid, value}`` record; posts and reposts become messages."""
        if not isinstance(item, dict):
            raise RecordError(f"record is not an object: {item!r}")
        value = item["value"]
        kind = value.get("$type") if isinstance(value, dict) else None
        if kind == POST:
            self.messages.append(self.post(item["uri"], value))
        elif kind == REPOST:
            self.messages.append(self.repost(item["uri"], value, None))

    def jetstream(self, event: dict[str, Any]) -> None:
        did = event["did"]
        kind = event["kind"]
        if kind == "identity":
            identity = event["identity"]
            handle = identity.get("handle") if isinstance(identity, dict) else None
            self.account({"did": did, "handle": handle})
            return
        if kind != "commit":
            return
        commit = event["commit"]
        if not isinstance(commit, dict):
            raise RecordError(f"commit is not an object: {commit!r}")
        operation, collection = commit["operation"], commit["collection"]
        if operation not in {"create", "update"} or collection not in {POST, REPOST}:
            return
        uri = f"at://{did}/{collection}/{commit['rkey']}"
        if collection == POST:
            self.messages.append(self.post(uri, commit["record"]))
        else:
            self.messages.append(self.repost(uri, commit["record"], None))


def _handle(view: Any) -> str | None:
    author = view.get("author") if isinstance(view, dict) else None
    handle = author.get("handle") if isinstance(author, dict) else None
    return handle if isinstance(handle, str) else None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"expected a list, got {type(value).__name__}")
    return value


class BlueskyImporter(Importer):
    """Bluesky XRPC responses, repository records and Jetstream events."""

    name: ClassVar[str] = "bluesky"
    title: ClassVar[str] = "Bluesky API and Jetstream"
    description: ClassVar[str] = (
        "Reads Bluesky author feeds, post threads, search results, notifications, records and "
        "Jetstream events into posts, replies, quotes, reposts and accounts."
    )
    platform: ClassVar[str] = PLATFORM

    def sniff(self, sample: Sample) -> int:
        text = sample.text()
        if any(marker in text for marker in _NOT_BLUESKY):
            return 0
        if not any(marker in text for marker in _MARKERS):
            return 0
        return 90

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        for position, unit, value in iter_json_units(stream, source):
            if isinstance(value, Quarantined):
                yield Parsed(position=position, quarantined=(value,))
                continue
            yield self.parse_value(value, Where(source, position, unit))

    def parse_value(self, value: object, where: Where) -> Parsed:
        """One decoded object (a response, a post view, a notification, a thread, a record
        or a Jetstream event) as the file parser reads it; a bad one is quarantined."""
        out = _Unit(where.source, where.position, where.unit)
        out.guarded("", value, partial(out.document, value))
        return out.freeze()


@hookimpl
def register_importers() -> list[type[Importer]]:
    return [BlueskyImporter]
