"""The figures BENCHMARKS.md and docs/qa.md report, each beside a rule anyone could write.

Question detection is scored on NPS chat's test sessions (never trained on) and on our 700
political chat lines by 5-fold cross-validation (each fold's model retrained without that
fold, so no line is scored by a model that saw it). Duplicates are scored on the Quora test
part (20% of the BiMPM dev pairs, by pair id) and on our 172 hand-labelled chat pairs, which
neither the model nor its threshold saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
from sklearn.metrics import f1_score, precision_score, recall_score

from hustings.nlp._data import Labelled
from hustings.nlp._evaluate import Score
from hustings.qa import _data
from hustings.qa._detect import QuestionDetector
from hustings.qa._pairs import DuplicateModel
from hustings.qa._train import fit_question, quora_split

__all__ = ["GOALS", "evaluate_duplicates", "evaluate_questions", "question_rule"]

_Bools = Sequence[bool] | npt.NDArray[np.bool_]
GOALS: Final = {"precision": 90.0, "recall": 80.0, "pair_f1": 85.0}
_BIMPM: Final = {"BiMPM (384k training pairs, published test split)": 88.2}


def question_rule(texts: Sequence[str]) -> list[bool]:
    """The obvious rule: a line is a question when it holds a "?"."""
    return ["?" in t for t in texts]


def _pct(value: float) -> float:
    return round(100.0 * value, 1)


def _pr(name: str, gold: _Bools, pred: _Bools, rule: _Bools) -> list[Score]:
    scores = []
    for metric, fn in (("precision", precision_score), ("recall", recall_score)):
        scores.append(
            Score(
                name,
                f"{metric}(question)",
                _pct(float(fn(gold, pred, zero_division=0))),
                GOALS[metric],
                {"rule: contains '?'": _pct(float(fn(gold, rule, zero_division=0)))},
                len(gold),
            )
        )
    return scores


def evaluate_questions(
    detector: QuestionDetector, root: Path, cross_validate: bool = True
) -> list[Score]:
    """NPS test sessions; then, unless ``cross_validate`` is off (it refits five models),
    our political chat lines."""
    test = _data.nps_chat(root, "test")
    gold = [label == _data.QUESTION for label in test.labels]
    scores = _pr(
        "questions: NPS chat test sessions",
        gold,
        detector.is_question(test.texts),
        question_rule(test.texts),
    )
    if not cross_validate:
        return scores
    sample = _data.chat_questions(root)
    nps = _data.nps_chat(root, "train")
    texts, labels = sample.data.texts, sample.data.labels
    predicted = np.zeros(len(texts), dtype=bool)
    for fold in range(5):
        keep = [i for i, f in enumerate(sample.folds) if f != fold]
        held = [i for i, f in enumerate(sample.folds) if f == fold]
        fitted = QuestionDetector(
            fit_question(nps, Labelled([texts[i] for i in keep], [labels[i] for i in keep]))
        )
        predicted[held] = fitted.is_question([texts[i] for i in held])
    gold_chat = np.array([label == _data.QUESTION for label in labels])
    rule = np.array(question_rule(texts))
    uniform = np.array([p == "uniform" for p in sample.parts])
    scores += _pr("questions: political chat, 700 lines (5-fold)", gold_chat, predicted, rule)
    scores += _pr(
        "questions: political chat, 500 drawn at random",
        gold_chat[uniform],
        predicted[uniform],
        rule[uniform],
    )
    return scores


def evaluate_duplicates(model: DuplicateModel, root: Path) -> list[Score]:
    test = [p for p in _data.quora_pairs(root) if quora_split(p) == "test"]
    gold = np.array([p.duplicate for p in test])
    pred = np.array(model.same([p.first for p in test], [p.second for p in test]))
    words = np.array([_words_equal(p.first, p.second) for p in test])
    chat = _data.chat_pairs(root)
    gold_chat = np.array([p.duplicate for p in chat])
    pred_chat = model.same([p.first for p in chat], [p.second for p in chat])
    return [
        Score(
            "duplicates: Quora pairs, our test part",
            "accuracy",
            _pct(float((pred == gold).mean())),
            None,
            {**_BIMPM, "rule: same set of words": _pct(float((words == gold).mean()))},
            len(test),
        ),
        Score(
            "duplicates: political chat pairs (hand-labelled)",
            "F1(duplicate)",
            _pct(float(f1_score(gold_chat, pred_chat))),
            GOALS["pair_f1"],
            {
                "rule: same set of words": _pct(
                    float(f1_score(gold_chat, [_words_equal(p.first, p.second) for p in chat]))
                )
            },
            len(chat),
        ),
    ]


def _words_equal(first: str, second: str) -> bool:
    return set(first.lower().split()) == set(second.lower().split())
