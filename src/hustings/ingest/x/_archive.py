"""The ``x-archive`` importer: ``tweets.js`` from the archive X lets an account download.

The file is JavaScript, ``window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]``, with v1.1-like
statuses that carry no ``user``: every tweet is the archive owner's. The owner is read from
``account.js`` in the same folder (where X puts it), or from the file passed as
``--mapping``. Without either, each tweet is quarantined with that advice: a made-up author
id would silently merge or split accounts in every later metric.

Archives of prolific accounts run to hundreds of megabytes in one JSON array, so items are
cut out of the stream by a small bracket scanner and decoded one at a time, each with the
line it starts on.

The archive drops ``retweeted_status``: a retweet is known only by its ``RT @`` text, so it
becomes a repost whose original id is missing (not invented).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from hustings.ingest.base import Importer, Parsed, Sample
from hustings.ingest.readers import RecordError, iter_lines, parse_time, quarantined
from hustings.ingest.x._collect import Collector, Where
from hustings.ingest.x._fields import PLATFORM, as_obj, opt_text, req_id
from hustings.ingest.x._v1 import Author, status_message
from hustings.model import Account, Message, MessageKind, Quarantined

__all__ = ["XArchiveImporter", "iter_archive_items"]

_PREFIX = re.compile(rb"^\s*window\.YTD\.(\w+)\.part\d+\s*=\s*\[")
_TOKENS = re.compile(rb'[\\"{}\[\]]')
_TWEET_FILES = {b"tweets", b"tweet", b"deleted_tweets"}
_UNIT = "line"


def iter_archive_items(stream: BinaryIO, source: str) -> Iterator[tuple[int, Any]]:
    """Yield ``(line the item starts on, decoded item or Quarantined)`` for one ``*.js`` part.

    Strings are tracked (with escapes) so that a brace inside a tweet's text is not taken
    for structure. JSON strings cannot span lines, so the string state resets per line.
    """
    lines = iter_lines(stream)
    first = next(lines, None)
    if first is None:
        return
    number, line = first
    match = _PREFIX.match(line or b"")
    if match is None:
        reason = "not an X archive file: expected 'window.YTD.<name>.partN = ['"
        yield number, quarantined(source, number, _UNIT, reason, line or b"")
        return
    offset, depth, start = match.end(), 0, 0
    parts: list[bytes] = []
    while line is not None:
        in_string, skip, begin = False, -1, offset if depth else -1
        for token in _TOKENS.finditer(line, offset):
            at, char = token.start(), line[token.start()]
            if at < skip:
                continue
            if in_string:
                skip = at + 2 if char == 0x5C else skip
                in_string = char != 0x22
            elif char == 0x22:
                in_string = True
            elif char in b"{[":
                if depth == 0:
                    start, begin, parts = number, at, []
                depth += 1
            elif depth == 0:
                return
            else:
                depth -= 1
                if depth == 0:
                    parts.append(line[begin : at + 1])
                    yield start, _decode(b"".join(parts), source, start)
        if depth:
            parts.append(line[max(begin, 0) :])
        nxt = next(lines, None)
        if nxt is None:
            break
        number, line, offset = nxt[0], nxt[1], 0
        if line is None:
            yield number, quarantined(source, number, _UNIT, "line too long in archive file")
            return
    if depth:
        reason = "file ends inside an item (a truncated archive?)"
        yield start, quarantined(source, start, _UNIT, reason, b"".join(parts))


def _decode(raw: bytes, source: str, line: int) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            return quarantined(source, line, _UNIT, f"invalid UTF-8 at byte {bad.start}", raw)
        return quarantined(source, line, _UNIT, f"invalid JSON: {exc}", raw)


def read_owner(path: Path) -> Account:
    """The archive owner from ``account.js``; raises ``RecordError`` when it is unusable."""
    with path.open("rb") as handle:
        for _, item in iter_archive_items(handle, str(path)):
            if isinstance(item, Quarantined):
                raise RecordError(f"{path.name}: {item.reason}")
            account = as_obj(as_obj(item).get("account"))
            created = account.get("createdAt")
            return Account(
                platform=PLATFORM,
                platform_id=req_id(account, "accountId", f"{path.name} account"),
                handle=opt_text(account, "username"),
                display_name=opt_text(account, "accountDisplayName"),
                created_at=parse_time(created) if isinstance(created, str) else None,
            )
    raise RecordError(f"{path.name} holds no account")


def _archive_message(item: Any, where: Where, owner: Account | str) -> Message:
    if isinstance(owner, str):
        raise RecordError(owner)
    wrapped = as_obj(item)
    status = as_obj(wrapped["tweet"]) if "tweet" in wrapped else wrapped
    author: Author = (owner.platform_id, owner.handle)
    message = status_message(status, where, author)
    if message.kind is MessageKind.POST and message.text.startswith("RT @"):
        return dataclasses.replace(message, kind=MessageKind.REPOST)
    return message


class XArchiveImporter(Importer):
    name = "x-archive"
    title = "X account archive (tweets.js)"
    description = (
        "Reads tweets.js from an X account archive into the owner's messages with reply "
        "links, mentions, hashtags and URLs, taking the author from account.js beside it "
        "(or the file given as --mapping)."
    )
    platform = PLATFORM

    def sniff(self, sample: Sample) -> int:
        match = _PREFIX.match(sample.head)
        return 100 if match and match.group(1) in _TWEET_FILES else 0

    def _owner(self, source: str) -> Account | str:
        """The owner, or the reason it is unknown, to quarantine each tweet with."""
        candidates = [self.options.mapping] if self.options.mapping else []
        if source != "<stdin>":
            candidates.append(Path(source).with_name("account.js"))
        for path in candidates:
            if path is not None and path.is_file():
                try:
                    return read_owner(path)
                except (RecordError, OSError, TypeError, KeyError) as exc:
                    return f"archive owner unknown: {path}: {exc}"
        return (
            "archive owner unknown: no account.js beside the tweets file; "
            "pass it with --mapping path/to/account.js"
        )

    def parse(self, stream: BinaryIO, source: str) -> Iterator[Parsed]:
        owner = self._owner(source)
        assume = self.options.assume_timezone
        for line, item in iter_archive_items(stream, source):
            if isinstance(item, Quarantined):
                yield Parsed(line, quarantined=(item,))
                continue
            yield _parse_item(item, Where(source, line, _UNIT, assume=assume), owner)


def _parse_item(item: Any, where: Where, owner: Account | str) -> Parsed:
    out = Collector(where)
    if isinstance(owner, Account):
        out.accounts[owner.platform_id] = owner
    out.message(item, lambda: _archive_message(item, where, owner))
    return out.parsed()
