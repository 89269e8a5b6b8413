"""Stance toward any named target: a head shared across targets, then a few-shot layer.

A campaign's first day has no labelled examples, so a target no shipped head knows is read
by the *shared* head: one softmax (none / against / favor) fitted on every target we have
labels for, over the message's n-grams plus two target-relation features (does the message
name the target, does it use the words of its description). What it shares across targets
is what stance toward a cause tends to sound like (and, in the TweetEval targets, which camp
speaks), and that a message not about the target is usually ``none``.

Each staff-confirmed example then improves it. ``few_shot`` fits a logistic regression over
the same features plus the shared head's three logits, scaled by ``_PRIOR_SCALE``: it starts
from what the shared head says and learns per-target corrections from the examples. On the
leave-one-target-out proxy (``_stance_proxy``, mean F1 at 50 examples) a scale of 1 with C=1
scored 42.1 with no label over 55% of any target's predictions (before the relation
features were tied, see ``_sideless``; BENCHMARKS.md has the figure after); 0.1 with
C=3 scored 40.9 and 0.3 with C=3 39.7, with one label taking up to all predictions; 3 with
C=0.3 scored 39.5.
(Scale 0.1 did read "I love the bike lanes" as favor after 50 bike-lane examples given with
a description, which scale 1 reads as against.) The shared logits are linear in the features,
so the result folds back into one ``LinearHead``: prediction stays one sparse product.
Classes are weighted by their inverse frequency among the examples, so a target whose
examples are mostly ``against`` does not end with a model that says ``against`` to
everything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import numpy as np
import scipy.sparse as sp

from hustings.errors import NlpError
from hustings.nlp._features import DIM_BITS, normalize
from hustings.nlp._linear import FloatArray, LinearHead

__all__ = [
    "ANY_TARGET",
    "few_shot",
    "fit_shared",
    "relation_block",
    "target_terms",
]

ANY_TARGET: Final = "_any"
"""The shared head's name inside the stance model file (no target name starts with _)."""
_DIM: Final = 1 << DIM_BITS
# Buckets of the two relation features; chosen outside every n-gram seed's usual range.
_NAME_COLUMN: Final = 0x5A17 % _DIM
_DESCRIBED_COLUMN: Final = 0x5A18 % _DIM
_RELATION_VALUE: Final = 0.5
_STEM: Final = 5
_MIN_WORD: Final = 3
_WORD: Final = re.compile(r"[a-z][a-z']+")
_STOP_WORDS: Final = (
    "the and for with that this from are was were will would should could about into "
    "over than then them they their there what when where which while who whom why "
    "how not but our your you his her its all any some more most much many such only "
    "own same very can has have had been being does did doing also just one two new "
    "real concern movement belief people party policy"
)
_STOP: Final = frozenset(_STOP_WORDS.split())
_SHARED_C: Final = 1.0
_FEW_SHOT_C: Final = 1.0
_PRIOR_SCALE: Final = 1.0


def _stems(text: str) -> set[str]:
    words = _WORD.findall(normalize(text).replace("#", " "))
    return {w[:_STEM] for w in words if len(w) >= _MIN_WORD and w not in _STOP}


def target_terms(name: str, description: str | None = None) -> tuple[frozenset[str], ...]:
    """The word stems that name the target, and those of its description (minus the name's).

    Stems are a word's first five letters, so "feminist", "feminism" and "#feminists" meet.
    """
    named = frozenset(_stems(name))
    described = frozenset(_stems(description or "") - named)
    return named, described


def _mentions(text: str, stems: frozenset[str]) -> bool:
    if not stems:
        return False
    flat = normalize(text).replace("#", " ")
    found = _stems(flat)
    if found & stems:
        return True
    # A hashtag written as one word ("#hillaryforpresident") still names the target.
    squashed = re.sub(r"[^a-z]", "", flat)
    return any(len(s) >= _STEM and s in squashed for s in stems)


def relation_block(texts: Sequence[str], terms: tuple[frozenset[str], ...]) -> sp.csr_matrix:
    """Two columns: the message names the target; it uses its description's words."""
    rows: list[int] = []
    cols: list[int] = []
    named, described = terms
    for i, text in enumerate(texts):
        if _mentions(text, named):
            rows.append(i)
            cols.append(_NAME_COLUMN)
        if _mentions(text, described):
            rows.append(i)
            cols.append(_DESCRIBED_COLUMN)
    values = np.full(len(rows), _RELATION_VALUE, dtype=np.float32)
    return sp.csr_matrix((values, (rows, cols)), shape=(len(texts), _DIM), dtype=np.float32)


def _fit(
    matrix: sp.csr_matrix, labels: Sequence[str], order: Sequence[str], c: float
) -> tuple[
    np.ndarray[tuple[int, ...], np.dtype[np.float64]],
    np.ndarray[tuple[int, ...], np.dtype[np.float64]],
    list[str],
]:
    from sklearn.linear_model import LogisticRegression  # only to fit, never to predict

    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    model.fit(matrix, list(labels))
    classes = [str(k) for k in model.classes_]
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if len(classes) == 2:
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    del order
    return coef, intercept, classes


def _head(
    used: np.ndarray[tuple[int, ...], np.dtype[np.int64]],
    coef: np.ndarray[tuple[int, ...], np.dtype[np.float64]],
    intercept: np.ndarray[tuple[int, ...], np.dtype[np.float64]],
    classes: list[str],
    order: Sequence[str],
) -> LinearHead:
    weights = np.zeros((_DIM, len(order)), dtype=np.float32)
    bias = np.full(len(order), -30.0, dtype=np.float32)
    for i, name in enumerate(classes):
        j = list(order).index(name)
        weights[used, j] = coef[i]
        bias[j] = intercept[i]
    weights[np.abs(weights) < 1e-3] = 0.0
    return LinearHead(tuple(order), weights, bias)


def _sideless(head: LinearHead) -> LinearHead:
    """The head with the relation features' weights equal for every label but ``none``.

    Naming a target says a message is about it, not which side it takes; left free, the
    shared head learnt from the training targets' descriptions (religion and faith for
    atheism, pro-life for abortion) that using the description's words means ``against``.
    """
    weights = head.weights.copy()
    sides = [j for j, name in enumerate(head.labels) if name != "none"]
    for column in (_NAME_COLUMN, _DESCRIBED_COLUMN):
        weights[column, sides] = weights[column, sides].mean()
    return LinearHead(head.labels, weights, head.bias)


def fit_shared(matrix: sp.csr_matrix, labels: Sequence[str], order: Sequence[str]) -> LinearHead:
    """The shared head, over messages of many targets (each with its own relation block)."""
    used = np.unique(matrix.indices).astype(np.int64)
    coef, intercept, classes = _fit(matrix[:, used], labels, order, _SHARED_C)
    return _sideless(_head(used, coef, intercept, classes, order))


def few_shot(shared: LinearHead, matrix: sp.csr_matrix, labels: Sequence[str]) -> LinearHead:
    """A head for one target from its examples, starting from the shared head's judgement.

    ``matrix`` holds the examples' features with the target's relation block added.
    """
    if len(set(labels)) < 2:
        raise NlpError("stance examples need at least two different labels")
    order = shared.labels
    used = np.unique(matrix.indices).astype(np.int64)
    logits = np.asarray(matrix @ shared.weights, dtype=np.float64) + shared.bias
    logits -= logits.mean(axis=1, keepdims=True)
    stacked = sp.hstack([matrix[:, used], sp.csr_matrix(logits * _PRIOR_SCALE)]).tocsr()
    coef, intercept, classes = _fit(stacked, labels, order, _FEW_SHOT_C)
    k = len(order)
    own = _head(used, coef[:, :-k], intercept, classes, order)
    # Fold the stacked columns back: logits(x) = x @ Ws + bs, so A @ logits is linear in x.
    mix = np.zeros((k, k), dtype=np.float64)  # shared label -> this head's label
    for i, name in enumerate(classes):
        mix[:, order.index(name)] = coef[i, -k:] * _PRIOR_SCALE
    centred = shared.weights - shared.weights.mean(axis=1, keepdims=True)
    centred_bias = shared.bias - shared.bias.mean()
    weights: FloatArray = (own.weights + centred @ mix.astype(np.float32)).astype(np.float32)
    bias: FloatArray = (own.bias + centred_bias @ mix.astype(np.float32)).astype(np.float32)
    absent = [j for j, name in enumerate(order) if name not in classes]
    bias[absent] = -30.0
    weights[:, absent] = 0.0
    return LinearHead(order, weights, bias)
