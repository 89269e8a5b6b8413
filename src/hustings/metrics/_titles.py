"""What every column of the scorecard's tables is called where people read it.

A metric's column is titled by the registry (``metric.title``); the score's parts by
``SCORE_PARTS``; the rest (who an account is, the waiting list, the bursts) here, once.
Reports and pages print :func:`column_title`, never a column's name: a reader should not
meet ``part_replies_to_others`` or ``ikind``.
"""

from __future__ import annotations

from hustings.metrics._defs import INBOUND_KINDS
from hustings.metrics._registry import get_metric
from hustings.metrics._scope import FOCUS
from hustings.metrics._scorecard import SCORE_PARTS

__all__ = ["COLUMN_TITLES", "column_title", "inbound_kind_title"]

COLUMN_TITLES = {
    "akey": "Account key",
    "platform": "Platform",
    "account_id": "Account id",
    "handle": "Account",
    "name": "Name",
    "party": "Party",
    "role": "Role",
    "district": "Riding",
    FOCUS: "In scope",
    "dialogue_score": "Dialogue score",
    "week": "Week starting",
    "person_handle": "From",
    "person_id": "Sender id",
    "ikind": "Kind",
    "sent_at": "Sent",
    "wait_hours": "Waiting for",
    "platform_id": "Message id",
    "text": "Message",
    "start": "Started",
    "end": "Ended",
    "hours": "Hours",
    "posts": "Posts",
    "followers_before": "Followers before",
    "followers_after": "Followers after",
    "follower_change": "Follower change",
}
"""Titles of the scorecard's columns that are not metrics."""


def column_title(name: str) -> str:
    """The title of a scorecard column; an unknown column raises ``KeyError`` (a report
    must not fall back to printing the name)."""
    if name in COLUMN_TITLES:
        return COLUMN_TITLES[name]
    if name.startswith("part_") and name.removeprefix("part_") in SCORE_PARTS:
        return SCORE_PARTS[name.removeprefix("part_")]
    return get_metric(name).title


def inbound_kind_title(kind: str | None) -> str:
    """An inbound message's kind (``dm``, ``email``, ...) as a reader says it."""
    return INBOUND_KINDS.get(kind or "", kind or "")
