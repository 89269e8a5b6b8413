"""Training and scoring the CAP policy-topic model (``hustings.nlp.cap``).

One linear head over the project's hashed word and character n-grams, fitted on the training
splits of the three CAP sets together (``_cap_data``); no feature says which set a text came
from, so announcements of any genre are scored the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from hustings.nlp._cap_data import CAP_SETS, cap_set
from hustings.nlp._data import Labelled
from hustings.nlp._features import featurize
from hustings.nlp._fit import fit_head, fit_idf
from hustings.nlp._linear import ModelFile
from hustings.nlp.cap import CAP_MAJORS

__all__ = ["ORDER", "named", "train_cap", "training_data"]

_C: Final = 10.0
_PRUNE: Final = 0.02
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


def train_cap(root: Path) -> ModelFile:
    data = training_data(root)
    idf = fit_idf(data.texts)
    matrix = featurize(data.texts, idf).matrix
    head = fit_head(matrix, data.labels, ORDER, _C, balanced=True, prune=_PRUNE)
    return ModelFile(idf, {"cap": head}, {"trained_examples": len(data.texts)})
