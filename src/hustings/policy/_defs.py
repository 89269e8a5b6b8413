"""The matrix's measures, defined once: the web page, the report, ``--help`` and the JSON
print these texts beside the numbers; nobody writes a definition anywhere else."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFINITIONS", "SOURCE_KINDS", "STALE_FACTOR", "Definition"]


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    title: str
    definition: str


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "attention_share", "Attention share",
        "Of a party's items published in a week (deleted items included, each counted once "
        "however many sources carried it), the share coded with this topic: for each "
        "party and week the shares over all topics sum to 100%. Items not yet coded are "
        "left out.",
    ),
    Definition(
        "first_mover", "First mover",
        "On a topic, the party whose earliest item on it in the period shown was published "
        "first (its first-seen time when the source gave no date).",
    ),
    Definition(
        "lag", "Lag",
        "For each other party, the time from the first mover's first item on the topic to "
        "that party's own first item on it; a party with none in the period has no lag (–).",
    ),
)

SOURCE_KINDS = ("feed", "listing", "email", "account")
"""Where items come from: an RSS/Atom feed, an HTML listing page (with a per-site link rule
and the article text extracted), newsletters in a connected mailbox, a tracked account's
own posts."""

STALE_FACTOR = 0.5
"""A source whose items this week fall below this share of its usual weekly count (its
mean over the earlier weeks it was watched) is reported ``quiet``."""
