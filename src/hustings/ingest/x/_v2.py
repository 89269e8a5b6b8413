"""The ``x-v2`` importer: X API v2 responses as twarc2 writes them, and saved API documents.

One input unit (a line of JSON Lines, or an item of a saved array) is one of:

* a raw response page ``{"data", "includes", "meta", "errors", "__twarc"}``: its ``data``
  are the primary records (tweets, DM events or users), ``includes.tweets`` become
  context messages and ``includes.users`` accounts;
* a ``twarc2 flatten`` line: one tweet with its expansions inlined;
* a recorded HTTP exchange (the tweepy cassettes): the response body is read as a page.

Decisions a researcher should know, each visible in the import summary:

* ``errors`` beside ``data`` (a suspended mentioned user, a deleted parent tweet) only say an
  expansion is missing; the tweets are kept and the errors are not quarantined.
* A page with errors and no data, an API error object and a line cut off mid-stream (the
  ``streaming_output_with_error.jsonl`` case) are quarantined with the API's own words, so a
  gap in a collection is never silent.
* Counts, compliance and list responses hold no messages. They are quarantined with a
  ``not tweets: ...`` reason rather than skipped: the file was asked to be imported, and
  a zero with no explanation reads as a bug.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any, BinaryIO

from hustings.ingest.base import Importer, Parsed, Sample
from hustings.ingest.base import Where as BaseWhere
from hustings.ingest.readers import RecordError, parse_time
from hustings.ingest.x._collect import Collector, Where, parse_json_units, reading
from hustings.ingest.x._fields import (
    PLATFORM,
    as_obj,
    head_document,
    opt_list,
    opt_obj,
    recorded_body,
)
from hustings.ingest.x._v2_records import Users, dm_message, tweet_message, user_account

__all__ = ["XV2Importer", "parse_unit"]

_PAGE_KEYS = frozenset({"data", "includes", "errors", "meta"})
_NOT_MESSAGES = {
    "counts": "tweet count buckets (volumes, not tweets)",
    "compliance": "compliance records (deletions and suspensions, not tweets)",
    "list": "list objects",
    "hidden": "hide-reply confirmations",
    "dm-receipt": "DM send receipts (ids only, no text)",
    "dm-event": "DM events other than MessageCreate",
    "unknown": "objects of a kind this importer does not know",
}


def _tweet(out: Collector, tweet: Any, users: Users) -> None:
    out.message(tweet, lambda: tweet_message(as_obj(tweet), users, out.where))


def _context_tweet(out: Collector, tweet: Any, users: Users) -> None:
    out.add_context(lambda: tweet_message(as_obj(tweet), users, out.where, partial=True))


def _dm(out: Collector, event: dict[str, Any], users: Users) -> None:
    """A DM event; join and leave events are counted as skipped, not as bad records."""
    if event.get("event_type") != "MessageCreate":
        out.skipped["dm-event"] += 1
    else:
        out.message(event, lambda: dm_message(event, users, out.where))


def _user(out: Collector, user: Any) -> bool:
    """A user from ``data`` is a primary record: quarantined when it cannot be read."""
    account = out.guarded(user, lambda: user_account(as_obj(user)))
    if account is not None:
        out.accounts.setdefault(account.platform_id, account)
    return account is not None


def _expanded_user(out: Collector, user: dict[str, Any]) -> None:
    out.add_account(lambda: user_account(user))


def _retrieved_at(value: dict[str, Any]) -> datetime | None:
    meta = value.get("__twarc")
    when = meta.get("retrieved_at") if isinstance(meta, dict) else None
    try:
        return parse_time(when) if isinstance(when, str) else None
    except RecordError:
        return None


def _classify(item: dict[str, Any]) -> str:
    if "event_type" in item:
        return "dm"
    if "dm_event_id" in item:
        return "dm-receipt"
    if "tweet_count" in item:
        return "counts"
    if "action" in item and "reason" in item:
        return "compliance"
    if "text" in item or "author_id" in item:
        return "tweet"
    if "username" in item:
        return "user"
    if "member_count" in item or "owner_id" in item:
        return "list"
    if "hidden" in item:
        return "hidden"
    return "unknown"


def _errors_reason(errors: list[Any]) -> str:
    first = errors[0] if isinstance(errors[0], dict) else {}
    words = [str(first[k]) for k in ("title", "detail", "message") if first.get(k)]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"API returned errors and no data: {': '.join(words) or 'no detail'}{more}"


def _page(value: dict[str, Any], out: Collector) -> None:
    includes = opt_obj(value, "includes")
    users: dict[str, dict[str, Any]] = {
        u["id"]: u
        for u in opt_list(includes, "users")
        if isinstance(u, dict) and isinstance(u.get("id"), str)
    }
    data = value.get("data")
    items = [data] if isinstance(data, dict) else opt_list(value, "data")
    primary_users = 0
    for item in items:
        kind = _classify(item) if isinstance(item, dict) else "tweet"
        if kind == "tweet":
            _tweet(out, item, users)
        elif kind == "dm":
            _dm(out, item, users)
        elif kind == "user":
            primary_users += _user(out, item)
        else:
            out.skipped[kind] += 1
    for user in users.values():
        _expanded_user(out, user)
    for tweet in opt_list(includes, "tweets"):
        _context_tweet(out, tweet, users)
    errors = opt_list(value, "errors")
    if not items and errors:
        raise RecordError(_errors_reason(errors))
    if out.skipped and not (out.messages or out.bad or primary_users):
        described = "; ".join(f"{n} {_NOT_MESSAGES[k]}" for k, n in sorted(out.skipped.items()))
        raise RecordError(f"not tweets: {described}; nothing here is a message to import")


def _flat(value: dict[str, Any], out: Collector) -> None:
    """A ``twarc2 flatten`` line: expansions are inlined objects instead of ``includes``."""
    _tweet(out, value, {})
    entities = opt_obj(value, "entities")
    inline = [value.get("author"), value.get("in_reply_to_user"), *opt_list(entities, "mentions")]
    for ref in opt_list(value, "referenced_tweets"):
        if isinstance(ref, dict) and "text" in ref:
            _context_tweet(out, ref, {})
            inline.append(ref.get("author"))
    for user in inline:
        if isinstance(user, dict) and "id" in user and "username" in user:
            _expanded_user(out, user)


def _unit(value: Any, out: Collector) -> None:
    value = as_obj(value)
    recorded, body = recorded_body(value, "/2/")
    if recorded:
        if body is None:
            return
        value = as_obj(body)
    if "id" not in value and _PAGE_KEYS & value.keys():
        _page(value, out)
    elif "id" in value and ("text" in value or "author_id" in value):
        _flat(value, out)
    elif "action" in value and "reason" in value:
        raise RecordError(
            f"not tweets: a compliance record ({value.get('action')}, {value.get('reason')}) "
            f"for id {value.get('id')}; Hustings does not apply deletions"
        )
    elif "title" in value or "detail" in value:
        raise RecordError(f"API error: {value.get('title')}: {value.get('detail')}")
    else:
        keys = ", ".join(sorted(value)[:8])
        raise RecordError(f"not an X API v2 page, tweet or DM event (keys: {keys})")


def parse_unit(value: Any, where: Where) -> Parsed:
    """Every record in one unit; never raises, whatever JSON it is given."""
    if isinstance(value, dict):
        where = replace(where, retrieved_at=_retrieved_at(value))
    out = Collector(where)
    out.guarded(value, lambda: _unit(value, out))
    return out.parsed()


_HINTS = re.compile(rb'"(__twarc|edit_history_tweet_ids|conversation_id|author_id|tweet_count)"')


def _sniff_value(value: Any) -> int:
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, dict):
        return 0
    if recorded_body(value, "/2/")[0]:
        return 85
    if "__twarc" in value:
        return 100
    if "account" in value or "uri" in value or "$type" in value:
        return 0
    if "id" in value and "author_id" in value and "text" in value:
        return 90 if ("conversation_id" in value or "edit_history_tweet_ids" in value) else 60
    if "id" not in value and "data" in value and value.keys() <= _PAGE_KEYS | {"matching_rules"}:
        data = value["data"]
        first = data[0] if isinstance(data, list) and data else data
        if isinstance(first, dict) and "edit_history_tweet_ids" in first:
            return 90
        if isinstance(first, dict) and _classify(first) != "unknown":
            return 75
    if {"id", "action", "reason", "created_at"} <= value.keys():
        return 50
    return 0


class XV2Importer(Importer):
    name = "x-v2"
    title = "X API v2 (twarc2)"
    description = (
        "Reads X API v2 responses (twarc2 raw pages or flattened tweets, saved API documents) "
        "into messages with reply, quote and repost links, context messages from expansions, "
        "accounts and follower snapshots."
    )
    platform = PLATFORM

    def sniff(self, sample: Sample) -> int:
        head = sample.head.lstrip()
        if not head.startswith((b"{", b"[")):
            return 0
        value = head_document(sample)
        if value is not None:
            return _sniff_value(value)
        if b'"__twarc"' in head:
            return 95
        if b"api.twitter.com/2/" in head and b'"request"' in head:
            return 80
        if b'"data"' in head[:64] and b'"uri"' not in head[:2048] and _HINTS.search(head):
            return 70
        return 0

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        yield from parse_json_units(stream, source, self.parse_value)

    def parse_value(self, value: object, where: BaseWhere) -> Parsed:
        """One decoded API response (a page, a tweet, a list of them) as a file line is
        read: a live pull hands its responses here, the file runner its lines."""
        return parse_unit(value, reading(where, self.options.assume_timezone))
