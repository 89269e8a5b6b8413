"""Linear heads over hashed features: scoring, explaining, and a compact file format.

A model file is a compressed ``.npz`` holding only numpy arrays (the IDF of the buckets seen
in training; per head its non-zero weights, as gaps between flat indices and float16 values,
and its bias) and a JSON header. Loading it needs neither pickle nor scikit-learn, so a file
written by one version of the training stack keeps loading under another, and loading takes
milliseconds.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from hustings.nlp._features import DIM_BITS, END_MARK, START_MARK, VALENCE_COLUMNS, Features
from hustings.nlp._valence import valence
from hustings.nlp._vectors import WordVectors

__all__ = ["LinearHead", "ModelFile", "softmax"]

FloatArray = npt.NDArray[np.float32]
_CAPS_PHRASE = "words in ALL CAPS"
# Words too common to be a reason a person would accept; they still count in the score.
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "be",
        "it",
        "its",
        "this",
        "that",
        "with",
        "as",
        START_MARK,  # the markers some models wrap messages in (``_features.frame``)
        END_MARK,
    ]
)
DIM = 1 << DIM_BITS


def softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: FloatArray = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


@dataclass(frozen=True)
class LinearHead:
    """A softmax classifier over the shared hashed feature space.

    Binary problems are stored as two columns ``(-w/2, +w/2)``: the softmax of that pair is the
    logistic sigmoid of ``w``, so every head is scored and explained the same way.
    """

    labels: tuple[str, ...]
    weights: FloatArray
    bias: FloatArray

    @functools.cached_property
    def _row_sums(self) -> FloatArray:
        sums: FloatArray = self.weights.sum(axis=1)
        return sums

    def probabilities(self, matrix: sp.csr_matrix) -> FloatArray:
        logits = np.asarray(matrix @ self.weights, dtype=np.float32) + self.bias
        return softmax(logits)

    def explain(
        self, features: Features, chosen: npt.NDArray[np.int64], top: int = 3
    ) -> list[list[str]]:
        """Name, per message, the words that pushed it most towards its ``chosen`` label.

        A word's push is the sum over every feature it produced (itself, its bigrams, the
        character n-grams that start in it) of feature value times the chosen label's weight
        minus the mean weight of the other labels. A word whose sentiment-lexicon rating
        pushed that way says so, with its rating.
        """
        k = len(self.labels)
        own = self.weights[features.col, chosen[features.doc]]
        others = (self._row_sums[features.col] - own) / max(k - 1, 1)
        contribution = features.scale * (own - others)
        words = features.words
        push = np.bincount(features.token, weights=contribution, minlength=len(words))
        rated = _lexicon_signs(features, contribution)
        n_docs = len(features.first) - 1
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(features.first))
        # A word said twice in a message is one reason: sum its pushes per (message, word),
        # with words numbered in order of first appearance so ties keep the message's order.
        ids: dict[str, int] = {}
        word_id = np.fromiter((ids.setdefault(w, len(ids)) for w in words), np.int64, len(words))
        skip = np.fromiter((w in _FUNCTION_WORDS for w in ids), bool, len(ids))
        keep = np.flatnonzero(~skip[word_id]) if len(words) else np.zeros(0, np.int64)
        key = doc_of[keep] * max(len(ids), 1) + word_id[keep]
        cells, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        total = np.bincount(inverse, weights=push[keep], minlength=len(cells))
        cell_doc = cells // max(len(ids), 1)
        order = np.lexsort((keep[first], -total, cell_doc))
        order = order[total[order] > 0]
        rank = np.arange(len(order)) - np.searchsorted(cell_doc[order], cell_doc[order])
        best = order[rank < top]
        signs = {(int(doc_of[i]), words[i]): sign for i, sign in sorted(rated.items())}
        labels = [label.replace("_", " ") for label in self.labels]
        reasons: list[list[str]] = [[] for _ in range(n_docs)]
        choice = chosen.tolist()
        for d, i in zip(cell_doc[best].tolist(), keep[first[best]].tolist(), strict=True):
            word = words[i]
            note = _lexicon_note(word, signs.get((d, word))) if signs else ""
            reasons[d].append(f"{_display(word)} suggests {labels[choice[d]]}{note}")
        return reasons


def _lexicon_signs(
    features: Features, contribution: npt.NDArray[np.floating[Any]]
) -> dict[int, int]:
    """For each token whose lexicon rating pushed towards the chosen label: the sign it counted
    with (-1 where a negation flipped a positive word, say)."""
    tail = slice(len(features.col) - features.lexical, None)
    pushed = contribution[tail] > 0
    tokens = features.token[tail][pushed].tolist()
    signs = np.where(features.col[tail][pushed] == VALENCE_COLUMNS[1], 1, -1).tolist()
    return dict(zip(tokens, signs, strict=True))


def _lexicon_note(word: str, sign: int | None) -> str:
    rating = None if sign is None else valence(word)
    if sign is None or rating is None:
        return ""
    negated = ", negated" if (rating > 0) != (sign > 0) else ""
    return f" (sentiment lexicon: {rating:+.1f}{negated})"


def _display(word: str) -> str:
    return _CAPS_PHRASE if word == "<caps>" else f'"{word}"'


@dataclass(frozen=True)
class ModelFile:
    """Everything one task ships: the IDF of its training data, its heads and a header; and
    word vectors, for the models trained with them."""

    idf: FloatArray
    heads: Mapping[str, LinearHead]
    header: Mapping[str, Any] = field(default_factory=dict)
    vectors: WordVectors | None = None

    def save(self, path: Path) -> None:
        seen = np.flatnonzero(self.idf != self.idf.max())
        arrays: dict[str, npt.NDArray[Any]] = {
            "idf.index": seen.astype(np.int32),
            "idf.value": self.idf[seen].astype(np.float16),
            "idf.default": np.array([self.idf.max()], dtype=np.float32),
        }
        for name, head in self.heads.items():
            flat = np.flatnonzero(head.weights)
            # Gaps between sorted indices are small numbers, which compress far better.
            arrays[f"{name}.gaps"] = np.diff(flat, prepend=0).astype(np.int32)
            arrays[f"{name}.values"] = head.weights.ravel()[flat].astype(np.float16)
            arrays[f"{name}.bias"] = head.bias.astype(np.float32)
        if self.vectors is not None:
            arrays["vectors.buckets"] = self.vectors.buckets.astype(np.int32)
            arrays["vectors.values"] = self.vectors.vectors.astype(np.float16)
        header = {**self.header, "heads": {n: list(h.labels) for n, h in self.heads.items()}}
        arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        savez: Any = np.savez_compressed  # its stub types ``**kwds`` as the bool flag
        savez(buffer, **arrays)
        path.write_bytes(buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> ModelFile:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(bytes(data["header"]).decode("utf-8"))
            heads = {}
            for name, labels in header["heads"].items():
                weights = np.zeros((DIM, len(labels)), dtype=np.float32)
                flat = np.cumsum(data[f"{name}.gaps"], dtype=np.int64)
                np.put(weights, flat, data[f"{name}.values"].astype(np.float32))
                heads[name] = LinearHead(tuple(labels), weights, data[f"{name}.bias"])
            idf = np.full(DIM, data["idf.default"][0], dtype=np.float32)
            idf[data["idf.index"]] = data["idf.value"]
            vectors = None
            if "vectors.buckets" in data.files:
                vectors = WordVectors(
                    data["vectors.buckets"].astype(np.int64),
                    data["vectors.values"].astype(np.float32),
                )
        return cls(idf=idf, heads=heads, header=header, vectors=vectors)
