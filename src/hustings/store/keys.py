"""Match rows on composite natural keys in a way every database can index.

``(platform, platform_id) IN ((…), (…))`` reads naturally but SQLite answers it with a
full table scan, which made every import batch slower than the last. Grouping the keys by
their first column gives ``(platform = 'x' AND platform_id IN (…)) OR …``, which SQLite and
PostgreSQL both answer from the unique index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_

__all__ = ["keys_in"]


def keys_in(first: Any, second: Any, keys: Iterable[tuple[Any, Any]]) -> ColumnElement[bool]:
    """A condition true for rows whose ``(first, second)`` is one of ``keys``."""
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for head, tail in keys:
        grouped[head].append(tail)
    if not grouped:
        return false()
    return or_(*(and_(first == head, second.in_(tails)) for head, tails in grouped.items()))
