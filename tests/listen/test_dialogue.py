"""Dialogue measures on a hand-made conversation whose answers are known (see networks.py)."""

from __future__ import annotations

import numpy as np
import pytest

from hustings.listen import MEASURES, analyse
from tests.listen.networks import two_camps


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return analyse(two_camps(), "#test", classify=False)


def test_cross_camp_reply_share_counts_four_of_five(result) -> None:  # type: ignore[no-untyped-def]
    assert result.measures["cross_camp_reply_share"] == pytest.approx(4 / 5)


def test_two_way_share_counts_only_the_reply_answered_later(result) -> None:  # type: ignore[no-untyped-def]
    assert result.measures["two_way_reply_share"] == pytest.approx(1 / 5)


def test_cross_camp_depth_is_the_mean_of_cross_replies(result) -> None:  # type: ignore[no-untyped-def]
    assert result.measures["cross_camp_reply_depth"] == pytest.approx((1 + 1 + 1 + 2) / 4)
    assert result.measures["within_camp_reply_depth"] == pytest.approx(2)


def test_the_bridge_is_the_account_answered_across_camps(result) -> None:  # type: ignore[no-untyped-def]
    names = result.corpus.names
    bridges = {names[i] for i in np.flatnonzero(result.stats.bridge_partners)}
    assert bridges == {"a1"}
    assert result.measures["bridge_accounts"] == 1


def test_the_unanswered_question_is_an_opportunity(result) -> None:  # type: ignore[no-untyped-def]
    corpus = result.corpus
    asked = {corpus.ids[i] for i in result.open_questions}
    assert asked == {"q-lonely", "re-b3-a0"}
    assert [corpus.names[i] for i in result.undecided] == ["undecided1"]


def test_without_a_classifier_incivility_and_shouting_are_empty(result) -> None:  # type: ignore[no-untyped-def]
    assert result.measures["incivility_across_camps"] is None
    assert result.measures["shouting_accounts"] is None


def test_every_measure_is_defined_once_and_computed(result) -> None:  # type: ignore[no-untyped-def]
    assert set(result.measures) == set(MEASURES)
    assert all(m.definition and m.title and m.unit for m in MEASURES.values())
    assert set(result.daily[0]) == {"day", *MEASURES}


def test_incivility_uses_the_classifier_when_installed() -> None:
    pytest.importorskip("hustings.nlp")
    measured = analyse(two_camps(), classify=True, daily=False)
    if any("incivility" in n for n in measured.notes):
        pytest.skip("incivility model not shipped in this checkout")
    assert measured.measures["incivility_across_camps"] is not None
    assert measured.stats.shouting is not None
