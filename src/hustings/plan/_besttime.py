"""Best time to post: a score for each hour of the week from the account's own history.

Sprout's "Optimal Send Times" says when to post from a generic audience; this says it from
the account's own followers: when they answered its posts. The score of a slot (weekday x
hour, in the time zone the workspace reads its rules in) is the responses per post the
account got for posts made in that slot, shrunk toward the account's overall responses per
post by ``prior_posts`` imaginary ordinary posts (so a slot with one lucky post does not
win), divided by that overall figure: 1.0 is the account's usual, 2.0 twice it. The number
of posts behind each slot is shown with it. :data:`DEFINITION` is the one text the CLI, the
composer and ``docs/plan.md`` print beside the chart.

The suggestion is the start of the best-scoring hour in the coming ``horizon_days`` that no
quiet hours or blackout date the workspace set (:mod:`hustings.plan._user_rules`) rules out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, func, select

from hustings.plan._record import PRIVATE_KINDS, account_row, own_messages
from hustings.plan._user_rules import UserRule, blocked, rules_for, zone
from hustings.store.schema import messages
from hustings.workspace import Actor

__all__ = ["DEFINITION", "BestTimeParams", "SlotScores", "best_time", "responses_to",
           "score_slots", "slot_of", "suggest"]

SLOTS = 168
HOUR = 3600
DAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_POSTING_KINDS = ("post", "quote", "reply")
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class BestTimeParams:
    """The settings of the best-time score, printed in its definition."""

    lookback_weeks: int = 16
    prior_posts: float = 3.0
    horizon_days: int = 7


_P = BestTimeParams()
DEFINITION = (
    "For each hour of the week (weekday x hour, in the time zone shown): the replies and "
    "quotes other people sent to the account's posts made in that hour over the last "
    f"{_P.lookback_weeks} weeks, per post, shrunk toward the account's overall "
    f"responses per post as if each hour had {_P.prior_posts:g} more ordinary "
    "posts, divided by that overall figure: 1.0 is the account's usual, 2.0 twice it. "
    "Beside each score, the number of posts behind it. The suggested time is the start of "
    f"the best-scoring hour in the next {_P.horizon_days} days outside the quiet "
    "hours and blackout dates the workspace set."
)


def slot_of(at: int, tz: tzinfo) -> int:
    """The hour of the week (0 = Monday 00:00) ``at`` falls in, read in ``tz``."""
    local = datetime.fromtimestamp(at, tz)
    return local.weekday() * 24 + local.hour


@dataclass(frozen=True)
class SlotScores:
    """Posts and responses per hour of the week, and the account's overall responses per
    post; :attr:`score` is the definition's score."""

    posts: npt.NDArray[np.int64]
    responses: npt.NDArray[np.float64]
    usual: float
    prior_posts: float

    @property
    def score(self) -> npt.NDArray[np.float64]:
        if self.usual <= 0:
            return np.ones(SLOTS)
        k = self.prior_posts
        shrunk: npt.NDArray[np.float64] = (self.responses + k * self.usual) / (self.posts + k)
        return shrunk / self.usual

    def rows(self) -> list[dict[str, Any]]:
        score = self.score
        return [{"day": DAY_SHORT[s // 24], "hour": s % 24, "posts": int(self.posts[s]),
                 "responses": float(self.responses[s]), "score": round(float(score[s]), 3)}
                for s in range(SLOTS)]


def score_slots(slots: Sequence[int] | npt.NDArray[np.int64],
                responses: Sequence[float] | npt.NDArray[np.float64],
                params: BestTimeParams | None = None) -> SlotScores:
    """The slot scores of posts made in ``slots`` (hours of the week) that drew
    ``responses`` each."""
    p = params or BestTimeParams()
    where = np.asarray(slots, dtype=np.int64)
    got = np.asarray(responses, dtype=np.float64)
    posts = np.bincount(where, minlength=SLOTS).astype(np.int64)
    total = np.bincount(where, weights=got, minlength=SLOTS).astype(np.float64)
    usual = float(got.mean()) if len(got) else 0.0
    return SlotScores(posts, total, usual, p.prior_posts)


def suggest(scores: SlotScores, after: int, tz: tzinfo, rules: Sequence[UserRule] = (),
            params: BestTimeParams | None = None) -> int | None:
    """The start of the best-scoring hour after ``after`` within the horizon that no quiet
    hours or blackout rule rules out (the earliest of equals); None with no responses to
    go by."""
    p = params or BestTimeParams()
    if scores.usual <= 0:
        return None
    score = scores.score
    first = (after // HOUR + 1) * HOUR
    best: tuple[float, int] | None = None
    for at in range(first, first + p.horizon_days * 24 * HOUR, HOUR):
        if blocked(rules, at) is not None:
            continue
        value = float(score[slot_of(at, tz)])
        if best is None or value > best[0]:
            best = (value, at)
    return best[1] if best else None


def _zone(rules: Sequence[UserRule], tz: str | None) -> tzinfo:
    """The zone asked for, else the first rule's (the workspace reads its week there)."""
    return zone(tz) if tz else next((r.tz for r in rules), UTC)


def responses_to(conn: Connection, acct: Any, workspace_id: int,
               ids: list[str]) -> dict[str, int]:
    """Replies and quotes by other people to each of the account's posts (by platform id)."""
    out: dict[str, int] = {}
    others = messages.c.author_id != (acct.platform_id or "")
    if not acct.platform_id:
        others = func.lower(func.coalesce(messages.c.author_handle, "")) != acct.handle_lower
    for column in (messages.c.reply_to_id, messages.c.quote_of_id):
        for i in range(0, len(ids), _CHUNK):
            rows = conn.execute(
                select(column, func.count()).where(
                    messages.c.platform == acct.platform, column.in_(ids[i:i + _CHUNK]),
                    others, messages.c.kind.not_in(PRIVATE_KINDS),
                    (messages.c.workspace_id.is_(None))
                    | (messages.c.workspace_id == workspace_id),
                ).group_by(column)
            ).all()
            for key, n in rows:
                out[key] = out.get(key, 0) + int(n)
    return out


def best_time(conn: Connection, actor: Actor, account: str | int, now: datetime | None = None,
              tz: str | None = None, params: BestTimeParams | None = None) -> dict[str, Any]:
    """The account's slot scores, from its own posts and the responses they drew, and the
    suggested time to post next."""
    from hustings.plan._posts import account_id

    p = params or BestTimeParams()
    now = now or datetime.now(UTC)
    tracked = account_id(conn, actor, account)
    acct = account_row(conn, tracked)
    rules = rules_for(conn, actor.workspace_id, tracked)
    where = _zone(rules, tz)
    posts = conn.execute(
        select(messages.c.platform_id, messages.c.created_at).where(
            own_messages(acct, actor.workspace_id), messages.c.kind.in_(_POSTING_KINDS),
            messages.c.created_at >= now - timedelta(weeks=p.lookback_weeks),
            messages.c.created_at <= now)
    ).all()
    got = responses_to(conn, acct, actor.workspace_id, [r.platform_id for r in posts])
    scores = score_slots([slot_of(int(r.created_at.timestamp()), where) for r in posts],
                         [got.get(r.platform_id, 0) for r in posts], p)
    at = suggest(scores, int(now.timestamp()), where, rules, p)
    when = datetime.fromtimestamp(at, where) if at is not None else None
    if when is None:
        why = (f"no responses to its {len(posts)} posts of the last {p.lookback_weeks} weeks "
               "to go by")
    else:
        s = slot_of(int(when.timestamp()), where)
        why = (f"{when:%A %H:%M} ({where}): {float(scores.score[s]):.1f}x the account's usual "
               f"responses, over {int(scores.posts[s])} posts in that hour")
    return {
        "account_id": tracked, "platform": acct.platform, "handle": acct.handle,
        "tz": str(where), "definition": DEFINITION, "posts": len(posts),
        "responses": int(sum(got.values())), "usual": round(scores.usual, 3),
        "suggested_at": when.isoformat() if when else None, "why": why,
        "slots": scores.rows(),
    }
