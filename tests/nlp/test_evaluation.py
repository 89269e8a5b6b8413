"""Each shipped model on its official test split (needs ../shared/data; skipped without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hustings import nlp

pytestmark = pytest.mark.shared


def test_needs_reply_beats_the_question_mark_rule(shared_data: Path) -> None:
    overall = nlp.evaluate("needs_reply", shared_data).scores[0]
    assert overall.value > overall.baselines["rule: contains '?'"] + 10


@pytest.mark.parametrize("task", ["stance", "incivility", "sentiment"])
def test_benchmarks_beat_the_weakest_published_system(task: str, shared_data: Path) -> None:
    for score in nlp.evaluate(task, shared_data).scores:
        assert score.value > min(score.baselines.values()), score.name
