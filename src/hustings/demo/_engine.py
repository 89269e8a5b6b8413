"""The event loop that turns the cast into a chronological stream of messages.

Events wait in a heap keyed by time. Each day schedules its spontaneous activity (broadcasts,
citizens' posts, DMs, emails, newsletters); each emitted message schedules its reactions
(replies, reposts, quotes, answers) at a delay. Messages therefore come out in time order
and hold only references to the messages they answer, so the generator streams: memory
grows with pending events, not with everything written, which a 10-million-message
benchmark run will need.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from hustings.demo._cast import PARTIES
from hustings.demo._compose import compose
from hustings.demo._model import (
    CAMPAIGN_DAYS,
    DemoAccount,
    DemoMessage,
    Kind,
    Platform,
    Role,
)
from hustings.demo._text import hashtags_in

__all__ = ["FloodPlan", "run"]

_DAY = 86400.0
_END = CAMPAIGN_DAYS * _DAY
_LOCAL_OFFSET = 4 * 3600.0  # Northland is four hours behind UTC during the campaign
_HOURLY = (2, 1, 1, 1, 2, 5, 10, 15, 20, 20, 20, 20, 22, 20, 20, 20, 22, 25, 30, 30, 28, 22, 15, 8)
_HOUR_WEIGHTS = [sum(_HOURLY[: n + 1]) for n in range(24)]
_MAX_DEPTH = 6
# Expected reactions to one public post at scale 1: (replies, reposts, quotes).
_REACTIONS = {
    Role.LEADER: (4.0, 3.0, 0.4),
    Role.PARTY: (2.0, 2.5, 0.25),
    Role.CANDIDATE: (0.7, 0.5, 0.05),
    Role.MEDIA: (1.2, 1.5, 0.25),
    Role.STAFF: (0.2, 0.1, 0.0),
}


@dataclass(frozen=True, slots=True)
class FloodPlan:
    """The planted anomaly: one quiet account posting ``posts`` asks from ``start``."""

    account: int
    start: float
    posts: int
    span: float = 5.5 * 3600


@dataclass(frozen=True, slots=True)
class _Action:
    author: int
    platform: Platform
    kind: Kind
    mode: str
    parent: DemoMessage | None = None
    recipient: int | None = None


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class _Pool:
    """Accounts to draw from with fixed weights, in O(log n) per draw."""

    def __init__(self, members: list[int], weights: list[float]) -> None:
        self.members = members
        self.cum: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cum.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> int | None:
        if not self.members:
            return None
        return rng.choices(self.members, cum_weights=self.cum)[0]


class _Engine:
    def __init__(
        self,
        rng: random.Random,
        accounts: list[DemoAccount],
        scale: float,
        flood: FloodPlan,
        start: datetime,
        until: float,
    ) -> None:
        self.rng = rng
        self.start = start
        self.until = until
        self.accounts = accounts
        self.scale = scale
        self.flood = flood
        self.heap: list[tuple[float, int, _Action]] = []
        self.ticket = 0
        self.seq = 0
        self.broadcasts: dict[tuple[int, Platform], int] = {}
        self.answers: dict[tuple[int, Platform], int] = {}
        self.party_of = {p.code: n for n, p in enumerate(PARTIES)}
        self.central = {a.party: a.index for a in accounts if a.role is Role.PARTY}
        self.staff: dict[str | None, list[int]] = {}
        for a in accounts:
            if a.role is Role.STAFF:
                self.staff.setdefault(a.party, []).append(a.index)
        self.email_rate = {
            a.party: 0.0 if a.reply_share == 0 else rng.uniform(0.25, 0.8)
            for a in accounts
            if a.role is Role.PARTY
        }
        citizens = [a for a in accounts if a.role is Role.CITIZEN]
        self.citizens = {
            p: _Pool(
                [c.index for c in citizens if p in c.platforms],
                [c.activity for c in citizens if p in c.platforms],
            )
            for p in Platform
        }
        targets = [a for a in accounts if a.role in (Role.PARTY, Role.LEADER, Role.CANDIDATE)]
        self.targets = {
            p: _Pool(
                [t.index for t in targets if p in t.platforms],
                [math.sqrt(t.followers) for t in targets if p in t.platforms],
            )
            for p in (Platform.X, Platform.MASTODON)
        }
        self.local: dict[tuple[str | None, Platform], list[int]] = {}
        for t in targets:
            for p in t.platforms:
                self.local.setdefault((t.riding, p), []).append(t.index)

    # -- scheduling -------------------------------------------------------------------
    def push(self, when: float, action: _Action) -> None:
        if when < _END:
            self.ticket += 1
            heapq.heappush(self.heap, (when, self.ticket, action))

    def moment(self, day: int) -> float:
        hour = self.rng.choices(range(24), cum_weights=_HOUR_WEIGHTS)[0]
        return day * _DAY + _LOCAL_OFFSET + (hour + self.rng.random()) * 3600

    def delay(self, median_minutes: float, sigma: float) -> float:
        return 60 * self.rng.lognormvariate(math.log(median_minutes), sigma)

    def schedule_day(self, day: int) -> None:
        rng = self.rng
        for a in self.accounts:
            if a.posts_per_day <= 0 or a.role is Role.CITIZEN:
                continue
            for _ in range(_poisson(rng, a.posts_per_day)):
                social = [p for p in (Platform.X, Platform.MASTODON) if p in a.platforms]
                platform = Platform.X if rng.random() < 0.65 else rng.choice(social)
                mode = "media" if a.role is Role.MEDIA else "broadcast"
                self.push(self.moment(day), _Action(a.index, platform, Kind.POST, mode))
            if a.role is Role.PARTY and day % 7 in (1, 4):
                when = day * _DAY + 14 * 3600 + rng.randrange(1800)
                self.push(when, _Action(a.index, Platform.EMAIL, Kind.NEWSLETTER, "newsletter"))
        pool = self.citizens[Platform.X]
        total = sum(self.citizens[p].total for p in (Platform.X, Platform.MASTODON))
        for _ in range(_poisson(rng, total)):
            platform = Platform.X if rng.random() < pool.total / total else Platform.MASTODON
            author = self.citizens[platform].draw(rng)
            if author is not None:
                self.push(self.moment(day), self.spontaneous(author, platform))
        if int(self.flood.start // _DAY) == day:
            for _ in range(self.flood.posts):
                when = self.flood.start + rng.random() * self.flood.span
                self.push(when, _Action(self.flood.account, Platform.X, Kind.POST, "flood"))

    def spontaneous(self, author: int, platform: Platform) -> _Action:
        rng, citizen = self.rng, self.accounts[author]
        roll = rng.random()
        if roll < 0.12 and Platform.EMAIL in citizen.platforms:
            party = rng.randrange(len(PARTIES))
            return _Action(
                author,
                Platform.EMAIL,
                Kind.EMAIL,
                "ask",
                recipient=self.central[PARTIES[party].code],
            )
        target = self.pick_target(citizen, platform)
        if roll < 0.22 and platform is Platform.MASTODON:
            return _Action(author, platform, Kind.DM, "dm", recipient=target)
        if roll < 0.4:
            return _Action(author, platform, Kind.POST, "camp", recipient=target)
        return _Action(author, platform, Kind.POST, "tone", recipient=target)

    def pick_target(self, citizen: DemoAccount, platform: Platform) -> int:
        local = self.local.get((citizen.riding, platform), [])
        if local and self.rng.random() < 0.4:
            return self.rng.choice(local)
        target = self.targets[platform].draw(self.rng)
        assert target is not None
        return target

    # -- reactions --------------------------------------------------------------------
    def react(self, msg: DemoMessage) -> None:
        author = self.accounts[msg.author]
        now = (msg.created_at - self.start).total_seconds()
        if msg.kind is Kind.NEWSLETTER:
            self.newsletter_replies(msg, now)
            return
        if author.role is Role.CITIZEN:
            self.maybe_answer(msg, now)
            self.maybe_pile_on(msg, now)
            return
        if msg.kind in (Kind.POST, Kind.QUOTE):
            self.audience(msg, author, now)
        if msg.parent is not None and msg.depth < _MAX_DEPTH:
            citizen = self.accounts[msg.parent.author]
            if citizen.role is Role.CITIZEN and self.rng.random() < 0.35:
                mode = "email_followup" if msg.platform is Platform.EMAIL else "retort"
                when = now + self.delay(45, 1.2)
                self.push(when, _Action(citizen.index, msg.platform, msg.kind, mode, msg))

    def audience(self, msg: DemoMessage, author: DemoAccount, now: float) -> None:
        rng = self.rng
        replies, reposts, quotes = _REACTIONS.get(author.role, (0.0, 0.0, 0.0))
        if msg.author == self.flood.account:
            replies, reposts, quotes = 0.3, 0.2, 0.05
        pool = self.citizens[msg.platform]
        plan = ((Kind.REPLY, replies), (Kind.REPOST, reposts), (Kind.QUOTE, quotes))
        for kind, lam in plan:
            for _ in range(_poisson(rng, lam * self.scale)):
                who = pool.draw(rng)
                if who is not None:
                    when = now + self.delay(40, 1.3)
                    self.push(when, _Action(who, msg.platform, kind, "react", msg))

    def maybe_answer(self, msg: DemoMessage, now: float) -> None:
        """Let the addressed politician (or their staff) answer, within their reply share."""
        if msg.kind is Kind.REPOST or msg.depth >= _MAX_DEPTH:
            return
        addressed = msg.recipient
        if msg.parent is not None and msg.kind is not Kind.QUOTE:
            addressed = msg.parent.author
        if addressed is None:
            return
        target = self.accounts[addressed]
        if target.role is Role.CITIZEN:
            return
        if msg.platform is Platform.EMAIL:
            staff = self.staff.get(target.party, [])
            if staff and self.rng.random() < self.email_rate.get(target.party, 0.0):
                who = self.rng.choice(staff)
                when = now + self.delay(self.accounts[who].response_median_minutes * 4, 0.8)
                self.push(when, _Action(who, msg.platform, Kind.EMAIL, "answer", msg))
            return
        responder = target
        if target.answered_by is not None and self.rng.random() < 0.7:
            responder = self.accounts[target.answered_by]
        key = (responder.index, msg.platform)
        done, posted = self.answers.get(key, 0), self.broadcasts.get(key, 0)
        share = responder.reply_share
        if share <= 0 or (done + 1) > share * (done + 1 + posted) or self.rng.random() > 0.95:
            return
        self.answers[key] = done + 1
        kind = Kind.DM if msg.kind is Kind.DM else Kind.REPLY
        mode = "staff_answer" if responder is not target else "answer"
        if kind is Kind.DM:
            mode = "dm_answer"
        when = now + self.delay(responder.response_median_minutes, responder.response_sigma)
        self.push(when, _Action(responder.index, msg.platform, kind, mode, msg, addressed))

    def maybe_pile_on(self, msg: DemoMessage, now: float) -> None:
        parent = msg.parent
        if parent is None or msg.kind is not Kind.REPLY or msg.depth >= _MAX_DEPTH:
            return
        chance = 0.3 if self.accounts[parent.author].role is Role.CITIZEN else 0.1
        if self.rng.random() < chance:
            who = self.citizens[msg.platform].draw(self.rng)
            if who is not None and who != msg.author:
                self.push(
                    now + self.delay(30, 1.2),
                    _Action(who, msg.platform, Kind.REPLY, "crosstalk", msg),
                )

    def newsletter_replies(self, msg: DemoMessage, now: float) -> None:
        for _ in range(_poisson(self.rng, 6.0 * self.scale)):
            who = self.citizens[Platform.EMAIL].draw(self.rng)
            if who is not None:
                when = now + self.delay(180, 1.0)
                self.push(
                    when,
                    _Action(who, Platform.EMAIL, Kind.EMAIL, "reply_newsletter", msg, msg.author),
                )

    # -- emitting ---------------------------------------------------------------------
    def emit(self, when: float, action: _Action) -> DemoMessage:
        words = compose(
            self.rng,
            self.accounts,
            action.author,
            action.mode,
            action.kind,
            action.parent,
            action.recipient,
        )
        text, addressed = words.text, words.addressed
        parent = action.parent
        author = self.accounts[action.author]
        is_reply = parent is not None and action.kind not in (Kind.REPOST, Kind.QUOTE)
        mentions = tuple(
            a for a in (addressed,) if a is not None and f"@{self.accounts[a].handle}" in text
        )
        likes = 0
        if action.kind is not Kind.REPOST and author.is_tracked:
            likes = int(author.followers * self.rng.lognormvariate(math.log(0.002), 0.8))
        elif action.kind is not Kind.REPOST:
            likes = _poisson(self.rng, 1.5)
        message = DemoMessage(
            seq=self.seq,
            platform=action.platform,
            kind=action.kind,
            author=action.author,
            created_at=self.start + timedelta(seconds=round(when, 3)),
            text=text,
            parent=parent if is_reply else None,
            root_seq=parent.root if is_reply and parent is not None else -1,
            depth=parent.depth + 1 if is_reply and parent is not None else 0,
            target=parent if action.kind in (Kind.REPOST, Kind.QUOTE) else None,
            recipient=addressed,
            mentions=mentions,
            hashtags=hashtags_in(text),
            subject=words.subject,
            uncivil=words.uncivil,
            likes=likes,
        )
        self.seq += 1
        key = (action.author, action.platform)
        if not is_reply and action.kind is not Kind.REPOST:
            self.broadcasts[key] = self.broadcasts.get(key, 0) + 1
        return message

    def run(self) -> Iterator[DemoMessage]:
        for day in range(CAMPAIGN_DAYS):
            self.schedule_day(day)
            horizon = (day + 1) * _DAY
            while self.heap and self.heap[0][0] < horizon:
                if round(self.heap[0][0], 3) > self.until:
                    return  # the rest of the campaign has not happened yet
                when, _, action = heapq.heappop(self.heap)
                message = self.emit(when, action)
                yield message
                self.react(message)


def run(
    rng: random.Random,
    accounts: list[DemoAccount],
    scale: float,
    flood: FloodPlan,
    start: datetime,
    until: float = _END,
) -> Iterator[DemoMessage]:
    """Yield the campaign's messages in time order (``seq`` 0, 1, 2, ...).

    Times count from ``start``; the stream stops at ``until`` seconds after it ("now"),
    a time-ordered prefix, so every reply's parent is in it.
    """
    return _Engine(rng, accounts, scale, flood, start, until).run()
