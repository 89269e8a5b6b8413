"""What a campaign worker notices when using the shipped classifiers."""

from __future__ import annotations

import socket
import time

import pytest

from hustings import nlp
from hustings.nlp import NlpError, StanceClassifier


def _label(task: str, text: str) -> str:
    return nlp.load(task).predict([text])[0].label


def test_question_to_candidate_needs_reply() -> None:
    assert _label("needs_reply", "@user when will you hold your next surgery in Eastfield?") == (
        "needs_reply"
    )


def test_angry_question_still_needs_reply() -> None:
    text = "WHY did you vote to close our hospital?? Answer us!!"
    assert _label("needs_reply", text) == "needs_reply"


def test_slogan_does_not_need_reply() -> None:
    assert _label("needs_reply", "Vote Green on Thursday! #ForTheMany") == "no_reply"


def test_explanation_names_the_words_that_drove_it() -> None:
    text = "Can you please help with the potholes on my street?"
    prediction = nlp.load("needs_reply").predict([text])[0]
    assert prediction.why
    named = " ".join(prediction.why).lower()
    assert any(f'"{word}"' in named for word in text.lower().replace("?", " ? ").split())


def test_prediction_scores_are_probabilities() -> None:
    prediction = nlp.load("sentiment").predict(["I love this team, what a great day"])[0]
    assert prediction.label == "positive"
    assert set(prediction.scores) == {"negative", "neutral", "positive"}
    assert sum(prediction.scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert prediction.score == prediction.scores[prediction.label]


def test_models_load_with_network_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    nlp.load.cache_clear()
    started = time.perf_counter()
    classifiers = [nlp.load(task) for task in nlp.TASKS]
    assert time.perf_counter() - started < 5.0
    assert all(c.model_version for c in classifiers)
    assert classifiers[0].predict(["Is the count tonight?"])[0].label in {"needs_reply", "no_reply"}


def test_every_task_labels_a_batch() -> None:
    messages = ["Great speech tonight!", "What is your plan for the NHS?", ""]
    for task in nlp.TASKS:
        target = "hillary" if task == "stance" else None
        predictions = nlp.load(task).predict(messages, target=target)
        assert len(predictions) == len(messages)


def test_shouting_is_flagged_as_incivility() -> None:
    prediction = nlp.load("incivility").predict(["PLEASE FIX THE ROADS IN OUR TOWN NOW"])[0]
    assert prediction.label == "shouting"
    assert prediction.scores["shouting"] >= 0.5


def test_polite_message_is_civil() -> None:
    assert _label("incivility", "Thank you for visiting our school today") == "civil"


def test_topic_of_a_health_complaint() -> None:
    assert _label("topic", "Waited eight hours in A&E, the hospital is overwhelmed") == "health"


def test_unknown_task_is_a_clear_error() -> None:
    with pytest.raises(NlpError, match="unknown task 'sarcasm'"):
        nlp.load("sarcasm")


def test_stance_without_target_is_a_clear_error() -> None:
    with pytest.raises(NlpError, match="needs a target"):
        nlp.load("stance").predict(["hello"])


def test_unseen_stance_target_is_read_without_examples() -> None:
    [prediction] = nlp.load("stance").predict(["hello"], target="bike lanes")
    assert prediction.label in {"favor", "against", "none"}


def test_public_names_are_curated() -> None:
    for name in nlp.__all__:
        assert hasattr(nlp, name), name
    public = {n for n in vars(nlp) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(nlp.__all__)


def test_stance_classifier_is_what_load_returns() -> None:
    assert isinstance(nlp.load("stance"), StanceClassifier)


def test_sentiment_reads_emoji() -> None:
    """Its training tweets have no emoji; read by their names, emoji still carry the feeling."""
    text = "The council voted on the library tonight {}"
    assert _label("sentiment", text.format("")) == "neutral"
    assert _label("sentiment", text.format("😭😭")) == "negative"
    assert _label("sentiment", text.format("😍😍")) == "positive"


def test_emoji_explanation_names_the_emoji_words() -> None:
    prediction = nlp.load("sentiment").predict(["Results are in 😭😭"])[0]
    assert any("crying" in reason or "😭" in reason for reason in prediction.why)


def test_clearly_negative_message_is_explained_by_the_lexicon() -> None:
    prediction = nlp.load("sentiment").predict(["What a dishonest, shameful campaign"])[0]
    assert prediction.label == "negative"
    assert any("sentiment lexicon" in reason for reason in prediction.why)


def test_clearly_positive_message_is_explained_by_the_lexicon() -> None:
    prediction = nlp.load("sentiment").predict(["Such a hopeful, wonderful rally tonight"])[0]
    assert prediction.label == "positive"
    assert any(reason.startswith('"wonderful"') for reason in prediction.why)


def test_negated_praise_is_read_as_negative_and_explained_so() -> None:
    prediction = nlp.load("sentiment").predict(["The new bus timetable is not good at all"])[0]
    assert prediction.label == "negative"
    assert any(r.startswith('"good"') and "negated" in r for r in prediction.why)
