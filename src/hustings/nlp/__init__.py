"""Offline message understanding: needs a reply, stance, incivility, sentiment, policy topic.

Each task is a small linear model over hashed word and character n-grams, shipped as a numpy
file inside the package: nothing is downloaded, nothing needs a GPU, and loading every model
takes well under a second. Every prediction says which words drove it.

    >>> from hustings import nlp
    >>> [p.label for p in nlp.load("needs_reply").predict(["When is your next surgery?"])]
    ['needs_reply']

``train`` and ``evaluate`` need the shared labelled sets (``../shared/data`` or
``$HUSTINGS_SHARED_DATA``); predicting needs only the package.
"""

from __future__ import annotations

import csv
import io
import typing

from hustings.errors import NlpError
from hustings.nlp import _classifier
from hustings.nlp._classifier import (
    TASKS,
    Classifier,
    Prediction,
    StanceClassifier,
    load,
    load_file,
)
from hustings.nlp._data import shared_data_dir

if typing.TYPE_CHECKING:
    from pathlib import Path

    from hustings.nlp._evaluate import EvalResult, Score

__all__ = [
    "TASKS",
    "Classifier",
    "EvalResult",
    "NlpError",
    "Prediction",
    "Score",
    "StanceClassifier",
    "evaluate",
    "evaluate_reply_sources",
    "load",
    "read_examples",
    "stance_proxies",
    "train",
]


def __getattr__(name: str) -> object:
    """``EvalResult`` and ``Score`` load scikit-learn: only when evaluation is asked for."""
    if name in ("EvalResult", "Score"):
        from hustings.nlp import _evaluate

        return getattr(_evaluate, name)
    raise AttributeError(f"module 'hustings.nlp' has no attribute {name!r}")


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise NlpError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")


def train(
    task: str, data_dir: Path | None = None, out_dir: Path | None = None
) -> dict[str, int | str]:
    """Fit ``task`` on the shared data and write its model file (into the package by default).

    Returns what was trained: task, number of training examples, model file size in bytes.
    """
    from hustings.nlp._recipes import train_model

    _check_task(task)
    target = (out_dir or _classifier.MODELS_DIR) / f"{task}.npz"
    target.parent.mkdir(parents=True, exist_ok=True)
    result = train_model(task, shared_data_dir(data_dir), target)
    load.cache_clear()
    return result


def evaluate(task: str, data_dir: Path | None = None, model_dir: Path | None = None) -> EvalResult:
    """Score ``task``'s model with the official metric on the official test split."""
    from hustings.nlp._evaluate import evaluate_classifier

    _check_task(task)
    root = shared_data_dir(data_dir)
    classifier = load(task) if model_dir is None else load_file(task, model_dir / f"{task}.npz")
    return evaluate_classifier(task, classifier, root)


def stance_proxies(data_dir: Path | None = None) -> list[Score]:
    """Stance toward a new target: the leave-one-target-out and manifesto proxies, as rows
    (see ``_stance_proxy``)."""
    from hustings.nlp._stance_proxy import proxy_scores

    return proxy_scores(shared_data_dir(data_dir))


def evaluate_reply_sources(data_dir: Path | None = None) -> tuple[list[Score], list[str]]:
    """needs-a-reply on sources held out from training: per source, a model fitted on all the
    others scores every row of it (the proxy for messages nobody trained on, issue #23).

    Returns the scores and, per source that could not be scored, the reason (data absent).
    Fits one model per source, so it takes a while.
    """
    from hustings.nlp._reply import held_out_eval

    return held_out_eval(shared_data_dir(data_dir))


def read_examples(text: str, source: str = "examples") -> tuple[list[str], list[str]]:
    """Parse staff-confirmed stance examples: CSV with a ``text,label`` header.

    Labels must be ``favor``, ``against`` or ``none``; any other value, a missing column or an
    empty file is an ``NlpError`` naming the line.
    """
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
        raise NlpError(f"{source}: expected a CSV header with columns text,label")
    texts: list[str] = []
    labels: list[str] = []
    for line, row in enumerate(reader, start=2):
        label = (row["label"] or "").strip().lower()
        if label not in {"favor", "against", "none"}:
            raise NlpError(
                f"{source}, line {line}: label {row['label']!r} is not favor, against or none"
            )
        texts.append(row["text"] or "")
        labels.append(label)
    if not texts:
        raise NlpError(f"{source}: no examples")
    return texts, labels
