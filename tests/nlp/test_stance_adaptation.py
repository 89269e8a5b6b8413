"""Stance toward a new target, learnt from a few dozen staff-confirmed examples."""

from __future__ import annotations

import pytest

from hustings import nlp
from hustings.nlp import NlpError, StanceClassifier
from tests.nlp.examples import examples_csv


@pytest.fixture(scope="module")
def adapted() -> StanceClassifier:
    stance = nlp.load("stance")
    assert isinstance(stance, StanceClassifier)
    texts, labels = nlp.read_examples(examples_csv())
    return stance.adapt("bike lanes", texts, labels)


def test_new_target_gets_obvious_messages_right(adapted: StanceClassifier) -> None:
    messages = [
        "I love the bike lanes, they make cycling safe",
        "Scrap the awful bike lanes now, they are a waste of money",
        "The town hall is open on Saturday morning",
    ]
    labels = [p.label for p in adapted.predict(messages, target="bike lanes")]
    assert labels == ["favor", "against", "none"]


def test_adapting_keeps_shipped_targets(adapted: StanceClassifier) -> None:
    assert {"hillary", "bike lanes"} <= set(adapted.targets)


def test_suggest_puts_ambiguous_messages_first(adapted: StanceClassifier) -> None:
    messages = [
        "I love the bike lanes, they make cycling safe",
        "Not sure what I think about the bike lanes yet, some good some bad",
        "Scrap the awful bike lanes now",
    ]
    assert adapted.suggest(messages, "bike lanes", count=1) == [1]


def test_examples_with_a_bad_label_name_the_line() -> None:
    with pytest.raises(NlpError, match="line 3: label 'maybe'"):
        nlp.read_examples("text,label\nI like it,favor\nhmm,maybe\n", source="x.csv")


def test_examples_without_header_are_rejected() -> None:
    with pytest.raises(NlpError, match="columns text,label"):
        nlp.read_examples("I like it,favor\n")
