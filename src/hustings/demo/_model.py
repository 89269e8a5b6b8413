"""The simulated campaign's vocabulary: accounts, messages, ground truth and statistics.

The simulator speaks in platform-neutral terms (an account index, a message sequence
number) so the same stream can be written as X pages, Mastodon statuses or mail. Platform
identifiers are derived from these only when a writer needs them, which keeps the
simulation pure and lets a later, much larger run stream messages without a lookup table.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from hustings.errors import ConfigError

__all__ = [
    "CAMPAIGN_DAYS",
    "COUNTRY",
    "ELECTION",
    "MASTODON_HOST",
    "Campaign",
    "DemoAccount",
    "DemoMessage",
    "GroundTruth",
    "Kind",
    "Party",
    "Platform",
    "Role",
    "Stance",
    "campaign_start",
    "demo_now",
]

COUNTRY = "Northland"
ELECTION = "Northland general election 2026"
CAMPAIGN_DAYS = 35
MASTODON_HOST = "social.northland.example"
NOW_ENV = "HUSTINGS_DEMO_NOW"


def demo_now(now: datetime | None = None) -> datetime:
    """The moment the demo runs: ``now`` if given, else ``$HUSTINGS_DEMO_NOW``, else the clock.

    The campaign is dated relative to it, so a demo is always current; tests and docs pin it
    (an ISO time with a zone) to get the same campaign on any day.
    """
    if now is None:
        text = os.environ.get(NOW_ENV)
        if not text:
            return datetime.now(UTC)
        try:
            now = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ConfigError(f"{NOW_ENV}={text!r} is not an ISO date and time") from exc
    if now.tzinfo is None:
        raise ConfigError(f"the demo's 'now' needs a time zone, not {now.isoformat()}")
    return now.astimezone(UTC)


def campaign_start(now: datetime) -> datetime:
    """Midnight UTC of the campaign's first day: its last day is the day of ``now``.

    Anchoring to the day, not the second, keeps every message's time and id the same for a
    seed all day long, so running the demo again the same day adds only what has "happened"
    since (messages up to ``now``) and never a second copy of the campaign.
    """
    first = now.astimezone(UTC).date() - timedelta(days=CAMPAIGN_DAYS - 1)
    return datetime.combine(first, time.min, UTC)


class Platform(StrEnum):
    X = "x"
    MASTODON = "mastodon"
    EMAIL = "email"


class Role(StrEnum):
    """Roles as the registry names them, plus ``citizen`` for everyone not tracked."""

    PARTY = "party"
    LEADER = "leader"
    CANDIDATE = "candidate"
    STAFF = "staff"
    MEDIA = "media"
    CITIZEN = "citizen"


TRACKED_ROLES = frozenset({Role.PARTY, Role.LEADER, Role.CANDIDATE, Role.STAFF, Role.MEDIA})


class Kind(StrEnum):
    POST = "post"
    REPLY = "reply"
    QUOTE = "quote"
    REPOST = "repost"
    DM = "dm"
    EMAIL = "email"
    NEWSLETTER = "newsletter"


class Stance(StrEnum):
    SUPPORTIVE = "supportive"
    OPPOSED = "opposed"
    UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str
    short: str
    camp_tag: str
    domain: str
    slogan: str


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """One simulated account; ``reply_share`` of 0 means it answers nobody."""

    index: int
    handle: str
    name: str
    role: Role
    platforms: frozenset[Platform]
    followers: int
    created_at: datetime
    party: str | None = None
    riding: str | None = None
    office: str | None = None
    reply_share: float = 0.0
    response_median_minutes: float = 600.0
    response_sigma: float = 1.0
    posts_per_day: float = 0.0
    activity: float = 0.0
    temper: float = 0.0
    stances: tuple[Stance, ...] = ()
    email: str | None = None
    mastodon_host: str = MASTODON_HOST
    answered_by: int | None = None
    description: str = "Synthetic demo account — not a real person."

    @property
    def is_tracked(self) -> bool:
        return self.role in TRACKED_ROLES


@dataclass(frozen=True, slots=True)
class DemoMessage:
    """One message in chronological order; ``seq`` grows with ``created_at``.

    ``parent``, ``root`` and ``target`` are ``DemoMessage`` references rather than ids so a
    streaming consumer never needs a table of everything written so far.
    """

    seq: int
    platform: Platform
    kind: Kind
    author: int
    created_at: datetime
    text: str
    parent: DemoMessage | None = None
    root_seq: int = -1
    depth: int = 0
    target: DemoMessage | None = None
    recipient: int | None = None
    mentions: tuple[int, ...] = ()
    hashtags: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    subject: str | None = None
    uncivil: bool = False
    likes: int = 0

    @property
    def root(self) -> int:
        return self.seq if self.root_seq < 0 else self.root_seq


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """What the simulator planted, so an audit can be checked against it."""

    flood_handle: str
    flood_platform: Platform
    flood_start: datetime
    flood_end: datetime
    flood_posts: int
    flood_follower_drop: float
    leader_reply_shares: dict[str, float]
    silent_handles: tuple[str, ...]
    staff_proxies: tuple[tuple[str, str], ...]
    uncivil_share: float


@dataclass(slots=True)
class Campaign:
    """A whole simulated campaign held in memory, with the numbers a demo prints.

    ``start`` is midnight UTC of its first day and ``end`` the moment it was run ("now"):
    nothing in it is later than ``end``.
    """

    seed: int
    scale: float
    parties: tuple[Party, ...]
    accounts: tuple[DemoAccount, ...]
    messages: list[DemoMessage]
    ground_truth: GroundTruth
    start: datetime
    end: datetime
    followers: dict[tuple[Platform, int], list[int]] = field(default_factory=dict)

    def accounts_by_role(self) -> dict[str, int]:
        return dict(sorted(Counter(a.role.value for a in self.accounts).items()))

    def accounts_by_party(self) -> dict[str, int]:
        counts = Counter(a.party for a in self.accounts if a.party is not None)
        return dict(sorted(counts.items()))

    def messages_by_platform_kind(self) -> dict[str, dict[str, int]]:
        table: dict[str, Counter[str]] = {}
        for message in self.messages:
            table.setdefault(message.platform.value, Counter())[message.kind.value] += 1
        return {p: dict(sorted(c.items())) for p, c in sorted(table.items())}

    def stats(self) -> dict[str, object]:
        """Plain numbers for ``hustings demo`` to print; no formatting decisions here."""
        return {
            "election": ELECTION,
            "seed": self.seed,
            "scale": self.scale,
            "start": self.start,
            "end": self.end,
            "accounts": len(self.accounts),
            "accounts_by_role": self.accounts_by_role(),
            "accounts_by_party": self.accounts_by_party(),
            "messages": len(self.messages),
            "messages_by_platform": self.messages_by_platform_kind(),
        }
