"""A sentiment lexicon, read over the tokens ``featurize`` has already made.

Words a model learns from 2013-2016 tweets drift: the test tweets (2017) talk about other
things in other words. A lexicon rated by people (VADER's, Hutto and Gilbert 2014, MIT licence,
7,500 words, emoticons and slang rated from -4 to +4, shipped inside the ``vaderSentiment``
wheel) knows "heartbroken" or "thrilled" whether or not the training tweets used them.

VADER's own scorer re-tokenises each text in pure Python, too slow for thousands of messages a
second; this module keeps its lexicon and three of its rules, over our tokens: a negation among
the three words before a rated word flips and damps it (x -0.74), a booster or dampener word
("very", "barely") just before moves it 0.293 away from or towards zero, and a "but" halves
what comes before it and raises by half what comes after.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Final

__all__ = ["valence", "valences"]

_PACKAGE: Final = "vaderSentiment"
_NEGATION_WINDOW: Final = 3
_BUT: Final = "but"
_BEFORE_BUT: Final = 0.5
_AFTER_BUT: Final = 1.5


@dataclass(frozen=True, slots=True)
class _Vader:
    ratings: dict[str, float]
    negations: frozenset[str]
    boosters: dict[str, float]
    negation_scalar: float


@functools.cache
def _vader() -> _Vader:
    """VADER's ratings and rule words, read from the installed package (nothing downloads)."""
    from vaderSentiment import vaderSentiment as rules  # its import costs ~0.1 s: defer it

    text = resources.files(_PACKAGE).joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    ratings: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            ratings[parts[0].lower()] = float(parts[1])
    return _Vader(
        ratings=ratings,
        negations=frozenset(rules.NEGATE),
        boosters={str(k): float(v) for k, v in rules.BOOSTER_DICT.items()},
        negation_scalar=float(rules.N_SCALAR),
    )


def valence(word: str) -> float | None:
    """The lexicon's rating of one token (a hashtag as its word), or None if it has none."""
    return _vader().ratings.get(word.removeprefix("#"))


def valences(tokens: Sequence[str]) -> list[tuple[int, float]]:
    """``(index, valence)`` for each rated token, after the negation, booster and "but" rules."""
    vader = _vader()
    found: list[tuple[int, float]] = []
    for i, token in enumerate(tokens):
        rating = vader.ratings.get(token.removeprefix("#"))
        if rating is None:
            continue
        boost = vader.boosters.get(tokens[i - 1], 0.0) if i else 0.0
        rating += boost if rating > 0 else -boost
        window = tokens[max(0, i - _NEGATION_WINDOW) : i]
        if any(w in vader.negations or w.endswith("n't") for w in window):
            rating *= vader.negation_scalar
        found.append((i, rating))
    if _BUT in tokens:
        pivot = tokens.index(_BUT)
        found = [(i, v * (_BEFORE_BUT if i < pivot else _AFTER_BUT)) for i, v in found]
    return found
