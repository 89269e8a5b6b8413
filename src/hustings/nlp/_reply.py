"""Fitting needs-a-reply on many sources, and scoring it on sources it never saw.

Sources differ in size by two orders of magnitude (6,000 chat posts, 60 hand-written e-mail
replies) and in what their messages look like, so each source's weight grows with the square
root of its size rather than with its size: the big chat and broadcast sets teach what
questions and broadcasts look like without drowning the few messages written to candidates.
The two classes then weigh the same overall.

A message that opens with a handle is addressed to someone. Where the inbox gets it, that is
the inbox's owner, and most such messages want an answer; but in rumour threads every reply
opens with the handles Twitter put there, and most are comments. There the opening handles are
dropped before training (``_reply_data.strip_leading_handles``), so the model does not learn
that an addressed message is a comment. Messages are read between start and end markers
(header flag ``markers``, applied at prediction time too), so that a question word opening a
message, or a question mark closing it, is a feature of its own.

Chosen on the held-out check (F1 of needs_reply on political / replies / live chat, each
source held out in turn; ``held_out_scores``), all with sources weighed by the square root
of their size: with the broadcasts of ``_reply_data``'s docstring, C=3, no markers 57.3 /
79.1 / 53.8; markers 62.4 / 80.9 / 61.1; C=1 63.8 / 83.3 / 56.4; handles dropped in every
message 60.2 (political); dropped in rumour threads only 75.9 / 77.4 / 67.7; and without the
broadcasts 83.3 / 76.3 / 77.0 (this recipe). Dropping handles in NPS chat too (where a post
opens with the chatter it answers) scored 83.2 / 72.7 / 74.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
from sklearn.metrics import f1_score

from hustings.errors import NlpError
from hustings.nlp._data import Labelled
from hustings.nlp._evaluate import Score
from hustings.nlp._features import featurize, frame
from hustings.nlp._fit import fit_head, fit_idf
from hustings.nlp._linear import LinearHead, ModelFile
from hustings.nlp._reply_data import (
    HELD_OUT_SOURCES,
    NEEDS,
    NO,
    SOURCES,
    quote_tweets,
    read_source,
    strip_leading_handles,
)

__all__ = ["HELD_OUT_GOAL", "SourceScore", "fit_needs_reply", "held_out_eval", "held_out_scores"]

_C: Final = 1.0  # 63.8 / 83.3 / 56.4 against 62.4 / 80.9 / 61.1 for C=3, before the handles
_SIZE_POWER: Final = 0.5
# Messages written to candidates are the ones the model serves: they count this much more.
_IMPORTANCE: Final = {"political": 3.0, "replies": 3.0}
_ADDRESSED_TO_OTHERS: Final = frozenset({"rumoureval"})


def _training_set(
    root: Path, exclude: frozenset[str]
) -> tuple[list[str], list[str], npt.NDArray[np.float64]]:
    """Texts, labels and weights from the training part of every source not in ``exclude``."""
    texts: list[str] = []
    labels: list[str] = []
    weights: list[float] = []
    seen = Labelled([], [])

    def add(data: Labelled, importance: float) -> None:
        if not data.texts:
            return
        share = importance * len(data.texts) ** _SIZE_POWER / len(data.texts)
        texts.extend(data.texts)
        labels.extend(data.labels)
        weights.extend([share] * len(data.texts))

    for name in SOURCES:
        if name not in exclude:
            data = read_source(root, name, "train")
            if name in _ADDRESSED_TO_OTHERS:
                data = Labelled(strip_leading_handles(data.texts), data.labels)
            seen = seen + data
            add(data, _IMPORTANCE.get(name, 1.0))
    add(quote_tweets(seen), 1.0)
    weight = np.asarray(weights, dtype=np.float64)
    gold = np.asarray(labels)
    for label in (NO, NEEDS):
        weight[gold == label] *= len(gold) / 2 / weight[gold == label].sum()
    return texts, labels, weight


def fit_needs_reply(root: Path, exclude: frozenset[str] = frozenset()) -> ModelFile:
    """The needs-reply model, fitted on every source but those in ``exclude``."""
    texts, labels, weights = _training_set(root, exclude)
    framed = frame(texts, markers=True)
    idf = fit_idf(framed)
    matrix = featurize(framed, idf).matrix
    head = fit_head(matrix, labels, (NO, NEEDS), _C, balanced=False, sample_weight=weights)
    header = {
        "trained_examples": len(texts),
        "sources": sorted(set(SOURCES) - exclude),
        "markers": True,
    }
    return ModelFile(idf, {"needs_reply": head}, header)


@dataclass(frozen=True)
class SourceScore:
    """F1 of needs_reply on one source by a model that never saw it, beside the '?' rule."""

    source: str
    f1: float
    rule_f1: float
    examples: int


def _predict(model: ModelFile, texts: list[str]) -> list[str]:
    head: LinearHead = model.heads["needs_reply"]
    framed = frame(texts, markers=True)
    probabilities = head.probabilities(featurize(framed, model.idf).matrix)
    return [head.labels[i] for i in probabilities.argmax(axis=1).tolist()]


def held_out_scores(
    root: Path, sources: Sequence[str] = HELD_OUT_SOURCES
) -> tuple[list[SourceScore], list[str]]:
    """Per source: fit on all the others, score on every row of this one.

    Returns the scores and, for each source that could not be scored, why (its data absent).
    """
    scores: list[SourceScore] = []
    skipped: list[str] = []
    for source in sources:
        try:
            test = read_source(root, source, "all")
            model = fit_needs_reply(root, frozenset({source}))
        except NlpError as exc:
            skipped.append(f"{source}: {exc}")
            continue
        ours = _predict(model, test.texts)
        rule = [NEEDS if "?" in t else NO for t in test.texts]
        scores.append(
            SourceScore(
                source,
                _f1(test.labels, ours),
                _f1(test.labels, rule),
                len(test.texts),
            )
        )
    return scores, skipped


def _f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    return round(100.0 * float(f1_score(gold, pred, pos_label=NEEDS, average="binary")), 1)


HELD_OUT_GOAL: Final = 90.0
"""The F1 issue #23 asks for on sources held out from training."""


def held_out_eval(root: Path) -> tuple[list[Score], list[str]]:
    """``held_out_scores`` as evaluation rows beside the official splits, and what was skipped."""
    scores, skipped = held_out_scores(root)
    rows = [
        Score(
            name=f"needs_reply: held-out source {s.source}",
            metric="F1(needs_reply)",
            value=s.f1,
            goal=HELD_OUT_GOAL,
            baselines={"rule: contains '?'": s.rule_f1},
            examples=s.examples,
        )
        for s in scores
    ]
    return rows, skipped
