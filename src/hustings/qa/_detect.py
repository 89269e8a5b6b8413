"""Is this chat line a question? A linear head over the shared hashed n-grams.

Most live-chat lines are cheers, insults and audio complaints; a moderator wants only the
questions. The model file (``models/question.npz``, trained by ``_train``) is the same
format as ``hustings.nlp``'s classifiers, so it loads without scikit-learn. Lines are wrapped
in start and end markers before featurising, so that "what ..." at the start and "... ?" at
the end become features of their own (word bigrams with the markers): 4 points of recall on
the NPS chat test split at the same precision.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from hustings.errors import NlpError
from hustings.nlp._features import featurize
from hustings.nlp._linear import FloatArray, ModelFile

__all__ = ["MODELS_DIR", "QuestionDetector", "load_detector", "marked"]

MODELS_DIR: Final = Path(__file__).parent / "models"
_START: Final = "xxbos"
_END: Final = "xxeos"


def marked(text: str) -> str:
    """The line as the model reads it: between start and end markers."""
    return f"{_START} {text} {_END}"


@dataclass(frozen=True)
class QuestionDetector:
    """Scores chat lines; a line is a question when its score reaches ``threshold``."""

    model: ModelFile

    @property
    def threshold(self) -> float:
        return float(self.model.header.get("threshold", 0.5))

    @property
    def version(self) -> str:
        return str(self.model.header.get("version", "0"))

    def scores(self, texts: Sequence[str]) -> FloatArray:
        """Probability that each line is a question."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        head = self.model.heads["question"]
        matrix = featurize([marked(t) for t in texts], self.model.idf).matrix
        out: FloatArray = head.probabilities(matrix)[:, head.labels.index("question")]
        return out

    def is_question(self, texts: Sequence[str]) -> list[bool]:
        return [bool(s >= self.threshold) for s in self.scores(texts)]


def load_detector(path: Path | None = None) -> QuestionDetector:
    """The shipped detector (or one from ``path``, a freshly trained file, say)."""
    return _load(path or MODELS_DIR / "question.npz")


@functools.cache
def _load(path: Path) -> QuestionDetector:
    if not path.is_file():
        raise NlpError(f"no question model at {path}: run `python -m hustings.qa.train`")
    return QuestionDetector(ModelFile.load(path))
