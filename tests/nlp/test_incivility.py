"""What a moderator notices about the incivility classifier: insults, disguises, debate."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from hustings import nlp
from hustings.nlp import Prediction
from hustings.nlp._features import featurize, word_buckets
from hustings.nlp._fit import fit_head, fit_nb_average
from hustings.nlp._linear import LinearHead
from hustings.nlp._vectors import fit_word_vectors


def _predict(*texts: str) -> list[Prediction]:
    return nlp.load("incivility").predict(list(texts))


def test_insult_with_disguised_profanity_is_offensive() -> None:
    [prediction] = _predict("@user you are a f*cking idi0t")
    assert prediction.label == "offensive"


def test_masking_a_swear_word_does_not_hide_it() -> None:
    plain, masked = _predict("what a load of shit, you clown", "what a load of sh!t, you cl0wn")
    assert masked.label == plain.label == "offensive"
    assert masked.scores["offensive"] == plain.scores["offensive"]


def test_heated_but_civil_policy_disagreement_is_civil() -> None:
    [prediction] = _predict(
        "I completely disagree with your housing plan. It will push rents up, and you have "
        "ignored every renter who wrote to you about it."
    )
    assert prediction.label == "civil"


def test_offensive_explanation_names_the_insult_spelt_out() -> None:
    [prediction] = _predict("@user you are a f*cking idi0t")
    assert any(reason.startswith('"idiot" suggests offensive') for reason in prediction.why)


def test_word_vectors_bring_words_used_alike_together() -> None:
    insults = ["idiot", "moron"]
    plans = ["housing", "transport"]
    texts = [
        f"honestly you are such a {w} and everyone knows it {n}" for w in insults for n in range(6)
    ] + [f"the {w} plan will cut costs for families {n}" for w in plans for n in range(6)]
    fitted = fit_word_vectors(texts, dim=3)
    idiot, moron, housing = fitted.vectors[fitted.rows(word_buckets(["idiot", "moron", "housing"]))]
    assert idiot @ moron > 0.9
    assert idiot @ housing < 0.5


def test_nb_average_head_scores_as_the_mean_of_its_two_models() -> None:
    texts = [f"you are a {w} number {n}" for w in ("clown", "idiot") for n in range(8)] + [
        f"thanks for the {w} update {n}" for w in ("housing", "transport") for n in range(8)
    ]
    labels = ["rude"] * 16 + ["civil"] * 16
    matrix = featurize(texts).matrix
    order = ("civil", "rude")
    head = fit_nb_average(matrix, labels, order, c=1.0, prune=0.0)

    used = np.unique(matrix.indices)
    present = (matrix[:, used] > 0).toarray()
    rude = np.array(labels) == "rude"
    p = present[rude].sum(axis=0) + 1.0
    n = present[~rude].sum(axis=0) + 1.0
    ratio = np.zeros(matrix.shape[1], dtype=np.float32)
    ratio[used] = np.log((p / p.sum()) / (n / n.sum()))
    plain = fit_head(matrix, labels, order, 1.0, prune=0.0)
    scaled = fit_head(sp.csr_matrix(matrix @ sp.diags(ratio)), labels, order, 1.0, prune=0.0)

    def logit(h: LinearHead, m: sp.csr_matrix) -> np.ndarray:
        scores = np.asarray(m @ h.weights) + h.bias
        return np.asarray(scores[:, 1] - scores[:, 0])

    mean = (logit(plain, matrix) + logit(scaled, sp.csr_matrix(matrix @ sp.diags(ratio)))) / 2
    np.testing.assert_allclose(logit(head, matrix), mean, rtol=1e-4, atol=1e-4)
    assert [head.labels[i] for i in head.probabilities(matrix).argmax(axis=1)] == labels
