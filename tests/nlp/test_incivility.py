"""What a moderator notices about the incivility classifier: insults, disguises, debate."""

from __future__ import annotations

from hustings import nlp
from hustings.nlp import Prediction


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

