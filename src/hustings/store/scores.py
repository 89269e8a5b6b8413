"""Reading the classifiers' stored scores (written by ``hustings.nlp.enrich``).

A score row holds the label the model chose and that label's probability. The readers here
answer the question their callers ask instead, "how likely is *this* label?", for binary
tasks such as needs-reply, where the other label's probability is the complement.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Select, and_, select

from hustings.store.schema import message_scores, messages

__all__ = ["NEEDS_REPLY", "needs_reply_query", "probability_of", "with_stored_label"]

NEEDS_REPLY: Final = "needs_reply"


def probability_of(label: str, chosen: str, score: float) -> float:
    """The probability of ``label`` given a binary model chose ``chosen`` with ``score``."""
    return score if chosen == label else 1.0 - score


def with_stored_label(query: Select[Any], message_id: Any, task: str) -> Select[Any]:
    """``query`` plus the label and score ``task`` stored for ``message_id`` (both ``NULL``
    when unscored), as ``stored_label`` and ``stored_score``: read in the same statement as
    the messages themselves rather than in a round trip of its own."""
    return query.add_columns(
        message_scores.c.label.label("stored_label"), message_scores.c.score.label("stored_score")
    ).outerjoin(
        message_scores,
        and_(message_scores.c.message_id == message_id, message_scores.c.task == task),
    )


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
