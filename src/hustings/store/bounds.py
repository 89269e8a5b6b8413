"""What the store accepts, decided once, before a record reaches SQLite or PostgreSQL.

SQLite keeps any text of any length; PostgreSQL refuses a NUL character, text that is not
valid UTF-8 (a lone surrogate), a value longer than its ``VARCHAR`` or a number beyond its
``BIGINT``, and refused them mid-import with a ``DataError`` that lost the rest of the
batch, on PostgreSQL only. Every record therefore passes one of the ``admit_*`` functions
here on every path into the store (the import runner, ``write_messages`` for connectors and
the push API, inbox replies), so the two databases accept and refuse exactly the same
records. The rules:

* **NUL and lone surrogates** in any text are replaced by U+FFFD (the replacement
  character, ``\N{REPLACEMENT CHARACTER}``) and the record is kept: they are artefacts of
  broken encoders, and refusing a constituent's message over one would lose their words.
* **Lengths**: an identifier or short field may be as long as its column (read from
  ``schema``, so the rule cannot drift from the columns); message text at most
  ``MAX_BODY_CHARS``; any other free text (names, bios, subjects, URLs, hashtags) at most
  ``MAX_FIELD_CHARS``. A longer value refuses the record, naming the field and its length.
* **Whole numbers** (follower counts) fit a signed 64-bit integer.
* **Times** lie from ``EARLIEST`` (1970-01-01, the Unix epoch) up to but not including
  ``LATEST`` (2100-01-01), UTC. Nothing a campaign converses on predates the epoch, and a
  fixed bound (rather than "now plus a margin") gives the same result whenever a file is
  imported; year 1 or 9999 is always a broken exporter.

A refusal is a ``RecordRefusedError``; the import runner turns it into a quarantine row
with the file, the position and this reason. Quarantine rows themselves pass
``clean_text`` and ``short_reason`` so that recording a bad record can never fail.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Table

from hustings.errors import RecordRefusedError
from hustings.model import Account, FollowerSnapshot, Message, TrackedAccount
from hustings.store.schema import accounts, follower_snapshots, messages, tracked_accounts

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_BODY_CHARS",
    "MAX_FIELD_CHARS",
    "MAX_REASON_CHARS",
    "admit_account",
    "admit_message",
    "admit_snapshot",
    "admit_tracked",
    "check_time",
    "clean_text",
    "out_of_range",
    "short_reason",
]

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_BODY_CHARS = 1_000_000
"""Message text: a long e-mail is tens of thousands of characters; a million is no message."""
MAX_FIELD_CHARS = 10_000
"""Any other free text: names, bios, subjects, URLs, hashtags, registry columns."""
MAX_REASON_CHARS = 500
"""A quarantine reason: part of a unique index, which PostgreSQL caps at about 2,700 bytes."""
_BIGINT = 2**63

_UNSAFE = re.compile("[\x00\ud800-\udfff]")
_LABELS = {
    "platform_id": "id",
    "author_id": "author id",
    "author_handle": "author handle",
    "reply_to_id": "reply-to id",
    "reply_to_account_id": "reply-to account id",
    "reply_to_handle": "reply-to handle",
    "conversation_id": "conversation id",
    "quote_of_id": "quoted id",
    "repost_of_id": "reposted id",
    "display_name": "display name",
    "account_id": "account id",
    "created_at": "time",
    "taken_at": "time",
}

R = TypeVar("R")


def clean_text(value: str) -> str:
    """``value`` with NUL characters and lone surrogates replaced by U+FFFD."""
    if _UNSAFE.search(value) is None:
        return value
    return _UNSAFE.sub("\N{REPLACEMENT CHARACTER}", value)


def short_reason(reason: str) -> str:
    """A quarantine reason cleaned and cut to ``MAX_REASON_CHARS`` (a value it quotes may be
    anything a file holds)."""
    reason = clean_text(reason)
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    return reason[: MAX_REASON_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"


def out_of_range(shown: str) -> RecordRefusedError:
    """The refusal of a time, quoting it as ``shown``."""
    return RecordRefusedError(
        f"time {shown} is outside {EARLIEST.date()} to {LATEST.year - 1}-12-31 "
        "(a broken or placeholder date)"
    )


def check_time(when: datetime, shown: str | None = None) -> datetime:
    """``when`` if it lies in ``[EARLIEST, LATEST)``; else ``RecordRefusedError`` quoting
    ``shown`` (the value as the file wrote it), or the time itself."""
    if not EARLIEST <= when < LATEST:
        raise out_of_range(shown or when.isoformat())
    return when


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " "))


def _length(table: Table, name: str) -> int | None:
    length = getattr(table.c[name].type, "length", None)
    return length if isinstance(length, int) else None


def _limits(
    table: Table, names: tuple[str, ...], free: dict[str, int]
) -> tuple[tuple[str, int], ...]:
    """``(field, longest allowed)``: the column's own length, else the free-text cap."""
    found = []
    for name in names:
        length = _length(table, name)
        found.append((name, length if length is not None else free.get(name, MAX_FIELD_CHARS)))
    return tuple(found)


_MESSAGE_TEXTS = _limits(
    messages,
    (
        "platform",
        "platform_id",
        "author_id",
        "author_handle",
        "text",
        "reply_to_id",
        "reply_to_account_id",
        "reply_to_handle",
        "conversation_id",
        "quote_of_id",
        "repost_of_id",
        "language",
        "client",
        "subject",
    ),
    {"text": MAX_BODY_CHARS},
)
_MESSAGE_LISTS = ("mentions", "hashtags", "urls")
_RAW_TEXTS = tuple(
    (name.removeprefix("raw_"), limit)
    for name, limit in _limits(messages, ("raw_source", "raw_unit"), {})
)
_ACCOUNT_TEXTS = _limits(
    accounts, ("platform", "platform_id", "handle", "display_name", "description", "url"), {}
)
_HANDLE_LOWER = _length(accounts, "handle_lower")
_TRACKED_TEXTS = _limits(
    tracked_accounts,
    (
        "platform",
        "handle",
        "name",
        "party",
        "district",
        "office",
        "country",
        "platform_id",
        "registry",
    ),
    {},
)
_TRACKED_LOWER = _length(tracked_accounts, "handle_lower")
_SNAPSHOT_TEXTS = (
    *_limits(follower_snapshots, ("platform", "account_id"), {}),
    ("handle", _HANDLE_LOWER or MAX_FIELD_CHARS),
)


def _sized(name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise RecordRefusedError(
            f"{_label(name)} is {len(value):,} characters long; at most {limit:,} are kept"
        )
    return clean_text(value)


def _texts(record: Any, limits: tuple[tuple[str, int], ...], changes: dict[str, Any]) -> None:
    """Check each text field of ``record``; put cleaned values that differ in ``changes``.

    Lengths field by field, unsafe characters in one search over all of them: this runs
    once per imported record, and a search per field cost a tenth of encoding a message.
    """
    present = []
    for name, limit in limits:
        value = getattr(record, name)
        if value is None:
            continue
        if value.__class__ is not str:
            raise RecordRefusedError(f"{_label(name)} is not text: {type(value).__name__}")
        if len(value) > limit:
            raise RecordRefusedError(
                f"{_label(name)} is {len(value):,} characters long; at most {limit:,} are kept"
            )
        present.append((name, value))
    if _UNSAFE.search("".join(value for _, value in present)) is None:
        return
    for name, value in present:
        cleaned = clean_text(value)
        if cleaned is not value:
            changes[name] = cleaned


def _whole(name: str, value: int | None) -> None:
    if value is not None and not -_BIGINT <= value < _BIGINT:
        raise RecordRefusedError(f"{_label(name)} {value} is beyond a 64-bit whole number")


def _lower_fits(handle: str | None, limit: int | None) -> None:
    """Lower-casing can lengthen a handle (``İ`` becomes two characters); the stored
    lower-case copy must fit its column too."""
    if handle is not None and limit is not None and len(handle.lower()) > limit:
        raise RecordRefusedError(f"handle is over {limit:,} characters once lower-cased")


def _changed(record: R, changes: dict[str, Any]) -> R:
    return replace(record, **changes) if changes else record  # type: ignore[type-var]


def admit_message(message: Message) -> Message:
    """``message`` as the store will keep it, or ``RecordRefusedError`` saying why not."""
    changes: dict[str, Any] = {}
    _texts(message, _MESSAGE_TEXTS, changes)
    for name in _MESSAGE_LISTS:
        values: tuple[str, ...] = getattr(message, name)
        if not values:
            continue
        for value in values:
            _sized(name, value, MAX_FIELD_CHARS)
        if _UNSAFE.search("".join(values)) is not None:
            changes[name] = tuple(clean_text(value) for value in values)
    check_time(message.created_at)
    raw = message.raw
    if raw is not None:
        raw_changes: dict[str, Any] = {}
        _texts(raw, _RAW_TEXTS, raw_changes)
        _whole("position", raw.position)
        if raw_changes:
            changes["raw"] = replace(raw, **raw_changes)
    return _changed(message, changes)


def admit_account(account: Account) -> Account:
    """``account`` as the store will keep it, or ``RecordRefusedError`` saying why not."""
    changes: dict[str, Any] = {}
    _texts(account, _ACCOUNT_TEXTS, changes)
    _lower_fits(changes.get("handle", account.handle), _HANDLE_LOWER)
    _whole("followers", account.followers)
    _whole("following", account.following)
    if account.created_at is not None:
        check_time(account.created_at)
    return _changed(account, changes)


def admit_tracked(entry: TrackedAccount) -> TrackedAccount:
    """A registry entry as the store will keep it, or ``RecordRefusedError``."""
    changes: dict[str, Any] = {}
    _texts(entry, _TRACKED_TEXTS, changes)
    _lower_fits(changes.get("handle", entry.handle).lstrip("@"), _TRACKED_LOWER)
    return _changed(entry, changes)


def admit_snapshot(snapshot: FollowerSnapshot) -> FollowerSnapshot:
    """A follower count as the store will keep it, or ``RecordRefusedError``."""
    changes: dict[str, Any] = {}
    _texts(snapshot, _SNAPSHOT_TEXTS, changes)
    _whole("followers", snapshot.followers)
    check_time(snapshot.taken_at)
    return _changed(snapshot, changes)
