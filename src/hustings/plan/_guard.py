"""Judging one draft: the account's own rhythm, bursts, silences, the campaign and the caps.

The guard is pure: it is handed the account's published and queued post times (and the
campaign's other accounts'), the draft's time and text, and returns a :class:`Judgement`.
The store side (:mod:`hustings.plan._store`) reads those times and records the judgement
before anything leaves; the benchmark replays real timelines through this same function.

**Baseline.** The account's published posts in the ``lookback_weeks`` (16) before the draft
give its hour-of-week baseline (posts per week in each of the 168 hours of the week), its
usual busiest hour and day (a high quantile of the posts in its active clock hours and
days) and its mean rate. With fewer than ``min_history_weeks`` (4) weeks or
``min_history_posts`` posts of history, each of those is at least the fallback
(``fallback_*``), so a new or quiet account is judged against an ordinary political
account's pace rather than against its own near-silence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from hustings.metrics._params import AuditParams
from hustings.plan._rules import Finding, Verdict, all_rules

if TYPE_CHECKING:
    from hustings.plan._user_rules import UserRule

__all__ = ["Context", "Draft", "GuardParams", "Judgement", "Timeline", "judge"]

HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY
IntArray = npt.NDArray[np.int64]
_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class GuardParams:
    """Every threshold the guard applies, as data the docs print beside each rule."""

    lookback_weeks: int = 16
    min_history_weeks: int = 4
    min_history_posts: int = 20
    busiest_quantile: float = 0.99
    fallback_posts_per_day: float = 12.0
    fallback_busiest_hour: float = 6.0
    fallback_busiest_day: float = 24.0
    min_busiest_hour: float = 3.0
    min_busiest_day: float = 6.0
    hold_factor: float = 3.0
    burst_days: int = 14
    cap_warn_share: float = 0.9
    audit: AuditParams = field(default_factory=AuditParams)


@dataclass(frozen=True, slots=True)
class Timeline:
    """One account's post times (epoch seconds): ``published`` and ``queued`` (to go out,
    the draft itself not among them)."""

    handle: str
    platform: str
    published: IntArray = field(default_factory=lambda: _EMPTY)
    queued: IntArray = field(default_factory=lambda: _EMPTY)

    @classmethod
    def of(cls, handle: str, platform: str, published: Sequence[int] | IntArray = (),
           queued: Sequence[int] | IntArray = ()) -> Timeline:
        return cls(handle, platform, np.sort(np.asarray(published, dtype=np.int64)),
                   np.sort(np.asarray(queued, dtype=np.int64)))


@dataclass(frozen=True, slots=True)
class Draft:
    """A post to judge: when it would go out, and its text."""

    at: int
    text: str


@dataclass(frozen=True, slots=True)
class Judgement:
    """The worst verdict of any rule, and every rule's finding behind it."""

    verdict: Verdict
    findings: tuple[Finding, ...]

    @property
    def reasons(self) -> list[str]:
        return [f.reason for f in self.findings if f.verdict is not Verdict.OK]

    def as_dict(self) -> dict[str, object]:
        return {"verdict": self.verdict.value, "findings": [f.as_dict() for f in self.findings]}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _minutes(seconds: int) -> str:
    if seconds < HOUR:
        m = max(seconds // 60, 1)
        return "1 minute" if m == 1 else f"{m} minutes"
    hours = seconds / HOUR
    return f"{hours:.1f} hours".replace(".0 hours", " hours")


@dataclass(frozen=True)
class Rhythm:
    """What one timeline's own history says is usual (see the module's docstring)."""

    weeks: float
    posts: int
    thin: bool
    slots: npt.NDArray[np.float64]
    busiest_hour: float
    busiest_day: float
    rate: float

    @classmethod
    def of(cls, history: IntArray, at: int, p: GuardParams) -> Rhythm:
        posts = len(history)
        weeks = min((at - int(history[0])) / WEEK, p.lookback_weeks) if posts else 0.0
        thin = weeks < p.min_history_weeks or posts < p.min_history_posts
        span = max(weeks, 1.0)
        slot = (history // HOUR + 72) % 168  # epoch hour 0 is a Thursday; slot 0 is Monday 0h
        slots = np.bincount(slot, minlength=168).astype(np.float64) / span
        busiest_hour = _quantile(_runs(history // HOUR), p)
        busiest_day = _quantile(_runs(history // DAY), p)
        rate = posts / (span * 168)
        if thin:
            busiest_hour = max(busiest_hour, p.fallback_busiest_hour)
            busiest_day = max(busiest_day, p.fallback_busiest_day)
            rate = max(rate, p.fallback_posts_per_day / 24)
        return cls(weeks, posts, thin, slots, busiest_hour, busiest_day, rate)

    def usual_at(self, at: int) -> float:
        """Posts a week this timeline usually makes in the hour of the week ``at`` falls in."""
        return float(self.slots[(at // HOUR + 72) % 168])


def _runs(sorted_keys: IntArray) -> IntArray:
    """How many times each distinct value occurs in an already sorted array (no re-sort)."""
    if not len(sorted_keys):
        return _EMPTY
    edges = np.flatnonzero(np.diff(sorted_keys)) + 1
    return np.diff(np.concatenate(([0], edges, [len(sorted_keys)])))


def _quantile(counts: npt.NDArray[np.int64], p: GuardParams) -> float:
    return float(np.quantile(counts, p.busiest_quantile, method="higher")) if len(counts) else 0.0


def densest(times: IntArray, at: int, width: int) -> tuple[int, int]:
    """The most posts in any window ``width`` seconds wide that holds ``at`` (a post time in
    ``times``), and the span from that window's first post to its last."""
    lo = np.searchsorted(times, at - width, side="right")
    hi = np.searchsorted(times, at, side="right")
    starts = times[lo:hi]
    ends = np.searchsorted(times, starts + width, side="left")
    counts = ends - np.arange(lo, hi)
    best = int(np.argmax(counts))
    n = int(counts[best])
    return n, int(times[lo + best + n - 1] - starts[best])


class Context:
    """One draft in its setting, with what the rules share worked out once, when asked."""

    def __init__(self, draft: Draft, own: Timeline, campaign: Sequence[Timeline] = (),
                 params: GuardParams | None = None,
                 user_rules: Sequence[UserRule] = ()) -> None:
        self.draft, self.own, self.params = draft, own, params or GuardParams()
        self.user_rules = tuple(user_rules)
        self.campaign = [t for t in campaign if t.handle != own.handle]
        self.lo = draft.at - self.params.lookback_weeks * WEEK
        self._histories: dict[int, IntArray] = {}

    def _history(self, t: Timeline) -> IntArray:
        """``t``'s published posts in the lookback, up to the draft (worked out once)."""
        key = id(t)
        if key not in self._histories:
            pub = t.published
            lo, hi = np.searchsorted(pub, [self.lo, self.draft.at], side="right")
            self._histories[key] = pub[lo:hi]
        return self._histories[key]

    def _all(self, timelines: Sequence[Timeline]) -> IntArray:
        """Published and queued times around the draft, with the draft, sorted."""
        parts = [self._history(t) for t in timelines]
        parts += [t.queued[t.queued >= self.lo] for t in timelines]
        parts.append(np.asarray([self.draft.at], dtype=np.int64))
        return np.sort(np.concatenate(parts))

    @cached_property
    def times(self) -> IntArray:
        """The account's published and queued posts of the last weeks, and the draft."""
        return self._all([self.own])

    @cached_property
    def rhythm(self) -> Rhythm:
        return Rhythm.of(self._history(self.own), self.draft.at, self.params)

    @cached_property
    def campaign_times(self) -> IntArray:
        return self._all([self.own, *self.campaign])

    @cached_property
    def campaign_rhythm(self) -> Rhythm:
        merged = np.sort(np.concatenate([self._history(t) for t in (self.own, *self.campaign)]))
        return Rhythm.of(merged, self.draft.at, self.params)

    @cached_property
    def previous(self) -> int | None:
        """The time of the account's last post (published or queued) before the draft."""
        before = self.times[self.times < self.draft.at]
        return int(before[-1]) if len(before) else None

    def asks(self) -> str | None:
        """The call to action in the draft, by the audit's own ask pattern."""
        found = re.search(self.params.audit.ask_pattern, self.draft.text, re.IGNORECASE)
        return found.group(0) if found else None

    @staticmethod
    def ordinal(n: int) -> str:
        return _ordinal(n)

    @staticmethod
    def span(seconds: int) -> str:
        return _minutes(seconds)


def judge(draft: Draft, own: Timeline, campaign: Sequence[Timeline] = (),
          params: GuardParams | None = None,
          user_rules: Sequence[UserRule] = ()) -> Judgement:
    """Every registered rule's finding on ``draft``; the verdict is the worst of them.
    ``user_rules`` are the rules the workspace set for the account (quiet hours...)."""
    ctx = Context(draft, own, campaign, params, user_rules)
    findings = tuple(f for rule in all_rules() if (f := rule.check(ctx)) is not None)
    worst = max((f.verdict for f in findings), key=lambda v: v.rank, default=Verdict.OK)
    return Judgement(worst, findings)
