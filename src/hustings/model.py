"""The canonical records every capability reads.

Importers turn platform files into these records; the store persists them; metrics,
the inbox and listening read them back. The module is pure (no I/O, no Hustings imports)
so that a parser test needs nothing but bytes in and records out.

Identifiers are platform-native strings: an X snowflake, a Mastodon status id, a Bluesky
``at://`` URI, an e-mail ``Message-ID``. A record is keyed by ``(platform, platform_id)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

__all__ = [
    "Account",
    "FollowerSnapshot",
    "ImportBatch",
    "Message",
    "MessageKind",
    "Person",
    "Quarantined",
    "RawRef",
    "ReplyLink",
    "Role",
    "TrackedAccount",
    "Visibility",
    "require_utc",
]


class MessageKind(StrEnum):
    """What a message is in the conversation, whatever platform it came from."""

    POST = "post"
    REPLY = "reply"
    QUOTE = "quote"
    REPOST = "repost"
    DM = "dm"
    COMMENT = "comment"
    EMAIL = "email"
    CHAT = "chat"


class Visibility(StrEnum):
    PUBLIC = "public"
    DIRECT = "direct"


class ReplyLink(StrEnum):
    """How much a format tells about what a reply answers.

    ``message``: the parent message id is known, so thread depth can be computed.
    ``account``: only the account replied to is known (CSV exports with a ``to`` column);
    the thread depth is unknown and Hustings never invents message-level links.
    """

    MESSAGE = "message"
    ACCOUNT = "account"


class Role(StrEnum):
    PARTY = "party"
    LEADER = "leader"
    CANDIDATE = "candidate"
    OFFICIAL = "official"
    STAFF = "staff"
    MEDIA = "media"


def require_utc(when: datetime) -> datetime:
    """Refuse naive datetimes: a naive time in a campaign spanning time zones is a silent bug."""
    if when.tzinfo is UTC:  # already UTC (every parser's usual answer): nothing to convert
        return when
    if when.utcoffset() is None:
        raise ValueError(f"timestamp {when.isoformat()} has no time zone")
    try:
        return when.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it: no UTC year exists
        raise ValueError(f"timestamp {when.isoformat()} is out of range in UTC") from None


@dataclass(frozen=True, slots=True)
class RawRef:
    """Where a record came from, so anyone can go back to the platform's own bytes."""

    source: str
    position: int
    unit: str = "line"


@dataclass(frozen=True, slots=True)
class Account:
    platform: str
    platform_id: str
    handle: str | None = None
    display_name: str | None = None
    description: str | None = None
    followers: int | None = None
    following: int | None = None
    created_at: datetime | None = None
    verified: bool | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One utterance: a post, a reply, a DM, an e-mail, a live-chat line.

    ``reply_to_id`` is the parent message, ``reply_to_account_id`` the account answered.
    ``conversation_id`` is the root of the thread when the platform says so. ``partial`` marks a
    record seen only as context (an X ``includes.tweets`` expansion, a Bluesky parent view): it
    fills a gap but never overwrites a full record.
    """

    platform: str
    platform_id: str
    author_id: str
    created_at: datetime
    text: str
    kind: MessageKind
    visibility: Visibility = Visibility.PUBLIC
    author_handle: str | None = None
    reply_to_id: str | None = None
    reply_to_account_id: str | None = None
    reply_to_handle: str | None = None
    reply_link: ReplyLink | None = None
    conversation_id: str | None = None
    quote_of_id: str | None = None
    repost_of_id: str | None = None
    mentions: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    language: str | None = None
    client: str | None = None
    subject: str | None = None
    raw: RawRef | None = None
    partial: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", require_utc(self.created_at))


@dataclass(frozen=True, slots=True)
class Person:
    """A human or organisation behind one or more accounts and e-mail addresses."""

    id: int | None
    name: str | None = None
    emails: tuple[str, ...] = ()
    identities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class FollowerSnapshot:
    """An account's follower count at a moment.

    Sources that know only the handle (a CSV of daily counts) leave ``account_id`` empty and
    give ``handle``; the store resolves it against the accounts it holds.
    """

    platform: str
    account_id: str | None
    taken_at: datetime
    followers: int
    handle: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "taken_at", require_utc(self.taken_at))


@dataclass(frozen=True, slots=True)
class TrackedAccount:
    """An account whose conversation Hustings audits, with its place in politics."""

    platform: str
    handle: str
    role: Role
    name: str | None = None
    party: str | None = None
    district: str | None = None
    office: str | None = None
    country: str | None = None
    platform_id: str | None = None
    registry: str | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record an importer could not accept: kept with its place and reason, never dropped."""

    source: str
    position: int
    unit: str
    reason: str
    excerpt: str = ""


@dataclass(slots=True)
class ImportBatch:
    id: int | None
    source: str
    format: str
    fingerprint: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    checkpoint: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    pid: int | None = None
    """The process running the batch while its status is ``running``."""
    options: dict[str, str] = field(default_factory=dict)
    """How the batch was imported (file path, mapping, time zone), for ``quarantine retry``."""
