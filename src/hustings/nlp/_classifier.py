"""Classifiers as users meet them: ``predict`` a batch of messages, get labels with reasons.

Each task ships as one model file (see ``_linear.ModelFile``). Most tasks are one softmax head;
``stance`` holds one head per target and can grow new ones from staff-confirmed examples;
``incivility`` combines an offensive head, a hate head and a shouting rule.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from hustings.errors import NlpError
from hustings.nlp._anytarget import ANY_TARGET, relation_block, target_terms
from hustings.nlp._data import STANCE_LABELS
from hustings.nlp._features import Features, featurize, frame
from hustings.nlp._linear import FloatArray, LinearHead, ModelFile
from hustings.nlp._topic import seed_hits

__all__ = [
    "MODELS_DIR",
    "TASKS",
    "Classifier",
    "IncivilityClassifier",
    "Prediction",
    "StanceClassifier",
    "TopicClassifier",
    "load",
    "load_file",
]

MODELS_DIR: Final = Path(__file__).parent / "models"
TASKS: Final = ("needs_reply", "stance", "incivility", "sentiment", "topic", "cap")
_SHOUT_LETTERS: Final = re.compile(r"[A-Za-z]")
_SHOUT_MIN_LETTERS: Final = 12
_SHOUT_CAPS_SHARE: Final = 0.7
_EXCLAMATIONS: Final = re.compile(r"!{3,}")


@dataclass(frozen=True)
class Prediction:
    """One message's label, its probability, every label's probability, and why."""

    label: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)


class Classifier:
    """A fitted single-head classifier for one task."""

    def __init__(self, task: str, model: ModelFile) -> None:
        self.task = task
        self.model = model
        self.model_name: str = str(model.header.get("name", task))
        self.model_version: str = str(model.header.get("version", "0"))

    @property
    def labels(self) -> tuple[str, ...]:
        return next(iter(self.model.heads.values())).labels

    def features(self, texts: Sequence[str]) -> Features:
        header = self.model.header
        return featurize(
            frame(texts, markers=bool(header.get("markers", False))),
            self.model.idf,
            emoji_names=bool(header.get("emoji_names", False)),
            lexicon=bool(header.get("lexicon", False)),
            valence=bool(header.get("sentiment_lexicon", False)),
            vectors=self.model.vectors,
        )

    def predict(self, texts: Sequence[str], *, target: str | None = None) -> list[Prediction]:
        if target is not None:
            raise NlpError(f"task {self.task!r} takes no target (only stance does)")
        if not texts:
            return []
        head = next(iter(self.model.heads.values()))
        return _decide(head, self.features(texts))


def _decide(head: LinearHead, features: Features) -> list[Prediction]:
    probabilities = head.probabilities(features.matrix)
    chosen = probabilities.argmax(axis=1).astype(np.int64)
    reasons = head.explain(features, chosen)
    labels = head.labels
    # Python floats from one ``tolist`` rather than a numpy scalar per label per message.
    rows: list[list[float]] = probabilities.tolist()
    return [
        Prediction(
            label=labels[c], score=row[c], scores=dict(zip(labels, row, strict=True)), why=why
        )
        for c, row, why in zip(chosen.tolist(), rows, reasons, strict=True)
    ]


class StanceClassifier(Classifier):
    """Stance (favor / against / none) toward a named target.

    Shipped heads cover the TweetEval targets. Any other target is read by the shared head
    (``_anytarget``: zero-shot, from the target's name and the description ``describe``
    gave it), and ``adapt`` fits a head for it from staff-confirmed examples, starting from
    the shared head's judgement. ``suggest`` picks which messages to label next.
    """

    ALIASES: Final = {
        "hillary clinton": "hillary",
        "clinton": "hillary",
        "feminism": "feminist",
        "feminist movement": "feminist",
        "climate change": "climate",
        "climate change is a real concern": "climate",
        "legalization of abortion": "abortion",
    }

    def __init__(
        self,
        task: str,
        model: ModelFile,
        descriptions: Mapping[str, str] | None = None,
        relational: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(task, model)
        self.descriptions: dict[str, str] = dict(descriptions or {})
        self.relational = relational
        """Heads fitted with the target-relation features (adapted ones)."""

    @property
    def targets(self) -> tuple[str, ...]:
        """Targets with a head of their own (shipped or adapted); any other is zero-shot."""
        return tuple(name for name in self.model.heads if not name.startswith("_"))

    @property
    def any_target(self) -> bool:
        """Whether this model reads targets it has no head for (the shared head)."""
        return ANY_TARGET in self.model.heads

    def _key(self, target: str | None) -> str:
        if target is None:
            raise NlpError(f"stance needs a target: one of {', '.join(self.targets)}, or any")
        key = " ".join(target.split()).lower()
        if not key:
            raise NlpError("stance needs a target: its name, e.g. 'bike lanes'")
        return self.ALIASES.get(key, key)

    def has_own_head(self, target: str) -> bool:
        """Whether ``target`` has a head of its own (else the shared head reads it)."""
        return self._key(target) in self.targets

    def head(self, target: str | None) -> LinearHead:
        key = self._key(target)
        if key in self.model.heads and not key.startswith("_"):
            return self.model.heads[key]
        if self.any_target:
            return self.model.heads[ANY_TARGET]
        raise NlpError(
            f"no stance model for target {target!r}: give a few dozen labelled examples "
            f"(known targets: {', '.join(self.targets)})"
        )

    def _target_features(self, texts: Sequence[str], target: str | None) -> Features:
        """The message features, plus the target-relation block for heads that read it."""
        key = self._key(target)
        features = self.features(texts)
        if key in self.targets and key not in self.relational:
            return features
        terms = target_terms(key, self.descriptions.get(key))
        matrix = sp.csr_matrix(features.matrix + relation_block(list(texts), terms))
        return dataclasses.replace(features, matrix=matrix)

    def predict(self, texts: Sequence[str], *, target: str | None = None) -> list[Prediction]:
        head = self.head(target)
        return _decide(head, self._target_features(texts, target)) if texts else []

    def describe(self, target: str, description: str | None) -> StanceClassifier:
        """A copy that reads ``target`` knowing what it is (its relation features use the
        description's words: "Bike lanes": "protected cycle lanes on Main Street")."""
        key = self._key(target)
        descriptions = dict(self.descriptions)
        if description and description.strip():
            descriptions[key] = description.strip()
        return StanceClassifier(self.task, self.model, descriptions, self.relational)

    def adapt(self, target: str, texts: Sequence[str], labels: Sequence[str]) -> StanceClassifier:
        """A copy of this classifier with a head for ``target`` fitted on staff's examples
        (a target without examples is read zero-shot by the shared head)."""
        from hustings.nlp._fit import fit_head  # scikit-learn is only needed to fit

        unknown = sorted(set(labels) - set(STANCE_LABELS))
        if unknown:
            raise NlpError(f"stance labels must be favor, against or none, not {unknown}")
        if len(set(labels)) < 2:
            raise NlpError("stance examples need at least two different labels")
        key = self._key(target)
        # A head fitted on the examples alone, not the few-shot layer over the shared head
        # (``_anytarget.few_shot``): on the leave-one-target-out proxy the two are within a
        # point (40.5 and 41.3 mean F1 with 50 examples), but the few-shot layer keeps the
        # shared head's lean to "against" and was least sure of "I love the bike lanes".
        # The shared head still reads the target until its first examples arrive.
        head = fit_head(self.features(texts).matrix, labels, STANCE_LABELS, c=10.0)
        heads = {**self.model.heads, key: head}
        model = ModelFile(self.model.idf, heads, self.model.header)
        return StanceClassifier(
            self.task, model, self.descriptions, self.relational - {key}
        )

    def suggest(self, texts: Sequence[str], target: str, count: int = 10) -> list[int]:
        """Indices of the messages the model is least sure about, most uncertain first.

        Labelling those (uncertainty sampling by smallest margin between the two likeliest
        labels) teaches the model most per message a member of staff reads.
        """
        if not texts:
            return []
        matrix = self._target_features(texts, target).matrix
        probabilities = self.head(target).probabilities(matrix)
        ordered = np.sort(probabilities, axis=1)
        margin = ordered[:, -1] - ordered[:, -2]
        return [int(i) for i in np.argsort(margin, kind="stable")[:count]]


def shouting(texts: Sequence[str]) -> FloatArray:
    """How much each message shouts, 0 to 1: its share of capital letters, or ``!!!``."""
    out = np.zeros(len(texts), dtype=np.float32)
    for i, text in enumerate(texts):
        letters = _SHOUT_LETTERS.findall(re.sub(r"@\w+|https?://\S+", "", text))
        caps = sum(1 for ch in letters if ch.isupper())
        share = caps / len(letters) if len(letters) >= _SHOUT_MIN_LETTERS else 0.0
        bang = 1.0 if _EXCLAMATIONS.search(text) else 0.0
        out[i] = max(min(share / _SHOUT_CAPS_SHARE, 1.0) if share >= 0.5 else 0.0, bang)
    return out


class IncivilityClassifier(Classifier):
    """Offensive and hateful language (two heads) and shouting (a rule), as one label.

    The label is the most serious that applies, hateful over offensive over shouting over civil;
    ``scores`` carries all three so a caller can apply its own thresholds.
    """

    LABELS: Final = ("civil", "shouting", "offensive", "hateful")

    @property
    def labels(self) -> tuple[str, ...]:
        return self.LABELS

    def predict(self, texts: Sequence[str], *, target: str | None = None) -> list[Prediction]:
        if target is not None:
            raise NlpError("task 'incivility' takes no target (only stance does)")
        if not texts:
            return []
        features = self.features(texts)
        offensive_head = self.model.heads["offensive"]
        hate_head = self.model.heads["hate"]
        offensive = offensive_head.probabilities(features.matrix)[:, 1]
        hate = hate_head.probabilities(features.matrix)[:, 1] * _hate_gate(offensive)
        shout = shouting(texts)
        ones = np.ones(len(texts), dtype=np.int64)
        why_offensive = offensive_head.explain(features, ones)
        why_hate = hate_head.explain(features, ones)
        out: list[Prediction] = []
        for i in range(len(texts)):
            scores = {"offensive": float(offensive[i]), "hateful": float(hate[i])}
            scores["shouting"] = float(shout[i])
            if hate[i] >= 0.5:
                label, why = "hateful", why_hate[i]
            elif offensive[i] >= 0.5:
                label, why = "offensive", why_offensive[i]
            elif shout[i] >= 0.5:
                label, why = "shouting", ["mostly capital letters or !!!"]
            else:
                label, why = "civil", []
            scores["civil"] = 1.0 - max(scores.values())
            out.append(Prediction(label, scores[label], scores, why))
        return out


def _hate_gate(offensive: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Hate speech is offensive speech: damp the hate score of clearly inoffensive messages."""
    gate: npt.NDArray[np.float32] = np.clip(offensive * 2.0, 0.0, 1.0).astype(np.float32)
    return gate


class TopicClassifier(Classifier):
    """Policy topic: the seed lexicon decides when it speaks, the model when it is silent.

    The model was trained on labels the lexicon made from mostly non-political tweets, so where
    a message names a seed word the lexicon is the better judge; the model then only breaks ties
    between several named topics, and its ``score`` is renormalised over those topics. Where no
    seed word appears, the model's own prediction stands.
    """

    def predict(self, texts: Sequence[str], *, target: str | None = None) -> list[Prediction]:
        if target is not None:
            raise NlpError("task 'topic' takes no target (only stance does)")
        if not texts:
            return []
        head = next(iter(self.model.heads.values()))
        features = self.features(texts)
        probabilities = head.probabilities(features.matrix)
        index = {label: i for i, label in enumerate(head.labels)}
        hits = [seed_hits(text) for text in texts]
        chosen = probabilities.argmax(axis=1).astype(np.int64)
        for i, named in enumerate(hits):
            if named:
                chosen[i] = max((index[t] for t in named), key=lambda j: probabilities[i, j])
        reasons = head.explain(features, chosen)
        out: list[Prediction] = []
        for i, c in enumerate(chosen.tolist()):
            row = probabilities[i]
            label = head.labels[c]
            scores = {name: float(p) for name, p in zip(head.labels, row, strict=True)}
            score = float(row[c])
            why = reasons[i]
            if hits[i]:
                score /= sum(scores[t] for t in hits[i])
                why = [f'"{hits[i][label]}" is a seed word for {label.replace("_", " ")}', *why]
            out.append(Prediction(label, score, scores, why[:3]))
        return out


_KINDS: Final[dict[str, type[Classifier]]] = {
    "stance": StanceClassifier,
    "incivility": IncivilityClassifier,
    "topic": TopicClassifier,
}


def load_file(task: str, path: Path) -> Classifier:
    """Load a task's classifier from an explicit model file (a freshly trained one, say)."""
    if not path.is_file():
        raise NlpError(f"no model file for task {task!r} at {path}: run `hustings nlp train`")
    return _KINDS.get(task, Classifier)(task, ModelFile.load(path))


@functools.cache
def load(task: str) -> Classifier:
    """The shipped classifier for ``task``, loaded once per process."""
    if task not in TASKS:
        raise NlpError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    return load_file(task, MODELS_DIR / f"{task}.npz")
