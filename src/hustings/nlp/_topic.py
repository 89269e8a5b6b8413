"""Policy topics: Comparative Agendas Project (CAP) major topics, learnt from seed words.

No labelled tweets with CAP codes are available offline, so the training labels are weak: a
message that mentions seed words of exactly one topic (the lexicon below, written for this
project from the CAP codebook's topic descriptions) is labelled with that topic, and a message
that mentions none is labelled ``none``. The classifier trained on those labels generalises past
the seeds through character n-grams and co-occurring words ("ward", "waiting list" and "nurses"
all pull towards health once "NHS" and "hospital" have taught it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

__all__ = ["NONE", "TOPICS", "seed_hits", "weak_label"]

NONE: Final = "none"

# fmt: off
TOPICS: Final[dict[str, tuple[str, ...]]] = {
    "economy": (
        "economy", "economic", "inflation", "interest rate", "recession", "tax", "taxes",
        "budget", "deficit", "gdp", "cost of living", "unemployment", "wages", "debt",
    ),
    "civil_rights": (
        "civil rights", "discrimination", "racism", "equality", "gay marriage", "lgbt",
        "voting rights", "free speech", "privacy", "feminism", "feminist", "sexism",
    ),
    "health": (
        "health", "nhs", "hospital", "doctor", "nurses", "medicare", "obamacare", "vaccine",
        "cancer", "mental health", "abortion", "pandemic", "gp surgery",
    ),
    "agriculture": ("farmers", "farming", "agriculture", "crops", "livestock", "dairy"),
    "labour": (
        "jobs", "workers", "union", "unions", "strike", "minimum wage", "employment",
        "pension", "pensions", "labor", "labour market",
    ),
    "education": (
        "school", "schools", "education", "teachers", "students", "university", "tuition",
        "college", "student loans", "classroom",
    ),
    "environment": (
        "climate", "environment", "pollution", "global warming", "emissions", "carbon",
        "recycling", "sewage", "wildlife", "green belt",
    ),
    "energy": (
        "energy", "oil", "gas prices", "fracking", "renewable", "solar", "wind farm",
        "nuclear power", "electricity", "pipeline",
    ),
    "immigration": (
        "immigration", "immigrants", "migrants", "refugees", "asylum", "border", "deport",
        "visa", "illegal aliens",
    ),
    "transport": (
        "transport", "roads", "potholes", "trains", "railway", "bus", "buses", "traffic",
        "bypass", "airport", "cycle lanes",
    ),
    "crime": (
        "crime", "police", "prison", "gun", "guns", "murder", "shooting", "knife crime",
        "justice", "terrorism", "terrorist",
    ),
    "welfare": (
        "welfare", "benefits", "food bank", "poverty", "universal credit", "social security",
        "homeless", "childcare",
    ),
    "housing": ("housing", "rent", "landlord", "mortgage", "council house", "affordable homes"),
    "business": ("business", "small business", "banks", "consumer", "high street", "shops"),
    "defence": ("military", "army", "troops", "defence", "defense", "veterans", "navy", "war"),
    "technology": ("internet", "broadband", "technology", "cyber", "artificial intelligence"),
    "trade": ("trade", "tariffs", "exports", "imports", "trade deal"),
    "foreign_affairs": (
        "foreign policy", "israel", "iran", "russia", "ukraine", "syria", "china", "nato",
        "united nations", "brexit", "isis",
    ),
    "government": (
        "election", "elections", "parliament", "congress", "senate", "government", "vote",
        "voting", "campaign", "council", "mp", "candidate", "corruption", "democracy",
    ),
    "public_lands": ("national park", "public lands", "forests", "water supply", "parks"),
    "culture": ("arts", "museum", "library", "libraries", "theatre", "culture", "heritage"),
}
# fmt: on

_TOPIC_OF_SEED: Final = {seed: topic for topic, seeds in TOPICS.items() for seed in seeds}
# A seed also matches its plural with a final "s" ("rent", "rents").
_SEEDS: Final = re.compile(
    r"\b("
    + "|".join(re.escape(s) for s in sorted(_TOPIC_OF_SEED, key=len, reverse=True))
    + r")s?\b",
    re.IGNORECASE,
)


def seed_hits(text: str) -> dict[str, str]:
    """Each topic whose seed words the message mentions, with the first seed found."""
    hits: dict[str, str] = {}
    for found in _SEEDS.finditer(text):
        seed = found.group(1).lower()
        hits.setdefault(_TOPIC_OF_SEED[seed], seed)
    return hits


def weak_label(texts: Sequence[str]) -> list[str | None]:
    """The one topic whose seeds a message mentions, ``none`` if none, ``None`` if several.

    Messages that mention two topics are left out of training rather than guessed at.
    """
    labels: list[str | None] = []
    for text in texts:
        hits = list(seed_hits(text))
        labels.append(hits[0] if len(hits) == 1 else (NONE if not hits else None))
    return labels
