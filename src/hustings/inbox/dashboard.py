"""The workspace dashboard: is anyone being left without an answer?

Figures are computed from inbox items alone: open items, open items past their due time,
the median time to first response for items received this week (Monday 00:00 UTC on), the
people with an open item who have never had an answer, and the share of items needing a
reply that were answered in the last 30 days (the workspace's own reply rate), and the same
30 days day by day (``daily``, defined by ``DAILY_DEFINITION``), so that a falling-behind
week shows before its breaches do. Beside them, the audit scorecard of the workspace's own
accounts, from the last background audit (``scorecard``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Row, distinct, func, select

from hustings.inbox.items import is_open as open_items
from hustings.inbox.scorecard import AuditCache
from hustings.store.schema import inbox_items
from hustings.workspace import Actor

__all__ = ["DAILY_DEFINITION", "dashboard"]

_DAYS = 30
_ANSWER_WITHIN = timedelta(hours=24)
DAILY_DEFINITION = (
    "Inbox items received each day (UTC) over the last 30 days, whether or not they need a "
    "reply, and of those the ones that had a first response from the workspace within 24 h "
    "of arriving. Items younger than 24 h that are still unanswered may yet be answered in time."
)


def _daily(rows: Sequence[Row[Any, Any]], first_day: date) -> list[dict[str, Any]]:
    """Received and answered-within-24-h counts per day, ``_DAYS`` days from ``first_day``."""
    received: Counter[date] = Counter(r.received_at.date() for r in rows)
    answered: Counter[date] = Counter(
        r.received_at.date()
        for r in rows
        if r.first_response_at is not None and r.first_response_at - r.received_at <= _ANSWER_WITHIN
    )
    days = (first_day + timedelta(days=i) for i in range(_DAYS))
    return [
        {"day": day.isoformat(), "received": received[day], "answered_24h": answered[day]}
        for day in days
    ]


def dashboard(
    conn: Connection, actor: Actor, audit: AuditCache | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The figures, and the scorecard from ``audit`` (``None`` when there is no audit)."""
    now = now or datetime.now(UTC)
    ws = inbox_items.c.workspace_id == actor.workspace_id
    is_open = open_items()

    def scalar(*where: Any, what: Any = None) -> int:
        query = select(what if what is not None else func.count()).select_from(inbox_items)
        return int(conn.execute(query.where(ws, *where)).scalar_one() or 0)

    week_start = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    # One read of the last _DAYS days serves the chart and this week's median (the week
    # starts at most six days ago).
    first_day = now.date() - timedelta(days=_DAYS - 1)
    recent = conn.execute(
        select(inbox_items.c.received_at, inbox_items.c.first_response_at).where(
            ws, inbox_items.c.received_at >= datetime.combine(first_day, time.min, UTC)
        )
    ).all()
    waits = [
        (r.first_response_at - r.received_at).total_seconds() / 60
        for r in recent
        if r.received_at >= week_start and r.first_response_at is not None
    ]
    answered_people = select(inbox_items.c.person_id).where(
        ws, inbox_items.c.first_response_at.is_not(None), inbox_items.c.person_id.is_not(None)
    )
    month = inbox_items.c.received_at >= now - timedelta(days=30)
    needing = scalar(month, inbox_items.c.needs_reply.is_(True))
    answered = scalar(
        month, inbox_items.c.needs_reply.is_(True), inbox_items.c.first_response_at.is_not(None)
    )
    return {
        "open_items": scalar(is_open),
        "past_sla": scalar(is_open, inbox_items.c.due_at < now),
        "median_first_response_minutes": round(statistics.median(waits), 1) if waits else None,
        "answered_this_week": len(waits),
        "unanswered_people": scalar(
            is_open,
            inbox_items.c.person_id.not_in(answered_people),
            what=func.count(distinct(inbox_items.c.person_id)),
        ),
        "reply_rate_30d": round(answered / needing, 3) if needing else None,
        "week_start": week_start,
        "daily": _daily(recent, first_day),
        "daily_definition": DAILY_DEFINITION,
        "scorecard": audit.for_workspace(conn, actor.workspace_id) if audit else None,
    }
