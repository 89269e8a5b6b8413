"""The ``x-v1`` importer: X API v1.1 status objects, and the mapping the archive reuses.

v1.1 tweets arrive as a JSON array (``statuses/user_timeline``), as JSON Lines (the old
streaming API, collectors' dumps), or inside a search response (``{"statuses": [...]}``).
A retweet or quote embeds the original status in full; those become context messages, so
a reply graph can name the original author without pretending the file was about them.
v1.1 has no ``conversation_id``: it is left missing rather than guessed from reply chains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from hustings.ingest.base import Importer, Parsed, Sample
from hustings.ingest.base import Where as BaseWhere
from hustings.ingest.readers import RecordError, parse_time
from hustings.ingest.x._collect import Collector, Where, parse_json_units, reading
from hustings.ingest.x._fields import (
    PLATFORM,
    as_obj,
    entity_values,
    head_document,
    opt_bool,
    opt_id,
    opt_int,
    opt_list,
    opt_obj,
    opt_text,
    profile_url,
    recorded_body,
    req_id,
    req_time,
    strip_html,
)
from hustings.model import Account, Message, MessageKind, ReplyLink

__all__ = ["XV1Importer", "status_message", "v1_account"]

Author = tuple[str, str | None]
"""An account id and handle, for statuses that do not carry a ``user`` (the archive)."""


def _text(status: dict[str, Any], what: str) -> str:
    """The untruncated text: ``extended_tweet.full_text``, then ``full_text``, then ``text``."""
    for holder, key in (
        (opt_obj(status, "extended_tweet"), "full_text"),
        (status, "full_text"),
        (status, "text"),
    ):
        value = holder.get(key)
        if isinstance(value, str):
            return value
        if value is not None:
            raise RecordError(f"{what}: field {key!r} should be text, not {type(value).__name__}")
    raise RecordError(f"{what} has no text")


def _author(status: dict[str, Any], what: str) -> Author:
    user = status.get("user")
    if user is None:
        raise RecordError(f"{what} has no 'user'")
    user = as_obj(user)
    return req_id(user, "id_str", f"{what}'s user"), opt_text(user, "screen_name")


def status_message(
    status: dict[str, Any], where: Where, author: Author | None = None, partial: bool = False
) -> Message:
    """One v1.1 status; ``author`` stands in for the ``user`` object when there is none."""
    sid = req_id(status, "id_str", "status")
    what = f"status {sid}"
    created_at = req_time(status, "created_at", what, where.assume)
    author_id, handle = author or _author(status, what)
    extended = opt_obj(status, "extended_tweet")
    entities = opt_obj(extended, "entities") or opt_obj(status, "entities")
    retweeted = opt_obj(status, "retweeted_status")
    repost_of = opt_id(retweeted, "id_str") if retweeted else None
    quote_of = opt_id(status, "quoted_status_id_str") or opt_id(
        opt_obj(status, "quoted_status"), "id_str"
    )
    reply_to = opt_id(status, "in_reply_to_status_id_str")
    if repost_of:
        kind = MessageKind.REPOST
    elif reply_to:
        kind = MessageKind.REPLY
    elif quote_of:
        kind = MessageKind.QUOTE
    else:
        kind = MessageKind.POST
    return Message(
        platform=PLATFORM,
        platform_id=sid,
        author_id=author_id,
        created_at=created_at,
        text=_text(status, what),
        kind=kind,
        author_handle=handle,
        reply_to_id=reply_to,
        reply_to_account_id=opt_id(status, "in_reply_to_user_id_str"),
        reply_to_handle=opt_text(status, "in_reply_to_screen_name"),
        reply_link=ReplyLink.MESSAGE if reply_to else None,
        quote_of_id=quote_of,
        repost_of_id=repost_of,
        mentions=entity_values(entities, "user_mentions", "screen_name"),
        hashtags=entity_values(entities, "hashtags", "text"),
        urls=entity_values(entities, "urls", "expanded_url", "url"),
        language=opt_text(status, "lang"),
        client=strip_html(opt_text(status, "source")),
        raw=where.raw(),
        partial=partial,
    )


def v1_account(user: dict[str, Any]) -> Account:
    uid = req_id(user, "id_str", "user")
    created = user.get("created_at")
    return Account(
        platform=PLATFORM,
        platform_id=uid,
        handle=opt_text(user, "screen_name"),
        display_name=opt_text(user, "name"),
        description=opt_text(user, "description"),
        followers=opt_int(user, "followers_count"),
        following=opt_int(user, "friends_count"),
        created_at=parse_time(created) if isinstance(created, str) else None,
        verified=opt_bool(user, "verified"),
        url=profile_url(user),
    )


def _embedded(status: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Statuses carried inside one: the retweeted one, the quoted one, and its quote."""
    for key in ("retweeted_status", "quoted_status"):
        inner = status.get(key)
        if isinstance(inner, dict):
            yield inner
            quoted = inner.get("quoted_status")
            if isinstance(quoted, dict):
                yield quoted


def _status(out: Collector, status: Any) -> None:
    out.message(status, lambda: status_message(as_obj(status), out.where))
    if not isinstance(status, dict):
        return
    for user_holder in (status, *_embedded(status)):
        user = user_holder.get("user")
        if isinstance(user, dict):
            _user(out, user)
    for inner in _embedded(status):
        _context(out, inner)


def _user(out: Collector, user: dict[str, Any]) -> None:
    out.add_account(lambda: v1_account(user))


def _context(out: Collector, status: dict[str, Any]) -> None:
    out.add_context(lambda: status_message(status, out.where, partial=True))


def _statuses(value: Any) -> list[Any]:
    """The statuses in one unit: a recorded response, a search response, or one status."""
    if isinstance(value, dict):
        recorded, body = recorded_body(value, "/1.1/")
        if recorded:
            value = body
    if isinstance(value, list):
        return value
    value = as_obj(value)
    if "statuses" in value and "id_str" not in value:
        return opt_list(value, "statuses")
    return [value]


def parse_statuses(value: Any, where: Where) -> Parsed:
    """Every status in one unit; never raises, whatever JSON it is given."""
    out = Collector(where)
    statuses = out.guarded(value, lambda: _statuses(value))
    for status in statuses or ():
        _status(out, status)
    return out.parsed()


_V1_TIME = re.compile(rb'"created_at"\s*:\s*"\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}"')


def _sniff_value(value: Any) -> int:
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, dict):
        return 0
    if recorded_body(value, "/1.1/")[0]:
        return 85
    if isinstance(value.get("statuses"), list) and "search_metadata" in value:
        return 90
    if "id_str" in value and isinstance(value.get("user"), dict):
        return 95
    return 0


class XV1Importer(Importer):
    name = "x-v1"
    title = "X API v1.1 statuses"
    description = (
        "Reads X API v1.1 status objects (a JSON array, JSON Lines or a search response) "
        "into messages with reply, quote and retweet links, context messages for embedded "
        "retweeted and quoted statuses, and accounts."
    )
    platform = PLATFORM

    def sniff(self, sample: Sample) -> int:
        head = sample.head.lstrip()
        if not head.startswith((b"{", b"[")):
            return 0
        value = head_document(sample)
        if value is not None:
            return _sniff_value(value)
        if b"api.twitter.com/1.1/" in head and b'"request"' in head:
            return 80
        if b'"id_str"' in head and b'"user"' in head and _V1_TIME.search(head):
            return 85
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        yield from parse_json_units(stream, source, self.parse_value)

    def parse_value(self, value: object, where: BaseWhere) -> Parsed:
        """One decoded API response (a page, a tweet, a list of them) as a file line is
        read: a live pull hands its responses here, the file runner its lines."""
        return parse_statuses(value, reading(where, self.options.assume_timezone))
