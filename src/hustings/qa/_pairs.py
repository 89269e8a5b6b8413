"""Are two questions the same question? A logistic regression over nine pair similarities.

Audiences ask the same thing in different words ("what's wrong with the audio?", "no
sound??"); the moderator should see one card with its variants and their votes. Each pair is
described by a few numbers a person could check (TF-IDF cosine of the hashed word and
character n-grams, word overlaps, whether they open with the same question word, whether
their numbers agree, their length ratio); the weights and the merging threshold ship as
JSON in ``models/duplicate.npz``'s header beside the IDF, so scoring needs only numpy.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from hustings.errors import NlpError
from hustings.nlp._features import featurize, normalize
from hustings.nlp._linear import _FUNCTION_WORDS, FloatArray, ModelFile

__all__ = ["FEATURES", "DuplicateModel", "load_duplicates", "pair_features"]

MODELS_DIR: Final = Path(__file__).parent / "models"
FEATURES: Final = (
    "cosine",
    "cosine_squared",
    "content_jaccard",
    "word_jaccard",
    "content_containment",
    "same_opener",
    "numbers_differ",
    "length_ratio",
    "exact",
)
_WORD: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_OPENERS: Final = frozenset(
    [
        "what",
        "why",
        "how",
        "when",
        "where",
        "who",
        "whom",
        "whose",
        "which",
        "is",
        "are",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "has",
        "have",
    ]
)
# The scorer's function words (nlp._linear), plus the pronouns, auxiliaries and question
# words that two chat questions share without asking the same thing.
_STOP: Final = _FUNCTION_WORDS | frozenset(
    [
        "about",
        "am",
        "any",
        "been",
        "can",
        "could",
        "did",
        "do",
        "does",
        "get",
        "got",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "his",
        "how",
        "i",
        "if",
        "just",
        "me",
        "my",
        "no",
        "not",
        "our",
        "she",
        "should",
        "so",
        "than",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "those",
        "too",
        "very",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "would",
        "you",
        "your",
    ]
)


def _words(text: str) -> list[str]:
    return _WORD.findall(normalize(text).replace("’", "'"))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def pair_features(
    first: Sequence[str], second: Sequence[str], idf: FloatArray
) -> npt.NDArray[np.float64]:
    """One row of ``FEATURES`` per pair ``(first[i], second[i])``."""
    texts = list(first) + list(second)
    matrix = featurize(texts, idf).matrix
    n = len(first)
    # Word and character blocks are each unit length, so a self-product is 2.
    cosine = np.asarray(matrix[:n].multiply(matrix[n:]).sum(axis=1)).ravel() / 2.0
    rows = []
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        wa, wb = _words(a), _words(b)
        ca, cb = set(wa) - _STOP, set(wb) - _STOP
        na = {w for w in wa if w.isdigit()}
        nb = {w for w in wb if w.isdigit()}
        smaller = min(len(ca), len(cb))
        rows.append(
            [
                cosine[i],
                cosine[i] ** 2,
                _jaccard(ca, cb),
                _jaccard(set(wa), set(wb)),
                len(ca & cb) / smaller if smaller else 0.0,
                float(bool(wa) and bool(wb) and wa[0] == wb[0] and wa[0] in _OPENERS),
                float(bool(na) and bool(nb) and na != nb),
                min(len(wa), len(wb)) / max(len(wa), len(wb), 1),
                float(" ".join(wa) == " ".join(wb)),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURES))


@dataclass(frozen=True)
class DuplicateModel:
    """Probability that two questions ask the same thing; ``threshold`` decides a merge."""

    model: ModelFile

    @functools.cached_property
    def _weights(self) -> tuple[npt.NDArray[np.float64], float]:
        header = self.model.header
        if list(header.get("features", [])) != list(FEATURES):
            raise NlpError("the duplicate model was trained on other pair features: retrain it")
        return np.asarray(header["weights"], dtype=np.float64), float(header["bias"])

    @property
    def threshold(self) -> float:
        return float(self.model.header.get("threshold", 0.5))

    @property
    def version(self) -> str:
        return str(self.model.header.get("version", "0"))

    def scores(self, first: Sequence[str], second: Sequence[str]) -> npt.NDArray[np.float64]:
        if not first:
            return np.zeros(0)
        weights, bias = self._weights
        logits = pair_features(first, second, self.model.idf) @ weights + bias
        out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
        return out

    def same(self, first: Sequence[str], second: Sequence[str]) -> list[bool]:
        return [bool(s >= self.threshold) for s in self.scores(first, second)]


def load_duplicates(path: Path | None = None) -> DuplicateModel:
    """The shipped duplicate model (or one from ``path``)."""
    return _load(path or MODELS_DIR / "duplicate.npz")


@functools.cache
def _load(path: Path) -> DuplicateModel:
    if not path.is_file():
        raise NlpError(f"no duplicate model at {path}: run `python -m hustings.qa.train`")
    return DuplicateModel(ModelFile.load(path))
