"""needs-a-reply on messages unlike its training data (issue #23), and its held-out check.

The messages here were written for these tests; none is in the training sets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hustings import nlp
from hustings.nlp._data import Labelled
from hustings.nlp._reply import held_out_scores
from hustings.nlp._reply_data import HELD_OUT_SOURCES, quote_tweets


def _labels(texts: list[str]) -> list[str]:
    return [p.label for p in nlp.load("needs_reply").predict(texts)]


@pytest.mark.parametrize(
    "text",
    [
        "Sick of potholes? Vote Reid on 6 May. #FixOurRoads",
        "Who's ready to win this thing?! #TeamGreen 💚",
        "Isn't it brilliant to see the old library full of kids again?",
        "Why wait for change? Chip in £5 today and make it happen.",
    ],
)
def test_rhetorical_question_slogans_are_not_filed_as_needing_a_reply(text: str) -> None:
    assert _labels([text]) == ["no_reply"]


@pytest.mark.parametrize(
    "text",
    [
        "hi what time does the polling station at st marys close tonight",
        "@user is the candidates' debate on Thursday open to the public?",
        "Dear Mr Hale, could your office tell me who to contact about my mum's care package",
    ],
)
def test_plain_question_from_a_new_kind_of_sender_needs_a_reply(text: str) -> None:
    assert _labels([text]) == ["needs_reply"]


def test_a_quoted_question_asked_of_someone_else_needs_no_reply() -> None:
    assert _labels(["RT @user: When will the council publish its budget?"]) == ["no_reply"]


def test_reasons_never_name_the_models_marker_words() -> None:
    prediction = nlp.load("needs_reply").predict(["When is your next surgery?"])[0]
    assert prediction.why
    assert not any("xxbos" in why or "xxeos" in why for why in prediction.why)


def test_quote_tweets_are_made_only_from_questions_that_need_a_reply() -> None:
    data = Labelled(
        ["When is the surgery?", "Lovely day?", "Please call me back", "RT @user: why?"],
        ["needs_reply", "no_reply", "needs_reply", "needs_reply"],
    )
    quoted = quote_tweets(data)
    assert len(quoted.texts) == 1 and "When is the surgery?" in quoted.texts[0]
    assert quoted.labels == ["no_reply"]


def test_held_out_check_skips_each_source_with_the_missing_file(tmp_path: Path) -> None:
    scores, skipped = held_out_scores(tmp_path)
    assert scores == []
    assert len(skipped) == len(HELD_OUT_SOURCES)
    assert all("missing data file" in reason for reason in skipped)
    assert skipped[0].startswith("political: ")


@pytest.mark.shared
def test_held_out_source_beats_the_question_mark_rule(shared_data: Path) -> None:
    [score], skipped = held_out_scores(shared_data, ("replies",))
    assert skipped == []
    assert score.examples == 102
    assert score.f1 > score.rule_f1 + 10
