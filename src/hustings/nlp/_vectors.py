"""Word vectors learnt from unlabelled tweets, so that a rare word shares the signal of its
neighbours.

A labelled set of 13,000 tweets sees most insults a handful of times; 75,000 unlabelled tweets
show which words are used alike ("idiot" near "ignorant", "liar", "disgusting"). The vectors
are a truncated SVD of the positive pointwise mutual information between words that occur
within five tokens of each other (Levy and Goldberg's recipe: context counts raised to the
power 0.75, singular values split evenly between words and contexts). A message's vector, the
unit-length sum of its words' vectors, is one more block of features (see ``featurize``).

Words are keyed by their unigram bucket, so the model file needs no vocabulary, and the table
ships inside the model file of the models trained with it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from hustings.nlp._features import tokenize, word_buckets

__all__ = ["WordVectors", "fit_word_vectors"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
_WINDOW: Final = 5
_MIN_COUNT: Final = 5
_CONTEXT_POWER: Final = 0.75


@dataclass(frozen=True)
class WordVectors:
    """One unit-length row of ``vectors`` per word, for the sorted unigram ``buckets``."""

    buckets: IntArray
    vectors: FloatArray

    def rows(self, buckets: IntArray) -> IntArray:
        """The row of each bucket's word, or -1 for a word without a vector."""
        at = np.searchsorted(self.buckets, buckets).clip(0, len(self.buckets) - 1)
        return np.where(self.buckets[at] == buckets, at, -1).astype(np.int64)


def _is_word(token: str) -> bool:
    return token.replace("'", "").isalpha()


def _ppmi(sentences: list[list[int]], size: int) -> sp.csr_matrix:
    """Positive PMI of word pairs within ``_WINDOW`` tokens, both orders counted."""
    left: list[int] = []
    right: list[int] = []
    for ids in sentences:
        for i, word in enumerate(ids):
            for other in ids[max(0, i - _WINDOW) : i]:
                left += [word, other]
                right += [other, word]
    ones = np.ones(len(left), dtype=np.float64)
    pairs = sp.coo_matrix((ones, (left, right)), shape=(size, size)).tocsr().tocoo()
    total = pairs.data.sum()
    word_p = np.asarray(pairs.sum(axis=1)).ravel() / total
    context = np.asarray(pairs.sum(axis=1)).ravel() ** _CONTEXT_POWER
    context_p = context / context.sum()
    pmi = np.log(pairs.data / total / (word_p[pairs.row] * context_p[pairs.col]))
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep], (pairs.row[keep], pairs.col[keep])), shape=(size, size))


def fit_word_vectors(texts: list[str], dim: int) -> WordVectors:
    """``dim``-dimensional vectors for every word seen at least five times in ``texts``."""
    from sklearn.utils.extmath import randomized_svd  # only needed to fit

    tokens = [[t for t in tokenize(text) if _is_word(t)] for text in texts]
    counts = Counter(t for words in tokens for t in words)
    vocabulary = [word for word, n in counts.most_common() if n >= _MIN_COUNT]
    index = {word: i for i, word in enumerate(vocabulary)}
    sentences = [[index[t] for t in words if t in index] for words in tokens]
    left, singular, _ = randomized_svd(_ppmi(sentences, len(vocabulary)), dim, random_state=0)
    vectors = left * np.sqrt(singular)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    # Two words hashed to one bucket keep the commoner word's vector (the vocabulary's order).
    buckets, first = np.unique(word_buckets(vocabulary), return_index=True)
    return WordVectors(buckets.astype(np.int64), vectors[first].astype(np.float32))
