"""The listen report reads in one line, lists people as tables, and ranks who to answer."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from markupsafe import escape

from hustings.listen import CorpusBuilder, EdgeKind, ListenResult, analyse, write_outputs
from hustings.listen._verdict import (
    APART,
    DIALOGUE,
    NO_CAMPS,
    PAST,
    SHOUTING,
    VERDICT_RULE,
    verdict,
)
from tests.listen.networks import T0, two_camps
from tests.report.pages import SNAKE, section, visible_text


def _measures(cross: float, two_way: float, uncivil: float | None) -> dict[str, float | None]:
    return {
        "camps": 2.0,
        "accounts": 40.0,
        "cross_camp_reply_share": cross,
        "two_way_reply_share": two_way,
        "incivility_across_camps": uncivil,
    }


@pytest.mark.parametrize(
    ("cross", "two_way", "uncivil", "label"),
    [
        (0.09, 0.5, 0.5, APART),
        (0.40, 0.5, 0.5, SHOUTING),
        (0.40, 0.05, 0.1, PAST),
        (0.40, 0.5, 0.1, DIALOGUE),
        (0.40, 0.5, None, DIALOGUE),
    ],
)
def test_verdict_follows_its_rule(
    cross: float, two_way: float, uncivil: float | None, label: str
) -> None:
    assert verdict(_measures(cross, two_way, uncivil)).label == label


def test_verdict_sentence_states_the_measures_it_rests_on() -> None:
    said = verdict(_measures(0.09, 0.3, 0.5)).sentence
    assert said == (
        "camps keep to themselves: 9% of replies cross camps, 30% of replies are answered "
        "back, 50% of cross-camp replies are uncivil"
    )


def test_verdict_without_camps_says_so() -> None:
    assert verdict({"camps": 1.0, "accounts": 12.0}).label == NO_CAMPS


def test_verdict_rule_names_the_thresholds_the_code_applies() -> None:
    assert "15%" in VERDICT_RULE and "30%" in VERDICT_RULE and "20%" in VERDICT_RULE


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[ListenResult, str]:
    out = tmp_path_factory.mktemp("listen-reading")
    result = analyse(two_camps(), "#test", classify=False)
    write_outputs(result, out)
    return result, (out / "report.html").read_text()


def test_report_opens_with_the_verdict_and_its_rule(written: tuple[ListenResult, str]) -> None:
    result, page = written
    box = " ".join(re.sub(r"<[^>]+>", "", section(page, "verdict")).split())
    assert f"{result.verdict.sentence}." in box
    assert str(escape(VERDICT_RULE)) in page
    cross = result.measures["cross_camp_reply_share"]
    assert cross is not None and f"{cross * 100:.0f}% of replies cross camps" in box


def test_no_stance_column_when_no_stance_is_known(written: tuple[ListenResult, str]) -> None:
    _result, page = written
    camps = section(page, "camps")
    assert "Stance" not in camps and "—" not in camps


def test_stance_column_shows_a_known_stance(tmp_path: Path) -> None:
    result = analyse(two_camps(), "#test", classify=False)
    result.camps = [replace(result.camps[0], stance="favor"), *result.camps[1:]]
    write_outputs(result, tmp_path)
    camps = visible_text(section((tmp_path / "report.html").read_text(), "camps"))
    assert "Stance" in camps and "favor" in camps and "not known" in camps


def test_undecided_unanswered_is_a_sortable_table(written: tuple[ListenResult, str]) -> None:
    _result, page = written
    part = section(page, "undecided")
    assert '<table class="sortable' in part
    assert re.search(r"<td[^>]*>@undecided1</td>", part)


def test_listen_report_shows_no_raw_field_names(written: tuple[ListenResult, str]) -> None:
    _result, page = written
    assert SNAKE.findall(visible_text(page)) == []


def test_open_questions_are_ranked_by_reach_then_age() -> None:
    b = CorpusBuilder()
    asked = [("small_old", 0, 50), ("big_new", 500, 50_000), ("small_new", 400, 80)]
    for who, dt, followers in asked:
        b.followers(who, followers)
        m = b.message(f"q-{who}", who, T0 + dt, "Who will fix the roads?")
        b.edge(m, "mp", EdgeKind.MENTION)
    b.followers("unknown_older", 0)
    b.track("mp", "candidate", "Party A")
    corpus = b.build()
    result = analyse(corpus, "roads", classify=False, daily=False)
    order = [corpus.names[int(corpus.author[i])] for i in result.open_questions]
    assert order == ["big_new", "small_old", "small_new"]
