"""The matrix: party × topic × week attention share, the first mover on each topic and every
other party's lag. The measures are defined in ``_defs.DEFINITIONS``; this module computes
them and nothing else defines them.

An item's time is when it was published, or when first seen where the source gave no date;
weeks start on Monday (UTC).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from hustings.policy._coding import topics
from hustings.store.schema import policy_items
from hustings.workspace import Actor

__all__ = ["Cell", "Matrix", "Mover", "build_matrix", "item_time"]


@dataclass(frozen=True, slots=True)
class Cell:
    party: str
    topic: int
    week: date
    count: int
    share: float
    item_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Mover:
    """The first mover on a topic and each other party's lag behind it."""

    topic: int
    party: str
    item_id: int
    at: datetime
    lags: dict[str, timedelta | None]


@dataclass(slots=True)
class Matrix:
    since: datetime
    until: datetime
    parties: list[str] = field(default_factory=list)
    topics: dict[int, str] = field(default_factory=dict)
    weeks: list[date] = field(default_factory=list)
    cells: dict[tuple[str, int, date], Cell] = field(default_factory=dict)
    totals: dict[tuple[str, date], int] = field(default_factory=dict)
    movers: dict[int, Mover] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since, "until": self.until, "parties": self.parties,
            "topics": {str(k): v for k, v in self.topics.items()},
            "weeks": [w.isoformat() for w in self.weeks],
            "cells": [{"party": c.party, "topic": c.topic, "week": c.week.isoformat(),
                       "count": c.count, "share": round(c.share, 4),
                       "item_ids": list(c.item_ids)} for c in self.cells.values()],
            "first_movers": [{"topic": m.topic, "party": m.party, "item_id": m.item_id,
                              "at": m.at, "lag_hours": {
                                  p: None if lag is None else round(lag.total_seconds() / 3600,
                                                                    1)
                                  for p, lag in m.lags.items()}}
                             for m in self.movers.values()],
        }


def item_time(published_at: datetime | None, first_seen_at: datetime) -> datetime:
    return published_at or first_seen_at


def week_of(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def build_matrix(conn: Connection, actor: Actor, since: datetime | None = None,
                 until: datetime | None = None, weeks: int = 4) -> Matrix:
    """The matrix over ``[since, until)``: by default the ``weeks`` weeks up to the latest
    item (so a replayed or archived period shows without naming its dates)."""
    ws = actor.workspace_id
    if until is None:
        latest = conn.execute(select(func.max(func.coalesce(
            policy_items.c.published_at, policy_items.c.first_seen_at))).where(
            policy_items.c.workspace_id == ws)).scalar()
        end = latest or datetime.now(UTC)
        until = datetime.combine(week_of(end) + timedelta(days=7), time(), UTC)
    if since is None:
        since = until - timedelta(days=7 * weeks)
    when = func.coalesce(policy_items.c.published_at, policy_items.c.first_seen_at)
    rows = conn.execute(select(policy_items.c.id, policy_items.c.party,
                               policy_items.c.topic_code, policy_items.c.published_at,
                               policy_items.c.first_seen_at)
                        .where(policy_items.c.workspace_id == ws,
                               policy_items.c.topic_code.is_not(None),
                               when >= since, when < until)
                        .order_by(when, policy_items.c.id)).all()
    matrix = Matrix(since, until)
    grouped: dict[tuple[str, int, date], list[int]] = defaultdict(list)
    first: dict[int, dict[str, tuple[datetime, int]]] = defaultdict(dict)
    for row in rows:
        at = item_time(row.published_at, row.first_seen_at)
        week = week_of(at)
        grouped[(row.party, row.topic_code, week)].append(int(row.id))
        matrix.totals[(row.party, week)] = matrix.totals.get((row.party, week), 0) + 1
        first[row.topic_code].setdefault(row.party, (at, int(row.id)))
    matrix.parties = sorted({p for p, _ in matrix.totals})
    names = topics()
    matrix.topics = {code: names.get(code, str(code))
                     for code in sorted({t for _, t, _ in grouped})}
    start = week_of(since)
    while datetime.combine(start, time(), UTC) < until:
        matrix.weeks.append(start)
        start += timedelta(days=7)
    for (party, topic, week), ids in grouped.items():
        matrix.cells[(party, topic, week)] = Cell(
            party, topic, week, len(ids), len(ids) / matrix.totals[(party, week)], tuple(ids))
    for topic, by_party in first.items():
        party, (at, item_id) = min(by_party.items(), key=lambda kv: kv[1])
        lags = {p: (by_party[p][0] - at) if p in by_party else None
                for p in matrix.parties if p != party}
        matrix.movers[topic] = Mover(topic, party, item_id, at, lags)
    return matrix
