"""Helpers the people tests share: finding text anywhere in the store, storing a score."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import String, Text, cast, or_, select

from hustings.store import Store
from hustings.store.schema import message_scores, messages, metadata

__all__ = ["score_message", "tables_containing"]


def tables_containing(store: Store, needle: str) -> list[str]:
    """Tables with any text or JSON column whose text contains ``needle`` (any case) as a
    whole word: ``user1`` is not found in ``user100``."""
    word = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.I)
    hits = []
    with store.begin() as conn:
        for table in metadata.sorted_tables:
            cols = [
                col
                for col in table.c
                if isinstance(col.type, String | Text)
                or col.name in ("mentions", "linked", "detail", "counts", "moved")
            ]
            if not cols:
                continue
            found = or_(*(cast(col, Text).icontains(needle, autoescape=True) for col in cols))
            rows = conn.execute(select(*cols).where(found)).all()
            if any(word.search(str(value)) for row in rows for value in row):
                hits.append(table.name)
    return hits


def score_message(store: Store, platform_id: str, task: str, label: str, score: float) -> int:
    """Store a classifier's score for a message, as ``hustings nlp enrich`` does."""
    with store.begin() as conn:
        message_id = int(
            conn.execute(
                select(messages.c.id).where(messages.c.platform_id == platform_id)
            ).scalar_one()
        )
        conn.execute(
            message_scores.insert().values(
                message_id=message_id,
                task=task,
                label=label,
                score=score,
                model="test-model",
                model_version="1",
                scored_at=datetime.now(UTC),
            )
        )
    return message_id
