"""How well stance toward a *new* target works: leave-one-target-out proxies, and a second domain.

The held-out targets staff will name cannot be tuned to, so this module measures what comes
closest. For each TweetEval stance target in turn, the shared head (``_anytarget``) is
fitted on the other four targets' train + val tweets; the held-out target then gets 0, 10 or
50 of its own training tweets as staff-confirmed examples (drawn at random, three draws) and
is scored on its test split with TweetEval's metric, F1(favor, against), per target. Each
target is named and described as a user would, in one line written before any measurement
(``TWEETEVAL_TARGETS``).

The second domain is the manifesto stance set (Laurer et al. 2023): the shipped shared head,
fitted on TweetEval alone, reads manifesto quasi-sentences about traditional morality and
protectionism (positive = favor, negative = against, other = none), with 0, 10 or 50
examples from the published train split, scored on the published test split.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import f1_score

from hustings.errors import NlpError
from hustings.nlp import _data
from hustings.nlp._anytarget import few_shot, fit_shared, relation_block, target_terms
from hustings.nlp._data import STANCE_LABELS, STANCE_TARGETS, Labelled
from hustings.nlp._features import featurize
from hustings.nlp._linear import FloatArray, LinearHead

if TYPE_CHECKING:
    from hustings.nlp._evaluate import Score

__all__ = [
    "MANIFESTO_TARGETS",
    "SHOTS",
    "TWEETEVAL_TARGETS",
    "ProxyScore",
    "manifesto",
    "new_target_proxy",
    "proxy_scores",
    "shared_training",
]

SHOTS: Final = (0, 10, 50)
DRAWS: Final = 3
TWEETEVAL_TARGETS: Final = {
    "abortion": ("Legalization of abortion", "A woman's right to choose; pro-choice, pro-life."),
    "atheism": ("Atheism", "The belief that there is no god; religion and faith."),
    "climate": ("Climate change is a real concern", "Global warming and the environment."),
    "feminist": ("Feminist movement", "Feminism: equal rights for women."),
    "hillary": ("Hillary Clinton", "Democratic candidate for US president in 2016."),
}
MANIFESTO_TARGETS: Final = {
    "morality": ("Traditional morality", "Traditional family values, religion and moral order."),
    "protectionism": ("Protectionism", "Tariffs and quotas protecting domestic industry."),
}
_PER_TARGET_GOAL: Final = 60.0
_MEAN_GOALS: Final = {0: 45.0, 50: 70.0}
_MANIFESTO_DIR: Final = Path("policy-topics") / "manifesto-en-stance-laurer"


@dataclass(frozen=True)
class ProxyScore:
    """One target at one number of examples: F1(favor, against) over the draws, and the
    largest share of the predictions any one label took (against the gold's largest)."""

    domain: str
    target: str
    shots: int
    f1: float
    f1_min: float
    top_share: float
    gold_top_share: float
    examples: int


def _metric(gold: Sequence[str], pred: Sequence[str]) -> float:
    return float(f1_score(gold, pred, labels=["against", "favor"], average="macro"))


def _features(texts: list[str], idf: FloatArray, name: str, description: str) -> sp.csr_matrix:
    matrix = featurize(texts, idf).matrix
    return sp.csr_matrix(matrix + relation_block(texts, target_terms(name, description)))


def shared_training(
    root: Path, idf: FloatArray, leave_out: str | None = None
) -> tuple[sp.csr_matrix, list[str]]:
    """Every TweetEval target's train + val (but ``leave_out``), with its relation block."""
    blocks: list[sp.csr_matrix] = []
    labels: list[str] = []
    for target in STANCE_TARGETS:
        if target == leave_out:
            continue
        data = _data.tweeteval(root, f"stance/{target}", "train") + _data.tweeteval(
            root, f"stance/{target}", "val"
        )
        blocks.append(_features(data.texts, idf, *TWEETEVAL_TARGETS[target]))
        labels += data.labels
    return sp.csr_matrix(sp.vstack(blocks)), labels


def _score(
    domain: str,
    target: str,
    shared: LinearHead,
    pool: tuple[sp.csr_matrix, list[str]],
    test: tuple[sp.csr_matrix, list[str]],
    shots: int,
) -> ProxyScore:
    matrix, gold = test
    values: list[float] = []
    shares: list[float] = []
    for draw in range(DRAWS if shots else 1):
        if shots:
            rows = random.Random(draw).sample(range(len(pool[1])), shots)
            head = few_shot(shared, pool[0][rows], [pool[1][i] for i in rows])
        else:
            head = shared
        chosen = head.probabilities(matrix).argmax(axis=1)
        pred = [head.labels[c] for c in chosen.tolist()]
        values.append(_metric(gold, pred))
        shares.append(max(pred.count(label) for label in set(pred)) / len(pred))
    gold_share = max(gold.count(label) for label in set(gold)) / len(gold)
    return ProxyScore(
        domain,
        target,
        shots,
        round(100 * float(np.mean(values)), 1),
        round(100 * min(values), 1),
        round(100 * max(shares), 1),
        round(100 * gold_share, 1),
        len(gold),
    )


def new_target_proxy(root: Path, idf: FloatArray, shots: Sequence[int] = SHOTS) -> list[ProxyScore]:
    """Leave one TweetEval target out, for each of the five, at each number of examples."""
    scores: list[ProxyScore] = []
    for target in STANCE_TARGETS:
        name, description = TWEETEVAL_TARGETS[target]
        shared = fit_shared(*shared_training(root, idf, leave_out=target), STANCE_LABELS)
        train = _data.tweeteval(root, f"stance/{target}", "train")
        test = _data.tweeteval(root, f"stance/{target}", "test")
        pool = (_features(train.texts, idf, name, description), train.labels)
        held = (_features(test.texts, idf, name, description), test.labels)
        scores += [_score("tweeteval", target, shared, pool, held, n) for n in shots]
    return scores


def _manifesto_split(root: Path, concept: str, split: str) -> Labelled:
    path = root / _MANIFESTO_DIR / f"df_manifesto_{concept}_{split}.csv"
    if not path.is_file():
        raise NlpError(f"missing data file: {path}")
    texts: list[str] = []
    labels: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = row["label_text"]
            texts.append(row["text_original"])
            if label.endswith("Positive"):
                labels.append("favor")
            elif label.endswith("Negative"):
                labels.append("against")
            else:
                labels.append("none")
    return Labelled(texts, labels)


def manifesto(
    root: Path, idf: FloatArray, shared: LinearHead, shots: Sequence[int] = SHOTS
) -> list[ProxyScore]:
    """The shipped shared head on manifesto stance, a domain it never saw."""
    scores: list[ProxyScore] = []
    for concept, (name, description) in MANIFESTO_TARGETS.items():
        train = _manifesto_split(root, concept, "train")
        test = _manifesto_split(root, concept, "test")
        pool = (_features(train.texts, idf, name, description), train.labels)
        held = (_features(test.texts, idf, name, description), test.labels)
        scores += [_score("manifesto", concept, shared, pool, held, n) for n in shots]
    return scores


def proxy_scores(root: Path) -> list[Score]:
    """The proxies as ``Score`` rows for ``hustings nlp eval``, goals beside them.

    Per target and number of examples: the mean over the draws, the worst draw and the
    largest share any one label took of the predictions (the gold's largest in brackets). The
    mean rows carry the goals of issue #23: 70 with 50 examples (no target under 60), 45
    with none.
    """
    from hustings.nlp._classifier import StanceClassifier, load
    from hustings.nlp._evaluate import Score  # it imports the recipes, which import this

    classifier = load("stance")
    assert isinstance(classifier, StanceClassifier)
    idf = classifier.model.idf
    found = new_target_proxy(root, idf)
    found += manifesto(root, idf, classifier.head("any new target"))
    rows: list[Score] = []
    for domain in ("tweeteval", "manifesto"):
        for shots in SHOTS:
            of = [s for s in found if s.domain == domain and s.shots == shots]
            for s in of:
                rows.append(
                    Score(
                        f"stance, new target ({domain}): {s.target}, {shots} examples",
                        "F1(favor, against)",
                        s.f1,
                        _PER_TARGET_GOAL if domain == "tweeteval" and shots == 50 else None,
                        {
                            "worst draw": s.f1_min,
                            f"top label % (gold {s.gold_top_share:.0f})": s.top_share,
                        },
                        s.examples,
                    )
                )
            mean = round(float(np.mean([s.f1 for s in of])), 1)
            goal = _MEAN_GOALS.get(shots) if domain == "tweeteval" else None
            rows.append(
                Score(
                    f"stance, new target ({domain}): mean, {shots} examples",
                    "F1(favor, against)",
                    mean,
                    goal,
                    {},
                    sum(s.examples for s in of),
                )
            )
    return rows
