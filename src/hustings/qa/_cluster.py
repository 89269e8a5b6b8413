"""Group questions that ask the same thing, one at a time, as they arrive.

A new question joins the cluster holding its most similar variant when the duplicate model
says "same" for that pair; otherwise it opens a cluster of its own. Comparing with every
variant (not a centroid) keeps a merge explainable: the moderator sees which earlier
question it matched. Identical texts (after lower-casing and squeezing spaces) join without
scoring. A wrong merge is undone by ``split``, which moves a variant into a new cluster and
remembers the pair, so the same two are never merged again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from hustings.qa._pairs import DuplicateModel

__all__ = ["Clusters", "Placement"]

_SPACE: Final = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


@dataclass(frozen=True)
class Placement:
    """Where a question went: its cluster, whether that cluster is new, and the variant it
    matched with the model's score (``None`` for a new cluster or an identical text)."""

    cluster: int
    new: bool
    matched: int | None = None
    score: float | None = None


@dataclass
class Clusters:
    """Questions (by index, in arrival order) and the cluster each belongs to."""

    model: DuplicateModel
    texts: list[str] = field(default_factory=list)
    cluster_of: list[int] = field(default_factory=list)
    _next: int = 0
    _apart: set[frozenset[int]] = field(default_factory=set)

    def add(self, text: str) -> Placement:
        index = len(self.texts)
        key = _key(text)
        for earlier, other in enumerate(self.texts):
            if _key(other) == key and frozenset((earlier, index)) not in self._apart:
                return self._place(text, self.cluster_of[earlier], False, earlier, None)
        candidates = list(range(index))
        if candidates:
            scores = self.model.scores(
                [text] * len(candidates), [self.texts[i] for i in candidates]
            )
            ranked = sorted(zip(scores.tolist(), candidates, strict=True), reverse=True)
            for score, earlier in ranked:
                if score < self.model.threshold:
                    break
                return self._place(text, self.cluster_of[earlier], False, earlier, score)
        self._next += 1
        return self._place(text, self._next - 1, True, None, None)

    def _place(
        self, text: str, cluster: int, new: bool, matched: int | None, score: float | None
    ) -> Placement:
        self.texts.append(text)
        self.cluster_of.append(cluster)
        return Placement(cluster, new, matched, score)

    def members(self, cluster: int) -> list[int]:
        return [i for i, c in enumerate(self.cluster_of) if c == cluster]

    def split(self, index: int) -> int:
        """Move question ``index`` into a cluster of its own; return that cluster."""
        for other in self.members(self.cluster_of[index]):
            if other != index:
                self._apart.add(frozenset((index, other)))
        self.cluster_of[index] = self._next
        self._next += 1
        return self.cluster_of[index]
