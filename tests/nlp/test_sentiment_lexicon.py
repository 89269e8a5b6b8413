"""The sentiment lexicon's rules, as a reader of a message would apply them."""

from __future__ import annotations

from hustings.nlp._features import featurize
from hustings.nlp._valence import valence, valences


def _rating(tokens: list[str], word: str) -> float:
    """The rating ``word`` counts with among ``tokens``."""
    return dict(valences(tokens))[tokens.index(word)]


def test_lexicon_rates_clear_words_by_their_sign() -> None:
    assert (valence("dishonest") or 0.0) < 0 < (valence("wonderful") or 0.0)
    assert valence("council") is None


def test_hashtag_is_rated_as_its_word() -> None:
    assert valence("#love") == valence("love")


def test_negation_flips_a_rating() -> None:
    assert _rating(["not", "good"], "good") < 0 < _rating(["so", "good"], "good")
    assert _rating(["didn't", "like", "it"], "like") < 0


def test_booster_strengthens_a_rating() -> None:
    assert _rating(["very", "bad"], "bad") < _rating(["the", "bad"], "bad") < 0


def test_what_follows_but_counts_more() -> None:
    tokens = ["good", "speech", "but", "bad", "policy"]
    assert abs(_rating(tokens, "bad")) > abs(_rating(["bad", "policy"], "bad"))
    assert _rating(tokens, "good") < _rating(["good", "speech"], "good")


def test_lexicon_features_only_for_models_that_ask() -> None:
    text = ["What a wonderful, hopeful rally"]
    plain = featurize(text)
    rated = featurize(text, valence=True)
    assert plain.lexical == 0
    assert rated.lexical == 2  # "wonderful" and "hopeful"
    assert (rated.matrix - plain.matrix).nnz == 1  # one column: the positive sum
