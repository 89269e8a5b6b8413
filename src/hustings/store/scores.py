"""Reading the classifiers' stored scores (written by ``hustings.nlp.enrich``).

A score row holds the label the model chose and that label's probability. The readers here
answer the question their callers ask instead, "how likely is *this* label?", for binary
tasks such as needs-reply, where the other label's probability is the complement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sqlalchemy import Connection, Select, select

from hustings.store.schema import message_scores, messages

__all__ = ["NEEDS_REPLY", "label_probabilities", "needs_reply_query", "probability_of"]

NEEDS_REPLY: Final = "needs_reply"


def probability_of(label: str, chosen: str, score: float) -> float:
    """The probability of ``label`` given a binary model chose ``chosen`` with ``score``."""
    return score if chosen == label else 1.0 - score


def label_probabilities(
    conn: Connection, task: str, label: str, message_ids: Sequence[int]
) -> dict[int, float]:
    """The stored probability of ``label`` for each of these messages that ``task`` scored."""
    if not message_ids:
        return {}
    rows = conn.execute(
        select(message_scores.c.message_id, message_scores.c.label, message_scores.c.score).where(
            message_scores.c.task == task, message_scores.c.message_id.in_(list(message_ids))
        )
    )
    return {r.message_id: probability_of(label, r.label, r.score) for r in rows}


def needs_reply_query() -> Select[tuple[str, str, str, float]]:
    """``(platform, platform_id, label, score)`` of every message scored for needs-reply."""
    return (
        select(
            messages.c.platform,
            messages.c.platform_id,
            message_scores.c.label,
            message_scores.c.score,
        )
        .join(messages, messages.c.id == message_scores.c.message_id)
        .where(message_scores.c.task == NEEDS_REPLY)
    )
