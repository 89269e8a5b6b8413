"""Fitting linear heads with scikit-learn, then keeping only numpy arrays.

scikit-learn is needed here, at training time, but never at prediction time: the fitted
coefficients are copied into a ``LinearHead`` and the estimator is thrown away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from hustings.nlp._features import DIM_BITS, featurize
from hustings.nlp._linear import FloatArray, LinearHead

__all__ = ["best_offsets", "fit_head", "fit_idf", "fit_nb_average", "tune_bias"]

_PRUNE_BELOW = 1e-3
_BIAS_GRID = np.round(np.arange(-1.5, 1.51, 0.1), 2).astype(np.float32)


def fit_idf(texts: list[str], emoji_names: bool = False, lexicon: bool = False) -> FloatArray:
    """Smoothed IDF per hashed bucket, as scikit-learn's ``TfidfVectorizer`` defines it."""
    presence = featurize(texts, emoji_names=emoji_names, lexicon=lexicon).matrix
    df = np.bincount(presence.indices, minlength=1 << DIM_BITS)
    idf: FloatArray = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
    return idf


def fit_head(
    matrix: sp.csr_matrix,
    labels: Sequence[str],
    order: Sequence[str],
    c: float,
    balanced: bool = True,
    prune: float = _PRUNE_BELOW,
    sample_weight: npt.NDArray[np.float64] | None = None,
) -> LinearHead:
    """Fit a logistic regression and keep its weights, with labels in ``order``.

    ``sample_weight`` weighs each message (a source's share of the training set, say).

    Only the buckets that occur in the training messages can get a weight, so the solver sees
    just those columns (a few thousand for a few dozen examples, instead of 2**19): the same
    fit, much faster. Weights smaller than ``prune`` barely change a decision and are zeroed,
    so the model file stays small.
    """
    used = np.unique(matrix.indices)
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit(matrix[:, used], list(labels), sample_weight=sample_weight)
    classes = [str(c) for c in model.classes_]
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if len(classes) == 2:
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    weights = np.zeros((1 << DIM_BITS, len(order)), dtype=np.float32)
    bias = np.full(len(order), -30.0, dtype=np.float32)
    for i, name in enumerate(classes):
        j = list(order).index(name)
        weights[used, j] = coef[i]
        bias[j] = intercept[i]
    weights[np.abs(weights) < prune] = 0.0
    return LinearHead(labels=tuple(order), weights=weights, bias=bias)


def fit_nb_average(
    matrix: sp.csr_matrix,
    labels: Sequence[str],
    order: tuple[str, str],
    c: float,
    prune: float = _PRUNE_BELOW,
) -> LinearHead:
    """A binary head averaging two logistic regressions: one over the features, one over the
    features scaled by their naive-Bayes log-count ratio (Wang and Manning's NB-SVM idea).

    The ratio of a feature is ``log(p / n)``, with ``p`` and ``n`` its share (add-one smoothed,
    over the features the messages use) of the presences among ``order[1]`` and ``order[0]``
    messages. Scaling a column by a constant is linear, so the second model's weights times
    the ratios score the raw features, and the average of the two logits is one linear head
    over the same features as ``fit_head``'s: nothing changes at prediction time.
    """
    used = np.unique(matrix.indices)
    present = (matrix[:, used] > 0).astype(np.float64)
    gold = np.asarray(labels) == order[1]
    positive = np.asarray(present[gold].sum(axis=0)).ravel() + 1.0
    negative = np.asarray(present[~gold].sum(axis=0)).ravel() + 1.0
    ratio = np.zeros(1 << DIM_BITS, dtype=np.float32)
    ratio[used] = np.log((positive / positive.sum()) / (negative / negative.sum()))
    plain = fit_head(matrix, labels, order, c, prune=0.0)
    scaled = fit_head(sp.csr_matrix(matrix @ sp.diags(ratio)), labels, order, c, prune=0.0)
    weights: FloatArray = ((plain.weights + ratio[:, None] * scaled.weights) / 2).astype(np.float32)
    weights[np.abs(weights) < prune] = 0.0
    bias: FloatArray = ((plain.bias + scaled.bias) / 2).astype(np.float32)
    return LinearHead(plain.labels, weights, bias)


def best_offsets(
    log_p: FloatArray,
    labels: Sequence[str],
    gold: Sequence[str],
    metric: Callable[[Sequence[str], Sequence[str]], float],
) -> FloatArray:
    """Per-label offsets to the log-probabilities that maximise ``metric`` against ``gold``.

    Class balance differs between training pools and the messages a model meets, and a macro
    metric rewards getting the rarer labels' share right. Two rounds of coordinate search over
    offsets in [-1.5, 1.5], the first label fixed at 0. ``log_p`` must come from models that
    did not see ``gold``'s messages (a validation split, or out-of-fold predictions).
    """
    names = np.array(labels)
    offsets = np.zeros(len(labels), dtype=np.float32)

    def score(candidate: FloatArray) -> float:
        return metric(gold, list(names[(log_p + candidate).argmax(axis=1)]))

    best = score(offsets)
    for _ in range(2):
        for j in range(1, len(offsets)):
            for delta in _BIAS_GRID:
                candidate = offsets.copy()
                candidate[j] = delta
                value = score(candidate)
                if value > best + 1e-9:
                    best, offsets = value, candidate
    return offsets


def tune_bias(
    head: LinearHead,
    matrix: sp.csr_matrix,
    gold: Sequence[str],
    metric: Callable[[Sequence[str], Sequence[str]], float],
) -> LinearHead:
    """The head with its biases shifted by ``best_offsets`` on a validation split."""
    log_p = np.log(head.probabilities(matrix) + 1e-9)
    offsets = best_offsets(log_p, head.labels, gold, metric)
    return LinearHead(head.labels, head.weights, head.bias + offsets)
